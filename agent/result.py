"""The structured result of one call, as stored and delivered to the requester.

Everything in a :class:`CallResult` is masked: secret values never reach it in clear.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field

from .scenario.scenario_model import Outcome


class KeyPress(BaseModel):
    """A DTMF key the navigator sent (``•`` for a digit of a secret), at call time ``at_s``."""

    key: str
    at_s: float


class TranscriptLine(BaseModel):
    """One line of the call as the navigator experienced it.

    ``speaker`` is ``callee`` (the IVR or a person there) or ``caller`` (the navigator);
    ``kind`` is ``speech`` or ``dtmf`` (keys pressed, written as text).
    """

    at_s: float
    speaker: Literal["callee", "caller"]
    kind: Literal["speech", "dtmf"] = "speech"
    text: str


class FoundFact(BaseModel):
    """A piece of information heard on the call, e.g. ``balance = $2,417.53``."""

    name: str
    value: str


class CallResult(BaseModel):
    """What a call achieved.

    ``outcome``: ``completed`` (the goal's answer was heard), ``transferred_to_human`` (a
    person answered for a goal that needed one), ``failed`` (the goal cannot be reached
    here; ``reason`` says why), ``ivr_hung_up`` (the far end ended the call first),
    ``timeout`` (the call ran past its time or turn limit); when dialing fails: ``busy``
    (SIP 486/600), ``no_answer`` (408/480/487 or the ring timeout), ``rejected`` (403/603).
    """

    call_id: str
    outcome: Outcome
    answer: str = Field("", description="A short answer to the goal.")
    reason: str = Field("", description="Why the call did not complete, if it did not.")
    facts: list[FoundFact] = Field(default_factory=list)
    keys: list[KeyPress] = Field(default_factory=list)
    transcript: list[TranscriptLine] = Field(default_factory=list)
    turns: int = Field(0, description="Callee turns the navigator heard.")
    duration_s: float = Field(0.0, description="Call duration (simulated in the harness).")
    finished_at: datetime = Field(default_factory=lambda: datetime.now(UTC))

    @property
    def key_string(self) -> str:
        """The keys pressed, in order, as one string (secrets as ``•``)."""
        return "".join(k.key for k in self.keys)
