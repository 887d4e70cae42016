"""A scenario: one call to an IVR with a goal, the caller's facts and what must happen.

Field names follow LiveKit's simulation ``Scenario`` where they overlap (``id``, ``label``,
``tags``); the call's task and outcomes are the core types of :mod:`agent.call`.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Discriminator, Field, Tag, model_validator

from ..call.task import CallTask, Outcome
from ..strict import StrictModel
from .ivr_model import IvrDefinition


class ExpectedInput(StrictModel):
    """Input the IVR must have received at ``node``: DTMF ``keys`` (a run of the keys it
    received there, secret digits as ``•``) or speech containing ``said``."""

    node: str
    keys: str | None = None
    said: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> ExpectedInput:
        if (self.keys is None) == (self.said is None):
            raise ValueError("give exactly one of keys or said")
        return self


class Expectation(StrictModel):
    """What the judge checks once the call ends (all optional but ``outcome``)."""

    outcome: Outcome
    reach: list[str] = Field(
        default_factory=list, description="IVR node ids the call must visit."
    )
    never_reach: list[str] = Field(
        default_factory=list, description="IVR node ids the call must not visit (nodes "
                                          "marked side_effect are never reached unless in "
                                          "reach, without being listed here).")
    input: list[ExpectedInput] = Field(
        default_factory=list, description="Keys or speech the IVR must receive at nodes.")
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
        if self.never_reach:
            parts.append("never reaches " + ", ".join(self.never_reach))
        for expected in self.input:
            given = (f"keys {expected.keys}" if expected.keys is not None
                     else f"says {expected.said!r}")
            parts.append(f"{given} at {expected.node}")
        if self.result_contains:
            parts.append("result mentions " + ", ".join(repr(s) for s in self.result_contains))
        if self.max_keypresses is not None:
            parts.append(f"at most {self.max_keypresses} keys")
        if self.max_sim_seconds is not None:
            parts.append(f"within {self.max_sim_seconds:g} s")
        return "; ".join(parts)


class Scenario(StrictModel):
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
