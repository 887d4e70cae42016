"""The IVR definition: a phone tree as data (YAML, validated with pydantic).

The format is specified in ``scenarios/README.md``; ``scenarios/schema.json`` is the JSON
Schema exported from these models so editors can check files as they are written.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Discriminator,
    Field,
    Tag,
    model_validator,
)

from ..dtmf import DTMF_KEYS
from ..strict import StrictModel

NodeId = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="A node id.")]


def _one_dtmf_key(value: object) -> str:
    value = str(value)
    if len(value) != 1 or value.upper() not in DTMF_KEYS:
        raise ValueError("a key must be one DTMF key (0-9 * # A-D)")
    return value.upper()


DtmfKey = Annotated[str, BeforeValidator(_one_dtmf_key)]
"""One DTMF key, 0-9 * # A-D (upper-cased)."""



class Timeouts(StrictModel):
    """Input timers of the IVR, in seconds of (simulated) call time.

    Defaults follow common IVR platform settings: 5 s to start input and 3 s between
    digits (Amazon Connect's "Store customer input" and Twilio's ``<Gather>`` both default
    to 5 s), two retries before a menu gives up.
    """

    no_input_s: float = Field(5.0, gt=0, description="Silence after a prompt before a re-prompt.")
    inter_digit_s: float = Field(3.0, gt=0, description="Gap between digits that ends entry.")
    max_retries: int = Field(2, ge=0, description="Re-prompts after invalid or no input.")


class MenuOption(StrictModel):
    """One choice of a menu: reached by its DTMF key or by saying one of its keywords."""

    next: NodeId
    keywords: list[str] = Field(default_factory=list, description="Spoken words that select it.")


class _Node(StrictModel):
    prompt: str = Field("", description="What the IVR says; a template (see scenarios/README.md).")
    side_effect: bool = Field(
        False, description="Reaching this node performs an action with consequences (a "
                           "payment, an order, a cancellation): the judge fails a call that "
                           "reaches it unless the scenario's expect.reach names it.")


class SayNode(_Node):
    """Plays a prompt, then goes to ``next``."""

    kind: Literal["say"]
    next: NodeId


class MenuNode(_Node):
    """A prompt with options by DTMF key (and optionally spoken keywords).

    ``repeat_key`` replays the prompt; invalid or no input re-prompts up to ``max_retries``
    (default ``timeouts.max_retries``) times, then goes to ``on_failure``. With ``default``,
    silence goes there at once instead ("or stay on the line"). ``accepts_keys: false``
    makes a speech-only menu: option keys are only names, a pressed key is invalid input.
    """

    kind: Literal["menu"]
    options: dict[DtmfKey, MenuOption]
    accepts_keys: bool = Field(True, description="False: a speech-only menu.")
    default: NodeId | None = Field(
        None, description="Where silence leads (no re-prompt): 'or stay on the line'.")
    repeat_key: DtmfKey | None = "*"
    invalid_prompt: str = "I'm sorry, that is not a valid choice."
    no_input_prompt: str = "I'm sorry, I didn't hear a selection."
    max_retries: int | None = Field(
        None, ge=0, description="Re-prompts before on_failure (default timeouts.max_retries).")
    on_failure: NodeId


RecordName = Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]*$")]


class Lookup(StrictModel):
    """The entry must name a record of the data table ``lookup`` (a mapping of records):
    equal to a record's key, or to its ``field`` when given. The record found is bound as
    ``bind`` for prompt templates (``{customer.balance}``) and later ``matches`` checks."""

    lookup: str = Field(description="A table in data: records by key.")
    field: str | None = Field(None, description="Match this field of a record, not its key.")
    bind: RecordName = Field("customer", description="The name the record is bound to.")


class Matches(StrictModel):
    """The entry must equal a field of a record bound earlier, e.g. ``customer.pin`` or
    ``member.dob`` (compared on digits: "04/12/1987" matches 04121987)."""

    matches: str = Field(pattern=r"^[a-z_][a-z0-9_]*\.[A-Za-z0-9_.]+$",
                         description="<bound record>.<field>")


def _check_shorthand(value: object) -> object:
    # the first two checks of the format, kept as shorthands
    shorthands = {"customer_exists": {"lookup": "customers"},
                  "pin_matches": {"matches": "customer.pin"}}
    return shorthands.get(value, value) if isinstance(value, str) else value


def _check_kind(value: object) -> str | None:
    if isinstance(value, dict):
        return "matches" if "matches" in value else "lookup"
    return None


Check = Annotated[
    Annotated[Lookup, Tag("lookup")] | Annotated[Matches, Tag("matches")],
    Discriminator(_check_kind), BeforeValidator(_check_shorthand),
]
"""How a collect node validates its entry against ``data``."""


