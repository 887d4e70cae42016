"""One vocabulary of typed call events, shared by the IVR engine, the transports, the
harness, the judge and the reports.

Every event carries ``at_s``: seconds of call time since the call was answered (simulated
time in the in-process harness). Secret digits and speech are masked before an event is
made, so an event log can be printed or stored as it is.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, TypeAdapter


class _Event(BaseModel):
    at_s: float = Field(ge=0, description="Seconds since the call was answered.")


class NodeEntered(_Event):
    """The IVR moved to a node."""

    type: Literal["node_entered"] = "node_entered"
    node: str
    kind: str


class IvrSaid(_Event):
    """The IVR (or its live representative) said something, lasting ``duration_s``."""

    type: Literal["ivr_said"] = "ivr_said"
    node: str
    speaker: Literal["ivr", "human"] = "ivr"
    text: str
    duration_s: float = Field(ge=0)


class DtmfReceived(_Event):
    """A DTMF key the IVR received; ``key`` is ``•`` when the node collects a secret."""

    type: Literal["dtmf_received"] = "dtmf_received"
    node: str
    key: str


class CallerSaid(_Event):
    """Speech the IVR heard from the caller (secrets masked)."""

    type: Literal["caller_said"] = "caller_said"
    node: str
    text: str


class InputCollected(_Event):
    """A collect node finished an entry (``digits`` masked when secret)."""

    type: Literal["input_collected"] = "input_collected"
    node: str
    name: str
    digits: str
    valid: bool
    reason: str = ""


class HoldStarted(_Event):
    type: Literal["hold_started"] = "hold_started"
    node: str
    seconds: float


class HoldEnded(_Event):
    type: Literal["hold_ended"] = "hold_ended"
    node: str


class Transferred(_Event):
    """The IVR transferred the call out (the call leaves the IVR)."""

    type: Literal["transferred"] = "transferred"
    node: str
    to: str


class HungUp(_Event):
    """The call ended: ``by`` says which side hung up."""

    type: Literal["hung_up"] = "hung_up"
    by: Literal["ivr", "caller"]
    reason: str = ""


CallEvent = Annotated[
    NodeEntered
    | IvrSaid
    | DtmfReceived
    | CallerSaid
    | InputCollected
    | HoldStarted
    | HoldEnded
    | Transferred
    | HungUp,
    Field(discriminator="type"),
]
def said_text(events: list[CallEvent]) -> str:
    """What the IVR (or its representative) said in ``events``, joined as one caller turn;
    '' when it said nothing."""
    return " ".join(e.text for e in events if isinstance(e, IvrSaid))


CALL_EVENTS = TypeAdapter(list[CallEvent])
"""Validates or dumps a list of events (``CALL_EVENTS.dump_python(events, mode="json")``)."""
