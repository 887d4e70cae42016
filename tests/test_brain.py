"""The embedded brain: the moves it decides turn by turn (the policy alone, no session).
How prompts are read is tested in test_reading.py; the safety policy in test_safety.py."""

from __future__ import annotations

import pytest

from agent.call.events import ActionDeclined, Prompt
from agent.call.task import CallTask
from agent.navigator.brain import EnterSecret, PressKeys, RecordResult, Say
from agent.navigator.policy import CONFIDENT_CHOICE, IvrPolicy, _format_date, _parse_date
from agent.navigator.vocabulary import load_vocabulary

VOCAB = load_vocabulary()


def heard(text: str) -> list[Prompt]:
    return [Prompt(at_s=0, end_s=0, text=text)]


MAIN_MENU = (
    "Main menu. For deposit accounts, press 1. For credit cards, press 2. For loans and "
    "mortgages, press 3. For all other services, press 5. To speak with a representative, "
    "press 0. To repeat this menu, press star."
)


def _policy(goal: str, **facts) -> IvrPolicy:
    secrets = ["pin"] if "pin" in facts else []
    return IvrPolicy(CallTask(goal=goal, facts=facts, secrets=secrets), VOCAB)


def test_relevance_prefers_the_label_the_goal_explains():
    # "auto loan" shares "loan" with a home-loan goal, but "mortgage" is what it means
    policy = _policy("payoff quote for my home loan")
    assert policy.relevance.score("your mortgage") > policy.relevance.score("your auto loan")


def test_a_balance_transfer_is_not_a_balance():
    # a card product named with a common word: "balance and available credit" is no
    # place to discuss a balance transfer offer with a person
    policy = _policy("I got a balance transfer offer in the mail and I'd like to talk it "
                     "over with an actual person.")
    assert policy.relevance.score("balance and available credit") < CONFIDENT_CHOICE
    assert policy.decide(heard(
        "Main menu. Balance and available credit, press 1. Payments, press 2. Rewards, "
        "press 5.")).actions == [PressKeys("0")]


def test_a_when_question_goes_where_schedules_are_told():
    # "schedules" offers a time as "schedule" does; a trash pickup is a collection
    policy = _policy("When is my next trash pickup?")
    assert policy.decide(heard(
        "For collection schedules and holiday changes, press 1. To request a bulk item "
        "pickup, press 2. For billing, press 3.")).actions == [PressKeys("1")]


def test_a_homeowners_policy_is_home_insurance():
    policy = _policy("When does my homeowners policy renew?")
    assert policy.decide(heard(
        "For auto insurance, press 1. For home and renters insurance, press 2. For life "
        "insurance, press 3.")).actions == [PressKeys("2")]


def test_the_one_weak_lead_is_tried_before_giving_up():
    # no option reaches CHOOSE_MIN, but one is related to the goal and no other is near it
    policy = _policy("Is my car ready for pickup?")
    menu = ("To schedule service, press 1. To check on a vehicle currently in our shop, "
            "press 2. For parts, press 3.")
    assert policy.decide(heard(menu)).actions == [PressKeys("2")]


def test_a_label_listing_examples_scores_as_its_best_example():
    # a long list of examples must not dilute the one the goal names
    policy = _policy("My truck won't start and I need someone to give me a jump.")
    label = "roadside assistance, such as a tow, a jump start or help with a flat tire"
    assert policy.relevance.score(label) == policy.relevance.score(
        "roadside assistance a jump start")
    assert policy.relevance.score(label) >= CONFIDENT_CHOICE  # enough to leave the main path


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


def test_a_goal_asking_for_a_number_to_call_waits_for_a_phone_number():
    policy = _policy("Who's the adjuster on my claim, and what number can I reach them at?")
    status = ("Your claim is under review, and your adjuster will contact you once the "
              "estimate has been received.")
    menu = ("To hear your adjuster's name and direct phone number, press 1. To return to "
            "the main menu, press 9.")
    assert policy.decide(heard(f"{status} {menu}")).actions == [PressKeys("1")]
    record = policy.decide(heard("Your adjuster is Kevin Osei, at 360-555-0175.")).actions[0]
    assert isinstance(record, RecordResult) and "360-555-0175" in record.answer


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


