"""The call request: what a dispatch's metadata asks the navigator to do (JSON)."""

from __future__ import annotations

import json
import re
import uuid
from typing import Annotated, Literal

from pydantic import AfterValidator, AnyHttpUrl, BaseModel, ConfigDict, Field, ValidationError

from .scenario.scenario_model import CallTask
from .validation import validation_problems

E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
"""ITU-T E.164: a + and up to 15 digits, no leading zero in the country code."""


def e164(number: str) -> str:
    """``number`` if it is E.164, else ``ValueError`` saying what is allowed."""
    if not E164.match(number):
        raise ValueError("must be an E.164 number: + then 7 to 15 digits, e.g. +15551234567")
    return number


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PhoneTarget(_Strict):
    """Dial ``number`` over SIP, through ``sip_trunk_id`` (or the configured default)."""

    kind: Literal["phone"] = "phone"
    number: Annotated[str, AfterValidator(e164)] = Field(description="E.164 number.")
    sip_trunk_id: str | None = None


class ParticipantTarget(_Strict):
    """Talk to a participant that is (or will be) in the room, e.g. the mock IVR."""

    kind: Literal["participant"] = "participant"
    identity: str = Field(min_length=1)


class Limits(_Strict):
    """Bounds of one call (seconds; keys)."""

    ring_timeout_s: float = Field(30.0, gt=0, le=300, description="Until answered.")
    max_call_s: float = Field(900.0, gt=0, le=4 * 3600, description="Whole call.")
    max_keypresses: int = Field(100, ge=1, description="DTMF keys the navigator may send.")


class CallRequest(_Strict):
    """A call to make: the task (goal, facts, secrets, as in scenarios), the far end, limits,
    and where the result goes."""

    call_id: str = Field(default_factory=lambda: f"call-{uuid.uuid4().hex[:12]}",
                         pattern=r"^[A-Za-z0-9_\-.]{1,64}$")
    task: CallTask
    target: Annotated[PhoneTarget | ParticipantTarget, Field(discriminator="kind")]
    limits: Limits = Field(default_factory=Limits)
    webhook_url: AnyHttpUrl | None = None


class CallRequestError(ValueError):
    """Invalid dispatch metadata. ``str(err)`` names each field, the value and what is
    allowed, one per line; secrets are not echoed."""


def parse_call_request(metadata: str) -> CallRequest:
    """Parse a dispatch's metadata.

    Raises:
        CallRequestError: not JSON, not an object, or fields that fail validation.
    """
    try:
        raw = json.loads(metadata or "")
    except json.JSONDecodeError as e:
        raise CallRequestError(f"call request: metadata is not JSON ({e.msg} at "
                               f"character {e.pos})") from e
    if not isinstance(raw, dict):
        raise CallRequestError("call request: metadata must be a JSON object")
    try:
        return CallRequest.model_validate(raw)
    except ValidationError as e:
        lines = []
        for path, reason in validation_problems(e):
            if path.startswith("task.facts"):  # a fact may be a secret: never echo values
                reason = reason.split(" (got ")[0]
            lines.append(f"call request: {path}: {reason}")
        raise CallRequestError("\n".join(lines)) from e
