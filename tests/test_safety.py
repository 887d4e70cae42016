"""SafetyPolicy: the navigator never pays, orders, cancels, confirms or changes anything the
goal did not ask for.

Each case is a caller's goal and what a real IVR says, with the key the navigator would
press, and the safe behaviour expected.
"""

from __future__ import annotations

import pytest

from agent.call.events import Prompt
from agent.navigator.safety import SafetyPolicy, amounts
from agent.navigator.vocabulary import load_vocabulary

VOCAB = load_vocabulary()

BALANCE = "What's my balance?"
BALANCE_MENU = ("To hear your balance, press 1. To pay your balance now with the card on "
                "file, press 2.")
PAYMENT_CONFIRMATION = ("You're about to pay $142.67 with your Visa ending in 4417. To confirm "
                        "this payment, press 1. To cancel, press 2.")
NOT_ASKED = "which the goal does not ask for"


def heard(*texts: str) -> list[Prompt]:
    return [Prompt(at_s=float(i), end_s=float(i) + 1, text=t) for i, t in enumerate(texts)]


def review(goal: str, keys: str, *texts: str):
    return SafetyPolicy(goal, VOCAB).review(keys, heard(*texts))


# --- actions a goal asks for ---------------------------------------------------------------


@pytest.mark.parametrize(("goal", "expected"), [
    pytest.param("Pay my bill in full with the card on file", {"pay"}, id="pay"),
    pytest.param("Set up a payment plan", {"payment_arrangement"}, id="payment-plan"),
    pytest.param("Cancel my appointment on Tuesday", {"cancel"}, id="cancel"),
    pytest.param("Please reschedule my appointment to Friday", {"schedule", "change"},
                 id="reschedule"),
    pytest.param("Refill my prescription", {"refill"}, id="refill"),
    pytest.param("Update my mailing address", {"change"}, id="update-address"),
    pytest.param("Find out my balance and pay it", {"pay"}, id="find-out-and-pay"),
    pytest.param("My faucet drips; someone should take a look.", {"repair"},
                 id="someone-should"),
    pytest.param("I want to get the new phone and pay it off a little each month.",
                 {"payment_arrangement"}, id="pay-off-in-instalments"),
])
def test_actions_asked_by_imperative(goal, expected):
    assert SafetyPolicy(goal, VOCAB).actions_asked(goal) == expected


@pytest.mark.parametrize(("goal", "expected"), [
    pytest.param("I need to report my card lost", {"report_lost"}, id="need-to-report-lost"),
    pytest.param("I want to cancel my internet service", {"cancel"}, id="want-to-cancel"),
    pytest.param("I'd like to order a replacement card", {"order"}, id="would-like-to-order"),
    pytest.param("I'd like to dispute a charge", {"dispute"}, id="would-like-to-dispute"),
    pytest.param("Quiero pagar mi factura", {"pay"}, id="quiero-pagar"),
    pytest.param("Necesito cancelar mi cita", {"cancel"}, id="necesito-cancelar"),
])
def test_actions_asked_by_wish(goal, expected):
    assert SafetyPolicy(goal, VOCAB).actions_asked(goal) == expected


@pytest.mark.parametrize("goal", [
    pytest.param("What's the last day I can pay it?", id="last-day-to-pay"),
    pytest.param("What does it cost to order a transcript?", id="cost-to-order"),
    pytest.param("How do I cancel my subscription?", id="how-do-i-cancel"),
    pytest.param("Can I pay my bill by phone?", id="can-i-pay"),
    pytest.param("What's my balance?", id="balance"),
    pytest.param("Check whether my payment went through", id="payment-went-through"),
    pytest.param("Get my flight status", id="flight-status"),
    pytest.param("I want to check my order status", id="check-order-status"),
    pytest.param("I'd like to check the status of my prescription refill",
                 id="status-of-my-refill"),
    pytest.param("Can you find out if my prescription is ready to pick up yet?",
                 id="find-out-if-ready-to-pick-up"),
    pytest.param("I want to know when I can cancel without a fee", id="know-when-i-can-cancel"),
    pytest.param("Pocketline took the money for my monthly refill twice this month.",
                 id="a-statement-starting-with-a-name"),
])
def test_questions_ask_for_nothing(goal):
    assert SafetyPolicy(goal, VOCAB).actions_asked(goal) == set()


