"""A scenario: one call to an IVR with a goal, the caller's facts and what must happen.

Field names follow LiveKit's simulation ``Scenario`` where they overlap (``id``, ``label``,
``tags``); :meth:`Scenario.to_livekit` gives the documented mapping for the rest.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from .ivr_model import IvrDefinition

Outcome = Literal[
    "completed", "transferred_to_human", "failed", "ivr_hung_up", "timeout",
    "busy", "no_answer", "rejected",
]
"""How a call ended; see :class:`agent.result.CallResult`."""

FactValue = str | list[str]
"""A fact is a string, or a list of candidates to try in order (e.g. two possible PINs)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CallTask(_Strict):
    """What the navigator is asked to do, for whom, with which facts.

    ``secrets`` names the facts that must never appear in clear (PINs, account and card
    numbers): they are masked in transcripts, logs and results, and the navigator enters
    them through a tool without ever seeing the value.
    """

    goal: str = Field(min_length=3, description="The request, in natural language.")
    facts: dict[str, FactValue] = Field(default_factory=dict)
    secrets: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _secrets_are_facts(self) -> CallTask:
        unknown = [name for name in self.secrets if name not in self.facts]
        if unknown:
            raise ValueError(
                f"secrets {unknown} are not facts; allowed: {sorted(self.facts)}"
            )
        return self

    def candidates(self, name: str) -> list[str]:
        """The values to try for fact ``name``, in order (empty when unknown)."""
        value = self.facts.get(name)
        if value is None:
            return []
        return [value] if isinstance(value, str) else list(value)

    def secret_values(self) -> list[str]:
        """Every candidate value of every secret fact (what a masker must hide)."""
        return [v for name in self.secrets for v in self.candidates(name)]


class Expectation(_Strict):
    """What the judge checks once the call ends (all optional but ``outcome``)."""

    outcome: Outcome
    reach: list[str] = Field(
        default_factory=list, description="IVR node ids the call must visit."
    )
    result_contains: list[str] = Field(
        default_factory=list, description="Strings the result's answer or facts must contain."
    )
    max_keypresses: int | None = Field(None, ge=0, description="DTMF digits the IVR received.")
    max_sim_seconds: float | None = Field(None, gt=0, description="Simulated call duration.")

    def describe(self) -> str:
        """One line for people (and for LiveKit's ``agent_expectations``)."""
        parts = [f"outcome {self.outcome}"]
        if self.reach:
            parts.append("reaches " + ", ".join(self.reach))
        if self.result_contains:
            parts.append("result mentions " + ", ".join(repr(s) for s in self.result_contains))
        if self.max_keypresses is not None:
            parts.append(f"at most {self.max_keypresses} keys")
        if self.max_sim_seconds is not None:
            parts.append(f"within {self.max_sim_seconds:g} s")
        return "; ".join(parts)


class Scenario(_Strict):
    """One scripted call. ``ivr`` is a path (relative to the scenario file) or inline."""

    id: str = Field(pattern=r"^[a-z0-9_\-]+$")
    label: str
    ivr: Annotated[
        Annotated[IvrDefinition, Tag("inline")] | Annotated[str, Tag("path")],
        Discriminator(lambda v: "path" if isinstance(v, str) else "inline"),
    ]
    task: CallTask
    expect: Expectation
    tags: list[str] = Field(default_factory=list)

    def to_livekit(self) -> object:
        """This scenario as LiveKit's simulation ``Scenario`` message.

        Mapping: ``id`` and ``label`` are the same; ``tags`` become the keys of LiveKit's
        tag map (with empty values); ``instructions`` is
        ``task.goal``; ``agent_expectations`` is ``expect.describe()``; ``userdata`` is the
        JSON of ``{"ivr": <id>, "facts": ..., "secrets": [...]}`` with secret values masked.
        """
        from livekit.agents.simulation import Scenario as LkScenario

        facts = {
            name: "****" if name in self.task.secrets else value
            for name, value in self.task.facts.items()
        }
        ivr_id = self.ivr.id if isinstance(self.ivr, IvrDefinition) else Path(self.ivr).stem
        return LkScenario(
            id=self.id,
            label=self.label,
            instructions=self.task.goal,
            agent_expectations=self.expect.describe(),
            tags={tag: "" for tag in self.tags},  # a map<string, string> in LiveKit's proto
            userdata=json.dumps({"ivr": ivr_id, "facts": facts, "secrets": self.task.secrets}),
        )
