"""The navigator's cloud-LLM path at the protocol level, offline.

A whole in-process call (supervisor, the navigator's ``AgentSession`` and tools, the mock
IVR) runs on the virtual-time loop with ``livekit.plugins.openai.LLM`` as the model,
pointed at :class:`tests.openai_stub.OpenAIStub`: a local OpenAI-compatible server that
streams scripted Chat Completions replies (text or tool calls) as Server-Sent Events and
records every request. So the tests cover what a cloud model really sees (the requests'
messages, tools and tool results) and that streamed tool calls reach the navigator's
tools, with the safety policy and the secret handling in between.

The stub serves from a background thread with its own event loop; each response closes
its connection, so between requests the virtual-time loop has no socket to wait on and
skips through the IVR's prompts and timers at no wall-time cost.

Each scripted reply answers one request. Keys pressed by a tool end the navigator's turn
(the supervisor cancels the tool reply), so the n-th key reply answers the n-th thing the
IVR said; a refused key is a tool error, which the model gets at once in a further request.
"""

from __future__ import annotations

import json
import logging
import time

import pytest
from livekit.plugins import openai
from openai_stub import OpenAIStub, Reply, ToolCall

from agent.call.events import ActionDeclined, Dtmf, InputCollected, NodeEntered
from agent.call.masking import MASK
from agent.call.task import CallTask
from agent.harness.runner import CallRun, simulate_call
from agent.harness.virtual_time import run_virtual
from agent.paths import SCENARIOS_DIR
from agent.scenario import IvrDefinition, load_ivr
from agent.supervisor import CallLimits

BANK_IVR = SCENARIOS_DIR / "ivrs/first_meridian_bank.yaml"
MODEL = "gpt-4.1-mini"
PIN = "2468"
BALANCE_GOAL = "What is the available balance of the checking account?"
TASK = CallTask(goal=BALANCE_GOAL, facts={"customer_id": "10000001", "pin": PIN},
                secrets=["pin"])
LIMITS = CallLimits(max_call_s=300, max_turns=20)
WALL_BUDGET_S = 20.0


def press(*keys: str) -> ToolCall:
    return ToolCall("send_dtmf_events", {"events": list(keys)})


def simulate_with_stub(ivr: IvrDefinition, task: CallTask, script: list[Reply]
                       ) -> tuple[CallRun, OpenAIStub, float]:
    """One call of the navigator through livekit-plugins-openai and the stub."""

    async def call(stub: OpenAIStub) -> CallRun:
        model = openai.LLM(model=MODEL, api_key="test", base_url=stub.base_url)
        try:
            return await simulate_call(ivr, task, model=model, limits=LIMITS)
        finally:
            await model.aclose()

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.DEBUG)  # the harness keeps every log line: search them all
    started = time.perf_counter()
    try:
        with OpenAIStub(script) as stub:
            run = run_virtual(call(stub))
    finally:
        root.setLevel(level)
    return run, stub, time.perf_counter() - started


def last_user_text(request: dict) -> str:
    users = [m for m in request["messages"] if m["role"] == "user"]
    assert users, f"a request without a user message: {request['messages']}"
    content = users[-1]["content"]
    return content if isinstance(content, str) else " ".join(
        part.get("text", "") for part in content)


def tool_messages(request: dict) -> list[dict]:
    return [m for m in request["messages"] if m["role"] == "tool"]


# --- the happy path: the bank IVR, checking balance -------------------------------------------

ID_PROMPT = "Please enter or say your 8-digit customer ID, followed by the pound key."
PIN_PROMPT = "Please enter your 4-digit PIN, followed by the pound key."
BALANCE_ANSWER = "The checking account's available balance is $2,417.53."
HAPPY_SCRIPT: list[Reply] = [
    press("1"),  # the welcome and the language menu: English
    press(*"10000001", "#"),  # the customer ID prompt
    ToolCall("enter_secret", {"name": "pin", "candidate": 0, "terminator": "#"}),
    press("1"),  # main menu: deposit accounts
    press("1"),  # deposit accounts: checking
    press("1"),  # checking: balance
    ToolCall("record_result", {"outcome": "completed", "answer": BALANCE_ANSWER,
                               "facts": [{"name": "available_balance",
                                          "value": "$2,417.53"}]}),
]
HEARD = [  # what the IVR says last in each of the turns the script answers
    "For English, press 1.",
    ID_PROMPT,
    PIN_PROMPT,
    "Main menu. For deposit accounts, press 1.",
    "Deposit accounts. For checking, press 1.",
    "Checking account ending in 4821. For your balance",
    "Your checking account available balance is $2,417.53.",
]


