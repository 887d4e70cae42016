"""PromptReader: what a phone line says, read one wording form at a time.

Each case is the text a real IVR (or an agent) says and exactly what is read from it.
"""

from __future__ import annotations

import pytest

from agent.navigator.reading import EntryRequest, PromptReader, figures
from agent.navigator.vocabulary import load_vocabulary

VOCAB = load_vocabulary()
READER = PromptReader(VOCAB)


def read(text: str):
    return READER.read(text)


def options(text: str) -> list[tuple]:
    """The options read from ``text`` as (key, label, say, wait)."""
    return [(o.key, o.label, o.say, o.wait) for o in read(text).options]


# --- options ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("For billing, press 1.", [("1", "billing", None, False)],
                 id="for-label-press-key"),
    pytest.param("Billing, press 2.", [("2", "billing", None, False)],
                 id="label-first-bare"),
    pytest.param("Press 3 for billing.", [("3", "billing", None, False)],
                 id="press-key-for-label"),
    pytest.param("Press 1 if you'd like to pay your bill.",
                 [("1", "pay your bill", None, False)], id="press-key-if-youd-like"),
    pytest.param("To pay your bill, press 1.", [("1", "pay your bill", None, False)],
                 id="to-verb-press-key"),
    pytest.param("If you are calling about a claim, press 2.", [("2", "claim", None, False)],
                 id="if-calling-about"),
    pytest.param("If you'd like to schedule an appointment, press 1. If you're a provider, "
                 "press 2.",
                 [("1", "schedule an appointment", None, False), ("2", "provider", None, False)],
                 id="if-youd-like-and-if-youre"),
    pytest.param("Press 1 to pay your bill, press 2 for your balance, or press 0 to speak with "
                 "a representative.",
                 [("1", "pay your bill", None, False), ("2", "balance", None, False),
                  ("0", "speak with a representative", None, False)],
                 id="key-first-list-in-one-sentence"),
    pytest.param("Option 1: billing and payments. Option 2 is for technical support. "
                 "Please enter the option number now.",
                 [("1", "billing and payments", None, False),
                  ("2", "technical support", None, False)], id="numbered-options"),
    pytest.param("Press 1 for billing, 2 for support, or 3 for sales.",
                 [("1", "billing", None, False), ("2", "support", None, False),
                  ("3", "sales", None, False)], id="press-list-of-keys"),
    pytest.param("Press one for billing. Two for support.",
                 [("1", "billing", None, False), ("2", "support", None, False)],
                 id="list-going-on-without-the-verb"),
    pytest.param("You can also reach us by pressing 3 for billing. Key in 4 for repairs. "
                 "For sales, press or say 5.",
                 [("3", "billing", None, False), ("4", "repairs", None, False),
                  ("5", "sales", None, False)], id="pressing-key-in-press-or-say"),
    pytest.param("For billing, you can press 1 or say billing.",
                 [("1", "billing", "billing", False)], id="you-can-press-or-say"),
    pytest.param("Press option 1 for billing, option 2 for repairs.",
                 [("1", "billing", None, False), ("2", "repairs", None, False)],
                 id="press-option-n-for"),
    pytest.param("Billing and payments — 1. Technical support for TV, internet, or home "
                 "phone — 2. Lost and found — press 4.",
                 [("1", "billing and payments", None, False),
                  ("2", "technical support for tv, internet, or home phone", None, False),
                  ("4", "lost and found", None, False)], id="label-dash-key-list"),
    pytest.param("Sales, 1. Service, 2.", [("1", "sales", None, False),
                                           ("2", "service", None, False)],
                 id="label-comma-key-list"),
    pytest.param("Your unit is on floor 2. Suite, 4.", [], id="a-lone-label-key-is-no-menu"),
])
def test_option_wordings(text, expected):
    assert options(text) == expected


def test_several_options_in_one_sentence():
    text = "For billing press 1, for technical support press 2, or for sales press 3."
    assert options(text) == [
        ("1", "billing", None, False),
        ("2", "technical support", None, False),
        ("3", "sales", None, False),
    ]
    assert all(o.sentence == text for o in read(text).options)


