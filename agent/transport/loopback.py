"""The in-process transport: the navigator and the mock IVR's runner joined in one event
loop, with no network. What the IVR says reaches the navigator as :class:`Prompt`
events, the navigator's keys and words reach the IVR at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from ..call.events import HungUp, Prompt, Transferred
from .base import Clock, FarEndEvent


class LoopbackLine:
    """Both ends of an in-process call.

    The navigator uses :attr:`far_end` (a :class:`~agent.transport.base.FarEnd`) and
    :attr:`keypad` (a :class:`~agent.transport.base.Keypad`); the IVR runner is attached
    with :meth:`attach` and speaks through this object as its
    :class:`~agent.ivr.runner.IvrLine`.
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._to_navigator: asyncio.Queue[FarEndEvent | None] = asyncio.Queue()
        self._ivr = None
        self.far_end = _LoopbackFarEnd(self)
        self.keypad = _LoopbackKeypad(self)

    def attach(self, ivr: object) -> None:
        """Connect the IVR runner (an object with ``press``, ``hear`` and ``hang_up``)."""
        self._ivr = ivr

    # --- the IVR's side (IvrLine) ---------------------------------------------------------

    async def speak(self, text: str) -> None:
        now = self._clock.now_s()
        self._to_navigator.put_nowait(Prompt(at_s=now, end_s=now, text=text, speaker=None))

    async def transfer(self, to: str) -> None:
        self._to_navigator.put_nowait(Transferred(at_s=self._clock.now_s(), to=to))
        self._to_navigator.put_nowait(None)

    async def leave(self, reason: str) -> None:
        self._to_navigator.put_nowait(HungUp(at_s=self._clock.now_s(), by="ivr",
                                             reason=reason))
        self._to_navigator.put_nowait(None)


class _LoopbackFarEnd:
    def __init__(self, line: LoopbackLine) -> None:
        self._line = line

    async def events(self) -> AsyncIterator[FarEndEvent]:
        while (event := await self._line._to_navigator.get()) is not None:
            yield event

    async def say(self, text: str) -> None:
        self._line._ivr.hear(text)

    async def hang_up(self) -> None:
        self._line._ivr.hang_up("caller hung up")


class _LoopbackKeypad:
    def __init__(self, line: LoopbackLine) -> None:
        self._line = line

    async def press(self, key: str) -> None:
        self._line._ivr.press(key)
