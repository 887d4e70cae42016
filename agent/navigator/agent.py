"""The navigator: a LiveKit ``Agent`` that calls an IVR for a customer, its tools, and the
per-call state its transport reads the result from."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from string import Template
from typing import Literal

from livekit.agents import Agent, AgentSession, RunContext, function_tool, get_job_context
from livekit.agents.beta.tools import send_dtmf as builtin_send_dtmf
from livekit.agents.llm import ChatMessage, ToolError
from livekit.agents.voice.events import ConversationItemAddedEvent, FunctionToolsExecutedEvent

from ..dtmf import rfc4733_event_code
from ..masking import Masker
from ..paths import PROMPTS_DIR
from ..result import CallResult, FoundFact, KeyPress, TranscriptLine
from ..scenario.scenario_model import CallTask, Outcome

logger = logging.getLogger("ivr_navigator.navigator")

KEY_TOOLS = ("send_dtmf_events", "enter_secret")
"""Tools that press keys: no spoken reply follows them, so the navigator never talks over
the IVR's next prompt."""


@dataclass
class NavigatorReport:
    """What the navigator recorded with ``record_result`` (already masked)."""

    outcome: Outcome
    answer: str
    reason: str
    facts: list[FoundFact]


@dataclass
class CallState:
    """Per-call state: the session's ``userdata``, shared by the tools and the transport.

    ``clock`` returns seconds since the call was answered (simulated in the harness).
    ``finished`` is set once the navigator recorded its result.
    """

    task: CallTask
    call_id: str
    clock: Callable[[], float]
    masker: Masker = field(init=False)
    keys: list[KeyPress] = field(default_factory=list)
    transcript: list[TranscriptLine] = field(default_factory=list)
    report: NavigatorReport | None = None
    turns: int = 0
    finished: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.masker = Masker(self.task.secret_values())

    def result(self, *, unreported: Outcome = "failed", reason: str = "") -> CallResult:
        """The call's :class:`CallResult`: the navigator's report, or ``unreported`` with
        ``reason`` when the call ended before the navigator recorded one."""
        report = self.report or NavigatorReport(outcome=unreported, answer="", reason=reason,
                                                facts=[])
        return CallResult(
            call_id=self.call_id,
            outcome=report.outcome,
            answer=report.answer,
            reason=report.reason,
            facts=report.facts,
            keys=list(self.keys),
            transcript=list(self.transcript),
            turns=self.turns,
            duration_s=round(self.clock(), 3),
        )

    def add_line(self, speaker: Literal["callee", "caller"], text: str,
                 kind: Literal["speech", "dtmf"] = "speech") -> None:
        self.transcript.append(TranscriptLine(at_s=round(self.clock(), 3), speaker=speaker,
                                              kind=kind, text=self.masker(text)))


def render_instructions(task: CallTask) -> str:
    """The navigator's instructions: ``prompts/navigator.md`` filled with the goal, the
    non-secret facts and the names of the secrets."""
    facts = [
        f"- {name}: {value if isinstance(value, str) else ' or '.join(value)}"
        for name, value in task.facts.items() if name not in task.secrets
    ]
    secrets = [f"{name} ({len(task.candidates(name))} candidate(s))" for name in task.secrets]
    template = Template((PROMPTS_DIR / "navigator.md").read_text(encoding="utf-8"))
    return template.substitute(goal=task.goal, facts="\n".join(facts) or "- (none)",
                               secrets=", ".join(secrets) or "(none)")


