"""The navigator's tools: pressing keys, entering a secret, recording the result.

``send_dtmf_events`` has the name and arguments of LiveKit's built-in tool (which
``ivr_detection=True`` adds in livekit-agents 1.8), so models and prompts written for it
work unchanged; ours presses through the call's keypad, logs each key with its time,
refuses keys the safety policy declines with a ``ToolError``, and paces keys as LiveKit
does. It replaces the built-in rather than sitting beside it because two tools cannot
share a name, and an unguarded twin would let a model press anything.
"""

from __future__ import annotations

from typing import Literal

from livekit.agents import RunContext, function_tool
from livekit.agents.beta.workflows.utils import DtmfEvent
from livekit.agents.llm import ToolError

from ..call.events import FoundFact
from .state import CallState, KeyRefused

KEY_TOOLS = ("send_dtmf_events", "enter_secret")
"""Tools that press keys: no spoken reply follows them, so the navigator never talks over
the IVR's next prompt."""


@function_tool
async def send_dtmf_events(context: RunContext[CallState], events: list[DtmfEvent]) -> str:
    """Send a list of DTMF events (keypad keys) to the phone line, in order.

    Args:
        events: the keys to press, e.g. ["1"] for a menu choice or the digits of an entry
            followed by "#".
    """
    keys = "".join(DtmfEvent(e).value for e in events)
    try:
        await context.userdata.press(keys)
    except KeyRefused as e:
        raise ToolError(str(e)) from e
    return f"Successfully sent DTMF events: {', '.join(keys)}"


@function_tool
async def enter_secret(
    context: RunContext[CallState], name: str, candidate: int = 0, terminator: str = "",
    last_digits: int = 0,
) -> str:
    """Press the digits of a secret fact (such as a PIN) as DTMF keys, without revealing it.

    Args:
        name: the secret's name, as listed in the instructions.
        candidate: which of the secret's candidate values to enter, 0 first.
        terminator: a key to press after the digits, "#" or "*", or "" for none.
        last_digits: enter only this many last digits (e.g. 4 for "the last four digits
            of your Social Security number"); 0 for all of them.
    """
    state = context.userdata
    candidates = state.task.candidates(name) if name in state.task.secrets else []
    if not candidates:
        raise ToolError(f"unknown secret {name!r}; secrets: {', '.join(state.task.secrets)}")
    if not 0 <= candidate < len(candidates):
        raise ToolError(f"candidate must be 0 to {len(candidates) - 1} for {name!r}")
    if terminator not in ("", "#", "*"):
        raise ToolError(f"terminator must be '#', '*' or '', got {terminator!r}")
    if last_digits < 0:
        raise ToolError(f"last_digits must be 0 (all) or more, got {last_digits}")
    digits = "".join(c for c in candidates[candidate] if c.isdigit())
    if not digits:
        raise ToolError(f"secret {name!r} has no digits to enter")
    digits = digits[-last_digits:] if last_digits else digits
    try:
        await state.press(digits + terminator, secret=True)
    except KeyRefused as e:
        raise ToolError(str(e)) from e
    what = f"{name} ({len(digits)} digits)"
    return f"Entered {what}{' followed by ' + terminator if terminator else ''}."


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
        outcome: completed (the goal's information was heard, or the action it asked for
            was confirmed), transferred_to_human (a person answered and the goal was to
            reach one) or failed (the goal cannot be reached on this call).
        answer: a short answer to the goal, in one or two sentences.
        facts: the pieces of information heard, each a name and a value.
        reason: why the goal could not be reached, for a failed outcome.
    """
    context.userdata.record(outcome, answer, reason, facts)


NAVIGATOR_TOOLS = [send_dtmf_events, enter_secret, record_result]
