"""A :class:`~agent.navigator.brain.Brain` as a LiveKit ``llm.LLM``: with no cloud model
the session runs the same tools and tool-calling path, with the brain choosing."""

from __future__ import annotations

import json
import logging
from typing import Any

from livekit.agents import APIConnectOptions, llm
from livekit.agents.llm import ChatChunk, ChoiceDelta, FunctionToolCall
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS, NOT_GIVEN, NotGivenOr
from livekit.agents.utils import shortuuid

from ..call.events import CallEvent
from .brain import Action, Brain, Decision, EnterSecret, PressKeys, RecordResult, Say

logger = logging.getLogger("ivr_navigator.brain")


def tool_call(action: Action) -> tuple[str, dict[str, Any]] | None:
    """The navigator tool (name, arguments) that performs ``action``; None for speech."""
    if isinstance(action, PressKeys):
        return "send_dtmf_events", {"events": list(action.keys)}
    if isinstance(action, EnterSecret):
        return "enter_secret", {"name": action.name, "candidate": action.candidate,
                                "terminator": action.terminator,
                                "last_digits": action.last_digits}
    if isinstance(action, RecordResult):
        return "record_result", {
            "outcome": action.outcome, "answer": action.answer or action.reason,
            "reason": action.reason,
            "facts": [{"name": name, "value": value} for name, value in action.facts]}
    return None


class BrainLLM(llm.LLM):
    """An offline ``llm.LLM`` for one call, deciding with ``brain``.

    Args:
        brain: decides the moves.
        log: the navigator's event log of the call (read from where the last decision
            stopped; the chat context is not re-read).
    """

    def __init__(self, brain: Brain, log: list[CallEvent]) -> None:
        super().__init__()
        self._brain = brain
        self._log = log
        self._seen = 0

    @property
    def model(self) -> str:
        return type(self._brain).__name__

    @property
    def provider(self) -> str:
        return "ivr-navigator"

    def chat(
        self,
        *,
        chat_ctx: llm.ChatContext,
        tools: list[llm.Tool] | None = None,
        conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS,
        parallel_tool_calls: NotGivenOr[bool] = NOT_GIVEN,
        tool_choice: NotGivenOr[llm.ToolChoice] = NOT_GIVEN,
        extra_kwargs: NotGivenOr[dict[str, Any]] = NOT_GIVEN,
    ) -> llm.LLMStream:
        new, self._seen = self._log[self._seen:], len(self._log)
        decision = self._brain.decide(new)
        available = {t.info.name for t in (tools or []) if isinstance(t, llm.FunctionTool)}
        calls = [c for c in map(tool_call, decision.actions) if c is not None]
        missing = sorted({name for name, _ in calls if name not in available})
        if tool_choice == "none":
            decision = Decision([a for a in decision.actions if isinstance(a, Say)],
                                decision.why)
        elif missing:
            logger.warning("brain wanted tools %s the session does not offer", missing)
            decision = Decision([RecordResult(
                "failed", reason=f"the session offers no {', '.join(missing)} tool")])
        logger.debug("brain: %s", decision.why)
        return _DecisionStream(self, decision, chat_ctx=chat_ctx, tools=tools or [],
                               conn_options=conn_options)


class _DecisionStream(llm.LLMStream):
    def __init__(self, owner: BrainLLM, decision: Decision, **kwargs: Any) -> None:
        super().__init__(owner, **kwargs)
        self._decision = decision

    async def _run(self) -> None:
        request_id = shortuuid("brain_")
        for action in self._decision.actions:
            call = tool_call(action)
            if call is None:
                assert isinstance(action, Say)
                delta = ChoiceDelta(role="assistant", content=action.text)
            else:
                name, arguments = call
                delta = ChoiceDelta(role="assistant", tool_calls=[FunctionToolCall(
                    name=name, arguments=json.dumps(arguments), call_id=shortuuid("call_"))])
            self._event_ch.send_nowait(ChatChunk(id=request_id, delta=delta))
