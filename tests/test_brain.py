"""The embedded brain: reading IVR prompts and choosing moves (pure functions, no session)."""

from __future__ import annotations

import pytest

from agent.call.events import ActionDeclined, Prompt
from agent.call.task import CallTask
from agent.navigator.brain import EnterSecret, PressKeys, RecordResult, Say
from agent.navigator.policy import IvrPolicy
from agent.navigator.prompt_reading import figures, load_vocabulary
from agent.navigator.prompt_reading import read_prompt as _read_prompt
from agent.navigator.prompt_reading import terms as _terms

VOCAB = load_vocabulary()


def read_prompt(text):
    return _read_prompt(text, VOCAB)


def terms(text):
    return _terms(text, VOCAB)


def heard(text: str) -> list[Prompt]:
    return [Prompt(at_s=0, end_s=0, text=text)]

MAIN_MENU = (
    "Main menu. For deposit accounts, press 1. For credit cards, press 2. For loans and "
    "mortgages, press 3. For all other services, press 5. To speak with a representative, "
    "press 0. To repeat this menu, press star."
)


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("For English, press 1.", [("1", "english")]),
        ("Press 2 for billing.", [("2", "billing")]),
        ("To hear it again, press the star key.", [("*", "hear it again")]),
        ("Para español, oprima el dos.", [("2", "español")]),
        ("If you are finished, press 2 or simply hang up.", [("2", "finished")]),
        ("You can say balance or press one.", [("1", "balance")]),
        ("Checking, press 4.", [("4", "checking")]),
        ("Please press pound for more options.", [("#", "more options")]),
    ],
)
def test_menu_phrasings_yield_key_and_label(prompt, expected):
    assert [(c.key, c.label) for c in read_prompt(prompt).choices] == expected


def test_say_only_menu_lists_phrases_without_keys():
    reading = read_prompt("For example, you can say routing number, or branch hours.")
    assert [(c.key, c.say) for c in reading.choices] == [
        (None, "routing number"), (None, "branch hours")]


def test_entry_request_gives_field_length_terminator_and_modes():
    entry = read_prompt("Please enter or say your 8-digit customer ID, followed by the pound key."
                        ).entry
    assert entry is not None
    assert (entry.field, entry.digits, entry.terminator) == ("customer id", 8, "#")
    assert entry.keys_accepted and entry.speech_accepted


def test_hold_and_person_are_recognised():
    assert read_prompt("Your call is important to us. Please continue to hold.").is_hold
    assert read_prompt("Thanks for holding, this is Alex. How can I help you?").is_human


def test_figures_are_amounts_dates_points_and_digit_strings():
    text = ("A minimum payment of $35.00 is due on December 12. You have 18,450 points. "
            "Our routing number is 0 2 1 0 0 0 0 8 9.")
    assert figures(text) == ["$35.00", "December 12", "18,450 points", "0 2 1 0 0 0 0 8 9"]


def test_phrases_fold_and_stop_words_drop():
    assert terms("the payoff quote for my home loan") == ["payoff", "quote", "mortgage"]


def _policy(goal: str, **facts) -> IvrPolicy:
    secrets = ["pin"] if "pin" in facts else []
    return IvrPolicy(CallTask(goal=goal, facts=facts, secrets=secrets), VOCAB)


def test_relevance_prefers_the_label_the_goal_explains():
    # "auto loan" shares "loan" with a home-loan goal, but "mortgage" is what it means
    policy = _policy("payoff quote for my home loan")
    assert policy.relevance("your mortgage") > policy.relevance("your auto loan")


def test_menu_choice_presses_the_best_key():
    decision = _policy("What is my checking balance?").decide(heard(MAIN_MENU))
    assert decision.actions == [PressKeys("1")]


def test_same_key_is_not_pressed_twice_at_the_same_menu():
    # after a dead end the brain must explore, not loop on the same option
    policy = _policy("Find the routing number for direct deposit.")
    assert policy.decide(heard(MAIN_MENU)).actions == [PressKeys("1")]
    assert policy.decide(heard("Checking, press 1.")).actions == [PressKeys("1")]
    assert policy.decide(heard(MAIN_MENU)).actions == [PressKeys("5")]


def test_a_declined_key_is_not_chosen_again():
    # the safety policy refused the key: the brain decides again without it
    policy = _policy("What is my checking balance?")
    assert policy.decide(heard(MAIN_MENU)).actions == [PressKeys("1")]
    declined = ActionDeclined(at_s=1, keys="1", action="deposit accounts", reason="test")
    assert policy.decide([declined]).actions != [PressKeys("1")]


def test_secret_entry_goes_through_enter_secret_and_never_holds_the_value():
    decision = _policy("balance", customer_id="10000001", pin="2468").decide(
        heard("Please enter your 4-digit PIN, followed by the pound key."))
    assert decision.actions == [EnterSecret("pin", 0, "#")]
    assert "2468" not in repr(decision)


def test_rejected_pin_moves_to_the_next_candidate_then_gives_up():
    policy = IvrPolicy(CallTask(goal="balance", facts={"pin": ["1111", "2468"]},
                                secrets=["pin"]), VOCAB)
    ask = "Please enter your 4-digit PIN, followed by the pound key."
    again = "The PIN you entered is incorrect. " + ask
    assert policy.decide(heard(ask)).actions == [EnterSecret("pin", 0, "#")]
    assert policy.decide(heard(again)).actions == [EnterSecret("pin", 1, "#")]
    third = policy.decide(heard(again)).actions
    assert isinstance(third[0], RecordResult) and third[0].outcome == "failed"


def test_missing_fact_fails_with_the_field_named():
    decision = _policy("balance", customer_id="1").decide(
        heard("Please enter your account number, followed by the pound key."))
    record = decision.actions[0]
    assert isinstance(record, RecordResult) and record.outcome == "failed"
    assert "account number" in record.reason


def test_information_that_answers_the_goal_is_recorded_with_facts():
    decision = _policy("What is the available balance of the checking account?").decide(
        heard("Your checking account available balance is $2,417.53."))
    assert decision.actions == [RecordResult(
        "completed", "Your checking account available balance is $2,417.53.",
        facts=(("checking_account_available_balance", "$2,417.53"),))]


def test_hold_keeps_quiet():
    decision = _policy("Speak with a representative.").decide(
        heard("Your call is important to us. Please continue to hold."))
    assert decision.actions == []


def test_a_person_is_told_the_goal():
    decision = _policy("Speak with a representative.").decide(
        heard("Thanks for holding, this is Alex. How can I help you?"))
    assert isinstance(decision.actions[0], Say)


def test_repeated_prompt_ends_the_loop():
    policy = _policy("sales")
    notice = "We are experiencing longer than normal wait times."
    for _ in range(3):
        assert policy.decide(heard(notice)).actions == []
    record = policy.decide(heard(notice)).actions[0]
    assert isinstance(record, RecordResult) and record.outcome == "failed"
    assert "repeated" in record.reason


def test_nothing_new_heard_means_no_move():
    # e.g. a reply asked for after keys were pressed, with nothing said since
    policy = _policy("What is my checking balance?")
    policy.decide(heard(MAIN_MENU))
    assert policy.decide([]).actions == []
