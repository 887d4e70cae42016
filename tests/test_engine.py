"""Tests for agent.ivr.engine.IvrEngine on simulated time: the shipped bank IVR and small
inline IVRs. Inline IVRs speak at 60 words per minute, so every word lasts one second."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.call.events import (
    CALL_EVENTS,
    CallerSpeech,
    Dtmf,
    HoldEnded,
    HoldStarted,
    HungUp,
    InputCollected,
    NodeEntered,
    Prompt,
    Transferred,
)
from agent.ivr.engine import IvrEngine
from agent.scenario import IvrDefinition, load_ivr

REPO = Path(__file__).parent.parent
BANK = load_ivr(REPO / "scenarios/ivrs/first_meridian_bank.yaml")
ID_PROMPT = "Please enter or say your 8-digit customer ID, followed by the pound key."
PIN_PROMPT = "Please enter your 4-digit PIN, followed by the pound key."
STILL_THERE = "Hello? Are you still there?"


def tiny(**nodes: dict) -> IvrDefinition:
    """An IVR starting at node ``start``, plus ``failed`` (hang-up) and ``done`` (hang-up)."""
    return IvrDefinition.model_validate({
        "id": "tiny",
        "name": "Tiny",
        "start": "start",
        "speaking_rate_wpm": 60,
        "timeouts": {"no_input_s": 5, "inter_digit_s": 3, "max_retries": 2},
        "nodes": {
            **nodes,
            "failed": {"kind": "hangup", "prompt": "Sorry."},
            "done": {"kind": "hangup", "prompt": "Bye."},
        },
    })


MENU = tiny(start={
    "kind": "menu",
    "prompt": "Press one or two.",  # 4 s
    "options": {"1": {"next": "done"}, "2": {"next": "away"}},
    "invalid_prompt": "Invalid.",
    "no_input_prompt": "Nothing heard.",
    "on_failure": "failed",
}, away={"kind": "transfer", "prompt": "Transferring.", "to": "+15550100"})

COLLECT = tiny(start={
    "kind": "collect",
    "prompt": "Enter your code.",  # 3 s
    "min_digits": 4,
    "max_digits": 6,
    "store_as": "code",
    "invalid_prompt": "Invalid code.",
    "next": "done",
    "on_invalid": "failed",
})


def said(events: list) -> list[str]:
    return [e.text for e in events if isinstance(e, Prompt)]


def only(events: list, kind: type) -> list:
    return [e for e in events if isinstance(e, kind)]


def press(engine: IvrEngine, keys: str) -> list:
    return [event for key in keys for event in engine.press(key)]


def started(ivr: IvrDefinition) -> IvrEngine:
    engine = IvrEngine(ivr)
    engine.start()
    return engine


def at_customer_id() -> IvrEngine:
    engine = started(BANK)
    engine.press("1")  # English
    return engine


def at_main_menu() -> IvrEngine:
    engine = at_customer_id()
    press(engine, "10000001")
    press(engine, "2468")
    assert engine.node_id == "main_menu"
    return engine


def at_representative() -> IvrEngine:
    engine = at_main_menu()
    engine.press("0")
    while engine.node_id != "representative":
        engine.advance_to_next_timer()
    return engine


# --- start and prompt timing ------------------------------------------------------------


def test_start_says_welcome_then_the_language_menu():
    # guards against a say node that does not chain to its `next`, or a lost start prompt
    engine = IvrEngine(BANK)
    events = engine.start()
    assert [(e.type, e.node) for e in events] == [
        ("node_entered", "welcome"), ("prompt", "welcome"),
        ("node_entered", "language"), ("prompt", "language"),
    ]
    welcome, menu = only(events, Prompt)
    assert welcome.text == (
        "Thank you for calling First Meridian Bank. This call may be recorded for quality "
        "assurance."
    )
    assert welcome.end_s - welcome.at_s == pytest.approx(15 * 60 / 165)  # 15 words, 165 wpm
    assert menu.at_s == pytest.approx(welcome.end_s)  # the menu waits for the welcome
    assert engine.node_id == "language"
    assert engine.now_s == pytest.approx(menu.end_s)
    assert not engine.ended


# --- menus ------------------------------------------------------------------------------


def test_menu_key_goes_to_its_option():
    engine = started(MENU)
    events = engine.press("1")
    assert [e.type for e in events] == ["dtmf", "node_entered", "prompt", "hung_up"]
    assert engine.node_id == "done"


def test_star_repeats_the_prompt_without_using_a_retry():
    # guards against callers who ask for a repeat being sent to on_failure
    engine = started(MENU)
    for _ in range(3):
        assert said(engine.press("*")) == ["Press one or two."]
    assert said(press(engine, "77")) == ["Invalid.", "Press one or two."] * 2
    assert engine.node_id == "start"


def test_invalid_key_reprompts_then_gives_up_after_max_retries():
    # guards against an off-by-one in max_retries (2 re-prompts, the 3rd miss gives up)
    engine = started(MENU)
    assert said(engine.press("7")) == ["Invalid.", "Press one or two."]
    assert said(engine.press("8")) == ["Invalid.", "Press one or two."]
    events = engine.press("9")
    assert [e.node for e in only(events, NodeEntered)] == ["failed"]
    assert engine.ended


def test_no_input_reprompts_then_gives_up_after_max_retries():
    # guards against a menu that waits forever for a silent caller
    engine = started(MENU)
    assert engine.now_s == 4
    events = engine.advance_to_next_timer()
    assert said(events) == ["Nothing heard.", "Press one or two."]
    assert events[0].at_s == 9  # prompt (4 s) + no_input_s (5 s)
    engine.advance_to_next_timer()
    events = engine.advance_to_next_timer()
    assert [e.node for e in only(events, NodeEntered)] == ["failed"]
    assert only(events, HungUp)[0].by == "ivr"


def test_spoken_keyword_selects_an_option():
    engine = at_main_menu()
    engine.press("1")
    engine.hear("savings please")
    assert engine.node_id == "savings_menu"


@pytest.mark.parametrize(("heard", "node"), [
    # an STT drops a plural or splits a word: a speech grammar still matches the phrase
    pytest.param("saving", "savings_menu", id="singular"),
    pytest.param("the main menu", "main_menu", id="phrase"),
    pytest.param("main-menu", "main_menu", id="hyphenated"),
    pytest.param("lifesavings", "deposit_menu", id="not-inside-another-word"),
])
def test_a_keyword_is_heard_in_its_other_forms(heard, node):
    engine = at_main_menu()
    engine.press("1")
    engine.hear(heard)
    assert engine.node_id == node


def test_the_option_named_first_is_chosen():
    # "my transcript, for a grad school application": the call is about the transcript
    ivr = tiny(start={
        "kind": "menu", "prompt": "Say a department.", "accepts_keys": False,
        "options": {"1": {"next": "away", "keywords": ["admissions", "application"]},
                    "2": {"next": "done", "keywords": ["registrar", "transcript"]}},
        "invalid_prompt": "Invalid.", "on_failure": "failed",
    }, away={"kind": "transfer", "prompt": "Transferring.", "to": "+15550100"})
    engine = started(ivr)
    engine.hear("I need a copy of my transcript for a grad school application.")
    assert engine.node_id == "done"


def test_spoken_digit_selects_like_the_key():
    # guards against "two" being treated as an unknown keyword instead of key 2
    engine = at_main_menu()
    engine.press("1")
    engine.hear("two")
    assert engine.node_id == "savings_menu"


# --- collect ----------------------------------------------------------------------------


def test_customer_id_ends_on_max_digits():
    engine = at_customer_id()
    events = press(engine, "10000001")
    assert only(events, InputCollected) == [InputCollected(
        at_s=events[0].at_s, node="ask_customer_id", name="customer_id", digits="10000001",
        valid=True,
    )]
    assert engine.node_id == "ask_pin"


def test_pound_after_a_full_entry_is_not_a_new_empty_entry():
    # guards against "10000001#" using up a PIN retry with an empty entry at ask_pin
    engine = at_customer_id()
    press(engine, "10000001")
    events = engine.press("#")
    assert [e.type for e in events] == ["dtmf"]
    assert engine.node_id == "ask_pin"
    press(engine, "2468#")
    assert engine.node_id == "main_menu"


def test_terminator_ends_entry_early():
    engine = started(COLLECT)
    events = press(engine, "1234#")
    assert [(e.digits, e.valid) for e in only(events, InputCollected)] == [("1234", True)]
    assert engine.node_id == "done"


def test_too_short_entry_is_invalid_and_reprompted():
    # guards against a 2-digit entry being accepted, or rejected without saying so
    engine = started(COLLECT)
    events = press(engine, "12#")
    assert only(events, InputCollected) == [InputCollected(
        at_s=3, node="start", name="code", digits="12", valid=False,
        reason="2 digits, at least 4 needed",
    )]
    assert said(events) == ["Invalid code.", "Enter your code."]
    assert engine.node_id == "start"
    press(engine, "1234#")
    assert engine.node_id == "done"


def test_inter_digit_timeout_ends_entry():
    # guards against an entry without terminator that never ends
    engine = started(COLLECT)
    press(engine, "12345")
    events = engine.advance_to_next_timer()
    collected = only(events, InputCollected)[0]
    assert (collected.digits, collected.valid, collected.at_s) == ("12345", True, 3 + 3)
    assert engine.node_id == "done"


def test_spoken_digits_fill_a_collect_node():
    # guards against "oh" not being read as zero in a spoken customer id
    engine = at_customer_id()
    events = engine.hear("one oh oh oh oh oh oh one")
    assert only(events, InputCollected)[0].digits == "10000001"
    assert engine.node_id == "ask_pin"


def test_unknown_customer_id_is_rejected():
    engine = at_customer_id()
    events = press(engine, "99999999")
    collected = only(events, InputCollected)[0]
    assert (collected.valid, collected.reason) == (False, "unknown customer")
    assert said(events) == ["I'm sorry, I could not find that customer ID.", ID_PROMPT]
    assert engine.node_id == "ask_customer_id"


def test_wrong_pin_then_right_pin():
    engine = at_customer_id()
    press(engine, "10000001")
    events = press(engine, "1111")
    assert only(events, InputCollected)[0].reason == "wrong pin"
    assert said(events) == ["The PIN you entered is incorrect.", PIN_PROMPT]
    press(engine, "2468")
    assert engine.node_id == "main_menu"


def test_pin_never_appears_in_clear_in_the_event_log():
    # guards against PIN keys or digits reaching logs, transcripts or reports
    engine = at_customer_id()
    press(engine, "10000001#")
    press(engine, "1111#")
    engine.hear("two four six eight")
    assert engine.node_id == "main_menu"
    pin_events = [e for e in engine.log if getattr(e, "node", "") == "ask_pin"]
    # every digit masked; the terminator is no secret
    assert {e.key for e in only(pin_events, Dtmf)} == {"•", "#"}
    assert {e.digits for e in only(pin_events, InputCollected)} == {"****"}
    assert [e.text for e in only(pin_events, CallerSpeech)] == ["****"]
    texts = [v for e in CALL_EVENTS.dump_python(engine.log) for v in e.values()
             if isinstance(v, str)]
    assert not [t for t in texts if "1111" in t or "2468" in t or "two four" in t]


def test_templates_render_the_authenticated_customer():
    # guards against prompts rendered before the customer is identified ("Welcome, .")
    engine = at_customer_id()
    press(engine, "10000001")
    events = press(engine, "2468")
    assert said(events)[0].startswith("Welcome, Jordan. Main menu.")


# --- hold and the live representative ---------------------------------------------------

HOLD = tiny(start={
    "kind": "hold",
    "seconds": 60,
    "announcements": ["Please hold."],  # 2 s
    "announce_every_s": 25,
    "next": "rep",
}, rep={"kind": "human", "prompt": "Hi, Alex here."})


def test_hold_announces_then_ends_after_its_seconds():
    # guards against a hold that never ends, or ends early, on simulated time
    engine = IvrEngine(HOLD)
    assert only(engine.start(), HoldStarted) == [HoldStarted(at_s=0, node="start", seconds=60)]
    events = engine.advance(60)
    announcements = [e for e in only(events, Prompt) if e.text == "Please hold."]
    assert len(announcements) == 2
    assert announcements[0].at_s == 25
    assert only(events, HoldEnded) == [HoldEnded(at_s=60, node="start")]
    assert said(events)[-1] == "Hi, Alex here."
    assert engine.node_id == "rep"


def test_shipped_hold_lasts_its_seconds():
    # guards against the bank's 60 s hold taking 63.1 s (announcements at +25 and +56.5 s)
    engine = at_main_menu()
    started_at = only(engine.press("0"), HoldStarted)[0].at_s
    events = engine.advance(90)
    announced = [e.at_s - started_at for e in only(events, Prompt) if e.node ==
                 "representative_hold"]
    assert announced == pytest.approx([25, 50])
    assert only(events, HoldEnded)[0].at_s - started_at == pytest.approx(60)


def test_advance_on_hold_moves_only_the_simulated_clock():
    engine = at_main_menu()
    engine.press("0")
    before = engine.now_s
    engine.advance(60)
    assert engine.now_s >= before + 60
    assert engine.node_id == "representative"


def test_representative_answers_by_keyword_and_hangs_up_after_goodbye():
    engine = at_representative()
    reply = only(engine.hear("What is my balance?"), Prompt)
    assert [(e.speaker, e.text) for e in reply] == [
        ("human", "Your checking balance is $2,417.53. Is there anything else?")
    ]
    events = engine.hear("No, that's all. Goodbye.")
    assert said(events) == ["You're welcome. Thank you for calling First Meridian Bank, goodbye."]
    assert only(events, HungUp)[0].by == "ivr"
    assert engine.ended


def test_representative_checks_on_a_silent_caller():
    engine = at_representative()
    greeting_end = engine.now_s
    events = engine.advance_to_next_timer()
    assert said(events) == [STILL_THERE]
    assert events[0].at_s == pytest.approx(greeting_end + BANK.timeouts.no_input_s)


def test_representative_waits_after_a_long_reply():
    # guards against "Hello? Are you still there?" right after an 11 s answer
    engine = at_representative()
    reply = only(engine.hear("I want to dispute a charge."), Prompt)[0]
    assert engine.next_timer_s == pytest.approx(
        reply.end_s + BANK.timeouts.no_input_s
    )


def test_representative_does_not_check_on_a_caller_who_is_speaking():
    # guards against "Are you still there?" while a long answer is still being spoken
    engine = at_representative()
    engine.caller_speaking()
    assert engine.next_timer_s is None
    engine.advance(30)
    reply = only(engine.hear("I want to dispute a charge."), Prompt)
    assert STILL_THERE not in [e.text for e in reply]


def test_speech_with_no_words_starts_the_wait_again():
    engine = started(MENU)
    engine.caller_speaking()
    assert engine.next_timer_s is None
    engine.advance(2)
    engine.hear("")  # nothing recognised
    assert engine.next_timer_s == pytest.approx(engine.now_s + 5)


def test_speech_heard_as_audio_took_its_time_already():
    # text in: the words last their time at the speaking rate; from audio, the IVR hears
    # them when they have ended, so its answer follows at once
    for caller_audio, later in ((False, True), (True, False)):
        engine = IvrEngine(MENU, caller_audio=caller_audio)
        engine.start()
        before = engine.now_s
        answer = only(engine.hear("some words that are not an option here"), Prompt)[0]
        assert only(engine.log, CallerSpeech)[0].at_s == before
        assert answer.text == "Invalid."
        assert (answer.at_s > before) == later


# --- how calls end ----------------------------------------------------------------------


def test_transfer_node_ends_the_call():
    engine = at_main_menu()
    press(engine, "22")  # credit cards, lost or stolen
    assert only(engine.log, Transferred) == [Transferred(
        at_s=engine.now_s, node="card_services_transfer", to="card-services",
    )]
    assert engine.ended


def test_hangup_node_ends_the_call():
    engine = started(MENU)
    events = engine.press("1")
    assert events[-1] == HungUp(at_s=5, by="ivr", reason="hang-up node done")
    assert engine.ended and engine.next_timer_s is None


def test_transfer_in_an_inline_ivr():
    engine = started(MENU)
    assert only(engine.press("2"), Transferred)[0].to == "+15550100"
    assert engine.ended


def test_nothing_happens_after_the_caller_hangs_up():
    # guards against a hung-up call still reacting to keys, speech or timers
    engine = started(MENU)
    assert engine.hang_up() == [HungUp(at_s=4, by="caller", reason="caller hung up")]
    assert engine.ended
    assert engine.press("1") == []
    assert engine.hear("hello") == []
    assert engine.advance_to_next_timer() == []
    assert engine.hang_up() == []
    assert engine.log[-1].type == "hung_up"
