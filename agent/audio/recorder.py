"""``python -m agent record``: an IVR's prompts rendered into a recorded-IVR folder.

Every text the IVR can say (node prompts, re-prompts, hold announcements, a live
representative's answers) is rendered for each record of its data tables (so templated
prompts such as "Welcome, {customer.first_name}" exist per customer), split into sentences
as a PBX keeps its prompt pieces, and each distinct sentence is spoken once into an 8 kHz
16-bit WAV file named after its words. ``prompts.yaml`` lists each text with its files.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from ..scenario import IvrDefinition
from ..scenario.templates import TemplateError, render
from .line import LINE_RATE_HZ, resample, set_level
from .prompts import MANIFEST, PROMPT_LEVEL_DBFS, sentences
from .voices import Voice, write_wav

_SPOKEN = {"reply", "fallback", "closing"}
"""Fields besides ``*prompt`` that hold what the IVR says (a representative's lines)."""


def _texts(model: Any) -> list[str]:
    """Every text an IVR node speaks (fields named ``*prompt``, a representative's lines,
    hold announcements; not speech-grammar keywords), depth first."""
    found: list[str] = []
    if isinstance(model, BaseModel):
        for name, value in model:
            if isinstance(value, str) and (name.endswith("prompt") or name in _SPOKEN):
                found.append(value)
            elif name == "announcements":
                found += value
            elif not isinstance(value, str):
                found += _texts(value)
    elif isinstance(model, list | tuple):
        for item in model:
            found += _texts(item)
    elif isinstance(model, dict):
        for item in model.values():
            found += _texts(item)
    return found


def _contexts(ivr: IvrDefinition) -> list[dict[str, Any]]:
    """Template contexts: one with no record bound, and one per record of each table."""
    contexts = [ivr.template_context()]
    for value in ivr.data.values():
        if isinstance(value, dict) and value and all(isinstance(r, dict)
                                                     for r in value.values()):
            for record in value.values():
                contexts.append(ivr.template_context({"customer": record}))
    return contexts


def prompt_texts(ivr: IvrDefinition) -> list[str]:
    """Every text ``ivr`` can say, rendered per data record, without repeats."""
    texts: dict[str, None] = {}
    for template in _texts(list(ivr.nodes.values())):
        for context in _contexts(ivr):
            try:
                texts[render(template, context)] = None
            except TemplateError:
                continue  # names an entry or another record: spoken by TTS when played
    return [t for t in texts if t.strip()]


def _file_name(sentence: str, taken: dict[str, str]) -> str:
    slug = "-".join(re.findall(r"[a-z0-9]+", sentence.lower()))[:60].strip("-") or "prompt"
    name, n = f"{slug}.wav", 1
    while name in taken.values():
        n += 1
        name = f"{slug}-{n}.wav"
    return name


def record_ivr(ivr: IvrDefinition, folder: Path, voice: Voice) -> int:
    """Render every prompt of ``ivr`` with ``voice`` into ``folder``; returns how many
    prompt texts ``prompts.yaml`` lists.

    Raises:
        VoiceError: the voice cannot speak here.
    """
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}  # sentence -> file name
    prompts = []
    for text in prompt_texts(ivr):
        names = []
        for sentence in sentences(text):
            if sentence not in files:
                name = _file_name(sentence, files)
                audio, rate = voice.synthesize(sentence)
                write_wav(folder / name, set_level(resample(audio, rate, LINE_RATE_HZ),
                                                   PROMPT_LEVEL_DBFS), LINE_RATE_HZ)
                files[sentence] = name
            names.append(files[sentence])
        prompts.append({"text": text, "files": names})
    manifest = {"ivr": ivr.name, "voice": voice.id, "prompts": prompts}
    (folder / MANIFEST).write_text(yaml.safe_dump(manifest, sort_keys=False,
                                                  allow_unicode=True, width=100))
    return len(prompts)