@pytest.mark.parametrize("goal", [
    pytest.param("Don't switch me yet, I just want the price", id="dont-switch"),
    pytest.param("I need help with my bill, don't pay anything", id="dont-pay"),
    pytest.param("I don't want to pay for an official one, just find out how to get my "
                 "transcript", id="dont-want-to-pay"),
])
def test_negated_actions_are_not_asked(goal):
    assert SafetyPolicy(goal, VOCAB).actions_asked(goal) == set()


def test_amounts_of_goal():
    assert amounts("Pay $50 toward my bill") == {5000}
    assert amounts("pay your statement balance of $1,593.20") == {159320}


# --- options the goal does not ask for -------------------------------------------------------


def test_refuses_payment_option_for_a_balance_question():
    assert review(BALANCE, "2", BALANCE_MENU) == (
        "pay your balance now with the card on file", f"it would pay, {NOT_ASKED}")


def test_allows_information_option_for_a_balance_question():
    assert review(BALANCE, "1", BALANCE_MENU) is None


def test_allows_payment_option_when_the_goal_asks_to_pay():
    assert review("Pay my bill in full with the card on file", "2", BALANCE_MENU) is None


@pytest.mark.parametrize(("text", "label"), [
    pytest.param("To make a payment, press 1.", "make a payment", id="to-make-a-payment"),
    pytest.param("Press 1 to pay your bill.", "pay your bill", id="press-key-to-pay"),
    pytest.param("Say or press 1 to make a payment.", "make a payment", id="say-or-press"),
    pytest.param("Para pagar su factura, oprima 1.", "pagar su factura", id="spanish"),
    pytest.param("Your current balance is $142.67. To pay this amount now, press 1. To return "
                 "to the main menu, press 2.", "pay this amount", id="after-the-answer"),
])
def test_refuses_payment_wordings_for_a_balance_question(text, label):
    assert review(BALANCE, "1", text) == (label, f"it would pay, {NOT_ASKED}")


@pytest.mark.parametrize("text", [
    pytest.param("Please press 1 now to pay your bill.", id="press-key-now-to-pay"),
    pytest.param("You can also press 1 at any time to pay your bill.", id="also-at-any-time"),
])
def test_refuses_misread_payment_wordings(text):
    assert review(BALANCE, "1", text) is not None


@pytest.mark.parametrize(("goal", "keys", "expected"), [
    pytest.param("Cancel my appointment on Tuesday", "3", None, id="cancel-allowed"),
    pytest.param("Cancel my appointment on Tuesday", "1",
                 ("schedule an appointment", f"it would schedule, {NOT_ASKED}"),
                 id="schedule-refused"),
])
def test_appointment_menu(goal, keys, expected):
    menu = ("To schedule an appointment, press 1. To reschedule, press 2. To cancel an "
            "appointment, press 3.")
    assert review(goal, keys, menu) == expected


@pytest.mark.parametrize(("keys", "expected"), [
    pytest.param("2", None, id="arrangement-allowed"),
    pytest.param("1", ("make a payment", f"it would pay, {NOT_ASKED}"), id="payment-refused"),
])
def test_payment_plan_menu(keys, expected):
    menu = "To make a payment, press 1. To set up a payment arrangement, press 2."
    assert review("Set up a payment plan", keys, menu) == expected


