"""The in-process transport in audio mode: the navigator hears the mock IVR through a
phone line, as audio.

The IVR's prompts are rendered (a TTS voice or a recorded IVR's files), carried over a
:class:`~agent.audio.line.PhoneLine` (8 kHz G.711 μ-law, level, noise) and played in real
time on the loop's clock, 32 ms at a time, into the navigator's hearing: Silero VAD
endpointing (:class:`~agent.audio.endpointing.Endpointer`) and Whisper STT. Each speech
segment's transcript reaches the navigator as a partial :class:`Prompt`; the utterance's
whole text arrives as a final one once the far end has been silent for the endpointing
delay, its menu punctuation mended (:func:`~agent.audio.menu_text.repunctuate_menu`).
Decoding is charged to the call: a transcript arrives as many seconds after its segment
ended as the decode took on this machine, so virtual time stays honest.

A key the navigator presses reaches the IVR at once, cutting a prompt under way
(barge-in); the rest of what the navigator heard of that prompt is dropped. What
it says is spoken by its own voice, carried over the line and transcribed by the IVR's
STT before the IVR hears it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from ..audio.endpointing import WINDOW, Endpointer, Segment
from ..audio.line import LINE_RATE_HZ, PhoneLine
from ..audio.menu_text import repunctuate_menu
from ..audio.stt import WhisperTranscriber
from ..call.events import HungUp, Prompt, Transferred
from .base import Clock, FarEndEvent

WINDOW_S = WINDOW / LINE_RATE_HZ


class PromptAudio(Protocol):
    """Renders what the IVR (or the navigator) says as 8 kHz audio."""

    name: str

    def audio(self, text: str) -> np.ndarray: ...


@dataclass
class HearingStats:
    """What the navigator's hearing did in one call: STT seconds of decode against
    seconds of audio decoded, segment count."""

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


class AudioLine:
    """Both ends of an in-process audio call (see the module docstring).

    The navigator uses :attr:`far_end` and :attr:`keypad`; the IVR runner attaches with
    :meth:`attach` and speaks through this object (a streaming
    :class:`~agent.ivr.runner.IvrLine`).

    Args:
        prompts: renders the IVR's prompts.
        caller_voice: renders the navigator's speech.
        transcriber: the STT both ends use (the navigator's hearing, the IVR's speech
            grammar).
        line: the phone line between them.
        endpointer: the navigator's VAD endpointing.
    """

    streams_audio = True

    def __init__(self, clock: Clock, *, prompts: PromptAudio, caller_voice: PromptAudio,
                 transcriber: WhisperTranscriber, line: PhoneLine | None = None,
                 endpointer: Endpointer | None = None) -> None:
        self._clock = clock
        self.prompts = prompts
        self.caller_voice = caller_voice
        self.transcriber = transcriber
        self.line = line or PhoneLine()
        self.endpointer = endpointer or Endpointer()
        self.stats = HearingStats()
        self._to_navigator: asyncio.Queue[FarEndEvent | None] = asyncio.Queue()
        self._playback = np.zeros(0, np.float32)  # line audio still to play
        self._decoding: asyncio.Queue[Segment | None] = asyncio.Queue()  # None: utterance end
        self._utterance = _Utterance()
        self._pressed_at = -1.0  # the navigator's last key
        self._tasks: list[asyncio.Task] = []
        self._ivr = None
        self.far_end = _AudioFarEnd(self)
        self.keypad = _AudioKeypad(self)

    def attach(self, ivr: object) -> None:
        """Connect the IVR runner (an object with ``press``, ``hear`` and ``hang_up``)."""
        self._ivr = ivr

    def start(self) -> None:
        """Start the line's clock and the navigator's hearing (idempotent)."""
        if not self._tasks:
            self._tasks = [asyncio.create_task(self._play(), name="audio_line"),
                           asyncio.create_task(self._decode(), name="audio_hearing")]

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # --- the IVR's side (a streaming IvrLine) -------------------------------------------

    async def speak(self, text: str) -> None:
        audio = self.line.carry(self.prompts.audio(text), LINE_RATE_HZ)
        self._playback = np.concatenate([self._playback, audio])

    def cut(self) -> None:
        self._playback = np.zeros(0, np.float32)

    async def transfer(self, to: str) -> None:
        await self._heard_out()
        self._to_navigator.put_nowait(Transferred(at_s=self._clock.now_s(), to=to))
        self._to_navigator.put_nowait(None)

    async def leave(self, reason: str) -> None:
        await self._heard_out()
        self._to_navigator.put_nowait(HungUp(at_s=self._clock.now_s(), by="ivr",
                                             reason=reason))
        self._to_navigator.put_nowait(None)

    async def _heard_out(self) -> None:
        """Wait until the last words have played and been heard (bounded)."""
        for _ in range(int(120 / WINDOW_S)):
            if (not self._playback.size and self._utterance.start_s is None
                    and self._decoding.empty() and not self.endpointer.in_utterance):
                return
            await asyncio.sleep(WINDOW_S)

    # --- the line and the navigator's hearing -------------------------------------------

    async def _play(self) -> None:
        loop = asyncio.get_running_loop()
        started, n = loop.time(), 0
        while True:
            n += 1
            await asyncio.sleep(max(0.0, started + n * WINDOW_S - loop.time()))
            window, self._playback = self._playback[:WINDOW], self._playback[WINDOW:]
            if window.size < WINDOW:
                window = np.concatenate([window, self.line.noise(WINDOW_S)[window.size:]])
            segment, ended = self.endpointer.push(window, self._clock.now_s())
            if segment is not None:
                self._decoding.put_nowait(segment)
            if ended:
                self._decoding.put_nowait(None)

    async def _decode(self) -> None:
        while True:
            segment = await self._decoding.get()
            if segment is None:
                self._emit_final()
                continue
            if self._answered(segment):
                continue
            transcript = self.transcriber.transcribe(segment.audio)
            self.stats.decode_s += transcript.seconds
            self.stats.audio_s += segment.audio.size / LINE_RATE_HZ
            self.stats.segments += 1
            await asyncio.sleep(transcript.seconds)  # the decode's time, on the call's clock
            if self._answered(segment) or not transcript.text:
                continue
            u = self._utterance
            u.start_s = segment.start_s if u.start_s is None else u.start_s
            u.end_s = segment.end_s
            u.parts.append(transcript.text)
            self._to_navigator.put_nowait(Prompt(at_s=u.start_s, end_s=u.end_s,
                                                 text=transcript.text, final=False))

    def _emit_final(self) -> None:
        u, self._utterance = self._utterance, _Utterance()
        if u.start_s is not None:
            self._to_navigator.put_nowait(Prompt(at_s=u.start_s, end_s=u.end_s,
                                                 text=repunctuate_menu(" ".join(u.parts))))

    def _answered(self, segment: Segment) -> bool:
        """Whether ``segment`` is speech the navigator's last key answered or cut: it began
        before the key and stopped with it. Speech that went on after the key (a late
        terminator the IVR ignored) is a new prompt and is kept."""
        return (segment.start_s < self._pressed_at
                and segment.end_s < self._pressed_at + self.endpointer.segment_silence_s
                + 2 * WINDOW_S)

    def _pressed(self) -> None:
        """The navigator pressed a key: what it had heard so far is answered."""
        self._pressed_at = self._clock.now_s()
        self._utterance = _Utterance()

    async def _say(self, text: str) -> None:
        audio = self.line.carry(self.caller_voice.audio(text), LINE_RATE_HZ)
        await asyncio.sleep(audio.size / LINE_RATE_HZ)  # the navigator speaking
        transcript = self.transcriber.transcribe(audio)
        await asyncio.sleep(transcript.seconds)
        self._ivr.hear(transcript.text)


class _AudioFarEnd:
    def __init__(self, line: AudioLine) -> None:
        self._line = line

    async def events(self) -> AsyncIterator[FarEndEvent]:
        self._line.start()
        while (event := await self._line._to_navigator.get()) is not None:
            yield event

    async def say(self, text: str) -> None:
        await self._line._say(text)

    async def hang_up(self) -> None:
        self._line._ivr.hang_up("caller hung up")


class _AudioKeypad:
    def __init__(self, line: AudioLine) -> None:
        self._line = line

    async def press(self, key: str) -> None:
        self._line._pressed()
        self._line._ivr.press(key)
