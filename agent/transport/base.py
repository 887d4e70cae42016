"""The seams between the navigator's one call loop and whatever carries the call: the
far end (who the navigator talks to), the keypad (where its keys go) and the clock.

Each transport implements these small interfaces: :mod:`agent.transport.loopback` joins
the navigator to the mock IVR in one process; :mod:`agent.transport.room` carries the
call over a LiveKit room (a SIP participant, or the mock IVR's participant).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Protocol

from ..call.events import HungUp, Prompt, Transferred

FarEndEvent = Prompt | HungUp | Transferred
"""What the navigator perceives of the far end: it spoke, it hung up, it transferred."""


class TransportError(Exception):
    """The call's carrier failed (e.g. the connection to the LiveKit server was lost);
    ``str(err)`` is the reason a result gives."""


class Clock(Protocol):
    """Call time: seconds since the call was answered."""

    def now_s(self) -> float: ...


class Keypad(Protocol):
    """Where the navigator's DTMF keys go."""

    async def press(self, key: str) -> None:
        """Send one DTMF key (one of ``0-9 * # A-D``) to the far end now."""
        ...


class FarEnd(Protocol):
    """The party the navigator called, as the navigator perceives it."""

    def events(self) -> AsyncIterator[FarEndEvent]:
        """What the far end does, in order; ends after a hang-up or transfer.

        Raises:
            TransportError: the carrier failed.
        """
        ...

    async def say(self, text: str) -> None:
        """Speak ``text`` to the far end (already masked)."""
        ...

    async def hang_up(self) -> None:
        """End the call from the navigator's side (idempotent)."""
        ...


class LoopClock:
    """Call time read from the running event loop, from the moment this clock is made.

    On LiveKit's worker the loop runs on wall time; the in-process harness runs the same
    code on a virtual-time loop (:mod:`agent.harness.virtual_time`), where idle waits
    cost no wall time.
    """

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._start = self._loop.time()

    def restart(self) -> None:
        """Call time starts again from now (the far end answered: ringing is no call)."""
        self._start = self._loop.time()

    def now_s(self) -> float:
        return round(self._loop.time() - self._start, 3)
