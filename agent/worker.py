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
import math
import os
import socket
from collections.abc import Awaitable, Callable

from livekit import api, rtc
from livekit.agents import AgentServer, JobContext, JobExecutorType, JobProcess, JobRequest
from pydantic import AnyHttpUrl, TypeAdapter, ValidationError

from .call.result import CallResult
from .call_request import (
    CALL_ID,
    CallRequest,
    CallRequestError,
    ParticipantTarget,
    parse_call_request,
)
from .navigator.vocabulary import load_vocabulary
from .providers import navigator_model, speech_stack
from .results.delivery import deliver_result
from .results.store import CallStore
from .settings import Settings
from .supervisor import CallLimits, CallSupervisor
from .telephony import CallSetupError, dial, participant_identity
from .transport.base import LoopClock
from .transport.room import LOST_CONNECTION, RoomFarEnd, RoomKeypad

logger = logging.getLogger("ivr_navigator.worker")

ANY_KIND = list(rtc.ParticipantKind.values())
_URL = TypeAdapter(AnyHttpUrl)


class NavigatorCall:
    """One navigator job, from dispatch metadata to delivered result."""

    def __init__(self, ctx: JobContext, settings: Settings) -> None:
        self.ctx = ctx
        self.settings = settings
        self.store = CallStore(settings.results_db)
        self.holder = f"{socket.gethostname()}/{os.getpid()}"

    async def run(self) -> CallResult | None:
        """Run the call; returns the delivered result (None: the dispatch was a duplicate
        of a call that is finished or held by another worker)."""
        try:
            request = parse_call_request(self.ctx.job.metadata)
        except CallRequestError as e:
            logger.error("job %s: invalid call request:\n%s", self.ctx.job.id, e)
            result = CallResult.unplaced(_call_id_of(self.ctx), "failed", str(e))
            await deliver_result(result, settings=self.settings, store=self.store,
                                 webhook_url=_webhook_of(self.ctx))
            self.ctx.shutdown(reason="invalid call request")
            return result

        claim = await asyncio.to_thread(self.store.claim, request.call_id,
                                        self.ctx.job.room.name, self.holder,
                                        self.settings.lease_s, request)
        if claim != "claimed":
            logger.warning("call %s: dispatch in %s ignored: the call is %s",
                           request.call_id, self.ctx.job.room.name,
                           "already finished" if claim == "finished"
                           else "held elsewhere or queued again")
            self.ctx.shutdown(reason=f"call {claim}")
            return None
        lease = asyncio.create_task(self._renew_lease(request.call_id), name="lease")
        try:
            result = await self._call(request)
        finally:
            lease.cancel()
        await deliver_result(result, settings=self.settings, store=self.store,
                             webhook_url=str(request.webhook_url or "") or None,
                             participant=self._local_participant())
        await self._hang_up()
        return result

    async def _call(self, request: CallRequest) -> CallResult:
        await self.ctx.connect()
        target = request.target
        identity = (target.identity if isinstance(target, ParticipantTarget)
                    else participant_identity(target))
        # with the cloud keys, a phone line is heard by the session's speech stack; else
        # the far end's audio track is heard by the local one (the mock IVR in audio mode,
        # or a SIP leg), and a participant without one talks over text streams
        local = isinstance(target, ParticipantTarget) or not self.settings.speech_configured()
        # listening before the far end is reached: it speaks as soon as it answers, and a
        # text stream or audio that comes before anyone listens is lost
        clock = LoopClock()
        far_end = RoomFarEnd(self.ctx.room, identity, clock, hears_audio=local)
        try:
            try:
                await self._reach(request, clock)
            except CallSetupError as e:
                return CallResult.unplaced(request.call_id, e.outcome, e.reason)
            logger.info("call %s: %s answered in %s", request.call_id, identity,
                        self.ctx.room.name)
            return await self._converse(request, far_end, clock, speech=not local)
        finally:
            far_end.close()

    async def _renew_lease(self, call_id: str) -> None:
        """Renew this worker's hold on the call every third of the lease."""
        while True:
            await asyncio.sleep(self.settings.lease_s / 3)
            try:
                if not await asyncio.to_thread(self.store.renew, call_id, self.holder,
                                               self.settings.lease_s):
                    logger.error("call %s: the ledger gave the call to another worker",
                                 call_id)
            except Exception as e:  # the store may come back; the result is retried
                logger.warning("call %s: renewing the lease failed: %s", call_id, e)

    async def _reach(self, request: CallRequest, clock: LoopClock) -> None:
        """Reach the far end; call time starts on ``clock`` when it answers.

        Raises:
            CallSetupError: it did not answer, or could not be dialed.
        """
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
            clock.restart()
            await asyncio.to_thread(self.store.mark_far_end_reached, request.call_id)
            return
        await asyncio.to_thread(self.store.mark_far_end_reached, request.call_id)
        await dial(self.ctx.api, room=self.ctx.room.name, target=target, limits=limits,
                   default_trunk=self.settings.sip_outbound_trunk_id)
        clock.restart()

    async def _converse(self, request: CallRequest, far_end: RoomFarEnd, clock: LoopClock,
                        *, speech: bool) -> CallResult:
        room = self.ctx.room
        limits = request.limits
        vocabulary = self.ctx.proc.userdata.get("vocabulary") or load_vocabulary()
        supervisor = CallSupervisor(
            call_id=request.call_id, task=request.task, far_end=far_end,
            keypad=RoomKeypad(room, on_press=far_end.pressed), clock=clock,
            model=navigator_model(request.task, self.settings, vocabulary),
            vocabulary=vocabulary,
            limits=CallLimits(max_call_s=limits.max_call_s,
                              max_keypresses=limits.max_keypresses),
            post_connect_dtmf=request.post_connect_dtmf or "",
            speech=speech_stack(self.settings) if speech else None, audio_room=room,
            far_end_identity=far_end.identity)
        return (await supervisor.run()).result

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


