"""The structured result of one call, as stored and delivered to the requester: built
from the navigator's event log.

Everything in a :class:`CallResult` is masked: secret values never reach it in clear.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, Field, computed_field

from .events import ActionDeclined, CallEnded, CallEvent, Dtmf, FoundFact, ResultRecorded
from .task import Outcome


class CallResult(BaseModel):
    """What a call achieved (see :data:`agent.call.task.Outcome` for the outcomes).

    ``events`` is the navigator's log of the call (its timeline); ``keys`` the DTMF keys
    it sent, in order (``•`` for a secret digit); ``declined`` the actions it refused to
    take because the goal did not ask for them.
    """

    call_id: str
    outcome: Outcome
    answer: str = Field("", description="A short answer to the goal.")
    reason: str = Field("", description="Why the call did not complete, if it did not.")
    facts: list[FoundFact] = Field(default_factory=list)
    declined: list[str] = Field(default_factory=list)
    events: list[CallEvent] = Field(default_factory=list)
    duration_s: float = Field(0.0, description="Call seconds (simulated in the harness).")
    finished_at: datetime = Field(default_factory=lambda: datetime.now(UTC))

    @computed_field  # type: ignore[prop-decorator]
    @property
    def keys(self) -> str:
        """The DTMF keys sent, in order, as one string (secret digits as ``•``)."""
        return "".join(e.key for e in self.events if isinstance(e, Dtmf))

    @classmethod
    def from_events(cls, call_id: str, events: list[CallEvent]) -> CallResult:
        """The result of a call whose log ``events`` ends with :class:`CallEnded`; answer
        and facts come from the navigator's last :class:`ResultRecorded`.

        Raises:
            ValueError: the log does not end with a ``CallEnded`` event.
        """
        if not events or not isinstance(events[-1], CallEnded):
            raise ValueError("a call's log must end with a call_ended event")
        ended = events[-1]
        recorded = next((e for e in reversed(events) if isinstance(e, ResultRecorded)), None)
        return cls(
            call_id=call_id,
            outcome=ended.outcome,
            answer=recorded.answer if recorded else "",
            reason=ended.reason,
            facts=list(recorded.facts) if recorded else [],
            declined=[f"{e.action} ({e.keys}): {e.reason}" for e in events
                      if isinstance(e, ActionDeclined)],
            events=list(events),
            duration_s=round(ended.at_s, 3),
        )

    @classmethod
    def unplaced(cls, call_id: str, outcome: Outcome, reason: str) -> CallResult:
        """The result of a call that never reached the far end (invalid request, failed
        dial): no events but its ending."""
        return cls.from_events(call_id, [CallEnded(at_s=0.0, outcome=outcome, reason=reason)])