def test_options_in_separate_sentences():
    text = "For claims, press 1. For billing, press 2. For all other questions, press 3."
    assert options(text) == [
        ("1", "claims", None, False),
        ("2", "billing", None, False),
        ("3", "all other questions", None, False),
    ]


def test_or_key_without_second_verb():
    assert options("Press 1 for billing or 2 for support.") == [
        ("1", "billing", None, False),
        ("2", "support", None, False),
    ]


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("Dial 3 to report an outage.", [("3", "report an outage", None, False)],
                 id="dial"),
    pytest.param("Select 4 for account information.",
                 [("4", "account information", None, False)], id="select"),
    pytest.param("Enter 1 for yes.", [("1", "yes", None, False)], id="enter"),
    pytest.param("Choose 2 for pharmacy.", [("2", "pharmacy", None, False)], id="choose"),
    pytest.param("Touch 1 for English.", [("1", "english", None, False)], id="touch"),
    pytest.param("Press one for billing.", [("1", "billing", None, False)], id="number-word"),
])
def test_option_verbs(text, expected):
    assert options(text) == expected


def test_say_label_or_press_key():
    assert options("Say billing or press 1.") == [("1", "billing", "billing", False)]


def test_say_or_press_key_for_label():
    assert options("Say or press 1 for flight status.") == [
        ("1", "flight status", "flight status", False)]


def test_press_key_or_say_word():
    assert options("For prescription refills, press 2 or say refill.") == [
        ("2", "prescription refills", "refill", False)]


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("Para español, oprima el dos.", [("2", "español", None, False)],
                 id="oprima-el-dos"),
    pytest.param("Para pagos, marque 3.", [("3", "pagos", None, False)], id="marque-3"),
    pytest.param("Para pagos, marque el número 3.", [("3", "pagos", None, False)],
                 id="marque-el-numero-3"),
    pytest.param("Para hablar con un representante, oprima el cero.",
                 [("0", "hablar con un representante", None, False)], id="oprima-el-cero"),
    pytest.param("Para continuar en español, presione 2.",
                 [("2", "continuar en español", None, False)], id="presione"),
    pytest.param("Para repetir este menú, oprima la tecla de asterisco.",
                 [("*", "repetir este menú", None, False)], id="oprima-la-tecla-de-asterisco"),
])
def test_spanish_options(text, expected):
    assert options(text) == expected


def test_say_only_list():
    text = "You can say things like check my balance, make a payment, or speak to an agent."
    assert options(text) == [
        (None, "check my balance", "check my balance", False),
        (None, "make a payment", "make a payment", False),
        (None, "speak to an agent", "speak to an agent", False),
    ]
    assert [o.action for o in read(text).options] == [
        "say:check my balance", "say:make a payment", "say:speak to an agent"]


def test_say_only_list_of_departments():
    assert options("You can say billing, or technical support.") == [
        (None, "billing", "billing", False),
        (None, "technical support", "technical support", False),
    ]


def test_stay_on_the_line_for_a_language():
    reading = read("For English, stay on the line.")
    assert options("For English, stay on the line.") == [(None, "english", None, True)]
    assert reading.options[0].action == "wait"


def test_bilingual_greeting_key_and_stay():
    assert options("Para español, oprima el dos. For English, stay on the line.") == [
        ("2", "español", None, False),
        (None, "english", None, True),
    ]


def test_or_stay_on_the_line_for_more_options():
    assert options("For a representative, press 0, or stay on the line for more options.") == [
        ("0", "representative", None, False),
        (None, "more options", None, True),
    ]


def test_or_stay_on_the_line_to_speak_with_someone():
    text = ("To report a power outage, press 1, or stay on the line to speak with a "
            "representative.")
    assert options(text) == [
        ("1", "report a power outage", None, False),
        (None, "speak with a representative", None, True),
    ]


def test_lead_in_before_key_first_options_is_no_label():
    text = ("To verify your identity, press 1 to enter your ZIP code, or press 2 to enter "
            "your date of birth.")
    reading = read(text)
    assert options(text) == [
        ("1", "enter your zip code", None, False),
        ("2", "enter your date of birth", None, False),
    ]
    assert reading.entry is None