@pytest.mark.parametrize(("keys", "expected"), [
    pytest.param("1", ("pay your bill", f"it would pay, {NOT_ASKED}"), id="pay-refused"),
    pytest.param("2", None, id="due-date-allowed"),
])
def test_question_about_paying_does_not_pay(keys, expected):
    menu = "To pay your bill now, press 1. For your due date, press 2."
    assert review("What's the last day I can pay it?", keys, menu) == expected


@pytest.mark.parametrize(("keys", "expected"), [
    pytest.param("1", ("switch to the unlimited plan", f"it would change, {NOT_ASKED}"),
                 id="switch-refused"),
    pytest.param("2", None, id="pricing-allowed"),
])
def test_negated_goal_refuses_the_change(keys, expected):
    menu = "To switch to the unlimited plan, press 1. For pricing, press 2."
    assert review("Don't switch me yet, I just want the price", keys, menu) == expected


def test_refuses_autopay_enrollment():
    assert review(BALANCE, "1", "To enroll in autopay, press 1.") == (
        "enroll in autopay", f"it would enroll, {NOT_ASKED}")


def test_order_status_goal_refuses_a_new_order():
    menu = "To check the status of an order, press 1. To place a new order, press 2."
    assert review("I want to check my order status", "2", menu) is not None


# --- confirmations ---------------------------------------------------------------------------


def test_refuses_payment_confirmation_for_a_balance_question():
    assert review(BALANCE, "1", PAYMENT_CONFIRMATION) == (
        "confirm this payment", f"it would pay, {NOT_ASKED}")


def test_refuses_payment_confirmation_over_two_prompts():
    assert review(BALANCE, "1", "You're about to pay $142.67 with your Visa ending in 4417.",
                  "To confirm, press 1.") == ("confirm", f"it would pay, {NOT_ASKED}")


def test_refuses_if_correct_after_a_payment_summary():
    assert review(BALANCE, "1", "You're about to pay $142.67 with your Visa ending in 4417. "
                  "If this is correct, press 1. To cancel, press 2.") == (
        "correct", f"it would pay, {NOT_ASKED}")


def test_refuses_yes_to_a_payment_question():
    assert review(BALANCE, "1", "Would you like to pay your balance of $142.67 now? Press 1 "
                  "for yes or 2 for no.") == ("yes", f"it would pay, {NOT_ASKED}")


def test_allows_payment_confirmation_when_the_goal_asks_to_pay():
    assert review("Pay my bill in full with the card on file", "1", PAYMENT_CONFIRMATION) is None


def test_cancel_confirmation():
    prompt = ("You have asked to cancel your appointment on Tuesday, March 4th at 10 AM. To "
              "confirm, press 1.")
    assert review(BALANCE, "1", prompt) == ("confirm", f"it would cancel, {NOT_ASKED}")
    assert review("Cancel my appointment on Tuesday", "1", prompt) is None


def test_refuses_yes_to_go_paperless():
    assert review(BALANCE, "1", "Would you like to go paperless? Press 1 for yes, or 2 for "
                  "no.") is not None


@pytest.mark.parametrize("text", [
    pytest.param("You entered 94103. If this is correct, press 1.", id="digit-string"),
    pytest.param("You entered 9 4 1 0 3. If this is correct, press 1. To re-enter, press 2.",
                 id="spaced-digits"),
    pytest.param("You entered 94103. If this is correct, press 1. If not, press 2.",
                 id="if-not"),
])
def test_allows_readback_confirmation(text):
    assert review(BALANCE, "1", text) is None


@pytest.mark.parametrize(("keys", "text"), [
    pytest.param("4", "Please enter your 5-digit ZIP code.", id="first-digit"),
    pytest.param("94103", "Please enter your 5-digit ZIP code.", id="whole-zip"),
    pytest.param("94103#", "Please enter your 5-digit ZIP code.", id="zip-and-pound"),
    pytest.param("9", "Please enter the last four digits of the Social Security number.",
                 id="ssn-digit"),
])
def test_allows_digits_at_an_entry_prompt(keys, text):
    assert review(BALANCE, keys, text) is None


