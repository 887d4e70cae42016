"""One vocabulary of typed call events, shared by the IVR engine, the transports, the
navigator, the supervisor, the harness, the judge and the reports.

A call has two logs in this vocabulary: the far end's (the mock IVR's engine: what it
said, the keys and speech it received, its nodes) and the navigator's (what it heard,
the keys and words it sent, what it recorded, how the call ended). Every event carries
``at_s``, seconds of call time since the call was answered on that log's clock (simulated
time in the in-process harness). Secret digits and speech are masked before an event is
made, so a log can be printed, stored or sent as it is.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, TypeAdapter

from .task import Outcome


class _Event(BaseModel):
    at_s: float = Field(ge=0, description="Call seconds since the call was answered.")


class NodeEntered(_Event):
    """The IVR moved to a node."""

    type: Literal["node_entered"] = "node_entered"
    node: str
    kind: str


class Prompt(_Event):
    """The far end spoke (an IVR prompt, or a person), from ``at_s`` to ``end_s``.

    ``final`` is False for a partial transcript of speech still under way (audio mode);
    ``cut`` is True on the IVR's log for a prompt the caller's key barged into (it ended
    at ``end_s``, before its last word).
    On the IVR's own log ``node`` is the node that said it and ``speaker`` who spoke; the
    navigator hears words only (``speaker`` None): telling a person from a recording is
    its job.
    """

    type: Literal["prompt"] = "prompt"
    speaker: Literal["ivr", "human"] | None = None
    text: str
    end_s: float = Field(ge=0)
    final: bool = True
    cut: bool = False
    node: str | None = None


class Dtmf(_Event):
    """One DTMF key on the line: sent by the navigator, or received by the IVR. ``•`` is
    a digit of a secret."""

    type: Literal["dtmf"] = "dtmf"
    key: str
    node: str | None = None


class CallerSpeech(_Event):
    """What the caller said (secrets masked): sent by the navigator, or heard by the IVR."""

    type: Literal["caller_speech"] = "caller_speech"
    text: str
    node: str | None = None


class InputCollected(_Event):
    """A collect node finished an entry (``digits`` masked when secret)."""

    type: Literal["input_collected"] = "input_collected"
    node: str
    name: str
    digits: str
    valid: bool
    reason: str = ""


class HoldStarted(_Event):
    """The call was put on hold for ``seconds``."""

    type: Literal["hold_started"] = "hold_started"
    node: str
    seconds: float


class HoldEnded(_Event):
    type: Literal["hold_ended"] = "hold_ended"
    node: str


class PersonAnswered(_Event):
    """A person (a live representative) took the call."""

    type: Literal["person_answered"] = "person_answered"
    node: str | None = None
    name: str = ""


class Transferred(_Event):
    """The IVR transferred the call out (the call leaves the IVR) to ``to``."""

    type: Literal["transferred"] = "transferred"
    node: str | None = None
    to: str


class HungUp(_Event):
    """A side hung up: ``by`` says which."""

    type: Literal["hung_up"] = "hung_up"
    by: Literal["ivr", "caller"]
    reason: str = ""


class FoundFact(BaseModel):
    """A piece of information heard on the call, e.g. ``balance = $2,417.53``."""

    name: str
    value: str


class ActionDeclined(_Event):
    """The navigator refused to press ``keys``: an action the goal did not ask for."""

    type: Literal["action_declined"] = "action_declined"
    keys: str
    action: str = Field(description="What the keys would have done, as the IVR put it.")
    reason: str


class ResultRecorded(_Event):
    """The navigator recorded what the call achieved (masked)."""

    type: Literal["result_recorded"] = "result_recorded"
    outcome: Outcome
    answer: str = ""
    reason: str = ""
    facts: list[FoundFact] = Field(default_factory=list)


class LimitReached(_Event):
    """The call ran into one of its limits (``value`` in its unit: turns, keys, seconds)."""

    type: Literal["limit_reached"] = "limit_reached"
    limit: Literal["turns", "keypresses", "call_seconds", "silence"]
    value: float


class CallEnded(_Event):
    """The last event of the navigator's log: the call's outcome and why."""

    type: Literal["call_ended"] = "call_ended"
    outcome: Outcome
    reason: str = ""


CallEvent = Annotated[
    NodeEntered | Prompt | Dtmf | CallerSpeech | InputCollected | HoldStarted | HoldEnded
    | PersonAnswered | Transferred | HungUp | ActionDeclined | ResultRecorded | LimitReached
    | CallEnded,
    Field(discriminator="type"),
]

CALL_EVENTS = TypeAdapter(list[CallEvent])
"""Validates or dumps a list of events (``CALL_EVENTS.dump_python(events, mode="json")``)."""


def spoken_text(events: list[CallEvent]) -> str:
    """What the far end said in ``events`` (final prompts), joined as one turn; '' when
    it said nothing."""
    return " ".join(e.text for e in events if isinstance(e, Prompt) and e.final)


def texts(events: list[CallEvent]) -> list[str]:
    """Every free text in ``events`` (what was said, answered, recorded, declined), for
    checks that no secret appears in clear; ids, keys and times are not texts."""
    found: list[str] = []
    for e in events:
        if isinstance(e, Prompt | CallerSpeech):
            found.append(e.text)
        elif isinstance(e, ResultRecorded):
            found += [e.answer, e.reason, *(f.value for f in e.facts)]
        elif isinstance(e, ActionDeclined | CallEnded | HungUp):
            found.append(e.reason)
    return found
