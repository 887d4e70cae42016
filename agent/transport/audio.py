"""The in-process transport in audio mode: the navigator hears the mock IVR through a
phone line, as audio.

The IVR's prompts are rendered (a TTS voice or a recorded IVR's files), carried over a
:class:`~agent.audio.line.PhoneLine` (8 kHz G.711 μ-law, level, noise) and played in real
time on the loop's clock, 32 ms at a time (hold music between prompts while the IVR
holds: :class:`~agent.audio.player.LinePlayer`), into the navigator's
:class:`~agent.audio.hearing.Hearing` (Silero VAD endpointing, Whisper STT), which hands
the supervisor partial and final prompts.

A key the navigator presses reaches the IVR at once, cutting a prompt under way
(barge-in); the rest of what the navigator heard of that prompt is dropped. What it says
is spoken by its own voice, carried over the line and transcribed by the IVR's STT before
the IVR hears it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from ..audio.endpointing import WINDOW, Endpointer
from ..audio.hearing import WINDOW_S, Hearing, modelled_decode_s
from ..audio.line import LINE_RATE_HZ, PhoneLine
from ..audio.player import LinePlayer
from ..audio.prompts import PromptAudio
from ..audio.stt import WhisperTranscriber, grammar_prompt
from ..call.events import HungUp, Transferred
from .base import Clock, FarEndEvent


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
        self._to_navigator: asyncio.Queue[FarEndEvent | None] = asyncio.Queue()
        self.hearing = Hearing(transcriber, self._to_navigator.put_nowait,
                               endpointer=endpointer)
        self.stats = self.hearing.stats
        self._ivr_side = LinePlayer(prompts, self.line)  # what the IVR's end plays
        self._player: asyncio.Task | None = None
        self._ivr = None
        self.far_end = _AudioFarEnd(self)
        self.keypad = _AudioKeypad(self)

    def attach(self, ivr: object) -> None:
        """Connect the IVR runner (an object with ``press``, ``hear``, ``hang_up``,
        ``caller_speaking`` and the ``engine`` whose grammar its STT listens with)."""
        self._ivr = ivr

    def start(self) -> None:
        """Start the line's clock and the navigator's hearing (idempotent)."""
        if self._player is None:
            self._player = asyncio.create_task(self._play(), name="audio_line")
            self.hearing.start()

    async def close(self) -> None:
        if self._player is not None:
            self._player.cancel()
            await asyncio.gather(self._player, return_exceptions=True)
        await self.hearing.close()

    # --- the IVR's side (a streaming IvrLine) -------------------------------------------

    async def speak(self, text: str) -> None:
        self._ivr_side.speak(text)

    def cut(self) -> None:
        self._ivr_side.cut()

    def hold(self, on: bool) -> None:
        self._ivr_side.hold(on)

    @property
    def ivr_speech_left_s(self) -> float:
        """Seconds of the IVR's speech the line has still to play."""
        return self._ivr_side.queued_s

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
            if not self._ivr_side.speaking and self.hearing.idle:
                return
            await asyncio.sleep(WINDOW_S)

    # --- the line and the navigator's hearing -------------------------------------------

    async def _play(self) -> None:
        loop = asyncio.get_running_loop()
        started, n = loop.time(), 0
        while True:
            n += 1
            await asyncio.sleep(max(0.0, started + n * WINDOW_S - loop.time()))
            self.hearing.feed(self._ivr_side.next(WINDOW), self._clock.now_s())

    def _pressed(self) -> None:
        self.hearing.pressed(self._clock.now_s())

    async def _say(self, text: str) -> None:
        audio = self.line.carry(self.caller_voice.audio(text), LINE_RATE_HZ)
        self._ivr.caller_speaking()
        await asyncio.sleep(audio.size / LINE_RATE_HZ)  # the navigator speaking
        engine = self._ivr.engine
        grammar = grammar_prompt(engine.speech_grammar, engine.last_said)
        transcript = self.transcriber.transcribe(audio, prompt=grammar)
        await asyncio.sleep(modelled_decode_s(audio.size / LINE_RATE_HZ))
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