# --- amounts and qualifiers ------------------------------------------------------------------


def test_examples_of_a_category_are_not_its_action():
    menu = ("For benefits and coverage, such as copies and deductibles, press 1. To order "
            "copies of your records, such as lab results, press 2.")
    assert review("How much is my copay for a specialist?", "1", menu) is None
    assert review("How much is my copay for a specialist?", "2", menu) == (
        "order copies of your records, such as lab results",
        "it would order, which the goal does not ask for")


def test_refuses_a_different_amount():
    menu = ("To pay your statement balance of $1,593.20, press 1. To pay a different amount, "
            "press 2.")
    assert review("Pay $50 toward my bill", "1", menu) == (
        "pay your statement balance of $1,593.20",
        "it would pay $1,593.20, not the $50.00 asked for")
    assert review("Pay $50 toward my bill", "2", menu) is None


def test_refuses_confirming_a_different_amount():
    assert review("Pay $50 toward my bill", "1", PAYMENT_CONFIRMATION) == (
        "confirm this payment", "it would pay $142.67, not the $50.00 asked for")


def test_refuses_authorizing_a_payment_described_before_the_option():
    menu = ("You're about to pay your statement balance of $1,593.20 from your checking "
            "account ending in 4402, effective today. To authorize this payment, press 1. "
            "To cancel, press 2.")
    assert review("Put a $250 payment toward my card", "1", menu) == (
        "authorize this payment", "it would pay $1,593.20, not the $250.00 asked for")


def test_allows_confirming_the_amount_asked_for():
    assert review("Pay $50 toward my bill", "1", "You're about to pay $50.00 with your Visa "
                  "ending in 4417. To confirm this payment, press 1.") is None


@pytest.mark.parametrize(("keys", "expected"), [
    pytest.param("1", ("receive your transcript by mail", "it would order: by mail, not by "
                       "email"), id="mail-refused"),
    pytest.param("2", None, id="email-allowed"),
])
def test_refuses_mail_when_the_goal_says_email(keys, expected):
    menu = "To receive your transcript by mail, press 1. To receive it by email, press 2."
    assert review("Order my transcript and email me a copy", keys, menu) == expected


REDIRECT_MENU = ("To have this package held for pickup at the ParcelPoint Store on Massachusetts "
                 "Avenue, press 1. To deliver it to a different address, press 2.")


@pytest.mark.parametrize(("goal", "keys", "expected"), [
    pytest.param("Have my package delivered to my office instead of my apartment.", "1",
                 ("have this package held for pickup at the parcelpoint store on massachusetts "
                  "avenue", "it would schedule: held for pickup, not delivered to an address"),
                 id="store-hold-refused-for-an-address-change"),
    pytest.param("Have my package delivered to my office instead of my apartment.", "2", None,
                 id="address-change-allowed"),
    pytest.param("Can you have it kept at a store so I can pick it up myself?", "1", None,
                 id="store-hold-allowed"),
])
def test_a_delivery_change_goes_where_the_goal_says(goal, keys, expected):
    # both are changes of the delivery; holding it at a store is not sending it elsewhere
    assert review(goal, keys, REDIRECT_MENU) == expected


def test_the_label_names_the_way_before_the_prompt_does():
    # the prompt names both ways; the option still mails it
    menu = ("We can mail or email your transcript. To receive it by mail, press 1. To "
            "receive it by email, press 2.")
    assert review("Order my transcript and email me a copy", "1", menu) is not None
    assert review("Order my transcript and email me a copy", "2", menu) is None


def test_an_option_offering_both_ways_is_allowed():
    menu = ("To send this package to a different address, or have it held at a ParcelPoint "
            "store, press 3.")
    assert review("Can you have it kept at a store so I can pick it up myself?", "3",
                  menu) is None


