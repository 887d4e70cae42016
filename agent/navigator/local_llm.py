"""The embedded brain as a LiveKit ``llm.LLM``: with no OpenAI key the session runs the
same tools and tool-calling path, with :class:`IvrPolicy` choosing the moves."""

from __future__ import annotations

import json
import logging
from typing import Any

from livekit.agents import APIConnectOptions, llm
from livekit.agents.llm import ChatChunk, ChoiceDelta, FunctionToolCall
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS, NOT_GIVEN, NotGivenOr
from livekit.agents.utils import shortuuid

from ..scenario.scenario_model import CallTask
from .policy import Decision, IvrPolicy, Turn

logger = logging.getLogger("ivr_navigator.brain")


def turns_from_chat(chat_ctx: llm.ChatContext) -> list[Turn]:
    """The call so far as :class:`Turn` s: each user message starts a turn; the
    assistant's words and tool calls after it are its reply."""
    turns: list[Turn] = []
    for item in chat_ctx.items:
        if item.type == "message" and item.role == "user":
            turns.append(Turn(heard=item.text_content or ""))
        elif not turns:
            continue
        elif item.type == "message" and item.role == "assistant":
            turns[-1].said += item.text_content or ""
        elif item.type == "function_call":
            try:
                arguments = json.loads(item.arguments or "{}")
            except json.JSONDecodeError:
                arguments = {}
            if item.name == "send_dtmf_events":
                turns[-1].keys += "".join(map(str, arguments.get("events", [])))
            elif item.name == "enter_secret":
                turns[-1].secrets.append(str(arguments.get("name", "")))
            elif item.name == "record_result":
                turns[-1].recorded = True
    return turns


class LocalIvrLLM(llm.LLM):
    """A deterministic, offline ``llm.LLM`` for one call (see :mod:`agent.navigator.policy`).

    Args:
        task: the call's goal and facts (the policy reads them directly; the instructions
            in the chat context are for a real model).
    """

    def __init__(self, task: CallTask) -> None:
        super().__init__()
        self._policy = IvrPolicy(task)

    @property
    def model(self) -> str:
        return "ivr-policy"

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
        decision = self._policy.decide(turns_from_chat(chat_ctx))
        available = {t.info.name for t in (tools or []) if isinstance(t, llm.FunctionTool)}
        missing = [c.name for c in decision.calls if c.name not in available]
        if missing and tool_choice != "none":
            # e.g. send_dtmf_events is absent when ivr_detection never started
            logger.warning("brain wanted tools %s the session does not offer", missing)
            decision = self._policy.record(
                "failed", "", reason=f"the session offers no {', '.join(missing)} tool")
        if tool_choice == "none":
            decision = Decision(say=decision.say, why=decision.why)
        logger.debug("brain: %s", decision.why)
        return _DecisionStream(self, decision, chat_ctx=chat_ctx, tools=tools or [],
                               conn_options=conn_options)


class _DecisionStream(llm.LLMStream):
    def __init__(self, owner: LocalIvrLLM, decision: Decision, **kwargs: Any) -> None:
        super().__init__(owner, **kwargs)
        self._decision = decision

    async def _run(self) -> None:
        request_id = shortuuid("policy_")
        if self._decision.say:
            self._event_ch.send_nowait(ChatChunk(
                id=request_id, delta=ChoiceDelta(role="assistant", content=self._decision.say)))
        for call in self._decision.calls:
            tool_call = FunctionToolCall(name=call.name, arguments=json.dumps(call.arguments),
                                         call_id=shortuuid("call_"))
            self._event_ch.send_nowait(ChatChunk(
                id=request_id, delta=ChoiceDelta(role="assistant", tool_calls=[tool_call])))
