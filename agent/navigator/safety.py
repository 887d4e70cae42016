"""The safety policy: the navigator never pays, orders, cancels, confirms or changes
anything the goal did not ask for, whatever its brain (embedded or a cloud LLM) wants.

It is the key guard of the navigator's key tools (:class:`~agent.navigator.state.KeyGuard`):
before a key is pressed it reads what the far end just said, finds the option that key
selects, and works out the action that option takes on the customer's behalf (paying,
ordering, cancelling, scheduling, changing, transferring money, disputing, reporting a
card lost, enrolling, deleting, filing a claim, buying, renewing, refilling). A key whose
action the goal does not ask for is refused; the tool raises a ``ToolError`` and the
result lists the action declined. An option that confirms ("to confirm, press 1") takes
the action its prompt describes ("you are about to pay $120.00 ..."); confirming an
entry read back ("you entered 9 4 1 0 3; if this is correct, press 1") takes none.
Options that only tell, navigate, or decline ("to cancel this request, press 2") are
always allowed.
"""

from __future__ import annotations

import re
from functools import cached_property

from ..call.events import Prompt
from .reading import EXAMPLES, Option, PromptReader, Reading
from .state import KeyGuard
from .vocabulary import Vocabulary

_INFO_WORDS = re.compile(
    r"\b(?:status|information|info|balance|hours|check|checking|hear|find out|track|tracking|"
    r"question|questions|inquiry|inquiries|details|review|history|look up|lookup|learn|"
    r"estimate|quote)\b")
_DECLINE = re.compile(
    r"^(?:no|cancel|go back|return(?: to .*)?|decline|start over|re-?enter|not correct|"
    r"make (?:a )?changes?|try again|exit|keep (?:it|(?:my|your|the) (?:current )?\w+)|"
    r"change (?:it|that|the \w+))"
    r"(?:\s+(?:this|that|it|the)?\s*(?:request|transaction|payment|change|order|process|"
    r"action|entry|now)?)?$")
_CLAUSES = re.compile(r"[.,;:?!]|\band\b|\bthen\b|\bbut\b")
_QUESTION_WORDS = re.compile(
    r"\b(?:what|when|how|which|where|why|whether|if|whose|is|are|do|does|did|can i|could i|"
    r"should i|will|would it|cuándo|cuando|qué|que|cómo|como|cuál|cual)\b")
_AUXILIARY_FIRST = re.compile(r"\s*(?:has|have|had|was|were)\b")
"""A question by inversion ("has my aid been paid out yet?")."""
_DESIRE = re.compile(
    r"\b(?:want(?:s)? to|wanna|would like to|'d like to|need(?:s)? to|have to|please|help me|"
    r"(?:need|want)s?\s+(?:someone|somebody|them|you|a technician)\s+(?:\w+\s+)?to|"
    r"(?:someone|somebody|you|they|a technician)\s+(?:should|needs? to|has to|must)|"
    r"can you|could you|go ahead and|get me|i'm calling to|calling to|trying to|"
    r"quiero|necesito|quisiera|por favor)\b")
_ABOUT_A_THING = re.compile(
    r"\b(?:order|claim|payment|appointment|delivery|refill|transcript|dispute|renewal)\s+"
    r"(?:status|information|info|number|history|details|balance|date|amount|options)\b|"
    r"\b(?:status|progress|details|history) of (?:my|the|our|this|that|a|an)\s+(?:\w+\s+)?"
    r"(?:order|claim|payment|appointment|delivery|refill|transcript|dispute|renewal|request)s?\b")
"""A thing the goal asks about, named by an action's word ("my order status", "the status
of my prescription refill"): no action is asked."""
_NEGATION = re.compile(
    r"\b(?:don't|do not|dont|doesn't|does not|not|never|no|without|rather not|won't|"
    r"wouldn't|shouldn't|isn't|aren't|nothing|nunca|sin|\w+n't)\b")
