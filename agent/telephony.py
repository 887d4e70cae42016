"""Outbound SIP calls through LiveKit: dialing, and SIP failures mapped to outcomes."""

from __future__ import annotations

import logging

from google.protobuf.duration_pb2 import Duration
from livekit import api

from .call.task import Outcome
from .call_request import Limits, PhoneTarget

logger = logging.getLogger("ivr_navigator.telephony")

# SIP response codes (RFC 3261 §21) -> outcome
_SIP_OUTCOMES: dict[int, Outcome] = {
    486: "busy",  # Busy Here
    600: "busy",  # Busy Everywhere
    408: "no_answer",  # Request Timeout
    480: "no_answer",  # Temporarily Unavailable
    487: "no_answer",  # Request Terminated (ring timeout)
    403: "rejected",  # Forbidden
    603: "rejected",  # Decline
}


class CallSetupError(Exception):
    """The far end could not be reached; ``outcome`` and ``reason`` go into the result."""

    def __init__(self, outcome: Outcome, reason: str) -> None:
        super().__init__(reason)
        self.outcome: Outcome = outcome
        self.reason = reason


def sip_failure(error: api.TwirpError) -> CallSetupError:
    """Translate a failed ``CreateSIPParticipant`` into an outcome.

    LiveKit puts the SIP status in the error's metadata (``sip_status_code``,
    ``sip_status``): 486/600 are ``busy``, 408/480/487 ``no_answer``, 403/603
    ``rejected``; anything else is ``failed`` with the status (or the server's message).
    """
    code_text = error.metadata.get("sip_status_code", "")
    status = error.metadata.get("sip_status", "")
    if code_text.isdigit():
        code = int(code_text)
        outcome: Outcome = _SIP_OUTCOMES.get(code, "failed")
        return CallSetupError(outcome, f"SIP {code} {status}".strip())
    return CallSetupError("failed", f"dialing failed: {error.message} ({error.code})")


def participant_identity(target: PhoneTarget) -> str:
    """The room identity given to the dialed party (``pstn-15551234567``)."""
    return "pstn-" + target.number.lstrip("+")


async def dial(lkapi: api.LiveKitAPI, *, room: str, target: PhoneTarget, limits: Limits,
               default_trunk: str | None) -> str:
    """Dial ``target`` into ``room`` and wait until answered; returns the identity.

    Raises:
        CallSetupError: no trunk configured, or the call was not answered (see
            :func:`sip_failure`).
    """
    trunk = target.sip_trunk_id or default_trunk
    if not trunk:
        raise CallSetupError("failed", "no SIP trunk: give target.sip_trunk_id in the call "
                                       "request or set SIP_OUTBOUND_TRUNK_ID")
    identity = participant_identity(target)
    try:
        await lkapi.sip.create_sip_participant(api.CreateSIPParticipantRequest(
            room_name=room,
            sip_trunk_id=trunk,
            sip_call_to=target.number,
            participant_identity=identity,
            wait_until_answered=True,
            ringing_timeout=Duration(seconds=int(limits.ring_timeout_s)),
            max_call_duration=Duration(seconds=int(limits.max_call_s)),
        ))
    except api.TwirpError as e:
        raise sip_failure(e) from e
    logger.info("answered: %s", identity)
    return identity
