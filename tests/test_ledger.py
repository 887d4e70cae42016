"""The call ledger, its sweeper and the webhook outbox, on SQLite and on a real PostgreSQL
server: every request ends with exactly one final result and one webhook delivery.

LiveKit is replaced by a dispatcher that records what it was asked to dispatch; the
end-to-end fault tests in test_ledger_faults.py use the real server.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from aiohttp import web

from agent.call.result import CallResult
from agent.call_request import CallRequest
from agent.results.outbox import OutboxDeliverer, next_attempt_delay
from agent.results.store import CallStore
from agent.results.sweeper import LedgerSweeper
from agent.results.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify

LEASE_S = 30.0


def _request(call_id: str, webhook_url: str | None = None) -> CallRequest:
    return CallRequest.model_validate({
        "call_id": call_id, "task": {"goal": "What is my balance?"},
        "target": {"kind": "participant", "identity": "mock-ivr"},
        "webhook_url": webhook_url})


class Dispatches:
    """A dispatcher standing in for LiveKit: records (call id, room)."""

    def __init__(self, fail: bool = False) -> None:
        self.made: list[tuple[str, str]] = []
        self.fail = fail

    async def __call__(self, entry, room: str) -> None:
        if self.fail:
            raise ConnectionError("server unreachable")
        self.made.append((entry.call_id, room))


def _sweeper(store: CallStore, dispatch, *, capacity: int = 2, worker: str = "w1",
             pickup_timeout_s: float = 60.0, queue_timeout_s: float = 600.0,
             redispatch_unreached: bool = True, secret: str | None = "k") -> LedgerSweeper:
    return LedgerSweeper(
        store, worker_id=worker, capacity=capacity, dispatch=dispatch,
        deliverer=OutboxDeliverer(store, secret=secret, timeout_s=2.0, backoff_s=0.05),
        pickup_timeout_s=pickup_timeout_s, queue_timeout_s=queue_timeout_s,
        redispatch_unreached=redispatch_unreached)


def test_a_burst_waits_in_the_ledger_within_the_workers_capacity(call_store):
    for n in range(6):
        call_store.record_request(_request(f"burst-{n}"))
    dispatches = Dispatches()
    sweeper = _sweeper(call_store, dispatches, capacity=2)
    asyncio.run(sweeper.sweep())
    assert [call for call, _ in dispatches.made] == ["burst-0", "burst-1"]
    assert call_store.in_flight() == 2
    # a call ends: one more goes out, oldest first
    room = dispatches.made[0][1]
    assert call_store.claim("burst-0", room, "job-a", LEASE_S, _request("burst-0")) == "claimed"
    call_store.finish(CallResult(call_id="burst-0", outcome="completed"))
    asyncio.run(sweeper.sweep())
    assert [call for call, _ in dispatches.made] == ["burst-0", "burst-1", "burst-2"]


def test_two_sweepers_never_dispatch_a_call_twice(call_store):
    for n in range(8):
        call_store.record_request(_request(f"race-{n}"))
    dispatches = Dispatches()
    first = _sweeper(call_store, dispatches, capacity=4, worker="w1")
    second = _sweeper(call_store, dispatches, capacity=4, worker="w2")

    async def both():
        for _ in range(3):
            await asyncio.gather(first.sweep(), second.sweep())

    asyncio.run(both())
    calls = [call for call, _ in dispatches.made]
    assert sorted(calls) == sorted(set(calls))  # each at most once
    assert len(calls) == 8  # two workers of 4: all in flight


def test_a_claim_runs_a_call_once_and_only_in_its_latest_room(call_store):
    request = _request("claimed")
    call_store.record_request(request)
    entry = call_store.call("claimed")
    assert call_store.mark_dispatched(entry, "room-1", time.time() + 60)
    assert call_store.claim("claimed", "room-0", "job-a", LEASE_S, request) == "elsewhere"
    assert call_store.claim("claimed", "room-1", "job-a", LEASE_S, request) == "claimed"
    assert call_store.claim("claimed", "room-1", "job-b", LEASE_S, request) == "elsewhere"
    call_store.finish(CallResult(call_id="claimed", outcome="completed"))
    assert call_store.claim("claimed", "room-1", "job-c", LEASE_S, request) == "finished"


def test_a_call_dispatched_without_the_ledger_is_recorded_when_claimed(call_store):
    request = _request("raw-dispatch")
    assert call_store.claim("raw-dispatch", "room-x", "job-a", LEASE_S, request) == "claimed"
    entry = call_store.call("raw-dispatch")
    assert (entry.state, entry.room, entry.worker_id) == ("running", "room-x", "job-a")


def test_a_dispatch_nobody_claims_is_queued_again_in_a_new_room(call_store):
    call_store.record_request(_request("dropped"))
    dispatches = Dispatches()
    sweeper = _sweeper(call_store, dispatches, pickup_timeout_s=0.05)
    asyncio.run(sweeper.sweep())
    time.sleep(0.1)
    asyncio.run(sweeper.sweep())  # past the pickup deadline: back to the queue
    entry = call_store.call("dropped")
    assert entry.state == "requested" and entry.not_before > time.time()
    call_store.requeue(entry, time.time())  # skip the backoff
    asyncio.run(sweeper.sweep())
    rooms = [room for _, room in dispatches.made]
    assert len(rooms) == 2 and rooms[0] != rooms[1]
    assert call_store.call("dropped").attempts == 2
    late = _request("dropped")  # the first dispatch's job arrives late: it is ignored
    assert call_store.claim("dropped", rooms[0], "job-late", LEASE_S, late) == "elsewhere"


def test_a_failed_dispatch_request_is_retried(call_store):
    call_store.record_request(_request("unreachable"))
    asyncio.run(_sweeper(call_store, Dispatches(fail=True)).sweep())
    entry = call_store.call("unreachable")
    assert entry.state == "requested" and entry.attempts == 1


@pytest.mark.parametrize("reached", [False, True])
def test_a_dead_workers_call_runs_again_or_fails_by_what_it_reached(call_store, reached):
    request = _request("orphan", webhook_url="https://example.com/hook")
    call_store.record_request(request)
    dispatches = Dispatches()
    sweeper = _sweeper(call_store, dispatches)
    asyncio.run(sweeper.sweep())
    room = dispatches.made[0][1]
    assert call_store.claim("orphan", room, "job-dead", 0.05, request) == "claimed"
    if reached:
        call_store.mark_far_end_reached("orphan")
    time.sleep(0.1)  # the worker died: its lease runs out
    asyncio.run(sweeper.sweep())
    entry = call_store.call("orphan")
    if reached:  # something reached the IVR: running it again could repeat an action
        result = call_store.result("orphan")
        assert (entry.state, result.outcome) == ("finished", "failed")
        assert result.reason == ("the worker running the call (job-dead) stopped: its "
                                 "lease expired")
        assert call_store.delivery("orphan").state in ("pending", "expired", "delivered")
    else:
        assert entry.state == "requested" and call_store.result("orphan") is None


def test_a_call_no_worker_takes_fails_after_the_queue_timeout(call_store):
    call_store.record_request(_request("stranded"), now=time.time() - 10)
    call_store.heartbeat("w1", 0)  # a worker with no room
    asyncio.run(_sweeper(call_store, Dispatches(), capacity=0, queue_timeout_s=5).sweep())
    result = call_store.result("stranded")
    assert (result.outcome, result.reason) == ("failed", "no worker took the call within 5 s")


def test_the_outbox_retries_until_the_webhook_answers_then_stops(call_store):
    received: list[tuple[bytes, dict]] = []
    failures = {"left": 2}

    async def scenario():
        async def hook(request: web.Request) -> web.Response:
            received.append((await request.read(), dict(request.headers)))
            if failures["left"]:
                failures["left"] -= 1
                return web.Response(status=503)
            return web.Response(text="ok")

        app = web.Application()
        app.router.add_post("/hook", hook)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        call_store.finish(CallResult(call_id="hooked", outcome="completed", answer="$12"),
                          webhook_url=f"http://127.0.0.1:{port}/hook")
        sweeper = _sweeper(call_store, Dispatches())
        for _ in range(40):
            await sweeper.sweep()
            if call_store.delivery("hooked").state == "delivered":
                break
            await asyncio.sleep(0.05)
        for _ in range(5):  # delivered: never sent again
            await sweeper.sweep()
        await runner.cleanup()

    asyncio.run(scenario())
    assert len(received) == 3
    assert call_store.delivery("hooked").state == "delivered"
    body, headers = received[-1]
    assert verify(body, "k", headers[SIGNATURE_HEADER], headers[TIMESTAMP_HEADER])
    assert b'"answer":"$12"' in body


def test_an_unreachable_webhook_expires(call_store):
    call_store.finish(CallResult(call_id="nowhere", outcome="failed"),
                      webhook_url="http://127.0.0.1:9/hook", delivery_expiry_s=0.2)
    sweeper = _sweeper(call_store, Dispatches())
    for _ in range(20):
        asyncio.run(sweeper.sweep())
        if call_store.delivery("nowhere").state == "expired":
            break
        time.sleep(0.05)
    delivery = call_store.delivery("nowhere")
    assert delivery.state == "expired" and "ConnectError" in delivery.last_error


def test_backoff_doubles_up_to_five_minutes():
    assert [next_attempt_delay(n, 1.0) for n in (1, 2, 3)] == [1.0, 2.0, 4.0]
    assert next_attempt_delay(30, 1.0) == 300.0
