"""The brain behind the navigator, behind an interface of our own: it reads what happened
on the call (:mod:`agent.call.events`) and decides typed actions.

:class:`~agent.navigator.brain_llm.BrainLLM` turns those actions into LiveKit tool calls,
so an embedded brain drives the same ``AgentSession`` and tools as a cloud LLM does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from ..call.events import CallEvent


@dataclass(frozen=True)
class PressKeys:
    """Press DTMF ``keys`` (a menu choice, or an entry and its terminator)."""

    keys: str


@dataclass(frozen=True)
class EnterSecret:
    """Enter the secret fact ``name`` (its ``candidate``-th value; only its last
    ``last_digits`` digits when not 0) and ``terminator``."""

    name: str
    candidate: int = 0
    terminator: str = ""
    last_digits: int = 0


@dataclass(frozen=True)
class Say:
    """Speak ``text`` to the far end."""

    text: str


@dataclass(frozen=True)
class RecordResult:
    """Record what the call achieved; this ends the call."""

    outcome: Literal["completed", "transferred_to_human", "failed"]
    answer: str = ""
    reason: str = ""
    facts: tuple[tuple[str, str], ...] = ()


Action = PressKeys | EnterSecret | Say | RecordResult


@dataclass
class Decision:
    """The brain's next moves (none: keep listening) and why, for logs."""

    actions: list[Action] = field(default_factory=list)
    why: str = ""


class Brain(Protocol):
    """Decides the navigator's moves for one call, keeping its own state of the call."""

    def decide(self, new_events: Sequence[CallEvent]) -> Decision:
        """The moves after ``new_events``: what happened on the call since the last
        decision (prompts heard, keys and words sent, actions declined)."""
        ...
