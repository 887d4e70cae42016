"""Webhook deliveries from the store's outbox: each result is POSTed until its webhook
answers 2xx or the delivery expires, with exponential backoff, across worker restarts.

Every navigator worker delivers from the shared outbox (a delivery is held by one worker
while it is tried); a call's job only queues its delivery, so a slow or dead webhook never
keeps a call leg up.
"""

from __future__ import annotations

import asyncio
import logging
import time

from .store import CallStore, Delivery
from .webhook import post_result

logger = logging.getLogger("ivr_navigator.outbox")

MAX_BACKOFF_S = 300.0
"""The longest wait between two attempts of one delivery."""


def next_attempt_delay(attempts: int, first_s: float) -> float:
    """Seconds before attempt ``attempts + 1``: ``first_s`` doubled per failed attempt,
    at most :data:`MAX_BACKOFF_S`."""
    return min(MAX_BACKOFF_S, first_s * 2 ** max(0, attempts - 1))


class OutboxDeliverer:
    """Delivers due webhooks from ``store``.

    Args:
        store: the call store.
        secret: the HMAC key of the signature header (None: unsigned).
        timeout_s: one request's timeout (seconds).
        backoff_s: the first delay before a retry (seconds; doubles per attempt).
    """

    def __init__(self, store: CallStore, *, secret: str | None, timeout_s: float,
                 backoff_s: float) -> None:
        self.store = store
        self.secret = secret
        self.timeout_s = timeout_s
        self.backoff_s = backoff_s

    async def deliver_due(self) -> int:
        """Try every delivery that is due, concurrently; returns how many were tried."""
        due = await asyncio.to_thread(self.store.due_deliveries, time.time(),
                                      self.timeout_s * 2 + 5)
        await asyncio.gather(*(self._deliver(d) for d in due))
        return len(due)

    async def _deliver(self, delivery: Delivery) -> None:
        result = await asyncio.to_thread(self.store.result, delivery.call_id)
        if result is None:  # cannot happen: a delivery is queued with its result
            return
        problem = await post_result(delivery.url, result, secret=self.secret,
                                    timeout_s=self.timeout_s)
        attempt = delivery.attempts + 1
        if problem is None:
            await asyncio.to_thread(self.store.delivered, delivery.call_id)
            logger.info("call %s: webhook delivered (attempt %d)", delivery.call_id, attempt)
            return
        retry_at = time.time() + next_attempt_delay(attempt, self.backoff_s)
        if retry_at > delivery.expires_at:
            retry_at = None
        await asyncio.to_thread(self.store.delivery_failed, delivery.call_id, problem,
                                retry_at)
        logger.warning("call %s: webhook attempt %d failed: %s; %s", delivery.call_id,
                       attempt, problem, "retrying" if retry_at else "delivery expired")
