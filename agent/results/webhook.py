"""Webhook delivery of results: signed with HMAC-SHA256, retried with exponential backoff.

The signature header is ``X-IVR-Signature: sha256=<hex>``, the HMAC-SHA256 (RFC 2104) of
the exact request body with the configured secret, as GitHub's and Stripe's webhooks do;
``X-IVR-Call-Id`` names the call.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging

import httpx

from ..call.result import CallResult

logger = logging.getLogger("ivr_navigator.webhook")
SIGNATURE_HEADER = "X-IVR-Signature"


def sign(body: bytes, secret: str) -> str:
    """The signature header value for ``body``: ``sha256=`` and the hex HMAC-SHA256."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, secret: str, header: str) -> bool:
    """Whether ``header`` is the signature of ``body`` (constant-time comparison)."""
    return hmac.compare_digest(sign(body, secret), header)


async def post_result(
    url: str,
    result: CallResult,
    *,
    secret: str | None,
    attempts: int = 5,
    backoff_s: float = 0.5,
    timeout_s: float = 10.0,
) -> bool:
    """POST ``result`` as JSON to ``url`` until a 2xx answer, at most ``attempts`` times,
    waiting ``backoff_s``, then twice as long, between tries. Returns whether it was
    delivered; never raises for network or HTTP errors (they are logged)."""
    body = result.model_dump_json().encode()
    headers = {"Content-Type": "application/json", "X-IVR-Call-Id": result.call_id}
    if secret:
        headers[SIGNATURE_HEADER] = sign(body, secret)
    delay = backoff_s
    async with httpx.AsyncClient(timeout=timeout_s) as client:
        for attempt in range(1, attempts + 1):
            try:
                response = await client.post(url, content=body, headers=headers)
                if response.is_success:
                    logger.info("call %s: webhook delivered (attempt %d)", result.call_id,
                                attempt)
                    return True
                problem = f"HTTP {response.status_code}"
            except httpx.HTTPError as e:
                problem = f"{type(e).__name__}: {e}"
            logger.warning("call %s: webhook attempt %d/%d failed: %s", result.call_id,
                           attempt, attempts, problem)
            if attempt < attempts:
                await asyncio.sleep(delay)
                delay *= 2
    return False
