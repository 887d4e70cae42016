"""Webhook requests carrying a call's result, signed so the receiver can trust them.

``X-IVR-Timestamp`` is the Unix time (seconds) of the attempt; ``X-IVR-Signature:
sha256=<hex>`` is the HMAC-SHA256 (RFC 2104) of ``<timestamp>.<body>`` with the configured
secret, as Stripe and Slack sign theirs: a receiver that checks the timestamp is recent
cannot be fed a captured delivery again. ``X-IVR-Call-Id`` names the call. Retries are the
outbox's (:mod:`agent.results.outbox`); one request here never waits longer than its
timeout.
"""

from __future__ import annotations

import hashlib
import hmac
import time

import httpx

from ..call.result import CallResult

SIGNATURE_HEADER = "X-IVR-Signature"
TIMESTAMP_HEADER = "X-IVR-Timestamp"
CALL_ID_HEADER = "X-IVR-Call-Id"
TOLERANCE_S = 300
"""How old a signed timestamp a receiver should accept (Stripe's default tolerance)."""


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """The signature header value: ``sha256=`` and the hex HMAC-SHA256 of
    ``<timestamp>.<body>``."""
    signed = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def verify(body: bytes, secret: str, signature: str, timestamp: str, *,
           tolerance_s: float = TOLERANCE_S, now: float | None = None) -> bool:
    """Whether ``signature`` signs ``body`` at ``timestamp`` and that time is within
    ``tolerance_s`` of ``now`` (constant-time comparison)."""
    try:
        at = int(timestamp)
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - at) > tolerance_s:
        return False
    return hmac.compare_digest(sign(body, secret, at), signature)


def result_body(result: CallResult) -> bytes:
    """The JSON body a webhook receives for ``result``."""
    return result.model_dump_json().encode()


async def post_result(url: str, result: CallResult, *, secret: str | None,
                      timeout_s: float) -> str | None:
    """POST ``result`` to ``url`` once. Returns None when a 2xx answered, else what went
    wrong (an HTTP status or a network error); never raises for those."""
    body = result_body(result)
    timestamp = int(time.time())
    headers = {"Content-Type": "application/json", CALL_ID_HEADER: result.call_id,
               TIMESTAMP_HEADER: str(timestamp)}
    if secret:
        headers[SIGNATURE_HEADER] = sign(body, secret, timestamp)
    try:
        async with httpx.AsyncClient(timeout=timeout_s) as client:
            response = await client.post(url, content=body, headers=headers)
    except httpx.HTTPError as e:
        return f"{type(e).__name__}: {e}"[:300]
    return None if response.is_success else f"HTTP {response.status_code}"
