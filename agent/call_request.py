"""The call request: what a dispatch's metadata asks the navigator to do (JSON)."""

from __future__ import annotations

import json
import re
import uuid
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .call.task import CallTask
from .dtmf import Dialect, parse_dtmf, render_dtmf
from .strict import StrictModel
from .validation import validation_problems

CALL_ID = re.compile(r"[A-Za-z0-9_\-.]{1,64}")
"""A call id: 1 to 64 letters, digits, ``_``, ``-`` or ``.`` (safe in logs, rooms, URLs)."""

E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
"""ITU-T E.164: a + and up to 15 digits, no leading zero in the country code."""


def e164(number: str) -> str:
    """``number`` if it is E.164, else ``ValueError`` saying what is allowed."""
    if not E164.match(number):
        raise ValueError("must be an E.164 number: + then 7 to 15 digits, e.g. +15551234567")
    return number



class PhoneTarget(StrictModel):
    """Dial ``number`` over SIP, through ``sip_trunk_id`` (or the configured default)."""

    kind: Literal["phone"] = "phone"
    number: Annotated[str, AfterValidator(e164)] = Field(description="E.164 number.")
    sip_trunk_id: str | None = None


class ParticipantTarget(StrictModel):
    """Talk to a participant that is (or will be) in the room, e.g. the mock IVR."""

    kind: Literal["participant"] = "participant"
    identity: str = Field(min_length=1)


class Limits(StrictModel):
    """Bounds of one call (seconds; keys)."""

    ring_timeout_s: float = Field(30.0, gt=0, le=300, description="Until answered.")
    max_call_s: float = Field(900.0, gt=0, le=4 * 3600, description="Whole call.")
    max_keypresses: int = Field(100, ge=1, description="DTMF keys the navigator may send.")


class CallRequest(StrictModel):
    """A call to make: the task (goal, facts, secrets, as in scenarios), the far end, limits,
    and where the result goes.

    ``post_connect_dtmf`` are keys to send once the far end answers, as LiveKit's
    ``CreateSIPParticipant`` ``dtmf`` field and Twilio's ``sendDigits`` do, written in
    ``dtmf_dialect`` (``standard``: ``0-9 * # A-D``, ``w`` = 0.5 s, ``W`` = 1 s;
    ``vicidial``: ``P`` = #, ``S`` = *, ``Q`` = 1 s); they are kept in the standard one.
    """

    call_id: str = Field(default_factory=lambda: f"call-{uuid.uuid4().hex[:12]}",
                         pattern=rf"^{CALL_ID.pattern}$")
    task: CallTask
    target: Annotated[PhoneTarget | ParticipantTarget, Field(discriminator="kind")]
    limits: Limits = Field(default_factory=Limits)
    dtmf_dialect: Dialect = Dialect.STANDARD
    post_connect_dtmf: str | None = Field(None, max_length=256)
    webhook_url: AnyHttpUrl | None = None

    @field_validator("post_connect_dtmf")
    @classmethod
    def _standard_dtmf(cls, value: str | None, info: ValidationInfo) -> str | None:
        if not value:
            return value
        dialect = info.data.get("dtmf_dialect", Dialect.STANDARD)
        return render_dtmf(parse_dtmf(value, dialect))

    @model_validator(mode="after")
    def _kept_in_standard(self) -> CallRequest:
        self.dtmf_dialect = Dialect.STANDARD  # post_connect_dtmf is now in that dialect
        return self


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