@function_tool
async def record_result(
    context: RunContext[CallState],
    outcome: Literal["completed", "transferred_to_human", "failed"],
    answer: str,
    facts: list[FoundFact],
    reason: str = "",
) -> None:
    """Record the call's result and end the call.

    Args:
        outcome: completed (the goal's information was heard), transferred_to_human (a
            person answered and the goal was to reach one) or failed (the goal cannot be
            reached on this call).
        answer: a short answer to the goal, in one or two sentences.
        facts: the pieces of information heard, each a name and a value.
        reason: why the goal could not be reached, for a failed outcome.
    """
    state = context.userdata
    mask = state.masker
    state.report = NavigatorReport(
        outcome=outcome,
        answer=mask(answer),
        reason=mask(reason),
        facts=[FoundFact(name=f.name, value=mask(f.value)) for f in facts],
    )
    logger.info("call %s: result recorded: %s", state.call_id, outcome)
    state.finished.set()


@function_tool
async def enter_secret(
    context: RunContext[CallState], name: str, candidate: int = 0, terminator: str = ""
) -> str:
    """Press the digits of a secret fact (such as a PIN) as DTMF keys, without revealing it.

    Args:
        name: the secret's name, as listed in the instructions.
        candidate: which of the secret's candidate values to enter, 0 first.
        terminator: a key to press after the digits, "#" or "*", or "" for none.
    """
    state = context.userdata
    candidates = state.task.candidates(name) if name in state.task.secrets else []
    if not candidates:
        raise ToolError(f"unknown secret {name!r}; secrets: {', '.join(state.task.secrets)}")
    if not 0 <= candidate < len(candidates):
        raise ToolError(f"candidate must be 0 to {len(candidates) - 1} for {name!r}")
    if terminator not in ("", "#", "*"):
        raise ToolError(f"terminator must be '#', '*' or '', got {terminator!r}")
    digits = [c for c in candidates[candidate] if c.isdigit()]
    try:
        room = context.session.room_io.room
    except RuntimeError:
        room = get_job_context().room
    for key in digits + list(terminator):
        await room.local_participant.publish_dtmf(code=rfc4733_event_code(key), digit=key)
        state.keys.append(KeyPress(key=key if key in "#*" else "•", at_s=round(state.clock(), 3)))
        # same pacing as LiveKit's send_dtmf_events, read at call time like the tool does
        await asyncio.sleep(builtin_send_dtmf.DEFAULT_DTMF_PUBLISH_DELAY)
    what = f"{name} ({len(digits)} digits)"
    state.add_line("caller", f"pressed {what}{' ' + terminator if terminator else ''}", "dtmf")
    return f"Entered {what}{' followed by ' + terminator if terminator else ''}."


class NavigatorAgent(Agent):
    """The IVR navigator. Tools: ``record_result`` and ``enter_secret``; the session's
    ``ivr_detection=True`` adds LiveKit's ``send_dtmf_events``."""

    def __init__(self, task: CallTask) -> None:
        super().__init__(instructions=render_instructions(task),
                         tools=[record_result, enter_secret])


def watch_session(session: AgentSession[CallState], state: CallState) -> None:
    """Keep the call's transcript and keys from the session's events, mask tool output,
    and cancel the spoken reply after keys are pressed (so the navigator waits for the
    IVR's next prompt instead of talking over it)."""

    def on_item(ev: ConversationItemAddedEvent) -> None:
        item = ev.item
        if not isinstance(item, ChatMessage) or not item.text_content:
            return
        if item.role == "user":
            state.turns += 1
            state.add_line("callee", item.text_content)
        elif item.role == "assistant":
            state.add_line("caller", item.text_content)

    def on_tools(ev: FunctionToolsExecutedEvent) -> None:
        for call, output in ev.zipped():
            if call.name == "send_dtmf_events":
                try:
                    events = json.loads(call.arguments).get("events", [])
                except (json.JSONDecodeError, AttributeError):
                    events = []
                for key in events:
                    state.keys.append(KeyPress(key=str(key), at_s=round(state.clock(), 3)))
                state.add_line("caller", "pressed " + " ".join(map(str, events)), "dtmf")
            output.output = state.masker(output.output)
        if all(call.name in KEY_TOOLS for call in ev.function_calls):
            ev.cancel_tool_reply()

    session.on("conversation_item_added", on_item)
    session.on("function_tools_executed", on_tools)
