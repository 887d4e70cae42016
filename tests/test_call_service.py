"""The service's pieces without a server: call requests, SIP failures, signatures, the
result store, and the CLI's error paths."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta

import pytest
from livekit import api
from typer.testing import CliRunner

from agent.call.result import CallResult
from agent.call_request import CallRequest, CallRequestError, parse_call_request
from agent.cli import app
from agent.results.delivery import result_attributes
from agent.results.store import CallIdConflict, CallStore
from agent.results.webhook import sign, verify
from agent.telephony import sip_failure
from agent.worker import SERVER_TARGET_LOAD, worker_load

GOOD = {"task": {"goal": "balance", "facts": {"pin": "2468"}, "secrets": ["pin"]},
        "target": {"kind": "phone", "number": "+15551234567"}}


def _error(metadata) -> str:
    with pytest.raises(CallRequestError) as e:
        parse_call_request(metadata if isinstance(metadata, str) else json.dumps(metadata))
    return str(e.value)


def test_a_valid_request_gets_defaults():
    request = parse_call_request(json.dumps(GOOD))
    assert request.call_id.startswith("call-")
    assert request.limits.ring_timeout_s == 30
    assert request.target.number == "+15551234567"


@pytest.mark.parametrize(("metadata", "message"), [
    ("", "call request: metadata is not JSON (Expecting value at character 0)"),
    ("[1]", "call request: metadata must be a JSON object"),
    ({**GOOD, "target": {"kind": "phone", "number": "555-1234"}},
     "call request: target.number: must be an E.164 number: + then 7 to 15 digits, "
     "e.g. +15551234567 (got '555-1234')"),
    ({**GOOD, "target": {"kind": "fax"}},
     "call request: target: unknown kind 'fax'; allowed: phone, participant"),
    ({**GOOD, "limits": {"ring_timeout_s": 0}},
     "call request: limits.ring_timeout_s: Input should be greater than 0 (got 0)"),
    ({**GOOD, "webhook_url": "ftp://x"},
     "call request: webhook_url: URL scheme should be 'http' or 'https' (got 'ftp://x')"),
    ({"target": GOOD["target"]}, "call request: task: required field is missing"),
])
def test_invalid_metadata_names_field_value_and_what_is_allowed(metadata, message):
    assert _error(metadata) == message


def test_invalid_facts_are_reported_without_their_values():
    # a fact may be a PIN: the error must not echo it into logs
    message = _error({**GOOD, "task": {"goal": "balance", "facts": {"pin": 2468}}})
    assert "2468" not in message
    assert message.startswith("call request: task.facts.pin")


@pytest.mark.parametrize(("code", "outcome"), [
    ("486", "busy"), ("600", "busy"), ("480", "no_answer"), ("408", "no_answer"),
    ("487", "no_answer"), ("603", "rejected"), ("403", "rejected"), ("503", "failed"),
])
def test_sip_status_codes_map_to_outcomes(code, outcome):
    error = api.TwirpError("unavailable", "call failed", status=503,
                           metadata={"sip_status_code": code, "sip_status": "Reason"})
    failure = sip_failure(error)
    assert failure.outcome == outcome
    assert failure.reason == f"SIP {code} Reason"


def test_a_dial_error_without_sip_status_is_failed_with_the_server_message():
    failure = sip_failure(api.TwirpError("internal", "sip not connected", status=500))
    assert (failure.outcome, failure.reason) == (
        "failed", "dialing failed: sip not connected (internal)")


def test_signature_is_hmac_sha256_of_timestamp_and_body():
    import hashlib
    import hmac

    body = b'{"outcome":"completed"}'
    header = sign(body, "k", 1_700_000_000)
    assert header == "sha256=" + hmac.new(b"k", b"1700000000." + body,
                                          hashlib.sha256).hexdigest()
    assert verify(body, "k", header, "1700000000", now=1_700_000_100)
    assert not verify(body + b" ", "k", header, "1700000000", now=1_700_000_100)
    # a captured delivery replayed later, or with another timestamp, is refused
    assert not verify(body, "k", header, "1700000000", now=1_700_001_000)
    assert not verify(body, "k", header, "1700000001", now=1_700_000_100)


def _result(call_id: str, minutes_ago: int = 0) -> CallResult:
    return CallResult(call_id=call_id, outcome="completed", answer="ok",
                      finished_at=datetime.now(UTC) - timedelta(minutes=minutes_ago))


def test_store_keeps_results_durably_and_lists_since(tmp_path):
    store = CallStore(tmp_path / "r.sqlite")
    assert store.finish(_result("old", minutes_ago=60))
    assert store.finish(_result("new"))
    reopened = CallStore(tmp_path / "r.sqlite")
    assert reopened.result("new").answer == "ok"
    assert reopened.result("missing") is None
    assert [r.call_id for r in reopened.results()] == ["old", "new"]
    since = datetime.now(UTC) - timedelta(minutes=5)
    assert [r.call_id for r in reopened.results(since)] == ["new"]


def test_result_attributes_carry_outcome_and_answer():
    assert result_attributes(_result("c1")) == {
        "ivr.call_id": "c1", "ivr.outcome": "completed", "ivr.answer": "ok", "ivr.reason": ""}


def test_call_records_the_request_in_the_ledger_without_a_server(tmp_path, monkeypatch):
    monkeypatch.setenv("RESULTS_DB", str(tmp_path / "r.sqlite"))
    monkeypatch.setenv("LIVEKIT_URL", "ws://127.0.0.1:9")  # nothing listens there
    args = ["call", "--mock-ivr", "--goal", "balance", "--call-id", "c-1"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "call c-1 recorded" in result.output
    entry = CallStore(tmp_path / "r.sqlite").call("c-1")
    assert (entry.state, entry.mock_ivr, entry.request.task.goal) == ("requested", "{}", "balance")
    assert CliRunner().invoke(app, args).exit_code == 0  # the same request: the same call
    conflict = CliRunner().invoke(app, [*args[:-3], "another goal", "--call-id", "c-1"])
    assert conflict.exit_code == 1
    assert "call_id 'c-1' is already used by a different request" in conflict.output
    assert "Traceback" not in conflict.output


def test_call_asks_the_mock_ivr_for_audio_in_a_voice_it_has(tmp_path, monkeypatch):
    monkeypatch.setenv("RESULTS_DB", str(tmp_path / "r.sqlite"))
    args = ["call", "--ivr", "first_meridian_bank", "--goal", "balance", "--call-id", "c-2"]
    result = CliRunner().invoke(app, [*args, "--ivr-voice", "flite:slt"])
    assert result.exit_code == 0, result.output
    # the mock IVR's dispatch metadata, as the ledger will send it
    assert json.loads(CallStore(tmp_path / "r.sqlite").call("c-2").mock_ivr) == {
        "ivr": "first_meridian_bank", "voice": "flite:slt"}
    unknown = CliRunner().invoke(app, [*args[:-1], "c-3", "--ivr-voice", "flite:nobody"])
    assert unknown.exit_code == 2
    assert "--ivr-voice" in unknown.output and "unknown voice 'flite:nobody'" in unknown.output
    assert CallStore(tmp_path / "r.sqlite").call("c-3") is None


@pytest.mark.parametrize("max_calls", [None, 1, 4])
def test_a_worker_load_stays_under_the_target_so_the_server_never_drops_a_dispatch(
        max_calls):
    # livekit-server routes no job to a worker at or above its target load (0.7)
    loads = [worker_load(jobs, max_calls) for jobs in range(12)]
    assert loads[0] == 0
    assert all(a < b < SERVER_TARGET_LOAD == 0.7 for a, b in itertools.pairwise(loads))


def test_call_from_file_records_each_valid_line_and_names_the_bad_ones(tmp_path, monkeypatch):
    monkeypatch.setenv("RESULTS_DB", str(tmp_path / "r.sqlite"))
    target = {"kind": "participant", "identity": "mock-ivr"}
    lines = [json.dumps({"call_id": f"burst-{n}", "task": {"goal": "balance"},
                         "target": target}) for n in range(3)]
    lines.insert(1, json.dumps({"call_id": "bad", "task": {"goal": "balance"},
                                "target": {"kind": "fax"}}))
    requests = tmp_path / "requests.jsonl"
    requests.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(app, ["call", "--from-file", str(requests), "--mock-ivr"])
    assert result.exit_code == 1
    assert f"{requests}:2: call request: target: unknown kind 'fax'" in result.output
    store = CallStore(tmp_path / "r.sqlite")
    assert [store.call(f"burst-{n}").state for n in range(3)] == ["requested"] * 3
    assert store.call("bad") is None


def test_call_rejects_a_bad_number_before_dispatching():
    result = CliRunner().invoke(app, ["call", "--to", "12345", "--goal", "balance"])
    assert result.exit_code == 2
    assert "call request: target.number: must be an E.164 number" in result.output


def test_results_lists_the_store_with_webhook_states(tmp_path, monkeypatch):
    monkeypatch.setenv("RESULTS_DB", str(tmp_path / "r.sqlite"))
    CallStore(tmp_path / "r.sqlite").finish(_result("listed-call"),
                                            webhook_url="https://example.com/hook")
    result = CliRunner().invoke(app, ["results", "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert listed["call_id"] == "listed-call"
    assert listed["webhook"] == {"state": "pending", "attempts": 0, "last_error": None}


def _request(call_id: str, goal: str = "balance") -> CallRequest:
    return CallRequest.model_validate({"call_id": call_id, "task": {"goal": goal},
                                       "target": {"kind": "participant", "identity": "x"}})


def test_a_call_id_is_idempotent_and_a_final_result_is_never_overwritten(tmp_path):
    store = CallStore(tmp_path / "r.sqlite")
    first, created = store.record_request(_request("dup"))
    again, created_again = store.record_request(_request("dup"))
    assert (created, created_again) == (True, False)
    assert again == first
    with pytest.raises(CallIdConflict):
        store.record_request(_request("dup", goal="something else"))
    assert store.finish(_result("dup"))
    assert not store.finish(CallResult(call_id="dup", outcome="failed", reason="late"))
    assert store.result("dup").outcome == "completed"
    assert store.call("dup").state == "finished"