@pytest.mark.parametrize(("keys", "expected"), [
    pytest.param("1", ("order an official transcript",
                       "it would order: official, which the goal rules out"),
                 id="official-refused"),
    pytest.param("2", None, id="unofficial-allowed"),
])
def test_refuses_what_the_goal_rules_out(keys, expected):
    menu = ("To order an official transcript, press 1. To order an unofficial transcript, "
            "press 2.")
    goal = "Order my transcript. I don't want to pay for an official one."
    assert review(goal, keys, menu) == expected


def test_refuses_ordering_when_the_goal_only_asks_how():
    menu = ("To order an official transcript, press 1. To order an unofficial transcript, "
            "press 2.")
    goal = "I don't want to pay for an official one, just find out how to get my transcript"
    assert review(goal, "1", menu) == ("order an official transcript",
                                       f"it would order, {NOT_ASKED}")


# --- options that decline, navigate or keep holding ------------------------------------------


def test_allows_cancelling_the_request():
    prompt = "To confirm this payment, press 1. To cancel this request, press 2."
    assert review(BALANCE, "2", prompt) is None


def test_allows_cancel_after_a_payment_summary():
    assert review(BALANCE, "2", PAYMENT_CONFIRMATION) is None


@pytest.mark.parametrize(("keys", "expected"), [
    pytest.param("1", None, id="continue-holding-allowed"),
    pytest.param("2", ("request a callback", f"it would call back, {NOT_ASKED}"),
                 id="callback-refused"),
])
def test_hold_menu(keys, expected):
    prompt = ("All agents are busy. To continue holding, press 1. To request a callback, "
              "press 2.")
    assert review(BALANCE, keys, prompt) == expected


@pytest.mark.parametrize(("keys", "text"), [
    pytest.param("0", "To speak with a representative, press 0.", id="representative"),
    pytest.param("9", "To repeat these options, press 9.", id="repeat"),
    pytest.param("9", "To hear your balance, press 1. To make a payment, press 2. To return "
                 "to the main menu, press 9.", id="main-menu"),
    pytest.param("1", "For billing, press 1.", id="department"),
    pytest.param("1", "For balance or to make a payment, press 1.", id="billing-submenu"),
])
def test_allows_navigation(keys, text):
    assert review(BALANCE, keys, text) is None


def test_allows_several_keys_and_nothing_heard():
    assert review(BALANCE, "12", "To pay your bill, press 1.") is None
    assert SafetyPolicy(BALANCE, VOCAB).review("1", []) is None


# --- costs, objects and what a confirmation acts on -------------------------------------------


def test_refuses_an_asked_change_at_a_price_the_goal_refuses():
    prompt = ("Changes to this ticket are subject to a change fee of $99 per passenger. To "
              "change to this flight and pay the fee, press 1. To keep your current flight, "
              "press 2.")
    goal = ("Can you get me onto an earlier flight? Only if it doesn't cost anything - I'm "
            "not paying a change fee.")
    label, why = review(goal, "1", prompt)
    assert "$99" in why and "refuses to pay" in why
    assert review(goal, "2", prompt) is None


def test_allows_paying_for_what_the_goal_orders_and_only_then():
    goal = "I can't find the title for my car. Order me a replacement copy."
    policy = SafetyPolicy(goal, VOCAB)
    pay = ("A duplicate title costs $20.00. To pay by card and continue, press 1. To return "
           "to the previous menu, press 9.")
    assert policy.review("1", heard(pay)) is not None  # nothing ordered yet
    assert policy.review("4", heard("To request a duplicate title, press 4.")) is None
    assert policy.review("1", heard(pay)) is None


def test_refuses_a_claim_on_a_vehicle_for_a_goal_about_a_home():
    prompt = ("Thank you. This claim will be filed on your 2016 Ford F-150. To submit your "
              "claim now, press 1. To cancel without filing a claim, press 2.")
    goal = "A pipe burst and flooded my basement. I need to file a claim for the water damage."
    label, why = review(goal, "1", prompt)
    assert why == "it would file: a vehicle, not a home"
    assert review("A rock cracked the windshield on my truck. File a claim for it.", "1",
                  prompt) is None