def test_one_option_that_does_not_serve_is_heard_out_before_giving_up():
    # a menu read aloud may pause after its first option (or its start was not heard):
    # one option is no whole menu, so the call waits for the rest, or for its repeat
    policy = _policy("What is my checking balance?")
    assert policy.decide(heard("For store hours, press 1.")).actions == []
    assert policy.decide(heard("For checking accounts, press 2.")).actions == [PressKeys("2")]

    policy = _policy("What is my checking balance?")
    assert policy.decide(heard("For store hours, press 1.")).actions == []
    record = policy.decide(heard("I didn't hear a selection. For store hours, press one.")
                           ).actions[0]
    assert isinstance(record, RecordResult) and record.outcome == "failed"


def test_a_no_input_reprompt_after_speaking_says_it_again_once():
    # over a phone line the IVR's timer may run out before the caller's words reach it:
    # "I didn't hear" is not "I didn't understand", so the same words go again, once
    policy = _policy("Find the bank's routing number for a direct deposit form.")
    menu = ("In a few words, please tell me what you're calling about. For example, you "
            "can say routing number, or branch hours.")
    assert policy.decide(heard(menu)).actions == [Say("routing number")]
    again = "I'm sorry, I didn't hear a selection. " + menu
    assert policy.decide(heard(again)).actions == [Say("routing number")]
    assert policy.decide(heard(again)).actions != [Say("routing number")]


def test_a_phrase_not_understood_is_followed_by_the_goal_not_a_weaker_phrase():
    goal = ("Please order an official copy of my transcript to be emailed to me - I need it "
            "for a grad school application.")
    policy = _policy(goal)
    menu = ("Please say the name of the department you're trying to reach, like admissions, "
            "financial aid, or the registrar. Or to speak with the university operator, just "
            "stay on the line.")
    assert policy.decide(heard(menu)).actions == [Say("registrar")]
    again = "I'm sorry, I didn't find a department by that name. " + menu
    assert policy.decide(heard(again)).actions == [Say(goal)]


def test_a_label_misspelt_by_the_stt_still_matches():
    # Whisper wrote "Baggage" as "Bagage"; "flight" in the goal is only its story
    policy = _policy("Check whether Skyward has found the bag I reported missing after my "
                     "flight into Denver last night.")
    menu = ("Please tell me what you're calling about. You can say flight status or press 1. "
            "Reservations or press 2. Bagage or press 3. Skyward miles or press 4.")
    assert policy.decide(heard(menu)).actions == [PressKeys("3")]


def test_nothing_new_heard_means_no_move():
    # e.g. a reply asked for after keys were pressed, with nothing said since
    policy = _policy("What is my checking balance?")
    policy.decide(heard(MAIN_MENU))
    assert policy.decide([]).actions == []


def test_date_of_birth_is_entered_in_the_format_asked():
    # the fact says 1987-04-12; the IVR asks for two digits each for month and day, four
    # for the year: 04121987 (never the member ID, another fact)
    decision = _policy("When is my next appointment?", member_id="778812",
                       date_of_birth="1987-04-12").decide(heard(
        "Using your telephone keypad, enter your date of birth as two digits for the month, "
        "two for the day, and four for the year."))
    assert decision.actions == [PressKeys("04121987")]


def test_dates_written_every_way_parse():
    for written in ("1987-04-12", "04/12/1987", "4-12-87", "April 12, 1987", "12 April 1987",
                    "04121987"):
        assert _format_date(_parse_date(written), "MMDDYYYY") == "04121987", written
    assert _format_date(_parse_date("21/12/2003"), "MMDDYYYY") == "12212003"  # day first


def test_the_last_four_digits_of_a_secret_go_through_enter_secret():
    policy = IvrPolicy(CallTask(goal="What is my license status?",
                                facts={"ssn": "123-45-6789"}, secrets=["ssn"]), VOCAB)
    decision = policy.decide(heard(
        "Now enter the last four digits of your Social Security number."))
    assert decision.actions == [EnterSecret("ssn", 0, "", 4)]


