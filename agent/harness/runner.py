"""The in-process simulation harness: the navigator's real ``AgentSession`` (with
``ivr_detection=True`` and LiveKit's ``send_dtmf_events``) against the mock IVR engine.

The IVR's prompts arrive as user turns, the navigator's speech goes to the engine as
caller speech, and the keys it publishes through the (simulated) job room reach the
engine as DTMF. IVR time is simulated: prompts last their word count, each key takes the
tool's 0.3 s pacing, and timers (no input, hold) fire by jumping the clock, so a
60-second hold costs no wall time.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from unittest import mock

from livekit.agents import AgentSession, llm
from livekit.agents.beta.tools import send_dtmf as builtin_send_dtmf
from livekit.agents.llm import ChatMessage
from livekit.agents.testing import fake_job_context
from livekit.agents.voice.events import ConversationItemAddedEvent

from ..events import CallEvent, DtmfReceived, Transferred, said_text
from ..ivr.engine import IvrEngine
from ..navigator.agent import CallState, NavigatorAgent, watch_session
from ..providers import navigator_llm as default_navigator_llm
from ..result import CallResult
from ..scenario import CallTask, IvrDefinition, LoadedScenario
from .judge import Verdict, judge
from .sim_room import SimulatedRoom

DTMF_KEY_INTERVAL_S = builtin_send_dtmf.DEFAULT_DTMF_PUBLISH_DELAY
"""Simulated time per key: the pacing of LiveKit's ``send_dtmf_events`` (0.3 s)."""
DEFAULT_MAX_CALL_S = 900.0
DEFAULT_MAX_TURNS = 80


@dataclass
class CallRun:
    """One finished simulated call: the navigator's result and the IVR's event log."""

    result: CallResult
    events: list[CallEvent]
    wall_seconds: float

    @property
    def received_keys(self) -> str:
        """The DTMF keys the IVR received, in order (secret digits as ``•``)."""
        return "".join(e.key for e in self.events if isinstance(e, DtmfReceived))


@dataclass
class ScenarioRun(CallRun):
    """A simulated call of a scenario, with the judge's verdict."""

    loaded: LoadedScenario
    verdict: Verdict


@contextlib.contextmanager
def _simulated_dtmf_pacing() -> Iterator[None]:
    # The built-in tool sleeps 0.3 s of wall time per key; the harness accounts for that
    # pacing on the IVR's simulated clock instead (see DTMF_KEY_INTERVAL_S).
    with mock.patch.object(builtin_send_dtmf, "DEFAULT_DTMF_PUBLISH_DELAY", 0.0):
        yield


async def simulate_call(
    ivr: IvrDefinition,
    task: CallTask,
    *,
    navigator_llm: llm.LLM | None = None,
    call_id: str | None = None,
    max_call_s: float = DEFAULT_MAX_CALL_S,
    max_turns: int = DEFAULT_MAX_TURNS,
) -> CallRun:
    """Run one call of the navigator against ``ivr`` in process.

    Args:
        navigator_llm: the session's LLM; by default OpenAI when configured, else the
            embedded brain (see :func:`agent.providers.navigator_llm`).
        max_call_s: simulated seconds after which the call ends as ``timeout``.
        max_turns: IVR turns after which the call ends as ``timeout``.
    """
    call_id = call_id or f"sim-{uuid.uuid4().hex[:8]}"
    started = time.perf_counter()
    state = CallState(task=task, call_id=call_id, clock=lambda: engine.now_s)
    engine = IvrEngine(ivr, masker=state.masker)
    pending: list[CallEvent] = []

    def on_dtmf(key: str) -> None:
        pending.extend(engine.advance(DTMF_KEY_INTERVAL_S))
        pending.extend(engine.press(key))

    def on_item(ev: ConversationItemAddedEvent) -> None:
        if isinstance(ev.item, ChatMessage) and ev.item.role == "assistant":
            pending.extend(engine.hear(ev.item.text_content or ""))

    room = SimulatedRoom(call_id, on_dtmf)
    session: AgentSession[CallState] = AgentSession(
        llm=navigator_llm or default_navigator_llm(task), ivr_detection=True, userdata=state
    )
    watch_session(session, state)
    session.on("conversation_item_added", on_item)
    unreported, reason = "failed", ""
    with fake_job_context(room=room, job_id=call_id), _simulated_dtmf_pacing():
        await session.start(NavigatorAgent(task))
        try:
            pending.extend(engine.start())
            while state.report is None:
                if engine.ended:
                    unreported, reason = _why_ended(engine)
                    break
                if engine.now_s > max_call_s or state.turns >= max_turns:
                    unreported = "timeout"
                    reason = f"no result after {engine.now_s:.0f} s and {state.turns} turns"
                    break
                heard = said_text(pending)
                pending.clear()
                if heard:
                    await session.run(user_input=heard)
                elif engine.next_timer_s is not None:
                    pending.extend(engine.advance_to_next_timer())
                else:
                    unreported, reason = "failed", "the IVR is waiting and nothing is scheduled"
                    break
            if state.report is not None:
                engine.hang_up("navigator recorded its result")
        finally:
            await session.aclose()
    return CallRun(result=state.result(unreported=unreported, reason=reason),
                   events=list(engine.log), wall_seconds=time.perf_counter() - started)


def _why_ended(engine: IvrEngine) -> tuple[str, str]:
    last = engine.log[-1]
    if isinstance(last, Transferred):
        return "transferred_to_human", f"the IVR transferred the call to {last.to}"
    return "ivr_hung_up", f"the IVR hung up at node {engine.node_id}"


async def run_scenario(loaded: LoadedScenario, *, navigator_llm: llm.LLM | None = None
                       ) -> ScenarioRun:
    """Simulate ``loaded`` and judge it against its ``expect``."""
    scenario = loaded.scenario
    limit = max(DEFAULT_MAX_CALL_S, 2 * (scenario.expect.max_sim_seconds or 0))
    call = await simulate_call(loaded.ivr, scenario.task, navigator_llm=navigator_llm,
                               call_id=f"sim-{scenario.id}", max_call_s=limit)
    verdict = judge(scenario, call.result, call.events)
    return ScenarioRun(result=call.result, events=call.events, wall_seconds=call.wall_seconds,
                       loaded=loaded, verdict=verdict)