@pytest.mark.parametrize("text", [
    pytest.param("Please enter the 5-digit ZIP code.", id="5-digit"),
    pytest.param("Please enter your five digit ZIP code.", id="five-digit"),
    pytest.param("Enter your 5 digit ZIP code now.", id="5-space-digit"),
])
def test_digit_count_is_not_an_option_key(text):
    reading = read(text)
    assert reading.options == []
    assert reading.entry == EntryRequest(field="zip code", digits=5)


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("To repeat these options, press star.",
                 [("*", "repeat these options", None, False)], id="star"),
    pytest.param("To return to the main menu, press pound.",
                 [("#", "return to the main menu", None, False)], id="pound"),
    pytest.param("To speak with a representative, press the zero key.",
                 [("0", "speak with a representative", None, False)], id="the-zero-key"),
    pytest.param("To repeat this message, press the star key.",
                 [("*", "repeat this message", None, False)], id="the-star-key"),
    pytest.param("Press star to return to the previous menu.",
                 [("*", "return to the previous menu", None, False)], id="press-star-to"),
])
def test_key_words(text, expected):
    assert options(text) == expected


def test_press_key_now_for_label():
    assert options("Please press 1 now for billing.") == [("1", "billing", None, False)]


def test_also_press_key_at_any_time():
    assert options("You can also press 0 at any time to reach an operator.") == [
        ("0", "reach an operator", None, False)]


def test_entry_example_is_not_an_option():
    # scenarios/ivrs/summit_card_services.yaml
    reading = read("Please enter the amount you'd like to pay, in dollars and cents, followed "
                   "by the pound key. For example, for fifty dollars, enter 5 0 0 0, then pound.")
    assert reading.options == []
    assert reading.entry == EntryRequest(field="amount you'd like to pay", amount=True,
                                         terminator="#")


# --- entries ---------------------------------------------------------------------------


def test_entry_enter_or_say_with_digit_count_and_pound():
    reading = read("Please enter or say your 8-digit customer ID, followed by the pound key.")
    assert reading.options == []
    assert reading.entry == EntryRequest(field="customer id", digits=8, terminator="#",
                                         keys=True, speech=True)


def test_entry_date_of_birth_format():
    reading = read("Using your telephone keypad, enter your date of birth as two digits for the "
                   "month, two for the day, and four for the year.")
    assert reading.entry == EntryRequest(field="date of birth", digits=8,
                                         date_format="MMDDYYYY")


@pytest.mark.parametrize("text", [
    "Please enter the primary account holder's birth date, two digits each for month and "
    "day, and four for the year.",
    "Enter your date of birth in the format month month, day day, year year year year.",
])
def test_entry_date_formats_in_other_words(text):
    entry = read(text).entry
    assert (entry.digits, entry.date_format) == (8, "MMDDYYYY")


def test_entry_amount_in_whole_dollars():
    entry = read("Enter the amount of the refund shown on your return, in whole dollars only, "
                 "without cents, followed by the pound key.").entry
    assert (entry.amount, entry.whole_dollars, entry.terminator) == (True, True, "#")


def test_entry_digits_of_parts_add_up():
    entry = read("Please enter your case number as the four-digit year, followed by the "
                 "six-digit case number, skipping any letters.").entry
    assert entry.digits == 10


def test_entry_asked_as_what_the_system_needs():
    assert read("To continue, I need the telephone number on your account.").entry == (
        EntryRequest(field="telephone number"))


def test_entry_date_of_birth_mm_dd_yyyy():
    assert read("Enter your date of birth as MM DD YYYY.").entry == EntryRequest(
        field="date of birth", digits=8, date_format="MMDDYYYY")


def test_entry_last_four_digits():
    entry = read("Please enter the last four digits of the Social Security number.").entry
    assert entry is not None
    assert (entry.digits, entry.last_digits, entry.keys, entry.speech, entry.terminator) == (
        4, True, True, False, None)


def test_entry_last_four_digits_field():
    entry = read("Please enter the last four digits of the Social Security number.").entry
    assert entry == EntryRequest(field="social security number", digits=4, last_digits=True)


def test_entry_amount_in_dollars_and_cents():
    entry = read("Enter the amount you'd like to pay in dollars and cents, followed by the "
                 "pound key.").entry
    assert entry == EntryRequest(field="amount you'd like to pay in dollars and cents",
                                 amount=True, terminator="#")