_FILLER = re.compile(r"^(?:(?:please|just|also|now|then|and|so|kindly|go ahead and|por favor)\s+)*")
_IMPERATIVE_VERBS = frozenset({
    "set", "get", "have", "make", "put", "take", "send", "give", "let", "sign", "turn", "switch",
    "add", "remove", "call", "tell", "find", "check", "ask", "move", "start", "stop", "open",
    "close", "apply", "file", "report", "request", "use", "enter", "change", "update", "book",
    "schedule", "reschedule", "cancel", "pay", "order", "renew", "buy", "purchase", "refill",
    "transfer", "dispute", "enroll", "register", "reserve", "confirm", "upgrade", "activate",
    "redeem", "submit", "arrange", "hold", "keep", "ship", "mail", "deliver", "redirect",
    "reroute", "freeze", "lock", "block", "delete", "erase", "terminate", "disconnect",
    "suspend", "deactivate", "authorize", "drop", "sort", "fix", "replace", "reorder",
    "pague", "paga", "cancele", "cancela", "programe", "cambie", "cambia", "ordene"})
"""Verbs a goal's imperative clause starts with ("Pay my bill", "Set up a payment plan"):
a clause that starts otherwise ("Pocketline took the money for my refill") states."""
_INSTALMENTS = re.compile(r"\b(?:a little|some|part) (?:each|every|a) month\b|"
                          r"\bin (?:monthly )?instal(?:l)?ments\b|\bover time\b|"
                          r"\bmonthly payments\b|\bfinanc(?:e|ing)\b")
"""Paying something off in parts ("pay it off a little each month"): an arrangement or
financing, not a payment now."""
_PAID_FOR = {"order", "renew", "buy"}
"""Actions whose next step may be paying for them."""
_IMPLIED_BY = {
    "report_lost": {"cancel"},  # reporting a card lost cancels it (and orders another)
    "schedule": {"change"},  # rescheduling is both
    "refill": {"order"},
    "order": {"refill"},
}
"""An option's action is also asked for when the goal asks for one of these."""
_AFFIRMS = re.compile(r"^(?:to\s+)?(?:yes|confirm|correct|proceed|continue|accept|agree|"
                      r"(?:that|this) is correct|if (?:that|this) is correct|s[ií]|correcto)\b")
_AND_CONTINUE = re.compile(r"\band (?:continue|proceed)$")
"""A step named on the way to what the prompt describes ("release your current
appointment and continue"): it affirms that."""
_FEE = re.compile(r"\b(?:fee|charge|cost|surcharge|penalty|for|costs)s?\b[^.$]{0,30}\$\s?\d[\d,.]*"
                  r"|\$\s?\d[\d,.]*\s+(?:\w+\s+)?(?:fee|charge|surcharge|penalty)\b", re.I)
"""A price put on what an option does ("a change fee of $99", "a $25 booking fee")."""
_PRICED = re.compile(
    r"\b(?:for|at|costs?|only)\s+(?:an?\s+(?:additional|extra)\s+)?\$\s?\d|"
    r"\$\s?\d[\d,.]*\s*(?:per|a|an|/|each)\s*(?:month|year|week|day|night|pet|line|person|"
    r"user|visit|mo|yr)\b", re.I)
"""A price an option puts on what it does ("for $18 per pet per month"): a purchase."""
_REFUSES_COST = re.compile(
    r"\b(?:not|never|won't|don't|do not|refuse to)\s+(?:\w+\s+){0,2}pay(?:ing)?\b"
    r"|\b(?:only if|as long as)\b[^.]{0,30}\b(?:free|no (?:cost|charge|fee)|"
    r"(?:doesn't|does not|won't|will not) cost)"
    r"|\bwithout (?:paying|a fee|any fee|a charge|charge)\b|\bno (?:extra )?(?:fees?|charge)\b")
"""A goal that refuses any cost ("only if it doesn't cost anything", "I'm not paying a
fee")."""
_AMOUNT = re.compile(r"\$\s?(\d[\d,]*)(?:\.(\d{1,2}))?")
_WHOLE_BALANCE = re.compile(r"\b(?:full|entire|total|whole|statement|current|remaining)\s+"
                            r"(?:balance|amount)\b|\bin full\b|\bpay (?:it|the balance) off\b")
_INTENT = re.compile(
    r"\b(?:about to|going to|this will|that will|we will|we'll|i will|i'll|you(?:'re| are) "
    r"(?:ordering|requesting|scheduling|cancel+ing|booking|paying|changing|filing|"
    r"authorizing|submitting|renewing|updating|making)|you(?:'ve| have) (?:asked|chosen|"
    r"selected|requested) to|would you like to|do you want to|ready to)\b")