class CollectNode(_Node):
    """GetDtmf-style digit entry: tones and spoken digits, ended by the terminator key,
    ``max_digits`` or the inter-digit timeout.

    ``check`` validates the entry against ``data`` (:class:`Lookup`, :class:`Matches`;
    ``customer_exists`` and ``pin_matches`` are shorthands for a lookup in
    ``data.customers`` and a match of ``customer.pin``). A failed check or a wrong length
    re-prompts with ``invalid_prompt`` up to ``max_retries`` (default
    ``timeouts.max_retries``) times, then goes to ``on_invalid``. The entry is kept as
    ``{entry.<store_as>}`` for later prompts (not when ``secret``).
    """

    kind: Literal["collect"]
    min_digits: int = Field(ge=1)
    max_digits: int = Field(ge=1)
    terminator: DtmfKey | None = "#"
    accepts_speech: bool = Field(True, description="Spoken digits count as entry.")
    store_as: str = Field(pattern=r"^[a-z_][a-z0-9_]*$")
    check: Check | None = None
    secret: bool = Field(False, description="Mask the entry in logs and event logs.")
    invalid_prompt: str = "I'm sorry, that entry is not valid."
    max_retries: int | None = Field(
        None, ge=0, description="Re-prompts before on_invalid (default timeouts.max_retries).")
    next: NodeId
    on_invalid: NodeId

    @model_validator(mode="after")
    def _lengths(self) -> CollectNode:
        if self.min_digits > self.max_digits:
            raise ValueError(
                f"min_digits ({self.min_digits}) must not exceed max_digits ({self.max_digits})"
            )
        return self


class KeepHolding(StrictModel):
    """"Press 1 to continue holding": asked every ``every_s`` seconds of hold; when the key
    is not pressed within ``answer_s`` the call goes to ``on_timeout`` (usually a hang-up)."""

    prompt: str
    key: DtmfKey = "1"
    every_s: float = Field(60.0, gt=0)
    answer_s: float = Field(10.0, gt=0)
    on_timeout: NodeId


class HoldNode(_Node):
    """Hold: music and periodic announcements for ``seconds``, then ``next``. ``options``
    are keys that leave the hold ("press 1 to request a callback"); ``keep_holding`` asks
    the caller to press a key now and then to stay in the queue."""

    kind: Literal["hold"]
    seconds: float = Field(gt=0)
    announcements: list[str] = Field(default_factory=list)
    announce_every_s: float = Field(30.0, gt=0)
    options: dict[DtmfKey, MenuOption] = Field(default_factory=dict)
    keep_holding: KeepHolding | None = None
    next: NodeId


class HumanAnswer(StrictModel):
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


class IvrDefinition(StrictModel):
    """A whole phone tree: its nodes by id, its timers, and the back-office ``data``
    (tables of records by key, such as ``customers``, and shared values) that checks and
    prompt templates read from."""

    id: str = Field(pattern=r"^[a-z0-9_\-]+$")
    name: str
    start: NodeId
    speaking_rate_wpm: float = Field(
        165.0, gt=0, description="Words per minute used to time prompts until real audio exists."
    )
    timeouts: Timeouts = Field(default_factory=Timeouts)
    data: dict[str, Any] = Field(default_factory=dict)
    nodes: dict[str, Node] = Field(min_length=1)

    def tables(self) -> dict[str, dict[str, Any]]:
        """The data tables that ``lookup`` checks name: data entries that map keys to
        records."""
        return {name: table for name, table in self.data.items()
                if isinstance(table, dict) and table
                and all(isinstance(r, dict) for r in table.values())}

    def secret_values(self) -> list[str]:
        """The data values that secret collect nodes check entries against (what the
        IVR's own logs must mask)."""
        tables = self.tables()
        values: set[str] = set()
        for node in self.nodes.values():
            if not isinstance(node, CollectNode) or not node.secret or node.check is None:
                continue
            check = node.check
            if isinstance(check, Lookup):
                table = tables.get(check.lookup, {})
                values.update(table if check.field is None
                              else (str(r.get(check.field, "")) for r in table.values()))
            else:
                field = check.matches.partition(".")[2]
                for table in tables.values():
                    values.update(str(r[field]) for r in table.values() if field in r)
        return sorted(v for v in values if v)

    def template_context(self, records: dict[str, dict[str, Any]] | None = None,
                         entries: dict[str, str] | None = None) -> dict[str, Any]:
        """What prompt templates may name: ``ivr`` (the name and all of ``data``),
        ``entry`` (the call's entries so far, by ``store_as``) and each bound record by its
        name (``customer`` when none is bound yet, as empty)."""
        return {"customer": {}, **(records or {}), "ivr": {"name": self.name, **self.data},
                "entry": dict(entries or {})}