@pytest.mark.parametrize(("text", "field"), [
    pytest.param("What is your ZIP code?", "zip code", id="what-is-your-zip"),
    pytest.param("What's your date of birth?", "date of birth", id="whats-your-dob"),
])
def test_entry_question_accepts_keys_or_speech(text, field):
    assert read(text).entry == EntryRequest(field=field, keys=True, speech=True)


def test_entry_without_terminator():
    assert read("Please enter your member ID.").entry == EntryRequest(field="member id")


def test_entry_phone_number_with_pound_sign():
    assert read("Enter your 10-digit phone number followed by the pound key.").entry == (
        EntryRequest(field="phone number", digits=10, terminator="#"))


def test_entry_card_number_with_star_terminator():
    assert read("Please enter your 16-digit card number followed by the star key.").entry == (
        EntryRequest(field="card number", digits=16, terminator="*"))


@pytest.mark.parametrize(("text", "field"), [
    pytest.param("Say your date of birth.", "date of birth", id="say"),
    pytest.param("Tell me your account number.", "account number", id="tell-me"),
    pytest.param("Please say your date of birth.", "date of birth", id="please-say"),
])
def test_entry_speech_only(text, field):
    assert read(text).entry == EntryRequest(field=field, keys=False, speech=True)


def test_entry_spanish_student_id():
    reading = read("Marque su número de identificación estudiantil de siete dígitos.")
    assert reading.options == []
    assert reading.entry == EntryRequest(field="número de identificación estudiantil",
                                         digits=7)


def test_entry_spanish_zip_code():
    assert read("Ingrese su código postal de cinco dígitos.").entry == EntryRequest(
        field="código postal", digits=5)


def test_entry_then_press_pound():
    reading = read("Please enter your account number, then press pound.")
    assert reading.options == []
    assert reading.entry == EntryRequest(field="account number", terminator="#")


# --- read-backs ------------------------------------------------------------------------


def test_readback_spaced_digits_with_confirm_and_reenter():
    reading = read("You entered 9 4 1 0 3. If this is correct, press 1. To re-enter, press 2.")
    assert reading.readback == "94103"
    assert options("You entered 9 4 1 0 3. If this is correct, press 1. To re-enter, "
                   "press 2.") == [("1", "correct", None, False), ("2", "re-enter", None, False)]
    assert reading.entry is None


def test_readback_digit_string():
    reading = read("You entered 94103. If this is correct, press 1.")
    assert reading.readback == "94103"
    assert [(o.key, o.label) for o in reading.options] == [("1", "correct")]


def test_readback_i_heard_yes_no():
    reading = read("I heard 0 4 1 5 1 9 8 2. Is that correct? Press 1 for yes or 2 for no.")
    assert reading.readback == "04151982"
    assert [(o.key, o.label) for o in reading.options] == [("1", "yes"), ("2", "no")]


# --- hold, a person, rejections, closings, closed hours, speech menus -----------------------


@pytest.mark.parametrize("text", [
    "Please hold while I transfer you to the next available agent.",
    "All of our representatives are currently assisting other callers. Your call will be "
    "answered in the order it was received.",
    "Your estimated wait time is 4 minutes.",
    "You are caller number 3 in the queue.",
    "Please continue to hold.",
])
def test_hold_and_queue_announcements(text):
    reading = read(text)
    assert reading.hold
    assert not reading.person
    assert reading.options == []


def test_hold_stay_on_the_line_is_no_option():
    reading = read("Your call is important to us. Please stay on the line.")
    assert reading.hold
    assert reading.options == []


@pytest.mark.parametrize("text", [
    pytest.param("Thank you for holding, this is Renee with Harborline Insurance. How can I "
                 "help you?", id="named-agent-question"),
    pytest.param("Hi, my name is Marcus. Who do I have the pleasure of speaking with?",
                 id="my-name-is"),
    pytest.param("Billing department, this is Dana speaking. How may I help you?",
                 id="department-this-is"),
])
def test_person_answering(text):
    reading = read(text)
    assert reading.person
    assert not reading.hold
    assert reading.options == []


