"""The ``mock-ivr`` worker: joins a room on dispatch and plays the configured IVR to the
first participant that calls it (see :class:`RoomIvr`)."""

from __future__ import annotations

import json
import logging

from livekit import rtc
from livekit.agents import JobContext, JobRequest

from ..events import CALL_EVENTS
from ..masking import Masker
from ..scenario import load_ivr
from ..settings import Settings
from .engine import IvrEngine
from .participant import RoomIvr

logger = logging.getLogger("ivr_navigator.mock_ivr")

MOCK_IVR_AGENT_NAME = "mock-ivr"
MOCK_IVR_IDENTITY = "mock-ivr"
"""The mock IVR's identity in every room, so a call request can target it."""
CALLER_KINDS = [rtc.ParticipantKind.PARTICIPANT_KIND_AGENT,
                rtc.ParticipantKind.PARTICIPANT_KIND_STANDARD,
                rtc.ParticipantKind.PARTICIPANT_KIND_SIP]


async def accept_as_mock_ivr(request: JobRequest) -> None:
    """Join under the well-known identity ``mock-ivr``."""
    await request.accept(identity=MOCK_IVR_IDENTITY, name="Mock IVR")


async def mock_ivr_job(ctx: JobContext) -> None:
    """Play the IVR of ``MOCK_IVR_FILE`` to the first caller in the room, then leave."""
    settings = Settings()
    ivr = load_ivr(settings.mock_ivr_file)
    pins = [str(c.get("pin", "")) for c in (ivr.data.get("customers") or {}).values()]
    await ctx.connect()
    caller = await ctx.wait_for_participant(kind=CALLER_KINDS)
    logger.info("mock IVR %s answering %s in %s", ivr.id, caller.identity, ctx.room.name)
    engine = IvrEngine(ivr, masker=Masker(pins))

    async def write_events(_reason: str = "") -> None:
        # a shutdown callback: it also runs when the navigator deletes the room mid-call
        if settings.mock_ivr_events_dir is not None:
            settings.mock_ivr_events_dir.mkdir(parents=True, exist_ok=True)
            path = settings.mock_ivr_events_dir / f"{ctx.room.name}.json"
            path.write_bytes(json.dumps(CALL_EVENTS.dump_python(engine.log, mode="json")).encode())

    ctx.add_shutdown_callback(write_events)
    await RoomIvr(engine, ctx.room, caller.identity,
                  time_scale=settings.mock_ivr_time_scale).run()
    ctx.shutdown(reason="the IVR call ended")