def test_a_side_effect_option_is_never_chosen_for_a_goal_that_does_not_ask_for_it():
    # the goal asks for a payment plan: "pay your balance now" pays; "billing questions"
    # is where arrangements live
    decision = _policy("I want to set up a payment plan for my bill.").decide(heard(
        "To pay your balance of $142.67 now with the card on file, press 1. For billing "
        "questions, press 2."))
    assert decision.actions == [PressKeys("2")]


def test_an_answer_without_figures_is_recorded_whole():
    policy = _policy("Where is my package? Is it coming today?")
    policy.decide(heard("If you're calling to track a package, press 1."))
    decision = policy.decide(heard(
        "Your package is out for delivery and should arrive by end of day. To hear that "
        "again, press 1."))
    record = decision.actions[0]
    assert isinstance(record, RecordResult) and record.outcome == "completed"
    assert "out for delivery" in record.answer


def test_a_person_is_recognised_by_a_named_greeting_not_by_this_is():
    policy = _policy("I need to talk to a representative about my bill.")
    notice = policy.decide(heard("Thank you for calling Brightwave. This is an automated "
                                 "system. For billing, press 1. For an agent, press 0."))
    assert notice.actions == [PressKeys("0")]  # a menu, not a person
    greeting = policy.decide(heard("Thank you for holding, this is Renee with Brightwave. "
                                   "How can I help you?"))
    assert isinstance(greeting.actions[-1], RecordResult)
    assert greeting.actions[-1].outcome == "transferred_to_human"


def test_keep_holding_is_pressed_every_time_it_is_asked():
    policy = _policy("Speak with a representative.")
    ask = "We're still experiencing higher than normal call volume. To continue holding, press 1."
    assert policy.decide(heard(ask)).actions == [PressKeys("1")]
    assert policy.decide(heard(ask)).actions == [PressKeys("1")]


def test_spanish_caller_picks_spanish_and_reads_a_spanish_menu():
    policy = IvrPolicy(CallTask(goal="¿Cuál es mi saldo?", facts={"language": "español"}),
                       VOCAB)
    assert policy.decide(heard("For English, press 1. Para español, oprima el dos.")
                         ).actions == [PressKeys("2")]
    assert policy.decide(heard("Para pagos, oprima 1. Para escuchar su saldo, oprima 2.")
                         ).actions == [PressKeys("2")]


def test_a_yes_no_question_is_answered_from_the_facts():
    policy = _policy("A rock cracked my windshield. Please file a claim for it.",
                     anyone_injured="no")
    decision = policy.decide(heard("Was anyone injured? If anyone was injured, press 1. If no "
                                   "one was injured, press 2."))
    assert decision.actions == [PressKeys("2")]


def test_a_goal_that_refuses_a_person_never_tries_the_operator():
    goal = ("Replace my cracked card. Just see whether the automated menu can do that; I "
            "don't want to wait on hold for a person.")
    menu = "For flight status, press 1. To speak with a representative, press 0."
    assert _policy("I want a person to replace my cracked card.").decide(
        heard(menu)).actions == [PressKeys("0")]
    decision = _policy(goal).decide(heard(menu))
    assert decision.actions and isinstance(decision.actions[0], RecordResult)
    assert decision.actions[0].outcome == "failed"


def test_a_number_a_person_asks_for_is_spoken_not_keyed():
    policy = _policy("Move my flight to an earlier one.", confirmation_number="402817")
    policy.decide(heard("Thanks for calling Skyward, this is Renee. How can I help you today?"))
    decision = policy.decide(heard("Let me look into that. Can you give me your confirmation "
                                   "number?"))
    assert decision.actions == [Say("4 0 2 8 1 7")]


def test_a_referral_about_the_goal_ends_the_call_with_where_to_go():
    policy = _policy("Use my rewards points to book a flight to Denver.")
    decision = policy.decide(heard(
        "You have 24,318 Summit Rewards points available. To redeem your points for travel, "
        "please visit summitcard.com or use the mobile app. To return to the main menu, "
        "press 1."))
    result = decision.actions[-1]
    assert isinstance(result, RecordResult) and result.outcome == "failed"
    assert "summitcard.com" in result.answer