@pytest.mark.parametrize("text", [
    pytest.param("Thank you for calling Skyward Airlines. This is an automated system.",
                 id="automated-system"),
    pytest.param("This call may be recorded.", id="recorded"),
    pytest.param("Thank you for calling. For billing, press 1. How can I help you?",
                 id="menu-with-question"),
])
def test_not_a_person(text):
    assert not read(text).person


def test_greeting_is_kept():
    reading = read("Thank you for calling Skyward Airlines. This is an automated system.")
    assert reading.greeting.strip() == "Thank you for calling Skyward Airlines."


@pytest.mark.parametrize("text", [
    "That PIN doesn't match our records.",
    "That PIN doesn't match our records. Please try again.",
    "I'm sorry, I didn't get that.",
    "That is not a valid entry. Please try again.",
    "The information you entered does not match our records.",
    "I'm sorry, I couldn't find an account matching that information.",
    pytest.param("I'm sorry, that is not a valid selection."),
    pytest.param("We could not locate an account with that number."),
])
def test_rejections(text):
    assert read(text).rejection


@pytest.mark.parametrize("text", [
    "For billing, press 1.",
    "Please enter your member ID.",
    "Your package is out for delivery and should arrive by end of day.",
])
def test_not_a_rejection(text):
    assert not read(text).rejection


@pytest.mark.parametrize("text", [
    "Thank you for calling. Goodbye.",
    "Your payment has been scheduled. Thank you for calling Pacific Gas. Goodbye.",
    "Thank you for calling. Have a great day.",
])
def test_closings(text):
    reading = read(text)
    assert reading.closing
    assert not reading.closed


def test_closing_keeps_what_was_said_before_it():
    reading = read("Your payment has been scheduled. Thank you for calling Pacific Gas. Goodbye.")
    assert reading.statements == ["Your payment has been scheduled."]


def test_closed_hours():
    reading = read("Our offices are currently closed. Our hours are Monday through Friday, "
                   "8 AM to 6 PM.")
    assert reading.closed
    assert not reading.closing
    assert "Our hours are Monday through Friday, 8 AM to 6 PM." in reading.statements


def test_closed_for_a_holiday():
    assert read("We are closed for the holiday and will reopen Monday at 8 AM.").closed


@pytest.mark.parametrize("text", [
    "In a few words, tell me what you're calling about.",
    "Briefly tell me the reason for your call.",
])
def test_speech_only_menu(text):
    reading = read(text)
    assert reading.speech_menu
    assert reading.options == []
    assert reading.entry is None
    assert not reading.person


def test_key_menu_is_not_a_speech_menu():
    assert not read("For billing, press 1. For technical support, press 2.").speech_menu


# --- statements ------------------------------------------------------------------------


def test_statement_kept_and_recording_notice_dropped():
    reading = read("Your package is out for delivery and should arrive by end of day. This call "
                   "may be monitored or recorded.")
    assert reading.statements == [
        "Your package is out for delivery and should arrive by end of day."]


def test_recording_notice_alone_is_no_statement():
    assert read("This call may be monitored or recorded.").statements == []


def test_statement_after_greeting_and_notice():
    reading = read("Thank you for calling Skyward Airlines. This call may be monitored or "
                   "recorded. Your flight 482 to Denver is on time, departing at 6:45 PM from "
                   "gate B12.")
    assert reading.statements == [
        "Your flight 482 to Denver is on time, departing at 6:45 PM from gate B12."]


def test_balance_statement():
    assert read("Your current balance is $142.67, due on March 15th.").statements == [
        "Your current balance is $142.67, due on March 15th."]


def test_menu_sentences_are_no_statements():
    assert read("For billing, press 1. For technical support, press 2.").statements == []


