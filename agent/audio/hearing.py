"""The navigator's hearing: line audio in, :class:`~agent.call.events.Prompt` events out.

Windows of 8 kHz line audio (:data:`~agent.audio.endpointing.WINDOW` samples, 32 ms) go
through Silero VAD endpointing. At each pause (a closed speech segment) Whisper decodes
the utterance heard so far, whole, from the line's own audio, pauses included, and its
text reaches the navigator as a partial prompt (``final=False``: everything heard of the
utterance yet, its menu punctuation mended by
:func:`~agent.audio.menu_text.repunctuate_menu`). Decoding the whole utterance, not the
last segment alone, keeps Whisper's sentence context (short fragments decode worse) at
little cost, since Whisper's encoder reads a 30 s window whatever the audio's length.
When the far end has been silent for the endpointing delay, the last text follows as the
final prompt.

The same hearing serves the in-process audio line and a LiveKit room. On a room (wall
time) the decode runs in a worker thread and takes its real time. On the in-process line
(virtual time) each transcript is held back by :func:`modelled_decode_s`, a conservative
model of this decoder's measured time, not by the time it happened to take: a call's
timing (and so what is heard when) is then the same on every run and every machine, and
``benchmarks/bench_audio.py`` checks the model against the measured figure.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..call.events import Prompt
from .endpointing import WINDOW, Endpointer, Segment
from .line import LINE_RATE_HZ
from .menu_text import repunctuate_menu
from .stt import Transcript, WhisperTranscriber

WINDOW_S = WINDOW / LINE_RATE_HZ
DECODE_FIXED_S = 0.25
DECODE_PER_AUDIO_S = 0.08
"""Whisper tiny.en (int8, 1 thread) here: ~0.1-0.2 s per decode whatever the length (the
encoder reads a 30 s window) plus ~0.05 s per second of speech; rounded up."""


def modelled_decode_s(audio_s: float) -> float:
    """Seconds a decode of ``audio_s`` seconds of speech is charged on virtual time."""
    return DECODE_FIXED_S + DECODE_PER_AUDIO_S * audio_s

BURST_GAP_S = 0.5
"""Keys closer than this are one burst (the navigator paces an entry's keys 0.3 s apart)."""


@dataclass
class HearingStats:
    """What the hearing did in one call: seconds of decode against seconds of speech
    heard, and the number of decodes."""

    decode_s: float = 0.0
    audio_s: float = 0.0
    segments: int = 0

    @property
    def real_time_factor(self) -> float:
        """Decode seconds per second of speech heard (under 1: keeps up in real time)."""
        return self.decode_s / self.audio_s if self.audio_s else 0.0


STRETCH_S = 24.0
"""Longest stretch of an utterance decoded whole (Whisper's window is 30 s); a longer
utterance is decoded in stretches that end at pauses."""
HISTORY_S = 60.0
"""Line audio kept for decoding utterances whole (seconds; an utterance heard longer is
decoded from its last minute)."""


@dataclass
class _Utterance:
    text: str = ""  # all heard: the settled text and the last decode of the open stretch
    start_s: float | None = None
    end_s: float = 0.0
    settled: str = ""  # text of the stretches before the open one
    open_s: float | None = None  # start of the stretch Whisper decodes whole
    open_text: str = ""


class Hearing:
    """Turns line audio into prompts (see the module docstring).

    Args:
        transcriber: the STT.
        emit: called with each prompt, in order.
        endpointer: the VAD endpointing (default settings if None).
        virtual_time: hold each transcript back by :func:`modelled_decode_s` (decoding
            in the loop); else decode in a worker thread, on wall time.
        grammar: called before each decode for the STT prompt of what is expected now
            (see :func:`agent.audio.stt.grammar_prompt`); None: the transcriber's own.
    """

    def __init__(self, transcriber: WhisperTranscriber, emit, *,  # noqa: ANN001
                 endpointer: Endpointer | None = None, virtual_time: bool = True,
                 grammar: Callable[[], str | None] | None = None) -> None:
        self.transcriber = transcriber
        self._grammar = grammar
        self.endpointer = endpointer or Endpointer()
        self.stats = HearingStats()
        self._emit = emit
        self._virtual = virtual_time
        self._decoding: asyncio.Queue[Segment | None] = asyncio.Queue()  # None: utterance end
        self._utterance = _Utterance()
        self._pressed_at = -1.0  # the first key of the navigator's last burst
        self._last_key_s = -1.0
        self._history: list[np.ndarray] = []  # the line's last HISTORY_S, window by window
        self._history_end_s = 0.0
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
        self._history.append(window)
        self._history_end_s = end_s
        if len(self._history) * WINDOW_S > HISTORY_S:
            del self._history[0]
        segment, ended = self.endpointer.push(window, end_s)
        if segment is not None:
            self._decoding.put_nowait(segment)
        if ended:
            self._decoding.put_nowait(None)

    def pressed(self, at_s: float) -> None:
        """The navigator pressed a key at ``at_s``. The first key of a burst (keys under
        :data:`BURST_GAP_S` apart: an entry and its terminator) answers what was heard:
        speech still under way is cut there, and what goes on after it is heard as new.
        Later keys of the burst cut nothing: the IVR may already be answering the entry
        (a "#" after an entry that its length ended)."""
        first = at_s - self._last_key_s > BURST_GAP_S
        self._last_key_s = at_s
        if first:
            self._pressed_at = at_s
            self._utterance = _Utterance()
            self.endpointer.cut()

    def _answered(self, segment: Segment) -> bool:
        """Whether ``segment`` was heard before the navigator's last key (by more than the
        one window that straddles the key)."""
        return segment.start_s < self._pressed_at - WINDOW_S

    async def _transcribe(self, audio: np.ndarray) -> Transcript:
        prompt = self._grammar() if self._grammar is not None else None
        if not self._virtual:
            return await asyncio.to_thread(self.transcriber.transcribe, audio, prompt=prompt)
        transcript = self.transcriber.transcribe(audio, prompt=prompt)
        await asyncio.sleep(modelled_decode_s(audio.size / LINE_RATE_HZ))
        return transcript

    async def _decode(self) -> None:
        while True:
            items = [await self._decoding.get()]
            while not self._decoding.empty():  # speech that came while decoding: at once
                items.append(self._decoding.get_nowait())
            fresh = False  # audio added since the utterance was last decoded
            for item in items:
                if item is None:
                    if fresh:
                        await self._decode_utterance()
                    self._emit_final()
                    fresh = False
                elif not self._answered(item):
                    u = self._utterance
                    u.start_s = item.start_s if u.start_s is None else u.start_s
                    if u.open_s is None:
                        u.open_s = item.start_s
                    elif item.end_s - u.open_s > STRETCH_S and u.open_text:
                        # Whisper reads 30 s at a time: settle what was decoded so far
                        u.settled = f"{u.settled} {u.open_text}".strip()
                        u.open_s, u.open_text = item.start_s, ""
                    u.end_s = item.end_s
                    self.stats.audio_s += item.audio.size / LINE_RATE_HZ
                    fresh = True
            if fresh:
                await self._decode_utterance()

    def _line_audio(self, start_s: float, end_s: float) -> np.ndarray:
        """The line's audio from ``start_s`` to ``end_s`` as it was heard, pauses and all
        (not the segments pasted together: Whisper reads the pauses as punctuation)."""
        first = len(self._history) - round((self._history_end_s - start_s) / WINDOW_S)
        last = len(self._history) - round((self._history_end_s - end_s) / WINDOW_S)
        return np.concatenate(self._history[max(0, first):max(1, last)])

    async def _decode_utterance(self) -> None:
        """Decode the utterance heard so far and tell it as a partial prompt."""
        u = self._utterance
        transcript = await self._transcribe(self._line_audio(u.open_s, u.end_s))
        self.stats.decode_s += transcript.seconds
        self.stats.segments += 1
        if self._utterance is not u or not transcript.text:
            return  # a key was pressed meanwhile: this utterance is answered
        u.open_text = transcript.text
        u.text = repunctuate_menu(f"{u.settled} {u.open_text}".strip())
        self._emit(Prompt(at_s=u.start_s, end_s=u.end_s, text=u.text, final=False))

    def _emit_final(self) -> None:
        u, self._utterance = self._utterance, _Utterance()
        if u.text:
            self._emit(Prompt(at_s=u.start_s, end_s=u.end_s, text=u.text))
