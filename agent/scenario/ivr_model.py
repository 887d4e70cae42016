"""The IVR definition: a phone tree as data (YAML, validated with pydantic).

The format is specified in ``scenarios/README.md``; ``scenarios/schema.json`` is the JSON
Schema exported from these models so editors can check files as they are written.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from ..dtmf import DTMF_KEYS

NodeId = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="A node id.")]


def _one_dtmf_key(value: object) -> str:
    value = str(value)
    if len(value) != 1 or value.upper() not in DTMF_KEYS:
        raise ValueError("a key must be one DTMF key (0-9 * # A-D)")
    return value.upper()


DtmfKey = Annotated[str, BeforeValidator(_one_dtmf_key)]
"""One DTMF key, 0-9 * # A-D (upper-cased)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Timeouts(_Strict):
    """Input timers of the IVR, in seconds of (simulated) call time.

    Defaults follow common IVR platform settings: 5 s to start input and 3 s between
    digits (Amazon Connect's "Store customer input" and Twilio's ``<Gather>`` both default
    to 5 s), two retries before a menu gives up.
    """

    no_input_s: float = Field(5.0, gt=0, description="Silence after a prompt before a re-prompt.")
    inter_digit_s: float = Field(3.0, gt=0, description="Gap between digits that ends entry.")
    max_retries: int = Field(2, ge=0, description="Re-prompts after invalid or no input.")


class MenuOption(_Strict):
    """One choice of a menu: reached by its DTMF key or by saying one of its keywords."""

    next: NodeId
    keywords: list[str] = Field(default_factory=list, description="Spoken words that select it.")


class _Node(_Strict):
    prompt: str = Field("", description="What the IVR says; a template (see scenarios/README.md).")


class SayNode(_Node):
    """Plays a prompt, then goes to ``next``."""

    kind: Literal["say"]
    next: NodeId


class MenuNode(_Node):
    """A prompt with options by DTMF key (and optionally spoken keywords).

    ``repeat_key`` replays the prompt; invalid or no input re-prompts up to
    ``timeouts.max_retries`` times, then goes to ``on_failure``.
    """

    kind: Literal["menu"]
    options: dict[DtmfKey, MenuOption]
    repeat_key: DtmfKey | None = "*"
    invalid_prompt: str = "I'm sorry, that is not a valid choice."
    no_input_prompt: str = "I'm sorry, I didn't hear a selection."
    on_failure: NodeId


CheckKind = Literal["customer_exists", "pin_matches"]


class CollectNode(_Node):
    """GetDtmf-style digit entry: tones and spoken digits, ended by the terminator key,
    ``max_digits`` or the inter-digit timeout.

    ``check`` validates the entry against ``data``: ``customer_exists`` (the digits are a
    customer id in ``data.customers``) or ``pin_matches`` (the digits equal the ``pin`` of
    the customer identified earlier). A failed check or a wrong length re-prompts with
    ``invalid_prompt`` up to ``timeouts.max_retries`` times, then goes to ``on_invalid``.
    """

    kind: Literal["collect"]
    min_digits: int = Field(ge=1)
    max_digits: int = Field(ge=1)
    terminator: DtmfKey | None = "#"
    store_as: str = Field(pattern=r"^[a-z_][a-z0-9_]*$")
    check: CheckKind | None = None
    secret: bool = Field(False, description="Mask the entry in logs and event logs.")
    invalid_prompt: str = "I'm sorry, that entry is not valid."
    next: NodeId
    on_invalid: NodeId

    @model_validator(mode="after")
    def _lengths(self) -> CollectNode:
        if self.min_digits > self.max_digits:
            raise ValueError(
                f"min_digits ({self.min_digits}) must not exceed max_digits ({self.max_digits})"
            )
        return self


class HoldNode(_Node):
    """Hold: music and periodic announcements for ``seconds``, then ``next``."""

    kind: Literal["hold"]
    seconds: float = Field(gt=0)
    announcements: list[str] = Field(default_factory=list)
    announce_every_s: float = Field(30.0, gt=0)
    next: NodeId


class HumanAnswer(_Strict):
    """A scripted reply of the live representative, chosen by keywords in the caller's speech."""

    keywords: list[str] = Field(min_length=1)
    reply: str


class HumanNode(_Node):
    """A scripted live representative: greets (``prompt``), answers simple questions from
    ``data`` by keywords, and hangs up after the caller says goodbye."""

    kind: Literal["human"]
    agent_name: str = "Alex"
    answers: list[HumanAnswer] = Field(default_factory=list)
    fallback: str = "I'm sorry, I can't help with that. Is there anything else?"
    closing: str = "You're welcome. Thank you for calling, goodbye."


class TransferNode(_Node):
    """Transfers the call out of the IVR (to ``to``, a label or E.164 number); the call ends."""

    kind: Literal["transfer"]
    to: str


class HangupNode(_Node):
    """Says ``prompt`` (if any) and hangs up."""

    kind: Literal["hangup"]


Node = Annotated[
    SayNode | MenuNode | CollectNode | HoldNode | HumanNode | TransferNode | HangupNode,
    Field(discriminator="kind"),
]
NODE_KINDS = ("say", "menu", "collect", "hold", "human", "transfer", "hangup")


class IvrDefinition(_Strict):
    """A whole phone tree: its nodes by id, its timers, and the back-office ``data``
    (customers keyed by customer id, with their accounts, cards, loans and rewards) that
    checks and prompt templates read from."""

    id: str = Field(pattern=r"^[a-z0-9_\-]+$")
    name: str
    start: NodeId
    speaking_rate_wpm: float = Field(
        165.0, gt=0, description="Words per minute used to time prompts until real audio exists."
    )
    timeouts: Timeouts = Field(default_factory=Timeouts)
    data: dict[str, Any] = Field(default_factory=dict)
    nodes: dict[str, Node] = Field(min_length=1)

    def template_context(self, customer: dict[str, Any] | None = None) -> dict[str, Any]:
        """What prompt templates may name: ``ivr`` (the name and every top-level ``data``
        entry but ``customers``) and ``customer`` (the identified customer's record)."""
        shared = {k: v for k, v in self.data.items() if k != "customers"}
        return {"ivr": {"name": self.name, **shared}, "customer": customer or {}}