@pytest.fixture(scope="module")
def happy():
    return simulate_with_stub(load_ivr(BANK_IVR), TASK, HAPPY_SCRIPT)


def test_happy_path_completes_through_the_openai_plugin(happy):
    run, stub, wall = happy
    assert run.result.outcome == "completed", run.result.reason
    assert run.result.answer == BALANCE_ANSWER
    assert [(f.name, f.value) for f in run.result.facts] == [("available_balance", "$2,417.53")]
    assert run.result.declined == []
    # every scripted reply was asked for, and each key reply answered one IVR turn
    assert len(stub.requests) >= len(HAPPY_SCRIPT)
    for i, (request, heard) in enumerate(zip(stub.requests, HEARD, strict=False)):
        assert heard in last_user_text(request), f"request {i}: {last_user_text(request)!r}"
    assert wall < WALL_BUDGET_S


def test_happy_path_keys_reach_the_ivr(happy):
    run, _, _ = happy
    # the navigator's own log: English, the ID and its #, the PIN masked, then 1, 1, 1
    assert run.result.keys.startswith("110000001#••••#111")
    assert run.received_keys.startswith("110000001")
    collected = [(e.node, e.digits, e.valid) for e in run.ivr_events
                 if isinstance(e, InputCollected)]
    assert collected == [("ask_customer_id", "10000001", True), ("ask_pin", MASK, True)]
    entered = [e.node for e in run.ivr_events if isinstance(e, NodeEntered)]
    for node in ("main_menu", "deposit_menu", "checking_menu", "checking_balance"):
        assert node in entered


def test_ivr_receives_the_customer_id_terminator_in_clear(happy):
    run, _, _ = happy
    assert run.received_keys.startswith("110000001#")


def test_pin_never_reaches_the_model_nor_the_tool_outputs(happy):
    run, stub, _ = happy
    assert stub.requests
    for i, text in enumerate(stub.request_texts):
        assert PIN not in text, f"the PIN is in request {i}"
    assert not any(PIN in output for output in run.tool_outputs)
    assert "Entered pin (4 digits) followed by #." in run.tool_outputs
    assert PIN not in run.result.model_dump_json()
    assert run.log_lines  # the call's debug log, the plugin's included
    assert not any(PIN in line for line in run.log_lines)
    # the model knows the secret by name only
    system = stub.requests[0]["messages"][0]
    assert system["role"] == "system"
    assert "pin (1 candidate(s))" in system["content"]
    assert "10000001" in system["content"]  # a non-secret fact is given


def test_requests_follow_the_chat_completions_protocol(happy):
    _, stub, _ = happy
    for request in stub.requests:
        assert request["model"] == MODEL
        assert request["stream"] is True
        assert request["stream_options"] == {"include_usage": True}
        assert {t["function"]["name"] for t in request["tools"]} == {
            "send_dtmf_events", "enter_secret", "record_result"}
        assert all(t["type"] == "function" for t in request["tools"])
        assert request["messages"][0]["role"] == "system"


def test_streamed_tool_calls_are_assembled_and_answered(happy):
    # the arguments the stub streamed in pieces come back whole in the next request's
    # history, under the call id the stub gave, followed by the tool's result
    _, stub, _ = happy
    for n in range(1, len(HAPPY_SCRIPT)):
        sent: ToolCall = HAPPY_SCRIPT[n - 1]  # type: ignore[assignment]
        messages = stub.requests[n]["messages"]
        calls = [c for m in messages if m["role"] == "assistant"
                 for c in m.get("tool_calls") or []]
        assert calls, f"request {n} has no assistant tool call"
        last = calls[-1]
        assert last["type"] == "function"
        assert last["function"]["name"] == sent.name
        assert json.loads(last["function"]["arguments"]) == sent.arguments
        assert last["id"] == f"call_stub{n:04d}_0"
        results = [m for m in tool_messages(stub.requests[n]) if m["tool_call_id"] == last["id"]]
        assert len(results) == 1
    by_id = {m["tool_call_id"]: m["content"] for m in tool_messages(stub.requests[3])}
    assert by_id == {"call_stub0001_0": "Successfully sent DTMF events: 1",
                     "call_stub0002_0": "Successfully sent DTMF events: 1, 0, 0, 0, 0, 0, 0, "
                                        "1, #",
                     "call_stub0003_0": "Entered pin (4 digits) followed by #."}


