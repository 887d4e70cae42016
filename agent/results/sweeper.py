"""The ledger loop every navigator worker runs beside its calls (:class:`LedgerSweeper`).

Each tick, against the shared store:

1. it notes the worker alive with its capacity (``MAX_CONCURRENT_CALLS``);
2. it queues again a dispatched call no worker claimed within ``PICKUP_TIMEOUT_S`` (the
   server dropped the job, or the worker that took it died before claiming it);
3. it takes back a running call whose worker stopped renewing its lease (``LEASE_S``):
   queued again if nothing had reached the far end yet (``REDISPATCH_UNREACHED``), else
   ended ``failed`` with that reason;
4. it ends ``failed`` a call still waiting ``QUEUE_TIMEOUT_S`` after its request;
5. it dispatches waiting calls, oldest first, while the calls in flight are fewer than the
   live workers' total capacity: a burst waits in the ledger instead of being refused;
6. it delivers due webhooks from the outbox.

Several workers may sweep the same store at once: every change is a compare-and-set in the
store, so one of them wins and the others skip the call.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable

from ..call.result import CallResult
from .outbox import OutboxDeliverer
from .store import CallStore, LedgerEntry

logger = logging.getLogger("ivr_navigator.ledger")

TICK_S = 0.5
"""Seconds between two sweeps."""
ALIVE_WITHIN_S = 10.0
"""A worker not seen for this long no longer counts toward capacity."""
REDISPATCH_BACKOFF_S = 2.0
"""First delay before dispatching again a call whose dispatch failed or was not taken;
doubles per attempt, up to 60 s."""

Dispatcher = Callable[[LedgerEntry, str], Awaitable[None]]
"""Creates a ledger entry's LiveKit dispatch in the named room."""


class LedgerSweeper:
    """One worker's ledger loop (see the module docstring).

    Args:
        store: the shared call store.
        worker_id: this worker's name in the store.
        capacity: calls this worker runs at once.
        dispatch: creates a call's dispatch (:func:`agent.service.dispatch_call`).
        deliverer: delivers the outbox's webhooks.
        pickup_timeout_s, queue_timeout_s, redispatch_unreached: see ``Settings``.
    """

    def __init__(self, store: CallStore, *, worker_id: str, capacity: int,
                 dispatch: Dispatcher, deliverer: OutboxDeliverer, pickup_timeout_s: float,
                 queue_timeout_s: float, redispatch_unreached: bool) -> None:
        self.store = store
        self.worker_id = worker_id
        self.capacity = capacity
        self.dispatch = dispatch
        self.deliverer = deliverer
        self.pickup_timeout_s = pickup_timeout_s
        self.queue_timeout_s = queue_timeout_s
        self.redispatch_unreached = redispatch_unreached

    async def run(self) -> None:
        """Sweep every :data:`TICK_S` until cancelled; a failing sweep is logged and the
        next one tries again (the store may be back)."""
        try:
            while True:
                try:
                    await self.sweep()
                except Exception as e:
                    logger.error("ledger sweep failed: %s", e)
                await asyncio.sleep(TICK_S)
        finally:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self.store.forget_worker, self.worker_id)

    async def sweep(self) -> None:
        """One pass (the numbered steps of the module docstring)."""
        store = self.store
        await asyncio.to_thread(store.heartbeat, self.worker_id, self.capacity)
        now = time.time()
        for entry in await asyncio.to_thread(store.calls_in, "dispatched"):
            if entry.pickup_deadline is not None and entry.pickup_deadline < now:
                await self._requeue(entry, "no worker claimed it")
        for entry in await asyncio.to_thread(store.calls_in, "running"):
            if entry.lease_until is not None and entry.lease_until < now:
                await self._taken_back(entry)
        waiting = await asyncio.to_thread(store.calls_in, "requested")
        free = (await asyncio.to_thread(store.capacity, ALIVE_WITHIN_S)
                - await asyncio.to_thread(store.in_flight))
        for entry in waiting:
            if entry.created_at + self.queue_timeout_s < now:
                await self._give_up(entry, f"no worker took the call within "
                                           f"{self.queue_timeout_s:g} s")
            elif free > 0 and entry.not_before <= now:
                free -= await self._dispatch(entry)
        await self.deliverer.deliver_due()

    async def _dispatch(self, entry: LedgerEntry) -> int:
        """Dispatch ``entry``; returns 1 if it now holds a slot."""
        attempt = entry.attempts + 1
        # the room is recorded before the dispatch exists, so the job's claim can check it
        room = f"{entry.call_id}-{attempt}-{uuid.uuid4().hex[:4]}"
        if not await asyncio.to_thread(self.store.mark_dispatched, entry, room,
                                       time.time() + self.pickup_timeout_s):
            return 0  # another worker dispatched it
        try:
            await self.dispatch(entry, room)
        except Exception as e:
            logger.warning("call %s: dispatch failed: %s", entry.call_id, e)
            dispatched = await asyncio.to_thread(self.store.call, entry.call_id)
            if dispatched is not None and dispatched.state == "dispatched":
                await self._requeue(dispatched, f"the dispatch failed ({e})")
            return 0
        logger.info("call %s: dispatched in %s (attempt %d)", entry.call_id, room, attempt)
        return 1

    async def _requeue(self, entry: LedgerEntry, why: str) -> None:
        delay = min(60.0, REDISPATCH_BACKOFF_S * 2 ** max(0, entry.attempts - 1))
        if await asyncio.to_thread(self.store.requeue, entry, time.time() + delay):
            logger.warning("call %s: queued again in %.0f s: %s", entry.call_id, delay, why)

    async def _taken_back(self, entry: LedgerEntry) -> None:
        if not entry.far_end_reached and self.redispatch_unreached:
            await self._requeue(entry, f"its worker {entry.worker_id} stopped before "
                                       "reaching the far end")
        else:
            await self._give_up(entry, f"the worker running the call ({entry.worker_id}) "
                                       "stopped: its lease expired")

    async def _give_up(self, entry: LedgerEntry, reason: str) -> None:
        result = CallResult.unplaced(entry.call_id, "failed", reason)
        url = str(entry.request.webhook_url) if entry.request.webhook_url else None
        if await asyncio.to_thread(self.store.finish, result, webhook_url=url):
            logger.error("call %s: failed: %s", entry.call_id, reason)