# --- figures ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("Your current balance is $1,593.20.", ["$1,593.20"], id="amount-thousands"),
    pytest.param("Your minimum payment of $35 is due on March 15th.", ["$35", "March 15th"],
                 id="amount-and-month-day"),
    pytest.param("Your balance is $0.00.", ["$0.00"], id="zero-amount"),
    pytest.param("Your payment is due 04/15/2025.", ["04/15/2025"], id="numeric-date"),
    pytest.param("Your payment of $142.67 was received on 3/2.", ["$142.67", "3/2"],
                 id="short-date"),
    pytest.param("It will arrive on Tuesday, March 4.", ["March 4"], id="month-day"),
    pytest.param("We open at 8 a.m. and close at 5:30 p.m.", ["8 a.m.", "5:30 p.m."],
                 id="times-am-pm"),
    pytest.param("Your confirmation number is 4 8 2 9 1 7.", ["4 8 2 9 1 7"],
                 id="spaced-digit-string"),
    pytest.param("Your tracking number ends in 48291.", ["48291"], id="digit-string"),
    pytest.param("You have 12,500 reward points.", ["12,500 reward points"], id="points"),
    pytest.param("The wait is about 15 minutes.", ["15 minutes"], id="minutes"),
    pytest.param("Your interest rate is 19.99%.", ["19.99%"], id="percent"),
    pytest.param("Press 1 for billing.", [], id="menu-has-none"),
    pytest.param("Your flight departs at 6:45 PM.", ["6:45 PM"], id="time-at-sentence-end"),
    pytest.param("Please allow 7 to 10 business days for delivery.",
                 ["7 to 10 business days"], id="range-of-days"),
    pytest.param("You have used 3.5 GB of data.", ["3.5 GB"], id="decimal-gigabytes"),
    pytest.param("Your balance is 142 dollars and 67 cents.", ["142 dollars and 67 cents"],
                 id="spoken-amount"),
    pytest.param("For faster service, call us at 1-800-555-0199.", ["1-800-555-0199"],
                 id="phone-number"),
])
def test_figures(text, expected):
    assert figures(text) == expected


# --- what an STT makes of punctuation -------------------------------------------------------
# Whisper hears pauses, not sentences: its full stops fall inside options and its commas
# run headings into labels. Each case is a transcript of a synthesised IVR prompt.


