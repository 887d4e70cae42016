"""End to end through a real LiveKit server on 127.0.0.1: the navigator worker and the
mock-IVR worker run as `python -m agent start` / `mock-ivr` processes, calls are created
as dispatches through the server API, and keys travel as SIP DTMF data packets.

The server-restart test is last: it stops and restarts the shared server.
"""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from aiohttp import web
from e2e_support import ivr_events, wait_for
from livekit import api

from agent.call.task import CallTask
from agent.call_request import CallRequest, Limits, ParticipantTarget
from agent.harness.judge import judge
from agent.harness.runner import run_scenario
from agent.harness.virtual_time import run_virtual
from agent.ivr.worker import MOCK_IVR_IDENTITY
from agent.paths import PROJECT_ROOT, SCENARIOS_DIR
from agent.results.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from agent.scenario import find_scenario_files, load_scenario
from agent.service import lk_api, submit_call, wait_for_result
from agent.supervisor import CallLimits

SHIPPED = find_scenario_files(SCENARIOS_DIR)
RESULT_TIMEOUT_S = 240
CONCURRENT_CALLS = 3
"""Calls at once: each is two job processes on a 2-core CI machine. At 4, a navigator
slowed by load sometimes missed the language menu (it listened only once it had reached
the far end; fixed) and the two transports' keys differed; 4 has passed since, 3 keeps
a margin."""
BANK = "first_meridian_bank"
RECORDED_BANK = PROJECT_ROOT / "recordings" / BANK


def _request(task: CallTask, name: str, **fields) -> CallRequest:
    # the limits of the in-process harness, so that both transports end a call alike
    return CallRequest(call_id=f"e2e-{name}-{uuid.uuid4().hex[:6]}", task=task,
                       target=ParticipantTarget(identity=MOCK_IVR_IDENTITY),
                       limits=Limits(max_call_s=CallLimits().max_call_s), **fields)


async def _call(service, request: CallRequest, ivr: str = BANK):
    submit_call(request, service.settings, mock_ivr=ivr, store=service.store)
    result = await wait_for_result(service.store, request.call_id, timeout_s=RESULT_TIMEOUT_S)
    assert result is not None, _worker_lines(service, request.call_id)
    return service.store.call(request.call_id).room, result


async def _room_of(service, call_id: str) -> str:
    """The room the ledger dispatched ``call_id`` in, once it has."""
    for _ in range(200):
        entry = await asyncio.to_thread(service.store.call, call_id)
        if entry is not None and entry.room:
            return entry.room
        await asyncio.sleep(0.1)
    raise AssertionError(f"{call_id} was never dispatched; " + _worker_lines(service, call_id))


def _worker_lines(service, *names: str) -> str:
    """What the workers logged about a call (its room or call id), for a failure."""
    return "\n".join(line for worker in service.workers for line in worker.lines
                     if any(name in line for name in names))


async def _ivr_log(service, room: str):
    events_file = service.events_dir / f"{room}.json"
    assert await asyncio.to_thread(wait_for, events_file.exists, 30), (
        "no IVR event log; " + _worker_lines(service, room))
    return ivr_events(service.events_dir, room)


@pytest.fixture(scope="module")
def over_the_server(service):
    """Every shipped scenario, called through the real server a few at a time:
    path -> (result, the mock IVR's event log), or why there is none."""

    async def call_all():
        limit = asyncio.Semaphore(CONCURRENT_CALLS)

        async def one(path):
            loaded = load_scenario(path)
            request = _request(loaded.scenario.task, loaded.scenario.id)
            async with limit:
                submit_call(request, service.settings, mock_ivr=loaded.ivr.id,
                            store=service.store)
                result = await wait_for_result(service.store, request.call_id,
                                               timeout_s=RESULT_TIMEOUT_S)
                if result is None:
                    return _worker_lines(service, request.call_id)
                room = service.store.call(request.call_id).room
                return result, await _ivr_log(service, room)

        # one failed call fails its own test, not the others
        outcomes = await asyncio.gather(*(one(p) for p in SHIPPED), return_exceptions=True)
        return {path: outcome for path, outcome in zip(SHIPPED, outcomes, strict=True)}

    return asyncio.run(call_all())