def test_strict_schema_nulls_take_the_tools_defaults(happy):
    # the plugin sends strict tool schemas: every parameter is required, the optional ones
    # nullable, so a real model may send null for enter_secret's defaults
    _, stub, _ = happy
    enter_secret = next(t["function"] for t in stub.requests[0]["tools"]
                        if t["function"]["name"] == "enter_secret")
    assert enter_secret["strict"] is True
    parameters = enter_secret["parameters"]
    assert set(parameters["required"]) == {"name", "candidate", "terminator", "last_digits"}
    assert "null" in parameters["properties"]["last_digits"]["type"]
    script = list(HAPPY_SCRIPT)
    script[2] = ToolCall("enter_secret", {"name": "pin", "candidate": None, "terminator": "#",
                                          "last_digits": None})
    run, _, _ = simulate_with_stub(load_ivr(BANK_IVR), TASK, script)
    assert "Entered pin (4 digits) followed by #." in run.tool_outputs
    assert run.result.keys.startswith("110000001#••••#111")
    assert run.result.outcome == "completed", run.result.reason


# --- safety: a key whose option pays is refused ----------------------------------------------

PAY_MENU = ("To hear your balance, press 1. To pay your balance of $120.00 now with the card "
            "on file, press 2.")
PAY_IVR = IvrDefinition.model_validate({
    "id": "pay_menu",
    "name": "Pay Menu",
    "start": "start",
    "timeouts": {"no_input_s": 5, "inter_digit_s": 3, "max_retries": 2},
    "nodes": {
        "start": {"kind": "menu", "prompt": PAY_MENU,
                  "options": {"1": {"next": "balance"}, "2": {"next": "payment_made"}},
                  "on_failure": "done"},
        "balance": {"kind": "say", "prompt": "Your available balance is $120.00.",
                    "next": "anything_else"},
        "payment_made": {"kind": "say", "side_effect": True,
                         "prompt": "Your payment of $120.00 has been made.", "next": "done"},
        "anything_else": {"kind": "menu",
                          "prompt": "To hear this again, press 1. If you are finished, "
                                    "press 2.",
                          "options": {"1": {"next": "balance"}, "2": {"next": "done"}},
                          "on_failure": "done"},
        "done": {"kind": "hangup", "prompt": "Goodbye."},
    },
})
SAFETY_TASK = CallTask(goal=BALANCE_GOAL)
SAFETY_SCRIPT: list[Reply] = [
    press("2"),  # the menu: the model asks to pay; the safety policy must refuse
    press("1"),  # the refusal comes back as a tool error: hear the balance instead
    ToolCall("record_result", {"outcome": "completed",
                               "answer": "The available balance is $120.00.",
                               "facts": [{"name": "available_balance", "value": "$120.00"}]}),
]


@pytest.fixture(scope="module")
def refused():
    return simulate_with_stub(PAY_IVR, SAFETY_TASK, SAFETY_SCRIPT)


def test_a_paying_key_the_goal_did_not_ask_for_is_refused(refused):
    run, stub, wall = refused
    assert "2" not in [e.key for e in run.ivr_events if isinstance(e, Dtmf)]
    assert "payment_made" not in [e.node for e in run.ivr_events if isinstance(e, NodeEntered)]
    declined = [e for e in run.result.events if isinstance(e, ActionDeclined)]
    assert [(e.keys, e.action) for e in declined] == [
        ("2", "pay your balance of $120.00 now with the card on file")]
    assert len(run.result.declined) == 1
    assert run.result.declined[0].startswith(
        "pay your balance of $120.00 now with the card on file (2): it would pay")
    assert wall < WALL_BUDGET_S


def test_the_refusal_reaches_the_model_as_a_tool_error(refused):
    run, stub, _ = refused
    assert len(stub.requests) >= 2
    assert PAY_MENU in last_user_text(stub.requests[0])
    # the tool error is answered at once: the second request carries it, with no new
    # user turn in between
    second = stub.requests[1]
    assert second["messages"][-1]["role"] == "tool"
    assert second["messages"][-1]["tool_call_id"] == "call_stub0001_0"
    error = second["messages"][-1]["content"]
    assert "refused to press 2" in error
    assert "which the goal does not ask for" in error
    assert any("refused to press 2" in output for output in run.tool_outputs)


def test_after_a_refusal_the_call_goes_on_and_completes(refused):
    run, stub, _ = refused
    assert run.received_keys == "1"
    assert "balance" in [e.node for e in run.ivr_events if isinstance(e, NodeEntered)]
    assert "Your available balance is $120.00." in last_user_text(stub.requests[2])
    assert run.result.outcome == "completed", run.result.reason
    assert run.result.answer == "The available balance is $120.00."
