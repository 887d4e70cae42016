"""The navigator's hearing: line audio in, :class:`~agent.call.events.Prompt` events out.

Windows of 8 kHz line audio (:data:`~agent.audio.endpointing.WINDOW` samples, 32 ms) go
through Silero VAD endpointing; each closed speech segment is transcribed by Whisper and
reaches the navigator as a partial prompt (``final=False``); when the far end has been
silent for the endpointing delay, the utterance's whole text follows as a final prompt,
its menu punctuation mended (:func:`~agent.audio.menu_text.repunctuate_menu`).

The same hearing serves the in-process audio line (on virtual time: ``charge_decode``
holds each transcript back by the seconds its decode took, so the call's clock stays
honest) and a LiveKit room (on wall time: the decode runs in a worker thread and takes
its real time).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import numpy as np

from ..call.events import Prompt
from .endpointing import WINDOW, Endpointer, Segment
from .line import LINE_RATE_HZ
from .menu_text import repunctuate_menu
from .stt import Transcript, WhisperTranscriber

WINDOW_S = WINDOW / LINE_RATE_HZ


@dataclass
class HearingStats:
    """What the hearing did in one call: seconds of decode against seconds of audio
    decoded, and the number of segments."""

    decode_s: float = 0.0
    audio_s: float = 0.0
    segments: int = 0

    @property
    def real_time_factor(self) -> float:
        """Decode seconds per second of audio (under 1: faster than real time)."""
        return self.decode_s / self.audio_s if self.audio_s else 0.0


@dataclass
class _Utterance:
    parts: list[str] = field(default_factory=list)
    start_s: float | None = None
    end_s: float = 0.0


class Hearing:
    """Turns line audio into prompts (see the module docstring).

    Args:
        transcriber: the STT.
        emit: called with each prompt, in order.
        endpointer: the VAD endpointing (default settings if None).
        charge_decode: on virtual time, delay each transcript by its decode's seconds;
            on wall time, decode in a thread instead.
    """

    def __init__(self, transcriber: WhisperTranscriber, emit, *,  # noqa: ANN001
                 endpointer: Endpointer | None = None, charge_decode: bool = True) -> None:
        self.transcriber = transcriber
        self.endpointer = endpointer or Endpointer()
        self.stats = HearingStats()
        self._emit = emit
        self._charge = charge_decode
        self._decoding: asyncio.Queue[Segment | None] = asyncio.Queue()  # None: utterance end
        self._utterance = _Utterance()
        self._pressed_at = -1.0
        self._task: asyncio.Task | None = None

    @property
    def idle(self) -> bool:
        """Nothing heard is waiting to be told (no utterance open, nothing to decode)."""
        return (self._utterance.start_s is None and self._decoding.empty()
                and not self.endpointer.in_utterance)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._decode(), name="hearing")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def feed(self, window: np.ndarray, end_s: float) -> None:
        """One window of line audio ending at ``end_s`` (call seconds)."""
        segment, ended = self.endpointer.push(window, end_s)
        if segment is not None:
            self._decoding.put_nowait(segment)
        if ended:
            self._decoding.put_nowait(None)

    def pressed(self, at_s: float) -> None:
        """The navigator pressed a key at ``at_s``: what it had heard is answered."""
        self._pressed_at = at_s
        self._utterance = _Utterance()

    def _answered(self, segment: Segment) -> bool:
        """Whether ``segment`` is speech the navigator's last key answered or cut: it began
        before the key and stopped with it. Speech that went on after the key (a late
        terminator the IVR ignored) is a new prompt and is kept."""
        return (segment.start_s < self._pressed_at
                and segment.end_s < self._pressed_at + self.endpointer.segment_silence_s
                + 2 * WINDOW_S)

    async def _transcribe(self, audio: np.ndarray) -> Transcript:
        if not self._charge:
            return await asyncio.to_thread(self.transcriber.transcribe, audio)
        transcript = self.transcriber.transcribe(audio)
        await asyncio.sleep(transcript.seconds)  # the decode's time, on the call's clock
        return transcript

    async def _decode(self) -> None:
        while True:
            segment = await self._decoding.get()
            if segment is None:
                self._emit_final()
                continue
            if self._answered(segment):
                continue
            transcript = await self._transcribe(segment.audio)
            self.stats.decode_s += transcript.seconds
            self.stats.audio_s += segment.audio.size / LINE_RATE_HZ
            self.stats.segments += 1
            if self._answered(segment) or not transcript.text:
                continue
            u = self._utterance
            u.start_s = segment.start_s if u.start_s is None else u.start_s
            u.end_s = segment.end_s
            u.parts.append(transcript.text)
            self._emit(Prompt(at_s=u.start_s, end_s=u.end_s, text=transcript.text,
                              final=False))

    def _emit_final(self) -> None:
        u, self._utterance = self._utterance, _Utterance()
        if u.start_s is not None:
            self._emit(Prompt(at_s=u.start_s, end_s=u.end_s,
                              text=repunctuate_menu(" ".join(u.parts))))
