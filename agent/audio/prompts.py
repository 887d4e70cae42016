"""The audio of an IVR's prompts: synthesised by a TTS voice, or played from recordings.

A recorded IVR is a folder of WAV files with a ``prompts.yaml`` manifest (written by
``python -m agent record``; see ``recordings/README.md``): each prompt's text and
the files it is built from, concatenated the way PBX IVRs build prompts from pieces
("for-billing" then "press-1"). A text the folder lacks is built sentence by sentence from
its pieces; a sentence no file holds (a customer's own figures) is spoken by the fallback
voice, as a real IVR's TTS reads dynamic data.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from typing import Protocol

import numpy as np
import yaml
from pydantic import BaseModel, Field, ValidationError

from ..paths import PROJECT_ROOT, cache_dir
from .line import LINE_RATE_HZ, resample, set_level
from .voices import Voice, VoiceError, read_wav, write_wav

logger = logging.getLogger("ivr_navigator.audio")

PROMPT_LEVEL_DBFS = -20.0
"""Level every prompt is normalised to before the line (RMS, dBFS)."""

HOLD_MUSIC_LEVEL_DBFS = -28.0
"""Level of hold music (RMS, dBFS): well under the prompts, as PBXs play music on hold."""
DEFAULT_HOLD_MUSIC = PROJECT_ROOT / "recordings" / "hold-music.wav"
"""The hold music of an IVR that names none: an 8 s loop, synthesised for this project."""

MANIFEST = "prompts.yaml"


class PromptAudio(Protocol):
    """Renders what the IVR (or the navigator) says as 8 kHz audio."""

    name: str

    def audio(self, text: str) -> np.ndarray: ...

    def music(self) -> np.ndarray:
        """The IVR's hold music (a loop), at 8 kHz."""
        ...


def hold_music(path: Path) -> np.ndarray:
    """The hold music of a WAV file (16-bit PCM, any rate), at 8 kHz and
    :data:`HOLD_MUSIC_LEVEL_DBFS`.

    Raises:
        RecordingError: the file is missing or not a 16-bit PCM WAV file.
    """
    try:
        audio, rate = read_wav(path)
    except VoiceError as e:
        raise RecordingError(f"hold music: {e}") from None
    return set_level(resample(audio, rate, LINE_RATE_HZ), HOLD_MUSIC_LEVEL_DBFS)


def sentences(text: str) -> list[str]:
    """``text`` split into the sentences a PBX would record as separate pieces."""
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


RENDERING = "r2"
"""The voices' way of rendering, part of the cache's folder names: changed when it
changes (r2: figures in their spoken form, Piper without sampling noise), so that older
renders are not reused."""


class SynthesizedPrompts:
    """Prompts spoken by ``voice``, cached in memory and on disk (8 kHz WAV files under
    the project's cache folder, keyed by voice and text); on hold, the music of
    ``music_file``."""

    def __init__(self, voice: Voice, cache: Path | None = None,
                 music_file: Path = DEFAULT_HOLD_MUSIC) -> None:
        self.voice = voice
        self.music_file = music_file
        self._dir = (cache or cache_dir() / "tts") / f"{voice.id.replace(':', '_')}-{RENDERING}"
        self._memory: dict[str, np.ndarray] = {}

    def music(self) -> np.ndarray:
        """The hold music (see :func:`hold_music`)."""
        return hold_music(self.music_file)

    @property
    def name(self) -> str:
        return self.voice.id

    def audio(self, text: str) -> np.ndarray:
        """``text`` spoken, at 8 kHz and :data:`PROMPT_LEVEL_DBFS`.

        Raises:
            VoiceError: the voice cannot speak here.
        """
        if text not in self._memory:
            path = self._dir / f"{hashlib.sha1(text.encode()).hexdigest()[:16]}.wav"
            if path.exists():
                audio, _ = read_wav(path)
            else:
                raw, rate = self.voice.synthesize(text)
                audio = set_level(resample(raw, rate, LINE_RATE_HZ), PROMPT_LEVEL_DBFS)
                self._dir.mkdir(parents=True, exist_ok=True)
                write_wav(path, audio, LINE_RATE_HZ)
            self._memory[text] = audio
        return self._memory[text]


class RecordedPrompt(BaseModel):
    """One prompt of a recorded IVR: its text (for scoring) and its files, in order."""

    text: str = Field(min_length=1)
    files: list[str] = Field(min_length=1)