def _call_over_the_server(over_the_server, path):
    """(result, IVR event log) of the scenario's call over the server, or the failure."""
    outcome = over_the_server[path]
    if isinstance(outcome, BaseException):
        raise outcome
    if isinstance(outcome, str):
        pytest.fail(f"no result within {RESULT_TIMEOUT_S} s over the server; {outcome}")
    return outcome


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_both_transports_make_the_same_call(over_the_server, path):
    # one call loop: in process and over the real server, the IVR receives the same keys
    # and the navigator reaches the same outcome with the same answer
    loaded = load_scenario(path)
    in_process = run_virtual(run_scenario(loaded))
    result, events = _call_over_the_server(over_the_server, path)
    received = "".join(e.key for e in events if e.type == "dtmf")
    assert (result.outcome, received, result.answer, result.facts) == (
        in_process.result.outcome, in_process.received_keys, in_process.result.answer,
        in_process.result.facts), _call_story(result, events)


def _call_story(result, events) -> str:
    """Why a call over the server went its way: its reason, what the navigator heard and
    what the IVR logged."""
    heard = [f"navigator heard at {e.at_s:.2f} s: {e.text!r}" for e in result.events
             if e.type == "prompt" and e.final]
    return "\n".join([f"reason: {result.reason}", *heard,
                      *(e.model_dump_json() for e in events)])


@pytest.mark.parametrize("path", find_scenario_files(SCENARIOS_DIR / "bank"),
                         ids=lambda p: p.stem)
def test_bank_scenario_passes_over_the_real_server(over_the_server, path):
    loaded = load_scenario(path)
    result, events = _call_over_the_server(over_the_server, path)
    # the judge counts the digits the IVR received over the room, not the tool calls
    assert judge(loaded, result, events, check_duration=False).reasons == []


@pytest.mark.parametrize(("name", "voice"), [
    ("checking_balance", f"recorded:{RECORDED_BANK}"),  # keys only
    ("routing_number_by_voice", "piper:joe"),  # a say-only menu: the navigator speaks
])
async def test_audio_call_over_the_real_server(service, name, voice):
    # the mock IVR speaks on an audio track, in real time and with no text, and hears the
    # caller's audio; the navigator hears it through Silero VAD and Whisper, speaks through
    # its own voice, and gets through
    loaded = load_scenario(SCENARIOS_DIR / "bank" / f"{name}.yaml")
    request = _request(loaded.scenario.task, "audio")
    submit_call(request, service.settings, mock_ivr=loaded.ivr.id, mock_ivr_voice=voice,
                store=service.store)
    result = await wait_for_result(service.store, request.call_id, timeout_s=RESULT_TIMEOUT_S)
    assert result is not None, _worker_lines(service, request.call_id)
    room = service.store.call(request.call_id).room
    events = await _ivr_log(service, room)
    assert any(f"hearing {MOCK_IVR_IDENTITY}'s audio track in {room}" in line
               for line in service.navigator.lines), _worker_lines(service, room,
                                                                   request.call_id)
    assert judge(loaded, result, events, check_duration=False).reasons == [], (
        _call_story(result, events))
    # what it heard came through the STT, utterance by utterance: partial prompts too
    heard = [e for e in result.events if e.type == "prompt"]
    assert any(not e.final for e in heard) and any(e.final for e in heard)
    said = [e for e in events if e.type == "caller_speech"]
    assert bool(said) == (name == "routing_number_by_voice")


async def test_ivr_hanging_up_mid_navigation_is_recorded(service):
    task = CallTask(goal="Consultar el saldo de la cuenta corriente.",
                    facts={"customer_id": "10000001", "language": "español"})
    room, result = await _call(service, _request(task, "hangup"))
    assert result.outcome == "ivr_hung_up"
    assert "spanish_unavailable" in result.reason


async def test_invalid_metadata_gives_a_failed_result_and_the_worker_lives_on(service):
    lk = lk_api(service.settings)
    try:
        await lk.agent_dispatch.create_dispatch(api.CreateAgentDispatchRequest(
            agent_name=service.settings.agent_name, room=f"bad-{uuid.uuid4().hex[:6]}",
            metadata=json.dumps({"call_id": "bad-metadata", "task": {"goal": "balance"},
                                 "target": {"kind": "fax"}})))
    finally:
        await lk.aclose()
    result = await wait_for_result(service.store, "bad-metadata", timeout_s=RESULT_TIMEOUT_S)
    assert result is not None
    assert result.outcome == "failed"
    assert result.reason == ("call request: target: unknown kind 'fax'; "
                             "allowed: phone, participant")
    assert any("invalid call request" in line for line in service.navigator.lines)
    # the same worker still takes calls
    task = CallTask(goal="How many rewards points does the customer have?",
                    facts={"customer_id": "10000002", "pin": "1357"}, secrets=["pin"])
    _, after = await _call(service, _request(task, "after-bad"))
    assert after.outcome == "completed"


