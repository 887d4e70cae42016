"""The mock IVR as a LiveKit participant: the same engine, driven over a real room.

It hears keys as ``sip_dtmf_received`` (the SIP DTMF data packets that the navigator's
``send_dtmf_events`` publishes through the server), hears the navigator's words on the
``lk.transcription`` text stream, speaks its prompts as ``lk.chat`` text streams (what an
agent's text input reads), and leaves the room when the call ends. On hold its clock runs
``1 / time_scale`` times faster than wall time, so tests can run a 60-second hold in 3
seconds; elsewhere it runs at wall speed, so no-input and inter-digit timers never fire
between keys that LiveKit's ``send_dtmf_events`` paces 0.3 s apart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from livekit import rtc
from livekit.agents.types import TOPIC_CHAT, TOPIC_TRANSCRIPTION

from ..events import CallEvent, HungUp, said_text
from ..scenario.ivr_model import HoldNode
from .engine import IvrEngine

logger = logging.getLogger("ivr_navigator.mock_ivr")


class RoomIvr:
    """Runs ``engine`` against ``caller`` in ``room`` until the call ends.

    Args:
        time_scale: wall seconds per simulated second while on hold (1.0 is real time).
    """

    def __init__(self, engine: IvrEngine, room: rtc.Room, caller: str, *,
                 time_scale: float = 1.0) -> None:
        self.engine = engine
        self.room = room
        self.caller = caller
        self.time_scale = time_scale
        self._outbox: asyncio.Queue[str] = asyncio.Queue()
        self._wake = asyncio.Event()
        self._wall_base = 0.0  # wall clock reading at which the engine clock read _sim_base
        self._sim_base = 0.0

    def _rate(self) -> float:
        """Simulated seconds per wall second at the current node."""
        return 1.0 / self.time_scale if isinstance(self.engine.ivr.nodes.get(
            self.engine.node_id), HoldNode) else 1.0

    def _sim_now(self) -> float:
        wall = asyncio.get_running_loop().time()
        return self._sim_base + (wall - self._wall_base) * self._rate()

    def _rebase(self) -> None:
        # after each step the node (and so the rate) may have changed; the engine clock may
        # also be ahead of wall time (it jumps over the prompts it says)
        sim = max(self._sim_now(), self.engine.now_s)
        self._wall_base, self._sim_base = asyncio.get_running_loop().time(), sim

    def _apply(self, step: Callable[[], list[CallEvent]]) -> None:
        """Catch the engine up with wall time, apply one input, queue what it says."""
        events = self.engine.advance(max(0.0, self._sim_now() - self.engine.now_s))
        events += step()
        self._rebase()
        text = said_text(events)
        if text:
            self._outbox.put_nowait(text)
        for e in events:
            if isinstance(e, HungUp):
                logger.info("mock IVR: call ended by %s (%s)", e.by, e.reason)
        self._wake.set()

    def _on_dtmf(self, ev: rtc.SipDTMF) -> None:
        if ev.participant is not None and ev.participant.identity == self.caller:
            self._apply(lambda: self.engine.press(ev.digit))

    def _on_transcription(self, reader: rtc.TextStreamReader, identity: str) -> None:
        logger.debug("transcription stream from %s (%s)", identity, reader.info.attributes)
        if identity != self.caller:
            return

        async def read() -> None:
            text = await reader.read_all()
            if text.strip():
                self._apply(lambda: self.engine.hear(text))

        asyncio.ensure_future(read())

    def _on_left(self, participant: rtc.RemoteParticipant) -> None:
        if participant.identity == self.caller:
            self._apply(lambda: self.engine.hang_up("caller left the room"))

    def _on_room_closed(self, reason: object) -> None:
        self._apply(lambda: self.engine.hang_up(f"the room closed ({reason})"))

    async def _send_loop(self) -> None:
        while True:
            text = await self._outbox.get()
            await self.room.local_participant.send_text(
                text, topic=TOPIC_CHAT, destination_identities=[self.caller])
            self._outbox.task_done()

    async def run(self) -> list[CallEvent]:
        """Answer, play the call until it ends, and return the engine's event log."""
        self._wall_base = asyncio.get_running_loop().time()
        self.room.on("sip_dtmf_received", self._on_dtmf)
        self.room.on("participant_disconnected", self._on_left)
        self.room.on("disconnected", self._on_room_closed)
        self.room.register_text_stream_handler(TOPIC_TRANSCRIPTION, self._on_transcription)
        sender = asyncio.create_task(self._send_loop(), name="mock_ivr_send")
        try:
            self._apply(self.engine.start)
            while not self.engine.ended and self.room.isconnected():
                self._wake.clear()
                timer = self.engine.next_timer_s
                wait = None if timer is None else max(0.0, timer - self._sim_now()) / self._rate()
                try:
                    await asyncio.wait_for(self._wake.wait(), wait)
                except TimeoutError:
                    self._apply(lambda: [])  # a timer fell due: advance fires it
            if self.room.isconnected():
                with contextlib.suppress(asyncio.TimeoutError):  # let the goodbye go out
                    await asyncio.wait_for(self._outbox.join(), 5)
        finally:
            sender.cancel()
            self.room.off("sip_dtmf_received", self._on_dtmf)
            self.room.off("participant_disconnected", self._on_left)
            self.room.off("disconnected", self._on_room_closed)
            self.room.unregister_text_stream_handler(TOPIC_TRANSCRIPTION)
        return list(self.engine.log)