def test_a_purchase_is_a_purchase_whatever_else_it_names():
    menu = "To change your flight, press 2. To purchase a seat upgrade, press 4."
    assert review("Get me onto an earlier flight.", "4", menu) == (
        "purchase a seat upgrade", f"it would buy, {NOT_ASKED}")


def test_verbs_sharing_an_object_each_take_it():
    policy = SafetyPolicy("x", VOCAB)
    assert policy.actions_in("make, change or cancel an appointment") == {
        "schedule", "change", "cancel"}
    assert policy.actions_reported("Your appointment has been cancelled.") == {"cancel"}


def test_an_action_behind_a_heading_the_stt_ran_in_is_still_refused():
    # "Payments. To pay your statement balance ... from your checking account, press 1."
    # heard as one label: its information words are the payment's object
    refused = review("When is my payment due?", "1",
                     "Payment to pay your statement balance of $3,988.10 now from your checking "
                     "account ending in 7,731, press 1. For your payment due date, press 3.")
    assert refused is not None and NOT_ASKED in refused[1]
    assert review(BALANCE, "1", "For information on how to pay your bill, press 1.") is None


def test_alternatives_offered_for_one_object_are_a_menu_not_an_action():
    # choosing it opens a menu among start, stop and transfer; its keys are reviewed there
    moving = "I'm moving next month and need the electricity at the new place in my name."
    assert review(moving, "4", "To start, stop, or transfer service, press 4.") is None
    assert review(moving, "3", "To stop service, press 3.") is not None


def test_lost_and_found_is_a_department_not_a_loss_report():
    goal = "I think I left my umbrella on the bus; can you see if anyone turned it in?"
    assert review(goal, "4", "Trip planning — press 1. Lost and found — press 4.") is None


def test_a_thing_the_caller_has_is_not_an_action_on_it():
    goal = "My dinner order is forty minutes late and I want to know where the driver is."
    menu = "If you're calling about an order that's on its way, press 3."
    assert review(goal, "3", menu) is None
    assert review(goal, "1", "To place an order, press 1.") is not None


def test_alternatives_that_include_telling_are_a_menu():
    goal = "The repair guy was supposed to come by noon and it's almost one; what's going on?"
    menu = ("If you have an existing appointment and want to confirm it, reschedule it, or "
            "check your technician's arrival time, press 2.")
    assert review(goal, "2", menu) is None


def test_an_option_priced_for_itself_is_a_purchase():
    goal = "How much more do we pay for Mochi's vet care this year before insurance pays?"
    menu = ("For your deductible and what has been met, press 2. To add the Wellness Rewards "
            "plan for routine care for $18 per pet per month, press 5.")
    refused = review(goal, "5", menu)
    assert refused is not None and NOT_ASKED in refused[1]
    assert review(goal, "2", menu) is None


def test_a_callback_is_no_reservation_the_goal_asks_for():
    goal = "Reserve the picnic pavilion at Riverside Park for Saturday, August 9."
    menu = ("All representatives are still assisting other customers. If you would like us "
            "to call you back instead of holding, press 1 at any time.")
    assert review(goal, "1", menu) == ("us to call you back instead of holding",
                                       f"it would call back, {NOT_ASKED}")


def test_a_department_named_for_a_service_is_not_enrolling_in_it():
    goal = "Find out whether the city is already pulling the payment out of my bank every month."
    menu = ("For AutoPay and paperless billing, press 4. To turn paperless billing on or off, "
            "press 5. To enroll in AutoPay, press 6.")
    assert review(goal, "4", menu) is None
    assert review(goal, "5", menu) is not None
    assert review(goal, "6", menu) is not None