def _raw_field(ctx: JobContext, name: str) -> object:
    try:
        return json.loads(ctx.job.metadata).get(name)
    except (json.JSONDecodeError, AttributeError):
        return None


def _call_id_of(ctx: JobContext) -> str:
    """The call id of metadata that failed validation, if it has a valid one, else the
    job's."""
    call_id = _raw_field(ctx, "call_id")
    if isinstance(call_id, str) and CALL_ID.fullmatch(call_id):
        return call_id
    return f"job-{ctx.job.id}"


def _webhook_of(ctx: JobContext) -> str | None:
    """The webhook URL of metadata that failed validation, if it has a valid one: the
    requester hears of its invalid request too."""
    url = _raw_field(ctx, "webhook_url")
    try:
        return str(_URL.validate_python(url)) if isinstance(url, str) else None
    except ValidationError:
        return None


def prewarm(proc: JobProcess) -> None:
    """Load the embedded brain's vocabulary once per job process, before any call, and
    register the Silero plugin (LiveKit registers plugins on the main thread only; a call
    that hears audio loads its model later, in a worker thread)."""
    import livekit.plugins.silero  # noqa: F401

    proc.userdata["vocabulary"] = load_vocabulary()


async def navigator_job(ctx: JobContext) -> None:
    """The worker's entrypoint for one dispatch."""
    await NavigatorCall(ctx, Settings()).run()


SERVER_TARGET_LOAD = 0.7
"""livekit-server's ``agents.target_load`` (its default, ``DefaultTargetLoad``): a job
request is routed only to workers reporting less load (``JobRequestAffinity`` in
``agentservice.go``); at or above it the dispatch is dropped, not queued."""


def worker_load(jobs: int, max_calls: int | None) -> float:
    """A worker's load for the server: its running jobs over ``max_calls`` + 1 (past it,
    or with no limit, n jobs weigh n / (n + 1)), scaled into [0, SERVER_TARGET_LOAD):
    the server always routes a job to it and picks the least busy of several."""
    return SERVER_TARGET_LOAD * jobs / (max(jobs, max_calls or 0) + 1)


def build_server(settings: Settings, *, agent_name: str | None = None,
                 entrypoint: Callable[[JobContext], Awaitable[None]] = navigator_job,
                 on_request: Callable[[JobRequest], Awaitable[None]] | None = None,
                 setup: Callable[[JobProcess], None] = prewarm,
                 max_calls: int | None = None) -> AgentServer:
    """An ``AgentServer`` registered under ``agent_name`` (explicit dispatch only) running
    ``entrypoint`` per job (the navigator by default, or the mock IVR), with ``setup`` run
    once per job process; its load is :func:`worker_load`. Never LiveKit's default CPU
    load: the server drops a dispatch when no worker reports a load under its target
    (:data:`SERVER_TARGET_LOAD`), which a busy machine's CPU reaches."""
    executor = (JobExecutorType.THREAD if settings.job_executor == "thread"
                else JobExecutorType.PROCESS)
    server = AgentServer(
        ws_url=settings.livekit_url,
        api_key=settings.livekit_api_key,
        api_secret=settings.livekit_api_secret.get_secret_value(),
        job_executor_type=executor,
        # LiveKit's admission control is off: a job it refused would be dropped (the server
        # does not queue it). The ledger dispatches no more calls than the workers' total
        # capacity, and the load reported (always under the server's target load) lets
        # the server pick the least busy worker
        load_fnc=lambda server: worker_load(len(server.active_jobs), max_calls),
        load_threshold=math.inf,
        setup_fnc=setup,
        port=0,  # the health-check HTTP port: any free one, so workers can share a host
    )
    server.rtc_session(entrypoint, agent_name=agent_name or settings.agent_name,
                       on_request=on_request)
    return server
