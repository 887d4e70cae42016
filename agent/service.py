"""Running workers until a signal, and the requester's side: dispatching a call and
reading results."""

from __future__ import annotations

import asyncio
import json
import signal
import time
import uuid

from livekit import api
from livekit.agents import AgentServer

from .call.result import CallResult
from .call_request import CallRequest
from .ivr.worker import MOCK_IVR_AGENT_NAME
from .results.store import ResultStore
from .settings import Settings


async def serve(server: AgentServer, *, devmode: bool) -> None:
    """Run ``server`` until SIGINT or SIGTERM, then drain running calls and close."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    runner = asyncio.create_task(server.run(devmode=devmode))
    stopper = asyncio.create_task(stop.wait())
    await asyncio.wait([runner, stopper], return_when=asyncio.FIRST_COMPLETED)
    if not runner.done():
        await server.drain(timeout=30)
        await server.aclose()
    await asyncio.gather(runner, return_exceptions=True)
    stopper.cancel()


def lk_api(settings: Settings) -> api.LiveKitAPI:
    """A LiveKit server API client from the settings (http URL for a ws one)."""
    url = settings.livekit_url.replace("ws://", "http://").replace("wss://", "https://")
    return api.LiveKitAPI(url, settings.livekit_api_key,
                          settings.livekit_api_secret.get_secret_value())


async def dispatch_call(request: CallRequest, settings: Settings, *,
                        mock_ivr: str | bool = False) -> str:
    """Create the dispatch in a new room named after the call; returns the room name.

    For tests and demos, ``mock_ivr`` first dispatches the mock IVR into the room: True for
    its default IVR, or the id of one of the IVRs it plays.
    """
    room = f"{request.call_id}-{uuid.uuid4().hex[:6]}"
    lk = lk_api(settings)
    try:
        if mock_ivr:
            metadata = json.dumps({"ivr": mock_ivr}) if isinstance(mock_ivr, str) else ""
            await lk.agent_dispatch.create_dispatch(api.CreateAgentDispatchRequest(
                agent_name=MOCK_IVR_AGENT_NAME, room=room, metadata=metadata))
        await lk.agent_dispatch.create_dispatch(api.CreateAgentDispatchRequest(
            agent_name=settings.agent_name, room=room,
            metadata=request.model_dump_json(exclude_none=True)))
    finally:
        await lk.aclose()
    return room


async def wait_for_result(store: ResultStore, call_id: str, *, timeout_s: float,
                          poll_s: float = 0.2) -> CallResult | None:
    """Poll the result store until ``call_id`` has a result or ``timeout_s`` passes."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        result = await asyncio.to_thread(store.get, call_id)
        if result is not None:
            return result
        await asyncio.sleep(poll_s)
    return None


def result_json(result: CallResult) -> str:
    """One line of JSON for ``results --json`` and ``call --wait``."""
    return json.dumps(result.model_dump(mode="json"), ensure_ascii=False)