def test_a_referral_before_a_menu_heard_again_ends_the_call():
    # an STT runs the refusal into the menu after it and hears "redelivery" differently
    # each time: the menu is still the one already tried, and a weak option is no way on
    policy = _policy("Have my package delivered to my office instead of my apartment.")
    menu = ("To hear that again, press 1. Press 2 if you'd like to schedule a {}. To send "
            "this package to a different address, or have it held at a ParcelPoint store, "
            "press 3. To track another package, press 4. For the main menu, press 9.")
    assert policy.decide(heard(menu.format("redo-livery"))).actions == [PressKeys("3")]
    assert policy.decide(heard("To deliver it to a different address, press 2. To go back, "
                               "press 3.")).actions == [PressKeys("2")]
    decision = policy.decide(heard(
        "For security reasons, delivery to a different address can only be requested by the "
        "shipper. Please contact the shipper to change the delivery address. "
        + menu.format("read delivery")))
    result = decision.actions[-1]
    assert isinstance(result, RecordResult) and result.outcome == "failed"
    assert "shipper" in result.answer


def test_a_code_with_letters_is_spelled_where_speech_is_allowed():
    # keys would drop the "W": a say-or-enter prompt takes it spoken
    policy = _policy("What is my order status?", order_number="W1234567")
    decision = policy.decide(heard("Please say or enter your order number."))
    assert decision.actions == [Say("W 1 2 3 4 5 6 7")]
    policy = _policy("What is my order status?", order_number="1234567")
    assert policy.decide(heard("Please say or enter your order number.")).actions == [
        PressKeys("1234567")]


def test_a_card_expiration_has_no_day():
    policy = _policy("Renew my registration and pay with my Visa.", card_expiration="08/28")
    decision = policy.decide(heard("Enter the card's expiration date."))
    assert decision.actions == [PressKeys("0828")]


def test_a_card_number_never_fills_a_zip_code_field():
    policy = _policy("Pay my bill.", card_number="4111111111111111")
    decision = policy.decide(heard("Enter the 5-digit billing ZIP code for this card."))
    assert decision.actions[-1] == RecordResult(
        outcome="failed", answer=decision.actions[-1].answer,
        reason=decision.actions[-1].reason)
    assert "zip code" in decision.actions[-1].reason.lower()


def partial(text: str) -> list[Prompt]:
    return [Prompt(at_s=0, end_s=0, text=text, final=False)]


def test_barge_in_on_a_sure_option_heard_mid_menu():
    policy = _policy("How many rewards points do I have?")
    assert policy.decide(partial("Main menu. For deposit accounts, press 1.")).actions == []
    decision = policy.decide(partial("Main menu. For deposit accounts, press 1. For "
                                     "rewards, press 4."))
    assert decision.actions == [PressKeys("4")]


def test_a_topic_word_alone_waits_for_the_whole_menu():
    # "billing" fits a billing-dispute goal, but "billing disputes" may come later
    policy = _policy("Dispute a charge on my last bill.")
    assert policy.decide(partial("For billing, press 1.")).actions == []
    decision = policy.decide(heard("For billing, press 1. For billing disputes, press 4."))
    assert decision.actions == [PressKeys("4")]


def test_an_entry_heard_mid_prompt_waits_for_its_end():
    policy = _policy("What is my balance?", customer_id="10000001")
    assert policy.decide(partial("Please enter your 8-digit customer ID.")).actions == []
    decision = policy.decide(heard("Please enter your 8-digit customer ID, followed by the "
                                   "pound key."))
    assert decision.actions == [PressKeys("10000001#")]


