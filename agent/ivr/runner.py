"""Runs the mock IVR engine as the far end of a live call, on the event loop's clock.

The same runner plays the IVR in process (joined to the navigator by
:class:`~agent.transport.loopback.LoopbackLine`, on the harness's virtual-time loop) and
as a LiveKit participant (:mod:`agent.ivr.participant`, on wall time). Caller input comes
in through :meth:`IvrRunner.press`, :meth:`IvrRunner.hear` and :meth:`IvrRunner.hang_up`;
what the IVR says goes out through its :class:`IvrLine`, one text per engine step, when
the IVR has finished saying it (a text-mode caller hears a prompt once it is complete).
A line that streams audio (``streams_audio``) is given each text when the IVR starts to
say it instead, and a key pressed while it speaks barges in: the engine cuts the prompt
(:meth:`~agent.ivr.engine.IvrEngine.barge_in`), speech not yet started is dropped and the
line stops playing (``cut``); such a line plays hold music while the IVR holds
(``hold``). Timers (no input, inter-digit, hold) fire on the loop's
clock. While the IVR speaks or holds, its clock runs ``1 / time_scale`` times faster than
the loop's, so tests over a real server can play a minute of prompts and hold music in 3
seconds; while it waits for input it runs at the loop's speed, so input timers never fire
between keys paced 0.3 s apart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from ..call.events import (
    CallEvent,
    HoldEnded,
    HoldStarted,
    HungUp,
    Prompt,
    Transferred,
    spoken_text,
)
from ..dtmf import DigitsEntry
from ..scenario.ivr_model import CollectNode, HoldNode
from .engine import IvrEngine

logger = logging.getLogger("ivr_navigator.mock_ivr")

Collect = Callable[[CollectNode], Awaitable[DigitsEntry]]
"""Gathers one entry at a collect node outside the engine (a LiveKit CollectDigitsTask)."""


class IvrLine(Protocol):
    """The mock IVR's side of a call. A line whose ``streams_audio`` attribute is True is
    given texts as they start and has the methods ``cut()`` (barge-in) and
    ``hold(on: bool)`` (hold music between prompts from now, or no more)."""

    async def speak(self, text: str) -> None:
        """Say ``text`` to the caller (a text line: said in full by now; an audio line:
        starts now)."""
        ...

    async def transfer(self, to: str) -> None:
        """Tell the caller's side the call was transferred to ``to``, and leave."""
        ...

    async def leave(self, reason: str) -> None:
        """Hang up."""
        ...


