"""The ``mock-ivr`` worker: joins a room on dispatch and plays an IVR to the first
participant that calls it (see :class:`~agent.ivr.participant.MockIvrAgent`).

It loads its IVR files once per process (LiveKit's prewarm), from ``MOCK_IVR_PATH`` (a
file, or a folder of IVR files); a dispatch's metadata ``{"ivr": "<id>"}`` picks one, and
the first is played when it names none. With ``"voice": "<engine:name>"`` (or
``recorded:<folder>``) in the metadata it speaks on an audio track in real time (its
``--time-scale`` then applies to nothing), else in text. A TTS voice renders each prompt
the first time it is said (then cached on disk): ``python -m agent record`` renders an
IVR ahead.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from pathlib import Path

from livekit import rtc
from livekit.agents import JobContext, JobProcess, JobRequest

from ..audio.prompts import RecordingError, prompt_audio
from ..audio.stt import grammar_prompt
from ..audio.track import LineTrack, local_hearing
from ..audio.voices import VoiceError
from ..call.events import CALL_EVENTS, CallEvent
from ..call.masking import Masker
from ..scenario import IvrDefinition, load_ivr
from ..scenario.loader import find_ivr_files
from ..settings import Settings
from .engine import IvrEngine
from .participant import MockIvrAgent, play_ivr

logger = logging.getLogger("ivr_navigator.mock_ivr")

MOCK_IVR_AGENT_NAME = "mock-ivr"
MOCK_IVR_IDENTITY = "mock-ivr"
"""The mock IVR's identity in every room, so a call request can target it."""
IVR_TRACK = "ivr-audio"
"""The mock IVR's audio track (audio mode)."""
CALLER_WAIT_S = 60.0
"""How long the mock IVR waits in its room for the navigator before leaving."""
MEDIA_WAIT_S = 10.0
"""In audio mode, how long the mock IVR's first prompt waits for the caller to subscribe
to its track: a call is answered once its media path is up, as a SIP leg's is, and a word
played before that would be lost to the caller."""
CALLER_KINDS = [rtc.ParticipantKind.PARTICIPANT_KIND_AGENT,
                rtc.ParticipantKind.PARTICIPANT_KIND_SIP]
"""Who the mock IVR answers: the navigator (an agent participant) or a SIP leg. A plain
participant is an onlooker, never the caller: one whose connection becomes active before
the navigator's would otherwise be answered instead."""


def load_ivrs(path: Path) -> dict[str, IvrDefinition]:
    """The IVRs of ``path`` (an IVR file, or a folder searched for them) by id.

    Raises:
        ScenarioError: a file is broken, or there is none.
    """
    from ..scenario import ScenarioError

    files = [path] if path.is_file() else find_ivr_files(path) or sorted(path.glob("*.yaml"))
    if not files:
        raise ScenarioError(path, [("", "no IVR files here")])
    ivrs = [load_ivr(f) for f in files]
    return {ivr.id: ivr for ivr in ivrs}


def prewarm(proc: JobProcess) -> None:
    """Load the IVRs once per job process, before any call, and register the Silero
    plugin (LiveKit registers plugins on the main thread only)."""
    import livekit.plugins.silero  # noqa: F401

    proc.userdata["ivrs"] = load_ivrs(Settings().mock_ivr_path)


async def accept_as_mock_ivr(request: JobRequest) -> None:
    """Join under the well-known identity ``mock-ivr``."""
    await request.accept(identity=MOCK_IVR_IDENTITY, name="Mock IVR")


async def mock_ivr_job(ctx: JobContext) -> None:
    """Play the dispatch's IVR to the first caller in the room, then leave."""
    settings = Settings()
    ivrs: dict[str, IvrDefinition] = ctx.proc.userdata.get("ivrs") or load_ivrs(
        settings.mock_ivr_path)
    try:
        metadata = json.loads(ctx.job.metadata or "{}")
        wanted, voice_name = metadata.get("ivr"), metadata.get("voice")
    except (json.JSONDecodeError, AttributeError):
        wanted = voice_name = None
    ivr = ivrs.get(wanted) if wanted else next(iter(ivrs.values()))
    if ivr is None:
        logger.error("mock IVR: no IVR %r (known: %s)", wanted, ", ".join(ivrs))
        ctx.shutdown(reason="unknown IVR")
        return
    audio = hearing = None
    if voice_name:
        try:
            audio = LineTrack(ctx.room, await asyncio.to_thread(prompt_audio, voice_name),
                              name=IVR_TRACK)
        except (VoiceError, RecordingError) as e:
            logger.error("mock IVR: cannot speak with %r: %s", voice_name, e)
            ctx.shutdown(reason="unknown voice")
            return
    logger.info("mock IVR %s: joining %s", ivr.id, ctx.room.name)
    await ctx.connect()
    try:
        caller = await asyncio.wait_for(ctx.wait_for_participant(kind=CALLER_KINDS),
                                        CALLER_WAIT_S)
    except (TimeoutError, RuntimeError):  # its call was dispatched again elsewhere
        logger.warning("mock IVR: nobody called in %s within %g s; leaving", ctx.room.name,
                       CALLER_WAIT_S)
        ctx.shutdown(reason="no caller")
        return
    logger.info("mock IVR %s answering %s in %s", ivr.id, caller.identity, ctx.room.name)
    engine = IvrEngine(ivr, masker=Masker(ivr.secret_values()), external_collection=True,
                       speech_seconds=audio.seconds if audio else None,
                       caller_audio=audio is not None)
    if audio is not None:  # its STT loads before it answers: no word of the caller is lost
        hearing = await local_hearing(lambda prompt: agent.heard_prompt(prompt),
                                      grammar=lambda: grammar_prompt(engine.speech_grammar,
                                                                     engine.last_said))

    def write_events(events: list[CallEvent]) -> None:
        if settings.mock_ivr_events_dir is not None:
            settings.mock_ivr_events_dir.mkdir(parents=True, exist_ok=True)
            path = settings.mock_ivr_events_dir / f"{ctx.room.name}.json"
            partial = path.with_suffix(".partial")  # readers see the whole file or none
            partial.write_bytes(json.dumps(CALL_EVENTS.dump_python(events, mode="json")).encode())
            partial.replace(path)
            logger.info("mock IVR: event log of %s written", ctx.room.name)

    if audio is not None:
        await audio.start()
        if not await audio.subscribed(MEDIA_WAIT_S):
            logger.warning("mock IVR: %s has not subscribed to its audio within %g s; "
                           "speaking anyway", caller.identity, MEDIA_WAIT_S)
    agent = MockIvrAgent(engine, ctx.room, caller.identity,
                         time_scale=1.0 if audio else settings.mock_ivr_time_scale,
                         on_finished=write_events, audio=audio, hearing=hearing)
    session = await play_ivr(agent)
    closed = asyncio.Event()
    ctx.room.on("disconnected", lambda _reason: closed.set())
    finished = asyncio.ensure_future(agent.finished.wait())
    await asyncio.wait([finished, asyncio.ensure_future(closed.wait())],
                       return_when=asyncio.FIRST_COMPLETED)
    if not finished.done():  # the room went away: give the call a moment to wind up
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(finished, 5)
    with contextlib.suppress(Exception):
        await asyncio.wait_for(session.aclose(), 5)
    if audio is not None:
        await audio.aclose()
        await hearing.close()
    logger.info("mock IVR: leaving %s (call %s)", ctx.room.name,
                "finished" if finished.done() else "unfinished")
    ctx.shutdown(reason="the IVR call ended")