def test_a_read_back_misheard_the_same_way_twice_is_confirmed():
    # keys arrive exactly: the same keys read back the same twice is the hearing's error
    policy = _policy("claim status", policy_number="7715002946")
    ask = "Please enter your 10-digit policy number."
    readback = "You entered $7,750,000,946. If this is correct, press 1. To re-enter, press 2."
    assert policy.decide(heard(ask)).actions == [PressKeys("7715002946")]
    assert policy.decide(heard(readback)).actions == [PressKeys("2")]
    assert policy.decide(heard(ask)).actions == [PressKeys("7715002946")]
    assert policy.decide(heard(readback)).actions == [PressKeys("1")]


def test_a_weak_match_stays_on_the_general_path():
    greeting = ("If you need roadside assistance, such as a tow or help with a lockout, press "
                "1 now. Otherwise, please stay on the line.")
    deductible = _policy("If someone broke into my car, what is my deductible?")
    assert deductible.decide(heard(greeting)).actions == []
    tow = _policy("My car broke down on the highway and I need a tow truck.")
    assert tow.decide(heard(greeting)).actions == [PressKeys("1")]


@pytest.mark.parametrize(("goal", "facts", "menu", "key"), [
    pytest.param("I applied for unemployment benefits two weeks ago and want to know if it's "
                 "been approved.", {},
                 "To file a new claim, press 1. For the status of a claim you have already "
                 "filed, press 3.", "3", id="applied-then-status"),
    pytest.param("Can you find out whether the city has approved the plans I submitted?", {},
                 "To apply for a new permit, press 3. To check the status of a permit "
                 "application already on file, press 4.", "4", id="submitted-then-on-file"),
    pytest.param("I'd like to make sure my reservation for next weekend is still on the books.",
                 {},
                 "To make a new reservation, press 1. To review, modify, or cancel an existing "
                 "reservation, press 2.", "2", id="my-reservation-is-existing"),
    # "credit cards" names a card, but not the debit card the goal is about
    pytest.param("There are charges on my debit card that I didn't make.", {},
                 "If you are calling about a lost or stolen card or suspicious activity on your "
                 "account, press 1. For account balances, press 2. For credit cards, press 4.",
                 "1", id="another-kind-of-the-thing"),
    pytest.param("My debit card was stolen and I need to report it.", {},
                 "You have reached Home Lending. For mortgage payments, press 1. For home "
                 "equity lines of credit, press 3. To return to the main menu, press star.",
                 "*", id="nothing-here-goes-back"),
    pytest.param("My daughter has a fever and won't be in school today.", {},
                 "For transportation and bus routes, press 2. For human resources and "
                 "employment, press 5. For all other calls, press 0.",
                 "0", id="human-resources-is-no-person"),
    # "your number" here is the phone being moved, not a credential asked for
    pytest.param("They took my refill twice this month. Get me through to someone there.",
                 {"phone_number": "6785550155"},
                 "For technical support, including unlocking and international use, press 4. "
                 "To activate or buy a phone, or to switch your number to Pocketline, press 5. "
                 "To speak with a care specialist, press 0.",
                 "0", id="a-fact-named-is-no-way-to-identify"),
])
def test_first_choice_on_wordings_of_unseen_trees(goal, facts, menu, key):
    # following up on something under way, kinds of a thing, ways back, people, identity
    assert _policy(goal, **facts).decide(heard(menu)).actions == [PressKeys(key)]


def test_a_supposed_claim_is_not_under_way():
    policy = _policy("If I filed a claim for a broken windshield, what would my deductible be?")
    assert policy.relevance.stage_fit("check on an existing claim") == 0


def test_whose_field_it_is_names_no_field():
    policy = _policy("What's my gas and electric bill this month?", account_number="2100458836",
                     ssn_last4="5521")
    ask = ("For your security, please enter the last four digits of the account holder's "
           "Social Security number, or of the business's tax ID number.")
    assert policy.decide(heard(ask)).actions == [PressKeys("5521")]


@pytest.mark.parametrize("goal", [
    "There's a $75 charge on my bill that I don't recognize. I want to talk it over with "
    "somebody who works there.",
    "They took my refill twice this month. Get me through to someone there who can sort it out.",
])
def test_a_goal_asking_for_someone_wants_a_person(goal):
    policy = _policy(goal)
    assert policy.wants_human and not policy.refuses_human