"""A sentence that describes what confirming will do ("you're about to pay $120")."""
_GENERIC_OBJECT = re.compile(
    r"^(?:(?:this|that|it|the|above|these|your|my|entry|information|choice|selection|details|"
    r"request|order|now|please|and|or|to|continue|proceed|correct|is|that's|if|yes)\b[\s,]*)*$")
_SPECIFIC_FIRST = ("payment_arrangement", "report_lost", "transfer_money", "file", "repair",
                   "refill", "dispute", "renew", "buy", "cancel", "call_back", "schedule", "enroll",
                   "delete", "order", "change", "pay", "confirm")


_SHARED_OBJECT = re.compile(
    r"^(?:to |para )?(?P<verbs>[a-zé]+(?:\s*,\s*[a-zé]+)*,?\s+(?:or|and|o|y)\s+[a-zé]+)"
    r"\s+(?P<object>.+)$")
"""Coordinated verbs before one object ("make, change or cancel an appointment")."""
_A_THING = re.compile(
    r"(?<!place )(?<!make )(?<!submit )(?<!file )(?<!start )(?<!open )(?<!schedule )"
    r"(?<!book )(?<!request )(?<!cancel )(?<!change )(?<!pay )"
    r"(?:^|\b(?:an|the|your|my|our|this|that|existing|current|recent|previous|past)\s+)"
    r"(?!new\b)(?:[a-z]+\s+)?(?:order|claim|appointment|delivery|refill|request)s?\b"
    r"(?=\s+(?:that|which|you|we|already|on|in|from|placed|is|has|was))")
"""A thing named as what the caller has, not as what choosing the option does ("an
order that's on its way", "a claim you have already filed")."""
_ALTERNATIVES = re.compile(r"^(?:to |para )?[a-zé]+(?:\s*,\s*[a-zé]+)*,?\s+(?:or|o)\s+[a-zé]+\s+\S")
"""Verbs offered as alternatives for one object ("start, stop, or transfer service"): what
choosing the option opens is a choice among them, not one of them."""


def _imperative(clause: str) -> bool:
    """Whether ``clause`` (lower-cased) is an order: it starts with a verb of
    :data:`_IMPERATIVE_VERBS`, after fillers ("please", "and then")."""
    rest = _FILLER.sub("", clause.strip())
    return rest.split(" ", 1)[0].strip(",.;:!") in _IMPERATIVE_VERBS


