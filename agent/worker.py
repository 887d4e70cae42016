"""The navigator worker: an ``AgentServer`` with explicit dispatch by agent name.

A dispatch's metadata is a :class:`~agent.call_request.CallRequest`. The job reaches the
far end (dials a phone number over SIP, or waits for a participant such as the mock IVR),
runs the call through the :class:`~agent.supervisor.CallSupervisor` over the room, and
delivers the :class:`~agent.call.result.CallResult`: stored first, then set as participant
attributes, then POSTed to the request's webhook. Nothing that goes wrong (invalid
metadata, a failed dial, a hang-up, a lost server) escapes as a traceback: each ends as a
result with an outcome and a reason.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable

from livekit import api, rtc
from livekit.agents import AgentServer, JobContext, JobExecutorType, JobProcess, JobRequest

from .call.result import CallResult
from .call_request import CallRequest, CallRequestError, ParticipantTarget, parse_call_request
from .navigator.vocabulary import load_vocabulary
from .providers import navigator_model, speech_stack
from .results.delivery import deliver_result
from .settings import Settings
from .supervisor import CallLimits, CallSupervisor
from .telephony import CallSetupError, dial
from .transport.base import LoopClock
from .transport.room import LOST_CONNECTION, RoomFarEnd, RoomKeypad

logger = logging.getLogger("ivr_navigator.worker")

ANY_KIND = list(rtc.ParticipantKind.values())


class NavigatorCall:
    """One navigator job, from dispatch metadata to delivered result."""

    def __init__(self, ctx: JobContext, settings: Settings) -> None:
        self.ctx = ctx
        self.settings = settings

    async def run(self) -> CallResult:
        """Run the call; returns the delivered result."""
        try:
            request = parse_call_request(self.ctx.job.metadata)
        except CallRequestError as e:
            logger.error("job %s: invalid call request:\n%s", self.ctx.job.id, e)
            result = CallResult.unplaced(_call_id_of(self.ctx), "failed", str(e))
            await deliver_result(result, settings=self.settings)
            self.ctx.shutdown(reason="invalid call request")
            return result

        await self.ctx.connect()
        try:
            far_end = await self._reach(request)
        except CallSetupError as e:
            result = CallResult.unplaced(request.call_id, e.outcome, e.reason)
        else:
            logger.info("call %s: %s answered in %s", request.call_id, far_end,
                        self.ctx.room.name)
            result = await self._converse(request, far_end)
        await deliver_result(result, settings=self.settings,
                             webhook_url=str(request.webhook_url or "") or None,
                             participant=self._local_participant())
        await self._hang_up()
        return result

    async def _reach(self, request: CallRequest) -> str:
        """The identity of the answered far end."""
        target, limits = request.target, request.limits
        if isinstance(target, ParticipantTarget):
            try:
                await asyncio.wait_for(
                    self.ctx.wait_for_participant(identity=target.identity, kind=ANY_KIND),
                    limits.ring_timeout_s)
            except TimeoutError as e:
                raise CallSetupError("no_answer", f"participant {target.identity!r} did not "
                                     f"join within {limits.ring_timeout_s:g} s") from e
            except RuntimeError as e:  # "room disconnected while waiting for participant"
                raise CallSetupError("failed", f"{LOST_CONNECTION} while waiting for "
                                               f"{target.identity!r}") from e
            return target.identity
        if not self.settings.speech_configured():
            raise CallSetupError("failed", "a phone call needs speech: set DEEPGRAM_API_KEY "
                                           "and OPENAI_API_KEY (the local speech stack is "
                                           "not wired to the worker yet)")
        return await dial(self.ctx.api, room=self.ctx.room.name, target=target, limits=limits,
                          default_trunk=self.settings.sip_outbound_trunk_id)

    async def _converse(self, request: CallRequest, far_end_identity: str) -> CallResult:
        clock = LoopClock()
        room = self.ctx.room
        far_end = RoomFarEnd(room, far_end_identity, clock)
        # a phone line needs speech; a participant (the mock IVR) talks over text streams
        speech = (None if isinstance(request.target, ParticipantTarget)
                  else speech_stack(self.settings))
        limits = request.limits
        vocabulary = self.ctx.proc.userdata.get("vocabulary") or load_vocabulary()
        supervisor = CallSupervisor(
            call_id=request.call_id, task=request.task, far_end=far_end,
            keypad=RoomKeypad(room), clock=clock,
            model=navigator_model(request.task, self.settings, vocabulary),
            vocabulary=vocabulary,
            limits=CallLimits(max_call_s=limits.max_call_s,
                              max_keypresses=limits.max_keypresses),
            post_connect_dtmf=request.post_connect_dtmf or "",
            speech=speech, audio_room=room, far_end_identity=far_end_identity)
        try:
            return (await supervisor.run()).result
        finally:
            far_end.close()

    def _local_participant(self) -> rtc.LocalParticipant | None:
        room = self.ctx.room
        return room.local_participant if room.isconnected() else None

    async def _hang_up(self) -> None:
        """Delete the room: the SIP leg (or the mock IVR) is disconnected, the job ends."""
        try:
            await asyncio.wait_for(self.ctx.api.room.delete_room(
                api.DeleteRoomRequest(room=self.ctx.room.name)), 5)
        except Exception as e:
            logger.warning("could not delete room %s: %s", self.ctx.room.name, e)
        self.ctx.shutdown(reason="call ended")


def _call_id_of(ctx: JobContext) -> str:
    """The call id from metadata that failed validation, if it has one, else the job's."""
    try:
        call_id = json.loads(ctx.job.metadata).get("call_id")
    except (json.JSONDecodeError, AttributeError):
        call_id = None
    return call_id if isinstance(call_id, str) and call_id else f"job-{ctx.job.id}"


def prewarm(proc: JobProcess) -> None:
    """Load the embedded brain's vocabulary once per job process, before any call."""
    proc.userdata["vocabulary"] = load_vocabulary()


async def navigator_job(ctx: JobContext) -> None:
    """The worker's entrypoint for one dispatch."""
    await NavigatorCall(ctx, Settings()).run()


def build_server(settings: Settings, *, agent_name: str | None = None,
                 entrypoint: Callable[[JobContext], Awaitable[None]] = navigator_job,
                 on_request: Callable[[JobRequest], Awaitable[None]] | None = None,
                 setup: Callable[[JobProcess], None] = prewarm) -> AgentServer:
    """An ``AgentServer`` registered under ``agent_name`` (explicit dispatch only) running
    ``entrypoint`` per job (the navigator by default, or the mock IVR), with ``setup`` run
    once per job process."""
    executor = (JobExecutorType.THREAD if settings.job_executor == "thread"
                else JobExecutorType.PROCESS)
    server = AgentServer(
        ws_url=settings.livekit_url,
        api_key=settings.livekit_api_key,
        api_secret=settings.livekit_api_secret.get_secret_value(),
        job_executor_type=executor,
        load_threshold=settings.worker_load_threshold,
        setup_fnc=setup,
        port=0,  # the health-check HTTP port: any free one, so workers can share a host
    )
    server.rtc_session(entrypoint, agent_name=agent_name or settings.agent_name,
                       on_request=on_request)
    return server