class IvrRunner:
    """Plays ``engine`` over ``line`` until the call ends.

    Args:
        time_scale: loop seconds per IVR second while on hold (1.0 is real time).
        collect: gathers entries at collect nodes instead of the engine (the engine must
            then have ``external_collection``).
    """

    def __init__(self, engine: IvrEngine, line: IvrLine, *, time_scale: float = 1.0,
                 collect: Collect | None = None) -> None:
        if (collect is not None) != engine.external_collection:
            raise ValueError("collect is needed exactly when the engine collects externally")
        self.engine = engine
        self.line = line
        self.time_scale = time_scale
        self._collect = collect
        self._streams = bool(getattr(line, "streams_audio", False))
        # (text, IVR time to send it at, barge-in generation)
        self._outbox: asyncio.Queue[tuple[str, float, int]] = asyncio.Queue()
        self._generation = 0  # bumped by each barge-in: older queued speech is dropped
        self._wake = asyncio.Event()
        self._loop_base = 0.0  # loop clock reading at which the engine clock read _sim_base
        self._sim_base = 0.0

    # --- caller input ------------------------------------------------------------------

    def press(self, key: str) -> None:
        """The caller pressed DTMF ``key`` now (barging in on an audio line)."""
        # "12345678#" for an 8-digit entry: the late # is no new input and cuts nothing
        self._apply(lambda: self.engine.press(key),
                    barge_in=self._streams and not self.engine.ignores_key(key))

    def caller_speaking(self) -> None:
        """The caller began to speak now (its words come later, through :meth:`hear`)."""
        self._apply(self.engine.caller_speaking)

    def hear(self, text: str) -> None:
        """The caller said ``text`` now (nothing recognised: empty)."""
        self._apply(lambda: self.engine.hear(text))

    def hang_up(self, reason: str) -> None:
        """The caller hung up (or its side of the line went away)."""
        self._apply(lambda: self.engine.hang_up(reason))

    # --- the IVR's clock -----------------------------------------------------------------

    def _fast_until(self) -> float:
        """IVR time up to which the clock runs fast from the last base: the end of what it
        is saying (the engine's clock runs ahead over speech), or for ever on hold."""
        node = self.engine.ivr.nodes.get(self.engine.node_id)
        return float("inf") if isinstance(node, HoldNode) else self.engine.now_s

    def _sim_now(self) -> float:
        elapsed = asyncio.get_running_loop().time() - self._loop_base
        fast = max(0.0, self._fast_until() - self._sim_base)  # IVR seconds at the fast rate
        if elapsed * (1.0 / self.time_scale) <= fast:
            return self._sim_base + elapsed / self.time_scale
        return self._sim_base + fast + (elapsed - fast * self.time_scale)

    def _loop_delay(self, sim_time: float) -> float:
        """Loop seconds from now until the IVR's clock reads ``sim_time``."""
        now = self._sim_now()
        fast = max(0.0, min(self._fast_until(), sim_time) - now)
        return max(0.0, fast * self.time_scale + max(0.0, sim_time - now - fast))

    def _apply(self, step: Callable[[], list[CallEvent]], *, barge_in: bool = False) -> None:
        """Catch the engine up with the clock, apply one input, queue what it says."""
        now = self._sim_now()
        if barge_in and now < self.engine.now_s:
            self.engine.barge_in(now)
            self._generation += 1
            self.line.cut()  # type: ignore[attr-defined]
        events = self.engine.advance(max(0.0, now - self.engine.now_s))
        events += step()
        # a new base: the node (hold or not) and the speech still to play may have changed
        self._loop_base, self._sim_base = asyncio.get_running_loop().time(), now
        if self._streams:  # each prompt as it starts; music between them on hold
            for e in events:
                if isinstance(e, Prompt) and e.final:
                    self._outbox.put_nowait((e.text, e.at_s, self._generation))
                elif isinstance(e, HoldStarted | HoldEnded):
                    self.line.hold(isinstance(e, HoldStarted))  # type: ignore[attr-defined]
        elif text := spoken_text(events):  # the turn's words once all said
            self._outbox.put_nowait((text, self.engine.now_s, self._generation))
        for e in events:
            if isinstance(e, HungUp):
                logger.info("mock IVR: call ended by %s (%s)", e.by, e.reason)
        self._wake.set()

    # --- the call ------------------------------------------------------------------------

    async def _send_loop(self) -> None:
        while True:
            text, at, generation = await self._outbox.get()
            while generation == self._generation and (delay := self._loop_delay(at)) > 0:
                await asyncio.sleep(delay)
            if generation == self._generation:  # not cut by a barge-in meanwhile
                await self.line.speak(text)
            self._outbox.task_done()

    async def run(self) -> list[CallEvent]:
        """Answer, play the call until it ends, and return the engine's event log."""
        self._loop_base = asyncio.get_running_loop().time()
        sender = asyncio.create_task(self._send_loop(), name="mock_ivr_send")
        asked = 0
        try:
            self._apply(self.engine.start)
            while not self.engine.ended:
                request = self.engine.collect_request
                if request is not None and request[0] != asked:
                    asked, node = request
                    await self._said_all()  # the prompt is out before input is taken
                    entry = await self._collect(node)
                    if self.engine.collect_request == request:
                        self._apply(lambda e=entry: self.engine.submit_entry(e))
                    continue
                self._wake.clear()
                timer = self.engine.next_timer_s
                wait = None if timer is None else self._loop_delay(timer)
                try:
                    await asyncio.wait_for(self._wake.wait(), wait)
                except TimeoutError:
                    self._apply(lambda: [])  # a timer fell due: advance fires it
            last = self.engine.log[-1]
            if not (isinstance(last, HungUp) and last.by == "caller"):
                await self._said_all()  # the last words (an answer, a goodbye) go out first
                await self._signal_end(last)
        finally:
            sender.cancel()
        return list(self.engine.log)

    async def _said_all(self) -> None:
        """Wait until everything queued has been said (bounded: a line that went away
        must not hold the IVR forever)."""
        speaking_s = self._loop_delay(self.engine.now_s)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._outbox.join(), speaking_s + 5)

    async def _signal_end(self, last: CallEvent) -> None:
        if isinstance(last, Transferred):
            await self.line.transfer(last.to)
        elif isinstance(last, HungUp) and last.by == "ivr":
            await self.line.leave(last.reason)