class SafetyPolicy(KeyGuard):
    """Refuses keys that act on the customer's behalf beyond ``goal``.

    Args:
        goal: what the call is asked to do.
        vocab: the vocabulary (its ``actions`` name what each action is called).
    """

    def __init__(self, goal: str, vocab: Vocabulary) -> None:
        self.vocab = vocab
        self.reader = PromptReader(vocab)
        self.asked = self.actions_asked(goal)
        self.pending: str | None = None  # the action the last allowed choice began
        self.amounts = amounts(goal)
        self.refuses_cost = bool(_REFUSES_COST.search(goal.lower()))
        named, self.unwanted = self._qualifiers(goal)
        self.wanted = {group: values[0] for group, values in named.items()}

    @cached_property
    def _patterns(self) -> dict[str, re.Pattern[str]]:
        patterns = {}
        for action, phrases in self.vocab.actions.items():
            words = sorted({self.vocab.normalize(p) for p in phrases}, key=len, reverse=True)
            patterns[action] = re.compile(r"(?<![a-z0-9_])(?:" + "|".join(map(re.escape, words))
                                          + r")(?![a-z0-9_])")
        return patterns

    def _stemmed(self, text: str) -> str:
        return " ".join(map(self.vocab.term, self.vocab.normalize(text).split()))

    @cached_property
    def _stemmed_patterns(self) -> dict[str, re.Pattern[str]]:
        patterns = {}
        for action, phrases in self.vocab.actions.items():
            words = sorted({self._stemmed(p) for p in phrases}, key=len, reverse=True)
            patterns[action] = re.compile(r"(?<![a-z0-9_])(?:" + "|".join(map(re.escape, words))
                                          + r")(?![a-z0-9_])")
        return patterns

    def actions_reported(self, sentence: str) -> set[str]:
        """The actions a sentence names in any inflection ("has been cancelled", "is
        scheduled to be delivered"): what a statement says was or will be done."""
        stemmed = self._stemmed(sentence)
        return {a for a, p in self._stemmed_patterns.items() if p.search(stemmed)}

    @cached_property
    def action_words(self) -> frozenset[str]:
        """The terms that name actions: the first of each action phrase ("order",
        "replacement", "make" of "make a payment"), not its objects."""
        firsts = (self.vocab.terms(p)[:1] for phrases in self.vocab.actions.values()
                  for p in phrases if not p.startswith(("card ", "toward ")))
        return frozenset(t for first in firsts for t in first)

    def actions_in(self, text: str) -> set[str]:
        """The actions ``text`` names (a goal, an option label, a prompt). Verbs sharing
        one object count each with it: "make, change or cancel an appointment" names
        making an appointment, changing one and cancelling one."""
        found = _SHARED_OBJECT.match(text.strip().lower())
        if found is not None:
            verbs = re.split(r"\s*,\s*(?:(?:or|and|o|y)\s+)?|\s+(?:or|and|o|y)\s+",
                             found["verbs"])
            text = ", ".join(f"{verb} {found['object']}" for verb in verbs if verb)
        normalized = self.vocab.normalize(text)
        return {a for a, p in self._patterns.items() if p.search(normalized)}

    def actions_asked(self, goal: str) -> set[str]:
        """The actions a goal asks to be done: named in an imperative clause ("Pay my
        bill", "Set up a payment plan") or after a wish ("I need to cancel ..."), not in a
        question about them ("what's the last day I can pay it?")."""
        asked, forbidden = set(), set()
        goal = goal.lower().replace("’", "'")
        for sentence in re.split(r"(?<=[.?!])\s+", goal):
            asked_sentence = sentence.rstrip().endswith("?")
            self._actions_of_sentence(sentence, asked_sentence, asked, forbidden)
        return asked - forbidden

    def _actions_of_sentence(self, sentence: str, question_mark: bool, asked: set[str],
                             forbidden: set[str]) -> None:
        # "Have my package delivered" asks for a delivery; "Has my aid been paid?" asks
        # whether it was: an auxiliary first makes a question only before a question mark
        for clause in _CLAUSES.split(sentence):
            clause = _ABOUT_A_THING.sub(" ", clause.strip())  # "my order status" asks nothing
            normalized = self.vocab.normalize(clause)
            for action, pattern in self._patterns.items():
                found = pattern.search(normalized)
                if found is None:
                    continue
                if action == "pay" and _INSTALMENTS.search(clause):
                    action = "payment_arrangement"  # "pay it off a little each month"
                before = normalized[:found.start()].split()[-5:]
                # Spanish wishes ("quiero pagar") are read before translation
                desire = _DESIRE.search(normalized) or _DESIRE.search(clause)
                question = _QUESTION_WORDS.search(normalized) or (
                    _AUXILIARY_FIRST.match(normalized) if question_mark else None)
                if any(_NEGATION.fullmatch(w) for w in before):
                    forbidden.add(action)  # "don't switch me yet", "I don't want to pay"
                elif desire and (question is None or question.start() > max(
                        desire.start(), found.start())):
                    # "can you find out if it's ready to pick up" asks whether, not a pickup
                    asked.add(action)
                elif _imperative(clause) and question is None:
                    asked.add(action)

    def action_of(self, option: Option, reading: Reading) -> str | None:
        """The action choosing ``option`` takes on the customer's behalf, or None: the
        most specific action its label names; for a bare confirmation, the action its
        prompt describes. Labels that only tell or navigate take none."""
        vocab = self.vocab
        label = option.label.lower()
        if option.wait or _DECLINE.match(label) or self._is_navigation(option):
            return None
        if (listed := EXAMPLES.search(label)) and label[:listed.start()].strip(" ,"):
            # "benefits, such as copays": examples of a category that the menu under it
            # offers (and that are reviewed there), not what choosing the category does
            label = label[:listed.start()]
        label = _ABOUT_A_THING.sub(" ", label)  # "order status" orders nothing
        label = _A_THING.sub(" ", label)  # "an order that's on its way" neither
        actions = self.actions_in(label)
        if not actions and _PRICED.search(label) and not _INFO_WORDS.search(label):
            actions = {"buy"}  # "the Wellness Rewards plan for $18 per pet per month"
        affirms = self.affirms(option)
        normalized = vocab.normalize(label)
        # an action named before any word of information leads the label, and what
        # follows is its object: "pay your statement balance now from your checking
        # account", even behind a heading an STT ran in ("payment to pay your ...")
        info = _INFO_WORDS.search(normalized)
        first_action = min((m.start() for p in self._patterns.values()
                            if (m := p.search(normalized))), default=len(normalized))
        leads_with_action = info is not None and first_action < info.start()
        if info is not None and not (affirms or leads_with_action):
            if actions & self.asked:  # "review, change or cancel it" for a change goal
                return next(a for a in _SPECIFIC_FIRST if a in actions & self.asked)
            return None  # "payment information", "order status", "balance or make a payment"
        actions.discard("confirm")
        if not actions and affirms:
            if self.pending is not None:
                return self.pending  # confirming what was just chosen ("book" -> "confirm")
            obj = _AFFIRMS.sub("", label, count=1).strip(" ,.")
            if _AFFIRMS.match(label) and not _GENERIC_OBJECT.match(obj):
                return "confirm"  # "confirm this appointment": confirming is the action
            intents = [s for s in reading.prose if _INTENT.search(s.lower())]
            actions = self.actions_in(" ".join(intents)) - {"confirm"}
        if len(actions) > 1 and actions & self.asked:
            return next(a for a in _SPECIFIC_FIRST if a in actions & self.asked)
        if not affirms and (_ALTERNATIVES.match(label.strip()) or self._tells_among(label)):
            # "start, stop, or transfer service", "make, change or cancel an appointment",
            # "... confirm it, reschedule it, or check your technician's arrival time": a
            # menu to choose among them, whose keys are reviewed in their turn
            return None
        return next((a for a in _SPECIFIC_FIRST if a in actions), None)

    def _tells_among(self, label: str) -> bool:
        """Whether ``label`` offers alternatives ("..., or ...") of which one acts and
        another only tells."""
        parts = [p for p in re.split(r",\s*(?:or\s+)?|\s+or\s+", label) if p.strip()]
        if len(parts) < 2 or not re.search(r"\bor\b", label):
            return False
        acting = [part for part in parts if self.actions_in(part)]
        return bool(acting) and any(part not in acting and _INFO_WORDS.search(part)
                                    for part in parts)

    def affirms(self, option: Option) -> bool:
        """Whether ``option`` says yes to what the prompt describes ("if this is correct",
        "confirm", "release your appointment and continue")."""
        label = option.label.lower()
        return _AFFIRMS.match(label) is not None or _AND_CONTINUE.search(label) is not None

    def declines(self, option: Option) -> bool:
        """Whether choosing ``option`` turns down what the prompt offers ("keep your
        current flight", "cancel", "return to the main menu")."""
        return (_DECLINE.match(option.label.lower()) is not None
                or self._is_navigation(option))

    def _is_navigation(self, option: Option) -> bool:
        vocab = self.vocab
        label = option.label.lower()
        return (vocab.has_phrase(label, vocab.keep_holding)
                or any(vocab.has_phrase(label, names) for names in vocab.languages.values())
                or any(vocab.has_phrase(label, words) for words in vocab.navigation.values()))

    def _qualifiers(self, text: str) -> tuple[dict[str, list[str]], set[str]]:
        """The qualifiers ``text`` names, by group in the order named ("channel" ->
        ["by email"]), and the ones it rules out ("an official one" after "don't want")."""
        named: dict[str, list[str]] = {}
        unwanted: set[str] = set()
        for clause in _CLAUSES.split(text.lower().replace("’", "'")):
            for group, values in self.vocab.qualifiers.items():
                for value, words in values.items():
                    if self.vocab.has_phrase(clause, words):
                        if _NEGATION.search(clause):
                            unwanted.add(value)
                        elif value not in named.setdefault(group, []):
                            named[group].append(value)
        return named, unwanted

    def qualifier_mismatch(self, option: Option, reading: Reading) -> str | None:
        """Why ``option`` acts in another way than the goal asks ("by mail, not by
        email"; "official", which the goal rules out), or None. An option offering
        several ways ("to a different address, or held at a store") is refused only when
        none of them is the one asked."""
        # what the prompt says of the deed counts ("this claim will be filed on your Ford")
        # where the label itself names no way of that kind
        found, _ = self._qualifiers(" ".join(reading.statements))
        found.update(self._qualifiers(option.label)[0])
        for group, values in found.items():
            if all(value in self.unwanted for value in values):
                return f"{values[0]}, which the goal rules out"
            if group in self.wanted and self.wanted[group] not in values:
                return f"{values[0]}, not {self.wanted[group]}"
        return None

    def amount_mismatch(self, option: Option, reading: Reading) -> str | None:
        """Why ``option`` would move a different amount than the goal names ("$1,593.20,
        not the $250.00 asked for"), or None."""
        if not self.amounts:
            return None
        label = option.label
        if _AFFIRMS.match(label.lower()):
            label = " ".join([label, *reading.statements])
        elif not amounts(label):  # "to authorize this payment" after "you're about to pay ..."
            label = " ".join([label, *(s for s in [*reading.prose, *reading.statements]
                                       if _INTENT.search(s.lower()))])
        named = amounts(label)
        if named and not named & self.amounts:
            return f"{_dollars(min(named))}, not the {_dollars(min(self.amounts))} asked for"
        if not named and _WHOLE_BALANCE.search(label.lower()):
            return f"the whole balance, not the {_dollars(min(self.amounts))} asked for"
        return None

    def allows(self, action: str | None) -> bool:
        """Whether the goal asks for ``action`` (None: no action, always allowed). Paying
        is allowed right after choosing to order, renew or buy what the goal asks for (the
        price of what it asked), unless the goal refuses any cost."""
        return action is None or action in self.asked or bool(
            _IMPLIED_BY.get(action, set()) & self.asked) or (
            action == "pay" and self.pending in _PAID_FOR)

    def review(self, keys: str, heard: list[Prompt]) -> tuple[str, str] | None:
        """None to allow ``keys``, else (the option's label, why it is refused). Only a
        single key that selects an option of what was just heard can take an action;
        digits typed at an entry prompt never do."""
        if len(keys) != 1 or not heard:
            return None
        reading = self.reader.read(" ".join(p.text for p in heard))
        if reading.entry is not None and keys.isdigit() and not reading.options:
            return None
        for option in reading.options:
            if option.key == keys:
                refusal = self.refusal(option, reading)
                if refusal is not None:
                    return option.label, refusal
                self.chose(option, reading)
        return None

    def chose(self, option: Option, reading: Reading) -> None:
        """Note an allowed choice: a confirmation that follows one of an asked action
        confirms that action."""
        action = self.action_of(option, reading)
        if action == "pay" and self.pending in _PAID_FOR:
            return  # paying for what was ordered is part of ordering it
        confirms = self.affirms(option)
        self.pending = action if action is not None and not confirms else None

    def refusal(self, option: Option, reading: Reading) -> str | None:
        """Why choosing ``option`` is refused, or None when it is allowed."""
        action = self.action_of(option, reading)
        if not self.allows(action):
            return f"it would {action.replace('_', ' ')}, which the goal does not ask for"
        if action is not None and self.refuses_cost and (fee := _FEE.search(
                " ".join([*reading.prose, *reading.statements, option.label]))):
            return (f"it would {action.replace('_', ' ')} at a cost ({fee.group(0)}), which "
                    "the goal refuses to pay")
        if action is not None and (mismatch := self.amount_mismatch(option, reading)):
            return f"it would {action.replace('_', ' ')} {mismatch}"
        if action is not None and (mismatch := self.qualifier_mismatch(option, reading)):
            return f"it would {action.replace('_', ' ')}: {mismatch}"
        return None


def amounts(text: str) -> set[int]:
    """The dollar amounts ``text`` names, in cents ("$1,593.20" -> 159320)."""
    return {int(m.group(1).replace(",", "")) * 100 + int((m.group(2) or "0").ljust(2, "0"))
            for m in _AMOUNT.finditer(text)}


def _dollars(cents: int) -> str:
    return f"${cents // 100:,}.{cents % 100:02d}"
