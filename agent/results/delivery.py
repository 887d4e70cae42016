"""Delivering a call's result, in an order that never loses it: the durable store first,
then the navigator participant's attributes, then the requester's webhook."""

from __future__ import annotations

import asyncio
import logging

from livekit import rtc

from ..call.result import CallResult
from ..settings import Settings
from .store import ResultStore
from .webhook import post_result

logger = logging.getLogger("ivr_navigator.results")

ATTRIBUTE_PREFIX = "ivr."
"""Participant attributes set at the end of a call: ``ivr.call_id``, ``ivr.outcome``,
``ivr.answer`` and ``ivr.reason`` (masked like the result)."""


def result_attributes(result: CallResult) -> dict[str, str]:
    """The participant attributes announcing ``result``."""
    return {
        f"{ATTRIBUTE_PREFIX}call_id": result.call_id,
        f"{ATTRIBUTE_PREFIX}outcome": result.outcome,
        f"{ATTRIBUTE_PREFIX}answer": result.answer[:500],
        f"{ATTRIBUTE_PREFIX}reason": result.reason[:500],
    }


async def deliver_result(
    result: CallResult,
    *,
    settings: Settings,
    webhook_url: str | None = None,
    participant: rtc.LocalParticipant | None = None,
) -> None:
    """Store ``result`` (raises if the store cannot be written: nothing is notified then),
    then set it as attributes of ``participant`` and POST it to ``webhook_url``; failures
    of those two are logged, not raised (the result is already safe)."""
    store = ResultStore(settings.results_db)
    await store.save(result)
    logger.info("call %s: %s stored in %s", result.call_id, result.outcome, store.path)
    if participant is not None:
        try:
            await asyncio.wait_for(participant.set_attributes(result_attributes(result)), 5)
        except Exception as e:  # the room may already be gone (server down, hang-up)
            logger.warning("call %s: could not set result attributes: %s", result.call_id, e)
    if webhook_url:
        secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
        delivered = await post_result(webhook_url, result, secret=secret,
                                      attempts=settings.webhook_attempts,
                                      backoff_s=settings.webhook_backoff_s)
        if delivered:
            await asyncio.to_thread(store.mark_delivered, result.call_id)
