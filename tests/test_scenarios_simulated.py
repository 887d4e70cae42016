"""Every shipped scenario, run through the harness: the navigator's real AgentSession with
ivr_detection=True, LiveKit's send_dtmf_events and the embedded brain, against the mock
bank IVR. The judge checks the digits the IVR received, not the tool calls."""

from __future__ import annotations

import pytest

from agent.harness.runner import run_scenario, simulate_call
from agent.paths import SCENARIOS_DIR as SCENARIOS
from agent.scenario import CallTask, find_scenario_files, load_scenario

SHIPPED = find_scenario_files(SCENARIOS)


def test_at_least_ten_scenarios_ship():
    assert len(SHIPPED) >= 10


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
async def test_shipped_scenario_passes_with_the_embedded_brain(path):
    run = await run_scenario(load_scenario(path))
    assert run.verdict.reasons == []
    assert run.result.outcome == run.loaded.scenario.expect.outcome
    # the keys reached the IVR through publish_dtmf, i.e. the tool really ran
    assert run.received_keys.startswith("1")
    assert len(run.result.keys) >= len(run.received_keys) - 1


async def test_pin_never_appears_in_clear(bank_ivr):
    task = CallTask(goal="What is the available balance of the checking account?",
                    facts={"customer_id": "10000001", "pin": "2468"}, secrets=["pin"])
    run = await simulate_call(bank_ivr, task)
    assert run.result.outcome == "completed"
    dumped = run.result.model_dump_json() + "".join(e.model_dump_json() for e in run.events)
    assert "2468" not in dumped
    assert "pressed pin (4 digits) #" in [line.text for line in run.result.transcript]
    assert "••••" in run.result.key_string


async def test_navigator_stays_silent_after_pressing_keys(bank_ivr):
    # The built-in tool's "Successfully sent DTMF events" must not make the agent speak
    # over the IVR: the only caller speech in a keys-only call is none at all.
    task = CallTask(goal="How many rewards points does the customer have?",
                    facts={"customer_id": "10000001", "pin": "2468"}, secrets=["pin"])
    run = await simulate_call(bank_ivr, task)
    assert run.result.outcome == "completed"
    assert [line for line in run.result.transcript
            if line.speaker == "caller" and line.kind == "speech"] == []


async def test_sixty_second_hold_is_simulated_not_waited(bank_ivr):
    task = CallTask(goal="Speak with a live representative about a disputed charge.",
                    facts={"customer_id": "10000001", "pin": "2468"}, secrets=["pin"])
    run = await simulate_call(bank_ivr, task)
    assert run.result.outcome == "transferred_to_human"
    assert run.result.duration_s > 60
    hold = [e for e in run.events if e.type == "hold_started"]
    assert hold and hold[0].seconds == 60


async def test_turn_limit_ends_a_call_as_timeout(bank_ivr):
    task = CallTask(goal="What is the available balance of the checking account?",
                    facts={"customer_id": "10000001", "pin": "2468"}, secrets=["pin"])
    run = await simulate_call(bank_ivr, task, max_turns=3)
    assert run.result.outcome == "timeout"
    assert "3 turns" in run.result.reason


async def test_ivr_hang_up_before_a_result_is_reported(bank_ivr):
    # a Spanish-only caller reaches the "no Spanish service" node, where the IVR hangs up
    task = CallTask(goal="Consultar el saldo de la cuenta corriente.",
                    facts={"customer_id": "10000001", "language": "español"})
    run = await simulate_call(bank_ivr, task)
    assert run.result.outcome == "ivr_hung_up"
    assert "spanish_unavailable" in run.result.reason
