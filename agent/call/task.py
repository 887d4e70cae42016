"""What a call is asked to do (:class:`CallTask`) and how a call can end (:data:`Outcome`)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, model_validator

from ..strict import StrictModel

Outcome = Literal[
    "completed", "transferred_to_human", "failed", "ivr_hung_up", "timeout",
    "busy", "no_answer", "rejected",
]
"""How a call ended:

- ``completed``: the goal's answer was heard (or the action it asked for was confirmed);
- ``transferred_to_human``: a person answered, or the IVR transferred the call, for a
  goal that needed one;
- ``failed``: the goal cannot be reached on this call (the reason says why);
- ``ivr_hung_up``: the far end ended the call before a result;
- ``timeout``: the call ran past a limit (call seconds, turns, silence);
- when dialing fails: ``busy`` (SIP 486/600), ``no_answer`` (408/480/487 or the ring
  timeout), ``rejected`` (403/603).
"""

FactValue = str | list[str]
"""A fact is a string, or a list of candidates to try in order (e.g. two possible PINs)."""

MAX_GOAL_CHARS = 2000

_SECRET_KEYS = re.compile(r"[0-9*#A-Da-d]+(?:[ \-./][0-9*#A-Da-d]+)*")
"""A secret as keypad keys, groups separated as people write them ("4417 1234 ...")."""


class CallTask(StrictModel):
    """What the navigator is asked to do, for whom, with which facts.

    ``secrets`` names the facts that must never appear in clear (PINs, account and card
    numbers): they are masked in transcripts, logs and results, and the navigator enters
    them through a tool without ever seeing the value.
    """

    goal: str = Field(min_length=3, max_length=MAX_GOAL_CHARS,
                      description="The request, in natural language.")
    facts: dict[str, FactValue] = Field(default_factory=dict)
    secrets: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _secrets_are_facts(self) -> CallTask:
        unknown = [name for name in self.secrets if name not in self.facts]
        if unknown:
            raise ValueError(
                f"secrets {unknown} are not facts; allowed: {sorted(self.facts)}"
            )
        for name in self.facts:  # errors name the fact, never its value
            for value in self.candidates(name):
                if any(c.isdigit() and not c.isascii() for c in value):
                    raise ValueError(f"fact {name!r} has digits other than ASCII 0-9 "
                                     "(e.g. fullwidth); keys can only be 0-9 * # A-D")
                if name in self.secrets and not _SECRET_KEYS.fullmatch(value):
                    raise ValueError(
                        f"secret {name!r} must be non-empty DTMF keys (0-9 * # A-D, spaces or "
                        "dashes between groups): it is entered on the keypad")
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
