"""The navigator worker: an ``AgentServer`` with explicit dispatch by agent name.

A dispatch's metadata is a :class:`CallRequest`. The job reaches the far end (dials a
phone number over SIP, or waits for a participant such as the mock IVR), runs the
navigator session, and delivers the :class:`CallResult`: stored first, then set as
participant attributes, then POSTed to the request's webhook. Nothing that goes wrong
(invalid metadata, a failed dial, a hang-up, a lost server) escapes as a traceback: each
ends as a result with an outcome and a reason.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from livekit import api, rtc
from livekit.agents import (
    AgentServer,
    AgentSession,
    JobContext,
    JobExecutorType,
    JobRequest,
    room_io,
)
from livekit.agents.voice.events import AgentStateChangedEvent, FunctionToolsExecutedEvent

from .call_request import CallRequest, CallRequestError, ParticipantTarget, parse_call_request
from .navigator.agent import CallState, NavigatorAgent, watch_session
from .providers import navigator_llm, speech_stack
from .result import CallResult
from .results.delivery import deliver_result
from .scenario.scenario_model import Outcome
from .settings import Settings
from .telephony import CallSetupError, dial

logger = logging.getLogger("ivr_navigator.worker")

ANY_KIND = list(rtc.ParticipantKind.values())
HANG_UP_GRACE_S = 2.0
"""After the far end hangs up, time left for the navigator to record what it last heard."""


class _TurnQueue:
    """Answers the IVR's text turns one at a time, each after the previous reply finished.

    LiveKit's default text input interrupts the agent and replies at once. For an IVR that
    is wrong twice: a prompt must not cancel keys being pressed, and the next prompt often
    arrives before an entry's terminator is sent, so a reply started then would interleave
    its keys with it. The agent is "thinking" while its tools run: wait for "listening".
    """

    def __init__(self) -> None:
        self._lock = asyncio.Lock()

    @staticmethod
    async def _until_listening(session: AgentSession) -> None:
        if session.agent_state == "listening":
            return
        ready = asyncio.get_running_loop().create_future()

        def on_state(ev: AgentStateChangedEvent) -> None:
            if ev.new_state == "listening" and not ready.done():
                ready.set_result(None)

        session.on("agent_state_changed", on_state)
        try:
            await ready
        finally:
            session.off("agent_state_changed", on_state)

    async def __call__(self, session: AgentSession, ev: room_io.TextInputEvent) -> None:
        async with self._lock:
            await self._until_listening(session)
            await session.generate_reply(user_input=ev.text)
            await self._until_listening(session)


class NavigatorCall:
    """One navigator job, from dispatch metadata to delivered result."""

    def __init__(self, ctx: JobContext, settings: Settings) -> None:
        self.ctx = ctx
        self.settings = settings
        self._end: asyncio.Future[tuple[Outcome | None, str]] | None = None
        self._watchers: set[asyncio.Task[None]] = set()  # cancelled when the call ends

    async def run(self) -> CallResult:
        """Run the call; returns the delivered result."""
        try:
            request = parse_call_request(self.ctx.job.metadata)
        except CallRequestError as e:
            logger.error("job %s: invalid call request:\n%s", self.ctx.job.id, e)
            result = CallResult(call_id=_call_id_of(self.ctx), outcome="failed", reason=str(e))
            await deliver_result(result, settings=self.settings)
            self.ctx.shutdown(reason="invalid call request")
            return result

        await self.ctx.connect()
        loop = asyncio.get_running_loop()
        self._end = loop.create_future()
        self.ctx.room.on("disconnected", self._on_disconnected)
        started = loop.time()
        state = CallState(task=request.task, call_id=request.call_id,
                          clock=lambda: loop.time() - started)
        try:
            far_end = await self._reach(request)
        except CallSetupError as e:
            result = state.result(unreported=e.outcome, reason=e.reason)
        else:
            result = await self._converse(request, state, far_end)
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
                raise CallSetupError("failed", "lost the connection to the LiveKit server "
                                     f"while waiting for {target.identity!r}") from e
            return target.identity
        if not self.settings.speech_configured():
            raise CallSetupError("failed", "a phone call needs speech: set DEEPGRAM_API_KEY "
                                           "and OPENAI_API_KEY (the local speech stack is "
                                           "not wired to the worker yet)")
        return await dial(self.ctx.api, room=self.ctx.room.name, target=target, limits=limits,
                          default_trunk=self.settings.sip_outbound_trunk_id)

    async def _converse(self, request: CallRequest, state: CallState, far_end: str
                        ) -> CallResult:
        # a participant (the mock IVR) talks over text streams; a phone line needs speech
        speech = (None if isinstance(request.target, ParticipantTarget)
                  else speech_stack(self.settings))
        text_mode = speech is None
        session: AgentSession[CallState] = AgentSession(
            llm=navigator_llm(request.task, self.settings), ivr_detection=True, userdata=state,
            **(speech or {}))
        watch_session(session, state)
        self._watch_call(session, state, far_end, request)
        options = room_io.RoomOptions(
            participant_identity=far_end,
            participant_kinds=ANY_KIND,  # the mock IVR joins as an agent participant
            text_input=room_io.TextInputOptions(text_input_cb=_TurnQueue()),
            audio_input=not text_mode,
            audio_output=not text_mode,
            text_output=True,
            close_on_disconnect=False,
        )
        await session.start(NavigatorAgent(request.task), room=self.ctx.room,
                            room_options=options)
        try:
            outcome, reason = await asyncio.wait_for(asyncio.shield(self._end),
                                                     request.limits.max_call_s)
        except TimeoutError:
            outcome, reason = "timeout", f"no result after {request.limits.max_call_s:g} s"
        finally:
            for task in self._watchers:
                task.cancel()
        if outcome is None and not state.finished.is_set():
            outcome, reason = "failed", "the call ended before a result"
        try:
            await asyncio.wait_for(session.aclose(), 10)
        except Exception as e:  # e.g. the server is gone: the result matters more
            logger.warning("call %s: closing the session: %s", state.call_id, e)
        return state.result(unreported=outcome or "failed", reason=reason)

    def _finish(self, outcome: Outcome | None, reason: str) -> None:
        if self._end is not None and not self._end.done():
            self._end.set_result((outcome, reason))

    def _watch_call(self, session: AgentSession, state: CallState, far_end: str,
                    request: CallRequest) -> None:
        """End the wait on: the navigator's result, the far end leaving, or too many keys
        (a lost server connection is watched from the start of the job)."""
        room = self.ctx.room
        self._watch(self._on_finished(state))

        def on_left(participant: rtc.RemoteParticipant) -> None:
            if participant.identity == far_end:
                self._watch(self._far_end_left(state, far_end))

        def on_tools(ev: FunctionToolsExecutedEvent) -> None:
            if len(state.keys) > request.limits.max_keypresses:
                self._finish("failed", f"more than {request.limits.max_keypresses} keys pressed")

        room.on("participant_disconnected", on_left)
        session.on("function_tools_executed", on_tools)

    def _watch(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._watchers.add(task)
        task.add_done_callback(self._watchers.discard)

    def _on_disconnected(self, reason: object) -> None:
        self._finish("failed", f"lost the connection to the LiveKit server ({reason})")

    async def _on_finished(self, state: CallState) -> None:
        await state.finished.wait()
        self._finish(None, "")

    async def _far_end_left(self, state: CallState, far_end: str) -> None:
        try:
            await asyncio.wait_for(state.finished.wait(), HANG_UP_GRACE_S)
        except TimeoutError:
            self._finish("ivr_hung_up", f"{far_end} hung up before a result")

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


async def navigator_job(ctx: JobContext) -> None:
    """The worker's entrypoint for one dispatch."""
    await NavigatorCall(ctx, Settings()).run()


def build_server(settings: Settings, *, agent_name: str | None = None,
                 entrypoint: Callable[[JobContext], Awaitable[None]] = navigator_job,
                 on_request: Callable[[JobRequest], Awaitable[None]] | None = None,
                 ) -> AgentServer:
    """An ``AgentServer`` registered under ``agent_name`` (explicit dispatch only) running
    ``entrypoint`` per job (the navigator by default, or the mock IVR)."""
    executor = (JobExecutorType.THREAD if settings.job_executor == "thread"
                else JobExecutorType.PROCESS)
    server = AgentServer(
        ws_url=settings.livekit_url,
        api_key=settings.livekit_api_key,
        api_secret=settings.livekit_api_secret.get_secret_value(),
        job_executor_type=executor,
        load_threshold=settings.worker_load_threshold,
        port=0,  # the health-check HTTP port: any free one, so workers can share a host
    )
    server.rtc_session(entrypoint, agent_name=agent_name or settings.agent_name,
                       on_request=on_request)
    return server