class Manifest(BaseModel):
    """``prompts.yaml`` of a recorded IVR folder."""

    ivr: str
    voice: str = Field(description="Who or what spoke the files (a voice id, or a name).")
    prompts: list[RecordedPrompt]
    hold_music: str | None = Field(None, description="The file played on hold (looped); "
                                                     "the project's default if none.")


class RecordingError(Exception):
    """A recorded IVR folder is missing, malformed, or names a file it lacks."""


class RecordedPrompts:
    """Prompts played from a recorded IVR folder (``prompts.yaml`` and WAV files: 16-bit
    PCM, mono, any rate; resampled to 8 kHz and levelled to :data:`PROMPT_LEVEL_DBFS`).

    Raises:
        RecordingError: the folder or its manifest is malformed (which file, which field).
    """

    def __init__(self, folder: Path, fallback: SynthesizedPrompts) -> None:
        self.folder = folder
        self.fallback = fallback
        path = folder / MANIFEST
        try:
            self.manifest = Manifest.model_validate(yaml.safe_load(path.read_text()))
        except FileNotFoundError:
            raise RecordingError(f"{folder}: no {MANIFEST} (make one with "
                                 "`python -m agent record`)") from None
        except (yaml.YAMLError, ValidationError) as e:
            raise RecordingError(f"{path}: {e}") from None
        self._files: dict[str, list[str]] = {}
        for i, prompt in enumerate(self.manifest.prompts):
            for name in prompt.files:
                if not (folder / name).is_file():
                    raise RecordingError(f"{path}: prompts[{i}] names {name!r}, which the "
                                         "folder does not have")
            self._files[prompt.text] = prompt.files
        music = self.manifest.hold_music
        if music is not None and not (folder / music).is_file():
            raise RecordingError(f"{path}: hold_music names {music!r}, which the folder "
                                 "does not have")
        self.music_file = folder / music if music else fallback.music_file
        self._memory: dict[str, np.ndarray] = {}

    def music(self) -> np.ndarray:
        """The folder's hold music, or the fallback's (see :func:`hold_music`)."""
        return hold_music(self.music_file)

    @property
    def name(self) -> str:
        return f"recorded:{self.folder.name}"

    def _file(self, name: str) -> np.ndarray:
        if name not in self._memory:
            try:
                audio, rate = read_wav(self.folder / name)
            except VoiceError as e:
                raise RecordingError(str(e)) from None
            self._memory[name] = set_level(resample(audio, rate, LINE_RATE_HZ),
                                           PROMPT_LEVEL_DBFS)
        return self._memory[name]

    def audio(self, text: str) -> np.ndarray:
        """``text`` played from its files (or its sentences' files, or the fallback
        voice for sentences no file holds), at 8 kHz."""
        if text in self._files:
            return np.concatenate([self._file(f) for f in self._files[text]])
        pieces = []
        for sentence in sentences(text):
            if sentence in self._files:
                pieces += [self._file(f) for f in self._files[sentence]]
            else:
                logger.debug("recorded IVR %s: no file for %r, spoken by %s",
                             self.folder.name, sentence, self.fallback.name)
                pieces.append(self.fallback.audio(sentence))
        return np.concatenate(pieces) if pieces else np.zeros(0, np.float32)


RECORDED_PREFIX = "recorded:"
FALLBACK_VOICE = "flite:slt"
"""The voice that reads what a recorded IVR has no file for."""
CALLER_VOICE = "flite:kal"
"""The navigator's own voice in audio mode. Of 16 speech-menu phrases Whisper tiny.en
heard 12 right from flite awb and 8 from kal, but over the LiveKit server awb's "routing
number" was heard as "Writing number" (kal's was right in every run); README "Measured in
audio mode"."""


def prompt_audio(name: str) -> SynthesizedPrompts | RecordedPrompts:
    """What speaks an IVR's prompts, by name: a TTS voice (``engine:name``, see
    :data:`~agent.audio.voices.VOICES`) or ``recorded:<folder>``.

    Raises:
        VoiceError: an unknown voice.
        RecordingError: the folder is not a recorded IVR.
    """
    from .voices import voice

    if name.startswith(RECORDED_PREFIX):
        return RecordedPrompts(Path(name.removeprefix(RECORDED_PREFIX)),
                               fallback=SynthesizedPrompts(voice(FALLBACK_VOICE)))
    return SynthesizedPrompts(voice(name))
