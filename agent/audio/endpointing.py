"""Endpointing on line audio with Silero VAD (from livekit-plugins-silero): where speech
segments start and end, and when the far end has finished speaking.

Silero's model reads 8 kHz audio in windows of 256 samples (32 ms). A segment opens after
:attr:`Endpointer.min_speech_s` of speech and closes after
:attr:`Endpointer.segment_silence_s` of silence (the pause between two sentences of a
prompt); the utterance ends after :attr:`Endpointer.endpoint_s` of silence (the pause
after a menu, well under the 5 s a typical IVR waits for a choice).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np

from .line import LINE_RATE_HZ

WINDOW = 256
"""Samples per VAD window at 8 kHz (32 ms), as Silero's 8 kHz model takes them."""


@cache
def _session():  # noqa: ANN202 - an onnxruntime session
    from livekit.plugins.silero.onnx_model import new_inference_session

    return new_inference_session(force_cpu=True)


@dataclass
class Segment:
    """A stretch of speech: its audio (8 kHz float32) from ``start_s`` to ``end_s`` on the
    line's clock (seconds)."""

    audio: np.ndarray
    start_s: float
    end_s: float


@dataclass
class Endpointer:
    """Feeds on 32 ms windows of line audio (:meth:`push`); tells closed segments and the
    end of each utterance.

    Args:
        threshold: Silero speech probability above which a window is speech (its
            plugin's default activation threshold, 0.5).
        min_speech_s: speech needed to open a segment.
        segment_silence_s: silence that closes a segment.
        endpoint_s: silence after the last segment that ends the utterance.
        pad_s: audio kept before a segment's first speech window.
    """

    threshold: float = 0.5
    min_speech_s: float = 0.1
    segment_silence_s: float = 0.3
    endpoint_s: float = 0.8
    pad_s: float = 0.2
    _model: object = field(init=False, repr=False)
    _windows: list[np.ndarray] = field(default_factory=list, init=False, repr=False)
    _speech_run: int = field(default=0, init=False)
    _silence_run: int = field(default=0, init=False)
    _open_at: float | None = field(default=None, init=False)
    _in_utterance: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        from livekit.plugins.silero.onnx_model import OnnxModel

        self._model = OnnxModel(onnx_session=_session(), sample_rate=LINE_RATE_HZ)

    @property
    def in_utterance(self) -> bool:
        """Whether speech was heard and the utterance has not ended yet."""
        return self._in_utterance

    def cut(self) -> None:
        """Drop the segment under way (the navigator pressed a key: what it was hearing
        is answered); speech that goes on opens a new segment."""
        self._windows.clear()
        self._speech_run = 0
        self._open_at = None

    def push(self, window: np.ndarray, end_s: float) -> tuple[Segment | None, bool]:
        """One window of :data:`WINDOW` samples ending at ``end_s``.

        Returns:
            (the segment it closed or None, whether the utterance just ended).
        """
        w = WINDOW / LINE_RATE_HZ
        speech = self._model(window.reshape(1, -1)) >= self.threshold  # type: ignore[operator]
        self._windows.append(window)
        if speech:
            self._speech_run += 1
            self._silence_run = 0
        else:
            self._silence_run += 1
            self._speech_run = 0
        if self._open_at is None:
            keep = int(round(self.pad_s / w)) + self._speech_run
            del self._windows[:-keep]
            if self._speech_run * w >= self.min_speech_s:
                self._open_at = end_s - len(self._windows) * w
                self._in_utterance = True
            elif self._in_utterance and self._silence_run * w >= self.endpoint_s:
                self._in_utterance = False
                return None, True
            return None, False
        if self._silence_run * w >= self.segment_silence_s:
            audio = np.concatenate(self._windows)
            segment = Segment(audio, self._open_at, end_s)
            self._windows.clear()
            self._open_at = None
            return segment, False
        return None, False
