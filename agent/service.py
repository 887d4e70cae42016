"""Running workers until a signal, and the requester's side: dispatching a call and
reading results."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import time

from livekit import api
from livekit.agents import AgentServer

from .call.result import CallResult
from .call_request import CallRequest
from .ivr.worker import MOCK_IVR_AGENT_NAME
from .results.outbox import OutboxDeliverer
from .results.store import CallStore, DeliveryState, LedgerEntry
from .results.sweeper import LedgerSweeper
from .settings import Settings


async def serve(server: AgentServer, *, devmode: bool,
                ledger: LedgerSweeper | None = None) -> None:
    """Run ``server`` (and the ``ledger`` loop beside it) until SIGINT or SIGTERM, then
    drain running calls and close."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    sweeping = asyncio.create_task(ledger.run()) if ledger is not None else None
    runner = asyncio.create_task(server.run(devmode=devmode))
    stopper = asyncio.create_task(stop.wait())
    await asyncio.wait([runner, stopper], return_when=asyncio.FIRST_COMPLETED)
    if not runner.done():
        await server.drain(timeout=30)
        await server.aclose()
    await asyncio.gather(runner, return_exceptions=True)
    stopper.cancel()
    if sweeping is not None:
        sweeping.cancel()
        await asyncio.gather(sweeping, return_exceptions=True)


def navigator_ledger(settings: Settings, store: CallStore) -> LedgerSweeper:
    """The ledger loop of a navigator worker with ``settings``."""
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    return LedgerSweeper(
        store, worker_id=f"{socket.gethostname()}/{os.getpid()}",
        capacity=settings.max_concurrent_calls,
        dispatch=lambda entry, room: dispatch_call(entry, room, settings),
        deliverer=OutboxDeliverer(store, secret=secret, timeout_s=settings.webhook_timeout_s,
                                  backoff_s=settings.webhook_backoff_s),
        pickup_timeout_s=settings.pickup_timeout_s, queue_timeout_s=settings.queue_timeout_s,
        redispatch_unreached=settings.redispatch_unreached)


def lk_api(settings: Settings) -> api.LiveKitAPI:
    """A LiveKit server API client from the settings (http URL for a ws one)."""
    url = settings.livekit_url.replace("ws://", "http://").replace("wss://", "https://")
    return api.LiveKitAPI(url, settings.livekit_api_key,
                          settings.livekit_api_secret.get_secret_value())




def submit_call(request: CallRequest, settings: Settings, *,
                mock_ivr: str | bool = False, mock_ivr_voice: str | None = None,
                store: CallStore | None = None) -> LedgerEntry:
    """Record ``request`` in the call ledger; the workers' ledger loop dispatches it as
    soon as a worker has room. Submitting the same request again returns the same call.

    For tests and demos, ``mock_ivr`` also dispatches the mock IVR into the call's room:
    True for its default IVR, or the id of one of the IVRs it plays; with
    ``mock_ivr_voice`` (``engine:name`` or ``recorded:<folder>``) it speaks on an audio
    track, else in text. The ledger keeps the mock IVR's dispatch metadata.

    Raises:
        CallIdConflict: the ``call_id`` is taken by a different request.
        StoreError: the store cannot be written.
    """
    store = store or CallStore(settings.results_db)
    mock = None
    if mock_ivr:
        wanted = {"ivr": None if mock_ivr is True else mock_ivr, "voice": mock_ivr_voice}
        mock = json.dumps({name: value for name, value in wanted.items() if value})
    entry, _ = store.record_request(request, mock_ivr=mock)
    return entry


async def dispatch_call(entry: LedgerEntry, room: str, settings: Settings) -> None:
    """Create the LiveKit dispatch of a ledger entry in ``room`` (and the mock IVR's, when
    the entry asks for it).

    Raises:
        livekit.api.TwirpError, aiohttp.ClientError: the server refused or is unreachable.
    """
    lk = lk_api(settings)
    try:
        if entry.mock_ivr is not None:
            await lk.agent_dispatch.create_dispatch(api.CreateAgentDispatchRequest(
                agent_name=MOCK_IVR_AGENT_NAME, room=room, metadata=entry.mock_ivr))
        await lk.agent_dispatch.create_dispatch(api.CreateAgentDispatchRequest(
            agent_name=settings.agent_name, room=room,
            metadata=entry.request.model_dump_json(exclude_none=True)))
    finally:
        await lk.aclose()


async def wait_for_result(store: CallStore, call_id: str, *, timeout_s: float,
                          poll_s: float = 0.2) -> CallResult | None:
    """Poll the store until ``call_id`` has a final result or ``timeout_s`` passes."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        result = await asyncio.to_thread(store.result, call_id)
        if result is not None:
            return result
        await asyncio.sleep(poll_s)
    return None


def result_json(result: CallResult, delivery: DeliveryState | None = None) -> str:
    """One line of JSON for ``results --json`` and ``call --wait``; with the webhook's
    ``delivery`` state (``webhook``: state, attempts, last error) when given."""
    data = result.model_dump(mode="json")
    if delivery is not None:
        data["webhook"] = {"state": delivery.state, "attempts": delivery.attempts,
                           "last_error": delivery.last_error}
    return json.dumps(data, ensure_ascii=False)