@pytest.mark.parametrize(("heard", "expected"), [
    pytest.param("To pay your statement balance of $1,593.20 now. From your checking account "
                 "ending in 4,402, press 1. To pay a different amount, press 2.",
                 [("1", "pay your statement balance of $1,593.20 now from your checking "
                   "account ending in 4,402"), ("2", "pay a different amount")],
                 id="lead-in-then-key-half"),
    pytest.param("Payments, press 2. Press 4. If you'd like to dispute a charge. Rewards, "
                 "press 5.", [("2", "payments"), ("4", "dispute a charge"), ("5", "rewards")],
                 id="bare-key-then-condition"),
    pytest.param("Thank you, Dana, main menu, balance and available credit, press 1.",
                 [("1", "balance and available credit")], id="heading-run-into-label"),
    pytest.param("To verify your identity, press 1. To enter the ZIP code where your vehicle "
                 "is kept, press 2. To enter the date of birth.",
                 [("1", "enter the zip code where your vehicle is kept"),
                  ("2", "enter the date of birth")], id="keys-before-their-labels"),
    pytest.param("Thank you, Elena, press 1. If you'd like. To report a new claim, press 2. "
                 "If you'd like. To check on an existing claim, press 3. If you'd like billing "
                 "information. To speak with a representative, press 0.",
                 [("1", "report a new claim"), ("2", "check on an existing claim"),
                  ("3", "billing information"), ("0", "speak with a representative")],
                 id="press-key-if-youd-like-broken-up"),
    pytest.param("Payment to pay your statement balance of $3,988.10 now from your checking "
                 "account ending in 7,731, press 1. To pay a different amount, press 2. For "
                 "your payment due date, press 3. For our address. To mail a payment, press 5.",
                 [("1", "payment to pay your statement balance of $3,988.10 now from your "
                   "checking account ending in 7,731"), ("2", "pay a different amount"),
                  ("3", "payment due date"), ("5", "address to mail a payment")],
                 id="label-then-key-with-a-short-piece"),
    pytest.param("Payment to pay your statement balance of $1,593.20 now. From your checking "
                 "account ending in 4,402, press 1. To pay a different amount, press 2. For "
                 "our address. To mail a payment, press 5.",
                 [("1", "payment to pay your statement balance of $1,593.20 now from your "
                   "checking account ending in 4,402"), ("2", "pay a different amount"),
                  ("5", "address to mail a payment")], id="label-then-key-in-two-pieces"),
    pytest.param("Billing in insurance for benefits and coverage, such as copies and "
                 "deductibles, press 1. To hear your account balance or make a payment, press "
                 "2. If you have new insurance or. For all other billing questions, press 3.",
                 [("1", "billing in insurance for benefits and coverage, such as copies and "
                   "deductibles"), ("2", "hear your account balance or make a payment"),
                  ("3", "new insurance or for all other billing questions")],
                 id="piece-ending-in-or-before-its-key"),
    pytest.param("For traffic tickets, press 5. For all other questions, or to speak with a "
                 "representative. Please stay on the line.",
                 [("5", "traffic tickets"), (None, "all other questions, or to speak with a "
                                                   "representative")],
                 id="label-then-stay-on-the-line"),
    pytest.param("To have an official electronic transcript email. To you, press 1. To have "
                 "an official paper transcript mailed. To your address on file, press 2.",
                 [("1", "have an official electronic transcript email to you"),
                  ("2", "have an official paper transcript mailed to your address on file")],
                 id="purpose-then-to-you-and-key"),
    pytest.param("You're available credit to $6,127.54 on a credit limit of $800.00, press 1. "
                 "If you'd like to hear your recent transactions. For payment information, "
                 "press 2.", [("1", "hear your recent transactions"),
                              ("2", "payment information")], id="statement-misheard-then-key"),
    pytest.param("Your available credit is $6,127.54. On a credit limit of $8,000, press 1. "
                 "If you'd like to hear your recent transactions. To return to the main menu, "
                 "press 9.", [("1", "hear your recent transactions"),
                              ("9", "return to the main menu")],
                 id="statement-tail-then-key"),
    pytest.param("For billing and payments, press 1. For technical support or to check. For "
                 "an outage, press 2. For your plan, usage. Or to make changes. To your service "
                 "press 3.", [("1", "billing and payments"),
                              ("2", "technical support or to check for an outage"),
                              ("3", "plan, usage or to make changes to your service")],
                 id="short-pieces-before-their-key"),
    pytest.param("If you are calling about a missed delivery. Or. To change where a package "
                 "is delivered, press 2.",
                 [("2", "missed delivery or to change where a package is delivered")],
                 id="lone-or-between-halves"),
    pytest.param("To verify your identity, press 1. To enter the ZIP code where your vehicle "
                 "is kept, for press 2 to enter the policyholder's date of birth.",
                 [("1", "enter the zip code where your vehicle is kept"),
                  ("2", "enter the policyholder's date of birth")],
                 id="press-1-to-x-or-press-2-to-y-broken-up"),
    pytest.param("For billing, press 1. For sales, press 2. If you know your party's "
                 "extension, dial it now.", [("1", "billing"), ("2", "sales")],
                 id="well-punctuated-menu-untouched"),
])
def test_options_across_stt_full_stops(heard, expected):
    assert [(key, label) for key, label, _, _ in options(heard)] == expected


def test_expiration_as_the_two_digit_month_and_the_two_digit_year():
    entry = read("Enter the card's expiration date, as the two-digit month and the two-digit "
                 "year.").entry
    assert entry is not None and (entry.date_format, entry.digits) == ("MMYY", 4)


def test_field_name_across_an_stt_comma():
    entry = read("For your security, please enter the five digits, ZIP code of your billing "
                 "address.").entry
    assert entry == EntryRequest(field="zip code of your billing address", digits=5)


def test_purpose_of_an_option_is_no_entry_request():
    assert read("To enter your date of birth.").entry is None
    assert read("To get started, please enter your 10-digit phone number.").entry.digits == 10


def test_date_and_time_alone_are_a_statement():
    assert read("Your appointment is on a Monday. March 24 at 8:15 AM.").statements == [
        "Your appointment is on a Monday.", "March 24 at 8:15 AM."]


def test_a_word_that_only_begins_like_a_continuation_continues_nothing():
    # "Order status" begins with "or" but is an option of its own, not the rest of the
    # sentence before it
    assert [(k, label) for k, label, _, _ in options(
        "To hear about the ways you can reach us online and by mail. Order status, press 2."
    )] == [("2", "order status")]