async def test_webhook_failing_twice_then_succeeding_gets_the_signed_result(service):
    received: list[tuple[bytes, str, str]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append((await request.read(), request.headers.get(SIGNATURE_HEADER, ""),
                         request.headers.get(TIMESTAMP_HEADER, "")))
        return web.Response(status=503 if len(received) <= 2 else 200)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        task = CallTask(goal="How many rewards points does the customer have?",
                        facts={"customer_id": "10000001", "pin": "2468"}, secrets=["pin"])
        request = _request(task, "webhook", webhook_url=f"http://127.0.0.1:{port}/hook")
        _, result = await _call(service, request)
        for _ in range(100):
            if len(received) >= 3:
                break
            await asyncio.sleep(0.1)
    finally:
        await runner.cleanup()
    assert len(received) == 3
    body, signature, timestamp = received[-1]
    assert verify(body, "test-secret", signature, timestamp)
    assert json.loads(body)["outcome"] == result.outcome == "completed"
    assert json.loads(body) == json.loads(
        service.store.result(request.call_id).model_dump_json())
    assert service.store.delivery(request.call_id).state == "delivered"
    assert "2468" not in body.decode()


async def test_outcome_is_set_as_attributes_of_the_navigator_participant(service):
    from livekit import rtc

    task = CallTask(goal="How many rewards points does the customer have?",
                    facts={"customer_id": "10000002", "pin": "1357"}, secrets=["pin"])
    request = _request(task, "attributes")
    submit_call(request, service.settings, mock_ivr=BANK, store=service.store)
    room_name = await _room_of(service, request.call_id)
    seen: dict[str, str] = {}
    observer = rtc.Room()

    @observer.on("participant_attributes_changed")
    def on_attributes(changed: dict[str, str], participant: rtc.Participant) -> None:
        seen.update({k: v for k, v in changed.items() if k.startswith("ivr.")})

    token = (api.AccessToken("devkey", "secret").with_identity("observer")
             .with_grants(api.VideoGrants(room_join=True, room=room_name, hidden=True)).to_jwt())
    await observer.connect(service.server.url, token)
    try:
        result = await wait_for_result(service.store, request.call_id,
                                       timeout_s=RESULT_TIMEOUT_S)
        for _ in range(50):
            if "ivr.outcome" in seen:
                break
            await asyncio.sleep(0.1)
    finally:
        await observer.disconnect()
    assert result is not None and result.outcome == "completed"
    assert seen["ivr.outcome"] == "completed"
    assert seen["ivr.call_id"] == request.call_id
    assert "1,200" in seen["ivr.answer"]


async def test_server_stopped_mid_call_gives_a_failed_result_then_the_worker_reconnects(
        service):
    # the navigator waits for a participant that never comes; the server goes away meanwhile
    task = CallTask(goal="What is the available balance of the checking account?",
                    facts={"customer_id": "10000001"})
    request = CallRequest(call_id=f"e2e-server-down-{uuid.uuid4().hex[:6]}", task=task,
                          target=ParticipantTarget(identity="nobody-here"),
                          limits=Limits(ring_timeout_s=120))
    submit_call(request, service.settings, store=service.store)
    room = await _room_of(service, request.call_id)
    lk = lk_api(service.settings)
    try:
        joined = None
        for _ in range(100):
            participants = await lk.room.list_participants(api.ListParticipantsRequest(room=room))
            joined = participants.participants
            if joined:
                break
            await asyncio.sleep(0.2)
        assert joined, "the navigator never joined"
    finally:
        await lk.aclose()
    for worker in service.workers:
        worker.expect_reregistration()
    await asyncio.to_thread(service.server.stop)
    result = await wait_for_result(service.store, request.call_id, timeout_s=RESULT_TIMEOUT_S)
    assert result is not None, "\n".join(service.navigator.lines[-40:])
    assert result.outcome == "failed"
    assert "lost connection to the LiveKit server" in result.reason
    await asyncio.to_thread(service.server.start)
    for worker in service.workers:
        await asyncio.to_thread(worker.wait_registered, 120)
    task = CallTask(goal="How many rewards points does the customer have?",
                    facts={"customer_id": "10000002", "pin": "1357"}, secrets=["pin"])
    _, after = await _call(service, _request(task, "after-restart"))
    assert after.outcome == "completed"

