"""The embedded brain: a deterministic IVR-navigation policy (a
:class:`~agent.navigator.brain.Brain`).

It reads each turn of the far end (:mod:`agent.navigator.reading`) and keeps its own
state of the call: the menus it met and what it tried at each, the entries it made, the
path it is on. Each turn it does the first of:

1. A person speaks: state the goal (or, when the goal is to reach a person, record
   ``transferred_to_human``); record the answer once they give it, or the failure when
   they cannot help.
2. An informative statement about the goal's subject (with or without figures; after an
   option chosen for the goal, the statement that follows counts as about it): record
   ``completed`` with every informative sentence of the turn, whole.
3. A read-back ("you entered 9 4 1 0 3; if this is correct, press 1"): confirm it when it
   is what was entered, else re-enter.
4. An entry request: the fact it asks for (by kind: a date of birth is never answered
   with a member ID), formatted as asked (MMDDYYYY, last four digits, dollars and
   cents), with the terminator asked for; a secret goes through ``enter_secret``. A
   rejected value moves to the next candidate.
5. Options: keep holding when asked; the caller's language; else the option that fits
   the goal best (:mod:`agent.navigator.relevance`), never one whose action the goal did
   not ask for (:mod:`agent.navigator.safety`); else explore an "other" option, stay on
   the line, go back to the main menu, try an unannounced 0 for an operator; never the
   same choice twice at the same menu.
6. A speech-only menu: say what the call is about, then ask for a representative.
7. A closing or closed office with nothing left: record ``failed`` with what it said.
8. Hold music and anything else: listen.

In audio mode it also hears partial prompts (one speech segment at a time, before the far
end has finished) and decides when to stop listening: it barges in with a key as soon as
what it has heard holds the caller's language or an option sure to serve the goal
(relevance at least :data:`BARGE_IN_CHOICE`, which a mere topic word does not reach: "For
billing" waits for the rest of the menu in case "billing disputes" follows). Anything
else, entries included (their length and terminator may come last), waits for the end of
the prompt.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher

from ..call.events import ActionDeclined, CallEvent, Prompt
from ..call.task import CallTask
from .brain import Action, Decision, EnterSecret, PressKeys, RecordResult, Say
from .reading import EntryRequest, Option, PromptReader, Reading, figures
from .relevance import WordRelevance
from .safety import SafetyPolicy
from .vocabulary import Vocabulary

BARGE_IN_CHOICE = 2.5
"""Relevance of an option heard mid-menu that is pressed without waiting for the rest
(above :data:`CONFIDENT_CHOICE`: the goal's subject and what it asks for, not a topic
word alone)."""
MAX_SAME_PROMPT = 3
"""Hearing the identical prompt this many times before means the call is looping."""
MAX_BACKTRACKS = 3
SAID_AGAIN = "(said again)"
"""Marks a speech menu at which the last phrase was said again after a no-input reprompt."""
WEAK_LEAD = 0.3
"""Least relevance of an option tried, below :data:`CHOOSE_MIN`, when it is the only one
near the goal (at least twice the next) and giving up is the alternative."""
HEARD_OUT = "(heard out)"
"""Marks a menu (among its tried selectors) whose one option was heard, did not serve,
and was waited past once for the rest of the menu."""
CHOOSE_MIN = 0.5
"""Least relevance of an option chosen for the goal."""
CONFIDENT_CHOICE = 1.5
"""Relevance of a choice after which what the line says next is taken as about the goal."""
ASKED_ACTION = 1.5
"""Credit for an option that does what the goal asks to be done (pay, cancel...)."""
TELLS_ONLY = 1.5
"""Penalty for an option that only tells ("status", "hours") when the goal asks for an
action to be taken."""
FACT_HINT = 0.3
"""Credit for an option about what the caller's facts are for ("track a package" when a
tracking number is given): the requester gave the facts the path needs."""
OFFERS_ANSWER = 0.4
"""Credit for an option that offers the kind of answer the goal asks for ("balance and
due date" for "how much do I owe and when is it due?")."""
HUMAN_OPTION = 2.0
"""Bonus of an option naming a person ("speak with a representative") for a goal that
asks for one."""
PERSON_DEPARTMENT = 1.2
"""Relevance of an option that leads to the person the goal wants ("my claims adjuster"
-> "check on an existing claim"), tried before an unannounced 0."""
TYPED_ANSWER = 1.0
"""Lead a statement stating every kind of figure the goal asks for ("your balance is
$186.42, due May 22" for "how much and by when?") keeps over the menu after it: an option
must score this much more than the statement to be heard first."""
ANSWER_MIN = 1.5
"""Least relevance of a statement taken as the answer, off the goal's path."""
ON_PATH_ANSWER_MIN = 0.4
"""Least relevance of an informative statement heard right after an option chosen for
the goal (the IVR is answering what was asked)."""

_STATUS = re.compile(
    r"\b(?:approved|denied|declined|processed|processing|pending|shipped|delivered|"
    r"out for delivery|in transit|ready|on time|delayed|cancel(?:l)?ed|scheduled|confirmed|"
    r"located|found|received|open|opens|closed|closes|available|unavailable|expired|active|"
    r"disbursed|complete|completed|paid|issued|mailed|sent|arrive|arrives|arriving|"
    r"estimated|due|balance|covered|not covered|eligible|restored|working|resolved|"
    r"transferred|placed|booked|upgraded|filed|submitted|on hold|missing|incomplete|"
    r"approved|awarded|owe|credit|refund|waived|posted|hours|located at|departs?|lands?|"
    r"gate|terminal|aprobad|procesad|enviad|listo|lista|entregad|programad)\b", re.I)
_WHOSE = re.compile(r"\b(?:\w+\s+)?\w+'s\b")
"""A possessive before a field ("the account holder's", "the patient's")."""
_ACCOUNT_FACT = re.compile(
    r"(?:^|_)(?:account|policy|member|customer|patient|subscriber|client|pin|passcode|loan|"
    r"card|claim|order|booking|reservation|confirmation|tracking|case|ticket|citation|license|"
    r"plate|date_of_birth|dob|ssn)(?:_|$)")
"""Names of facts that only an existing customer has (a policy number, a PIN, ...)."""
_NOT_ANSWER = re.compile(
    r"^(?:thank you|thanks|gracias)[,.!]?(?:\s+\w+)?[,.!]?$|^please (?:have|be|bring|make sure)\b"
    r"|\b(?:your identity has been|"
    r"you(?:'ve| have) been (?:verified|identified)|we found your|i found your|one moment|"
    r"let me|i'll need|i need|you(?:'ll| will) need|we(?:'ll| will) need|have your|"
    r"please wait|please hold|i can help|we can help|"
    r"you(?:'ve| have) selected|you(?:'re| are) calling about|main menu|is there anything)\b",
    re.I)
_DONE = re.compile(
    r"^(?:done|all set|you're all set|thank you\. your)\b|\b(?:has|have) been\b|"
    r"\bconfirmation (?:number|code)\b|\breference number\b|"
    r"\b(?:is|are) (?:now )?(?:scheduled|confirmed|booked|set|complete|cancel(?:l)?ed|on (?:its|"
    r"their|the) way)\b"
    r"|\b(?:we(?:'ve| have)|i(?:'ve| have)) (?:scheduled|cancel(?:l)?ed|ordered|sent|placed|"
    r"booked|submitted|filed|requested|updated|changed)\b", re.I)
"""A statement that an action was done (the answer to a goal that asks for one)."""
_ASKING = re.compile(
    r"(?:what|when|how|which|where|who|why|is|are|do|does|did|can|could|will|would|tell me|"
    r"let me know|find out|i (?:want|need|'d like|would like) to know|check|¿)\b", re.I)
"""A part of a goal that asks something (its answer types count), not a story ("when I
landed in Orlando")."""
_ANSWER_TYPES = {
    "time": (re.compile(r"\b(?:when|what time|what day|which day|what date|how long|how soon|"
                        r"deadline|due date|due|last day|by when|until|cuándo|cuando)\b", re.I),
             re.compile(r"\b(?:january|february|march|april|may|june|july|august|september|"
                        r"october|november|december|monday|tuesday|wednesday|thursday|"
                        r"friday|saturday|sunday|today|tomorrow|tonight|morning|afternoon|"
                        r"evening|noon|midnight|end of (?:the )?day|"
                        r"enero|febrero|marzo|abril|mayo|junio|julio|"
                        r"agosto|septiembre|octubre|noviembre|diciembre|lunes|martes|"
                        r"miércoles|jueves|viernes|sábado|domingo|hoy|mañana|\d+\s*(?:business\s+)?(?:days?|weeks?|hours?|"
                        r"minutes?|months?)|\d{1,2}(?::\d\d)?\s?(?:a\.?m\.?|p\.?m\.?)|"
                        r"\d{1,2}/\d{1,2})\b", re.I)),
    "money": (re.compile(r"\b(?:how much|cost|costs|price|fee|fees|balance|amount|owe|copay|"
                         r"deductible|charge|charges|pay|payment|minimum|dollars|cuánto|"
                         r"cuanto)\b|\$", re.I),
              re.compile(r"\$\s?\d|\bdollars?\b|\bno charge\b|\bfree\b|\bzero\b", re.I)),
    "phone": (re.compile(r"\b(?:phone|telephone|fax) number\b|\bnumber (?:to call|to dial|"
                         r"(?:can|should|do|could) (?:i|we) (?:call|dial|reach|use))\b|"
                         r"\bhow (?:can|do|could) (?:i|we) (?:reach|call|contact)\b", re.I),
              re.compile(r"\b\d{3}[-.\s]\d{4}\b|\(\d{3}\)|\b1[-\s]?8\d\d\b|"
                         r"\b\d{3}[-.\s]\d{3}[-.\s]\d{4}\b", re.I)),
    "place": (re.compile(r"\bwhere (?:exactly )?(?:do|should|can|could|would|will|to) "
                         r"(?:i|we|you)? ?"
                         r"(?:send|mail|go|drop|bring|take|park|deliver|ship|file|pay)\b|"
                         r"\bwhat(?:'s| is) the (?:mailing |street )?address\b|"
                         r"\bwhich (?:address|office|location|branch)\b", re.I),
              re.compile(r"\b\d+\s+(?:[a-z]+\s+){1,3}(?:street|st|avenue|ave|road|rd|boulevard|"
                         r"blvd|drive|dr|lane|ln|way|court|ct|place|pl|parkway|pkwy|highway|"
                         r"hwy)\b|\bp\.?\s?o\.?\s+box\b|\bbox \d+|\bsuite \d+", re.I)),
}
"""Kinds of figure a goal asks for (a time for "when", money for "how much", a place for
"where do I send it") and how an answer states them: a statement without the kind asked
for does not answer."""
_OFFERS = {
    "time": re.compile(r"\b(?:dates?|due|when|schedules?|times?|hours|status|arrivals?|"
                       r"departures?|deadlines?|next|window)\b", re.I),
    "money": re.compile(r"\b(?:balance|amount|cost|costs|price|prices|pricing|fee|fees|owe|"
                        r"charges?|copays?|deductibles?|rates?|quote|payoff)\b", re.I),
    "phone": re.compile(r"\b(?:phone|telephone|fax|number|contact|direct line)\b", re.I),
    "place": re.compile(r"\b(?:address|addresses|mailing|locations?|directions|where to)\b",
                        re.I),
}
"""How an option label offers each kind of answer of :data:`_ANSWER_TYPES`."""
_TELLS = re.compile(r"\b(?:status|hours|locations?|directions|information|info|balance|"
                    r"history|summary|tracking|track|due date|hear|address to mail)\b", re.I)
_REFERRAL = re.compile(
    r"\b(?:does not|doesn't|do not|don't|cannot|can't|can not|unable to|not able to|"
    r"isn't able|aren't able|is not available|are not available|isn't available|not offered|"
    r"only (?:the|by|online|through|at|in person)|must be (?:made|done|requested|handled)|"
    r"(?:please|you(?:'ll| will) need to|you can|you may|you must) (?:contact|call|visit|go "
    r"to|reach)|(?:is|are) (?:issued|handled|managed|serviced|processed) by|no (?:longer|"
    r"record)|we do not|we don't|we can't|we cannot)\b", re.I)
"""A statement that the goal cannot be served here, and who or where can serve it."""
_FIELD_PREPOSITION = re.compile(r"\s(?:for|on|from|associated with|linked to)\s", re.I)
"""Where a field's head ends ("the billing ZIP code | for this card")."""
_YES = {"yes", "y", "true"}
_NO = {"no", "n", "false", "none"}
_WHOEVER = {"anybody", "somebody", "any", "some"}
_ANY_OBJECT = {"amount", "different", "other", "another", "specific", "now", "today", "it",
               "thi", "this"}
"""Words of an option that name no particular object ("pay a different amount")."""
_CODE_WITH_LETTERS = re.compile(r"(?=[A-Za-z0-9-]*[A-Za-z])(?=[A-Za-z0-9-]*\d)[A-Za-z0-9-]+")
"""A code of letters and digits ("W1234567", "ABC123"): no keypad entry carries it."""
_KEYPAD = re.compile(r"\b(?:enter|press|dial|type|key ?pad|touch[- ]?tone|pound|followed by)\b",
                     re.I)
"""Words of a keypad entry: a person asking for a number without them wants it spoken."""
_REFUSES_HUMAN = re.compile(
    r"\b(?:(?:don't|do not|doesn't|won't|not|never|no need to|rather not)\b"
    r"(?:[^\w.!?;]+\w+){0,5}?[^\w.!?;]+"  # within the sentence
    r"(?:hold|wait|speak|talk|person|people|representative|agent|operator|human|someone)"
    r"|without (?:waiting|holding|speaking|talking)"
    r"|(?:automated|self[- ]service) (?:line|menu|system|phone menu|options?) only"
    r"|only (?:the )?(?:automated|self[- ]service))\b", re.I)
"""A goal that keeps the call to the automated line: no operator, no queue."""
_CONDITIONAL = re.compile(r"^\s*(?:when|if|once|after|before|as soon as|should|cuando|si)\b",
                          re.I)
_CANT_HELP = re.compile(
    r"\b(?:can(?:no|')t help|unable to help|not able to help|can(?:no|')t (?:do|assist|"
    r"look|find|access|make|change|provide)|don't have (?:access|that)|not something i can|"
    r"i'm (?:sorry|afraid)|isn't something|outside of what|you(?:'ll| will) need to "
    r"(?:call|contact|visit|go))\b", re.I)
_CLAUSE = re.compile(
    r"\b(?:is|are|was|were|will|would|has|have|had|can|could|should|must|may|shows?|"
    r"remains?|includes?|costs?|owes?|expires?|opens?|closes?|arrives?|arrived|departs?|"
    r"departed|lands?|landed|leaves?|left|begins?|starts?|ends?|covers?|pays?|takes?|"
    r"needs?|requires?|es|est[aá]n?|son|fue|ser[aá]|tiene|tienen|hay)\b|'(?:s|re|ll|ve)\b",
    re.I)
"""A finite verb: an answer is a clause ("your balance is ..."), a menu header is not
("Checking account ending in 4821")."""
_IDENTIFIES = re.compile(
    r"\b(?:enter|say|provide|key in|have|know|use|using|verify|by|with|tiene|ingrese)\s+"
    r"(?:(?:your|the|a|an|su|it|them)\s+)?(?:[\w'-]+\s+){0,3}?(?:number|id|code|date|birth|"
    r"pin|zip|digits?|ssn|social|passcode|password|n[uú]mero|fecha)\b", re.I)
"""An option for a way to identify ("enter the ZIP code where your vehicle is kept", "if
you have your member ID"): a verb of giving, then the credential."""
_ALTERNATIVE = re.compile(r"\b(?:don't|do not|doesn't|does not) (?:have|know)|another way|"
                          r"other ways?|not sure|no tiene", re.I)
_MONTHS = {m: i + 1 for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"])}


@dataclass
class Turn:
    """One thing the far end said, how it reads, and what the navigator did in reply."""

    heard: str
    reading: Reading
    actions: list[Action] = field(default_factory=list)
    declined: set[str] = field(default_factory=set)
    partial: bool = False
    """Heard mid-prompt (audio mode): the rest of the prompt was not heard."""


def _asks_credential(option: Option) -> bool:
    """Whether ``option`` is a way to identify: a giving verb before a credential in its
    own words ("if you have your 10-digit account number", "to look up your account
    using the phone number on file")."""
    said = option.sentence.lower()
    at = said.find(option.label)  # the label with the words just before it
    return _IDENTIFIES.search(said[max(0, at - 25):at + len(option.label)]
                              if at >= 0 else option.label) is not None


class IvrPolicy:
    """Decides the navigator's moves for one call (see the module docstring).

    Args:
        task: the goal, facts and secret names of the call.
        vocabulary: the words it reads prompts with (``prompts/ivr_vocabulary.yaml``).
        safety: the safety policy whose judgement it follows when choosing (the key tools
            enforce the same policy whatever the brain decides).
        relevance: how well texts fit the goal: any object with the interface of
            :class:`WordRelevance` (``goal_terms``, ``context``, ``learn_context``,
            ``score``); the word rules for ``task.goal`` if None.
    """

    def __init__(self, task: CallTask, vocabulary: Vocabulary,
                 safety: SafetyPolicy | None = None,
                 relevance: WordRelevance | None = None) -> None:
        self.task = task
        self.vocab = vocabulary
        self.reader = PromptReader(vocabulary)
        self.relevance = relevance if relevance is not None else WordRelevance(task.goal,
                                                                               vocabulary)
        self.safety = safety or SafetyPolicy(task.goal, vocabulary)
        goal_terms = self.relevance.goal_terms
        self.refuses_human = bool(_REFUSES_HUMAN.search(task.goal))
        self.wants_human = not self.refuses_human and bool(
            goal_terms & {vocabulary.term(w) for w in vocabulary.wants_human})
        self.language = self._preferred_language()
        self.turns: list[Turn] = []
        self.tried: dict[frozenset, set[str]] = {}  # menu signature -> selectors tried
        self.rejections: Counter[str] = Counter()  # fact -> values the IVR refused
        self.last_entry: tuple[str, str] | None = None  # (fact, digits entered)
        self.misheard_readbacks: dict[str, str] = {}  # digits entered -> read-back heard
        self.on_goal_path = False  # the last choice was made for the goal
        questions = " ".join(s for s in re.split(r"(?<=[.?!])\s+|\s+-\s+|;|,\s*(?:and|but)\s+",
                                                 task.goal)
                             if s.strip().endswith("?") or _ASKING.match(s.strip()))
        self.answer_types = {kind for kind, (asks, _) in _ANSWER_TYPES.items()
                             if asks.search(questions)}
        self.backtracks = 0
        # facts of an account the caller holds: an "existing customer", not a new one
        self.customer = any(_ACCOUNT_FACT.search(name) for name in task.facts)
        self.avoided: dict[str, str] = {}  # option label -> action the goal did not ask for
        self.with_person = False
        self.stated_goal = False
        self.recorded = False
        self.partial = ""  # what was heard so far of a prompt still under way

    # --- entry point --------------------------------------------------------------------

    def decide(self, new_events: Sequence[CallEvent]) -> Decision:
        """The moves after ``new_events``; none when nothing new was heard."""
        if self.recorded:
            return Decision(why="result already recorded")
        heard = " ".join(e.text for e in new_events if isinstance(e, Prompt) and e.final)
        if heard:
            self.partial = ""
        elif partial := [e.text for e in new_events if isinstance(e, Prompt)]:
            return self._heard_partial(partial[-1])
        declined = [e for e in new_events if isinstance(e, ActionDeclined)]
        for event in declined:
            self.avoided[event.action] = event.reason
        if heard:
            reading = self.reader.read(heard)
            if reading.greeting and not any(self.tried.values()):  # the line's, before a key
                self.relevance.learn_context(reading.greeting)
            self.turns.append(Turn(heard=heard, reading=reading))
        elif declined and self.turns and self.turns[-1].partial:
            return Decision(why="a key chosen mid-prompt was declined: listening on")
        elif declined and self.turns:
            # the key was refused: decide again at the same prompt, without it
            turn = self.turns[-1]
            turn.declined.update(e.keys for e in declined)
            turn.actions.clear()
        else:
            return Decision(why="nothing new heard")
        decision = self._decide(self.turns[-1])
        self.turns[-1].actions.extend(decision.actions)
        if any(isinstance(a, RecordResult) for a in decision.actions):
            self.recorded = True
        return decision

    def _heard_partial(self, heard: str) -> Decision:
        """``heard``, all heard so far of a prompt still under way: press now only an
        option that is sure (see the module docstring), else keep listening."""
        self.partial = heard
        reading = self.reader.read(heard)
        option = self._sure_option(reading)
        if option is None:
            return Decision(why="listening: nothing sure heard yet")
        self.partial = ""
        turn = Turn(heard=heard, reading=reading, partial=True)
        self.turns.append(turn)
        language = self._language_of(option) is not None
        decision = self._select(option, turn, "heard mid-prompt: "
                                + ("our language" if language else "a sure match"),
                                on_path=self.on_goal_path if language else True)
        turn.actions.extend(decision.actions)
        return decision

    def _sure_option(self, reading: Reading) -> Option | None:
        """The option of a prompt still under way to press without waiting for the rest:
        the caller's language, or one that fits the goal by :data:`BARGE_IN_CHOICE` at
        least and that the safety policy allows; None to keep listening."""
        if (reading.person or self.with_person or reading.hold or reading.entry is not None
                or reading.readback is not None):
            return None  # an entry waits for its whole prompt (length, terminator)
        keyed = [o for o in reading.options if o.key]
        for option in keyed:
            if self._language_of(option) == self.language:
                return option
        scored = [(self._option_score(o, reading), o) for o in keyed
                  if not self._language_of(o) and not self._is_navigation(o)
                  and self.safety.refusal(o, reading) is None]
        best = max(scored, key=lambda pair: pair[0], default=None)
        return best[1] if best and best[0] >= BARGE_IN_CHOICE else None

    def _decide(self, turn: Turn) -> Decision:
        reading = turn.reading
        if sum(t.heard == turn.heard for t in self.turns[:-1]) >= MAX_SAME_PROMPT:
            return self.record("failed", reason=(
                f"The IVR repeated the same prompt {MAX_SAME_PROMPT + 1} times without "
                "progress."))
        if reading.person or (self.with_person and not reading.options and (
                reading.entry is None or not _KEYPAD.search(turn.heard))):
            return self._talk_to_person(turn)
        self.with_person = False
        answer = self._answer(reading)
        if answer is not None:
            return answer
        referral = self._referral(reading)
        if referral is not None:
            return referral
        if reading.readback is not None and reading.options:
            confirmed = self._confirm_readback(turn)
            if confirmed is not None:
                return confirmed
        if reading.entry is not None:
            return self._enter(reading.entry, turn)
        if reading.speech_menu and reading.no_input:
            said = [a.text for t in self.turns[-2:-1] for a in t.actions if isinstance(a, Say)]
            tried = self._tried_at(reading)
            if said and SAID_AGAIN not in tried:
                # "I didn't hear a selection" right after we spoke: our words came too
                # late for its timer, or were lost on the line; not a phrase it did not know
                tried.add(SAID_AGAIN)
                return Decision([Say(said[-1])], why=f"saying {said[-1]!r} again: not heard")
        if reading.options:
            return self._choose(turn)
        if reading.speech_menu:
            return self._say_goal(turn)
        if (reading.closing or reading.closed) and not reading.hold:
            said = " ".join(reading.statements) or turn.heard
            return self.record("failed", answer=said,
                               reason=f"The IVR ended without serving the goal: {said}")
        return Decision(why="on hold" if reading.hold else "nothing to act on: listening")

    def record(self, outcome: str, answer: str = "", *, reason: str = "",
               facts: list[tuple[str, str]] | None = None, say: str = "") -> Decision:
        """A decision that records the result (ending the call), optionally saying ``say``
        first; ``answer`` defaults to ``reason`` for a failure."""
        actions: list[Action] = [Say(say)] if say else []
        actions.append(RecordResult(outcome, answer or reason, reason,  # type: ignore[arg-type]
                                    tuple(facts or ())))
        return Decision(actions, why=f"record {outcome}: {answer or reason}")

    # --- the goal's answer ----------------------------------------------------------------

    def _informative(self, sentence: str) -> bool:
        return (bool(figures(sentence) or _STATUS.search(sentence))
                and _CLAUSE.search(sentence) is not None
                and not _NOT_ANSWER.search(sentence.strip()))

    def _answer(self, reading: Reading, *, person: bool = False) -> Decision | None:
        """Record the turn's informative statements when they answer the goal."""
        if self.wants_human and not person:
            return None
        # "connecting you to roadside assistance, available 24 hours a day" is no answer
        informative = [s for s in reading.statements if self._informative(s)
                       and (person or not self.vocab.has_phrase(s, self.vocab.hold_phrases))]
        if self.safety.asked and not any(
                _DONE.search(s) and not _CONDITIONAL.match(s)
                and not self.safety.actions_reported(s) - self.safety.asked
                for s in re.split(r"(?<=[.!?])\s+", reading.text)):
            # the goal asks for an action: only word that it was done answers ("when you
            # report your card, it will be cancelled" is a warning before the deed; "your
            # appointment has been cancelled" is a step of moving it, not the move)
            return None
        # past this check, the statements give every kind of figure the goal asks for
        typed = bool(self.answer_types) and not self.safety.asked
        if typed:
            # "when is it due?" is answered by a date, "how much?" by an amount
            said = " ".join(informative)
            if not all(_ANSWER_TYPES[kind][1].search(said) for kind in self.answer_types):
                return None
        if not informative or (reading.rejection and not person):
            return None
        if any(self.relevance.contrasts(s) for s in informative):
            return None  # "that includes ... electric service" answers no water question
        best = max(self.relevance.score(s, precision=False) for s in reading.statements)
        onward = [self.relevance.score(o.label) for o in reading.options
                  if not self._is_navigation(o) and not self._is(o, self.vocab.wants_human)
                  and not self._is(o, self.vocab.explore)
                  and self.safety.refusal(o, reading) is None]
        menu_follows = any(score >= CHOOSE_MIN for score in onward)  # it goes on toward the goal
        if onward and max(onward) >= best + (TYPED_ANSWER if typed else 0.0) and not person:
            return None  # an option offers more of the goal than what was said
        on_path = (self.on_goal_path or person) and not reading.entry and not menu_follows
        if best < ANSWER_MIN and not (on_path and best >= ON_PATH_ANSWER_MIN):
            return None
        # the answer whole, as the line said it (without "is there anything else?")
        said = [s for s in reading.statements if not _NOT_ANSWER.search(s.strip())]
        facts = [(self._figure_name(s, f, i), f) for s in said for i, f in enumerate(figures(s))]
        return self.record("completed", " ".join(said), facts=facts)

    def _referral(self, reading: Reading) -> Decision | None:
        """Record ``failed`` when the line says the goal is not served here ("the Skyward
        Visa card is issued by Harbor National Bank; please call ..."), with what it said."""
        if reading.rejection or reading.hold or reading.entry is not None:
            return None  # it asks again or transfers
        said = [s for s in reading.prose if _REFERRAL.search(s)]
        if not any(self._names_our_subject(s) for s in said):
            return None  # about another service ("licenses cannot be ordered by phone")
        best = max(self.relevance.score(s, precision=False) for s in said)
        tried = self._tried_at(reading)
        if any(not self._is_navigation(o) and o.action not in tried
               and self.safety.refusal(o, reading) is None
               and self._option_score(o, reading) >= max(CHOOSE_MIN, best)
               for o in reading.options):
            return None  # it still offers a way on, not yet tried, as good as what it said
        on_path = self.on_goal_path and not any(
            not self._is_navigation(o) for o in reading.options)
        if best < ANSWER_MIN and not (on_path and best >= ON_PATH_ANSWER_MIN):
            return None
        answer = " ".join(s for s in reading.prose if s in reading.statements or s in said)
        return self.record("failed", answer,
                           reason=f"The goal is not served on this line: {answer}")

    def _option_score(self, option: Option, reading: Reading) -> float:
        """How well choosing ``option`` serves the goal: its relevance, more when it does
        the action the goal asks for (or confirms it), less when it only tells what the
        goal wants done, more when it offers the kind of answer asked or uses our facts."""
        score = self.relevance.score(option.label)
        fit = self.relevance.caller_fit(option.label, customer=self.customer)
        if not self.wants_human:  # a person serves either
            fit += self.relevance.stage_fit(option.label, customer=self.customer,
                                            relevant=score > 0)
        score += fit
        action = self.safety.action_of(option, reading)
        if action in self.safety.asked or (action is not None and self.safety.affirms(option)):
            # the goal asks for what this option does, to what it names: a pickup is not
            # booked under "redelivery", a registration card not ordered as a title
            score += ASKED_ACTION if self._same_object(option) else ASKED_ACTION / 3
        elif self.safety.asked and action is None and _TELLS.search(option.label):
            score -= TELLS_ONLY  # "flight status" only tells; the goal asks for a deed
        score += OFFERS_ANSWER * sum(1 for kind in self.answer_types
                                     if _OFFERS[kind].search(option.label))
        if self._uses_our_facts(option):
            score += FACT_HINT
        return score

    def _same_object(self, option: Option) -> bool:
        """Whether ``option`` acts on what the goal names: it names nothing but the action
        ("make a payment"), or something the goal names (or a related word)."""
        if self.safety.affirms(option):
            return True  # confirming what was chosen for the goal
        objects = set(self.vocab.terms(option.label)) - self.safety.action_words - _ANY_OBJECT
        return not objects or self._names_our_subject(option.label)

    def _names_our_subject(self, sentence: str) -> bool:
        """Whether ``sentence`` names what the goal is about, not only what it asks done
        ("title" for "order me a replacement title", not "replacement")."""
        verbs = self.safety.action_words
        subject = {g for g in self.relevance.goal_terms if g not in verbs} - self.relevance.context
        terms = set(self.vocab.terms(sentence))
        related = self.vocab.related_stems
        return any(g in terms or related.get(g, frozenset()) & terms for g in subject)

    def _figure_name(self, sentence: str, figure: str, index: int) -> str:
        """A snake_case name for a figure from the words before it in its clause
        ("a minimum payment of $35.00" -> "minimum_payment"), else the sentence's
        subject."""
        if re.search(r"points?$", figure, re.I):
            return "points"
        def words(text: str) -> list[str]:
            stops = set(self.vocab.stop_words)
            return [w for w in re.findall(r"[a-z]+", text.lower()) if w not in stops]

        clause = sentence[: sentence.find(figure)].rsplit(",", 1)[-1]
        named = words(clause) or words(sentence.split(",")[0])
        return "_".join(named[-4:]) if named else f"figure_{index + 1}"

    # --- a person on the line --------------------------------------------------------------

    def _introduce(self) -> str:
        name = self.task.candidates("name")
        on_behalf = f"on behalf of {name[0]}" if name else "on behalf of a customer"
        return f"Hello, I'm an automated assistant calling {on_behalf}. {self.task.goal}"

    def _talk_to_person(self, turn: Turn) -> Decision:
        self.with_person = True
        if not self.stated_goal:
            self.stated_goal = True
            if self.wants_human:
                return self.record(
                    "transferred_to_human", f"A live representative answered: {turn.heard}",
                    say=f"{self._introduce()} I'll connect them with you now.")
            return Decision([Say(self._introduce())], why="stating the goal to a person")
        answer = self._answer(turn.reading, person=True)
        if answer is not None:
            answer.actions.insert(0, Say("Thank you, that's everything I needed. Goodbye."))
            return answer
        asked = self._fact_asked_by_person(turn.heard)
        if asked is not None:
            return asked
        if _CANT_HELP.search(turn.heard) or turn.reading.closing:
            return self.record("failed", say="Thank you for your time. Goodbye.",
                               reason=f"The representative could not help: {turn.heard}")
        return Decision([Say(f"I'm calling because: {self.task.goal}")],
                        why="restating the goal to the person")

    def _fact_asked_by_person(self, heard: str) -> Decision | None:
        entry = self.reader.read(heard).entry
        if entry is None:
            return None
        fact = self._fact_for(entry)
        if fact is None or fact in self.task.secrets:
            return None
        value = self._format(self.task.candidates(fact)[0], entry, fact)
        return Decision([Say(" ".join(value) if value.isdigit() else value)],
                        why=f"telling the person the {fact}")

    # --- entries ---------------------------------------------------------------------------

    def _kinds(self, text: str) -> set[str]:
        """The kinds of field ``text`` names (a prompt's field or a fact's name): "driver
        license or ID card number" names a license and a card."""
        normalized = " " + self.vocab.normalize(text.replace("_", " ")) + " "
        return {kind for kind, words in self.vocab.fields.items()
                if any(f" {self.vocab.normalize(w)} " in normalized for w in words)}

    def _head_kinds(self, text: str) -> set[str]:
        """The kinds of field named before a preposition, when another kind follows it
        ("billing ZIP code for this card" -> the ZIP code); else every kind named. Whose
        field it is names no kind ("the account holder's Social Security number")."""
        text = _WHOSE.sub(" ", text)
        parts = _FIELD_PREPOSITION.split(text.replace("_", " "), maxsplit=1)
        kinds = self._kinds(text)
        if len(parts) == 2 and (head := self._kinds(parts[0])) and self._kinds(parts[1]) - head:
            return head
        return kinds

    def _fits(self, fact: str, entry: EntryRequest) -> bool:
        """Whether ``fact`` fits the entry's digit count: not far longer ("4 to 6 digits"
        reads as 4; a country code may be dropped), a date (reformatted), or a ZIP+4 for
        a 5-digit ZIP code. A 16-digit card number never goes into a ZIP code field."""
        value = self.task.candidates(fact)[0]
        digits = re.sub(r"\D", "", value)
        if (entry.digits is None or entry.last_digits or entry.amount
                or _parse_date(value) is not None):
            return True
        zip_plus_4 = len(digits) == 9 and "zip" in self._kinds(fact) | self._kinds(entry.field)
        return zip_plus_4 or len(digits) <= entry.digits + 2

    def _kind(self, text: str) -> str | None:
        """The first kind of field ``text`` names, or None."""
        return next(iter(sorted(self._kinds(text))), None)

    def _fact_for(self, entry: EntryRequest) -> str | None:
        """The fact that holds what ``entry`` asks for: one of the same kind, else the one
        sharing the most specific words with the field."""
        kinds = self._kinds(entry.field)
        head = self._head_kinds(entry.field)
        generic = {"number", "id", "code", "digit", "digits", "last", "your"}
        wanted = set(self.vocab.terms(entry.field)) - generic
        best, best_score = None, 0.0
        for name in self.task.facts:
            fact_kinds = self._kinds(name)
            if fact_kinds and kinds and not head & fact_kinds:
                continue  # "the billing ZIP code for this card" is a ZIP code, not a card
            if not self._fits(name, entry):
                continue  # 16 digits are no answer to a 5-digit field
            score = 0.0
            if kinds & fact_kinds:
                score = 10.0
                if entry.date_format and fact_kinds & {"date_of_birth", "date", "expiration"}:
                    score += 5.0  # "la fecha del vuelo" in MMDDYYYY: the date, not the flight
            elif kinds and fact_kinds:
                continue  # a date of birth is never answered with a member ID
            score += len(wanted & (set(self.vocab.terms(name.replace("_", " "))) - generic))
            if score > best_score:
                best, best_score = name, score
        return best

    def _format(self, value: str, entry: EntryRequest, fact: str) -> str:
        """``value`` as ``entry`` asks for it: a date in its format, the last digits, an
        amount in dollars and cents, a phone number without its country code."""
        kind = self._kind(entry.field) or self._kind(fact)
        if entry.date_format or kind in ("date_of_birth", "date", "expiration"):
            parsed = _parse_date(value)
            if parsed is not None:  # a card's expiration has no day
                expiration = "expiration" in self._kinds(entry.field) | self._kinds(fact)
                default = "MMYY" if expiration else "MMDDYYYY"
                return _format_date(parsed, entry.date_format or default)
        digits = re.sub(r"\D", "", value)
        if entry.amount:
            match = re.search(r"(\d[\d,]*)(?:\.(\d{1,2}))?", value)
            if match:
                dollars = match.group(1).replace(",", "")
                cents = (match.group(2) or "00").ljust(2, "0")
                digits = dollars if entry.whole_dollars else dollars + cents
        n = entry.digits
        if n and len(digits) > n:
            digits = digits[:n] if kind == "zip" else digits[-n:]
        return digits

    def _enter(self, entry: EntryRequest, turn: Turn) -> Decision:
        fact = self._fact_for(entry)
        if fact is None:
            for option in turn.reading.options:
                if _ALTERNATIVE.search(option.label) and option.key:
                    return self._select(option, turn, "the fact asked for is not given")
            return self.record("failed", reason=(
                f"The IVR asked for the {entry.field}, which the call request does not "
                "provide."))
        if (turn.reading.rejection and self.last_entry is not None
                and self.last_entry[0] == fact):
            self.rejections[fact] += 1
        candidates = self.task.candidates(fact)
        attempt = self.rejections[fact]
        if attempt >= len(candidates):
            return self.record("failed", reason=(
                f"The IVR rejected the {fact.replace('_', ' ')}: {len(candidates)} value(s) "
                "tried."))
        terminator = (entry.terminator or "") if entry.keys else ""
        if fact in self.task.secrets:
            # always as keys: a secret is never spoken (speech would put it in transcripts)
            self.last_entry = (fact, "")
            last = entry.digits if entry.last_digits and entry.digits else 0
            return Decision([EnterSecret(fact, attempt, terminator, last)],
                            why=f"entering secret {fact} (candidate {attempt})")
        raw = str(candidates[attempt]).strip()
        if entry.speech and _CODE_WITH_LETTERS.fullmatch(raw):
            # keys cannot carry the letters of "W1234567": it is spelled, as the IVR allows
            self.last_entry = (fact, re.sub(r"\D", "", raw))
            spelled = " ".join(ch for ch in raw.upper() if ch.isalnum())
            return Decision([Say(spelled)], why=f"saying {fact}: it has letters")
        value = self._format(candidates[attempt], entry, fact)
        self.last_entry = (fact, value)
        if not entry.keys or not value:
            spoken = candidates[attempt] if not value else " ".join(value)
            return Decision([Say(spoken)], why=f"saying {fact}")
        return Decision([PressKeys(value + terminator)], why=f"entering {fact}")

    def _confirm_readback(self, turn: Turn) -> Decision | None:
        """Confirm a read-back that matches what was entered; re-enter one that does not."""
        reading = turn.reading
        entered = self.last_entry[1] if self.last_entry else ""
        matches = not entered or reading.readback == entered or (
            reading.readback and entered.endswith(reading.readback))
        if not matches and self.misheard_readbacks.get(entered) == reading.readback:
            # the same keys read back the same twice: keys arrive exactly, so it is the
            # hearing that differs ("7715002946" heard as "$7,750,000,946" both times)
            matches = True
        elif not matches:
            self.misheard_readbacks[entered] = reading.readback or ""
        wanted = self.vocab.affirmative if matches else self.vocab.negative
        for option in reading.options:
            if option.key and self.vocab.has_phrase(option.label, wanted):
                return self._select(option, turn, "read-back " + ("matches" if matches
                                                                  else "does not match"))
        return None

    # --- menus ---------------------------------------------------------------------------

    def _preferred_language(self) -> str:
        for name, values in self.task.facts.items():
            if "language" in name or "idioma" in name:
                value = (values if isinstance(values, str) else values[0]).lower()
                for language, names in self.vocab.languages.items():
                    if any(n in value for n in names):
                        return language
        if re.search(r"[¿¡ñáéíóú]|\b(?:mi|el|la|de|por favor|quiero|cuál|saldo)\b",
                     self.task.goal.lower()):
            return "spanish"
        return "english"

    def _language_of(self, option: Option) -> str | None:
        label = option.label.lower()
        for language, names in self.vocab.languages.items():
            if self.vocab.has_phrase(label, names):
                return language
        return None

    def _is_navigation(self, option: Option) -> bool:
        """Repeat, go back, finish, keep holding: options that serve no goal."""
        return any(self._is(option, words) for words in self.vocab.navigation.values()) or (
            self.vocab.has_phrase(option.label, self.vocab.keep_holding))

    def _is(self, option: Option, words: list[str]) -> bool:
        label = option.label.lower()
        terms = set(self.vocab.terms(label)) | set(self.vocab.normalize(label).split())
        return self.vocab.has_phrase(label, words) or bool(
            terms & {self.vocab.term(w) for w in words})

    def _choose(self, turn: Turn) -> Decision:
        reading = turn.reading
        vocab = self.vocab
        tried = self._tried_at(reading)
        open_options = [o for o in reading.options
                        if o.action not in tried and o.key not in turn.declined]

        for option in reading.options:  # every time it is asked, not once per menu
            if vocab.has_phrase(option.label, vocab.keep_holding) and option.key:
                return Decision([PressKeys(option.key)],
                                why=f"pressing {option.key} to keep our place in the queue")
        languages = [o for o in reading.options if self._language_of(o)]
        if languages:
            for option in languages:
                if self._language_of(option) == self.language:
                    return self._select(option, turn, f"language {self.language}",
                                        on_path=self.on_goal_path)
            defaults = [o for o in open_options if o.wait and not self._language_of(o)]
            served_here = any(o.key and not self._language_of(o)
                              and self._option_score(o, reading) >= CONFIDENT_CHOICE
                              for o in open_options)  # "for roadside assistance, press 1"
            if self.language == "english" and not served_here and (
                    defaults or any(o.wait for o in languages)
                    or not any(o.key for o in reading.options if not self._language_of(o))):
                return Decision(why="English is the default: staying on the line")

        scored = []
        refused_here: dict[str, str] = {}
        for option in open_options:
            if self._language_of(option) or self._is_navigation(option) or (
                    self.refuses_human and self._is(option, vocab.wants_human)):
                continue
            refusal = self.safety.refusal(option, reading)
            if refusal is not None:
                if self.relevance.score(option.label) >= CHOOSE_MIN or self.on_goal_path:
                    self.avoided[option.label] = refused_here[option.label] = refusal
                continue
            score = self._option_score(option, reading)
            scored.append((score, option))
        if self.wants_human:
            # a person in general ("the operator") only beats the department the goal
            # names ("an admissions counselor") when no such department is offered
            department = any(score >= PERSON_DEPARTMENT for score, option in scored
                             if not self._is(option, vocab.wants_human))
            bonus = -HUMAN_OPTION / 4 if department else HUMAN_OPTION
            scored = [(score + bonus if self._is(option, vocab.wants_human) else score, option)
                      for score, option in scored]
        scored.sort(key=lambda pair: -pair[0])
        identify = self._identification(open_options)
        # another way to identify ("using the phone number on file") is no better choice
        other = next((score for score, o in scored if not _asks_credential(o)), 0.0)
        if identify is not None and other < CONFIDENT_CHOICE:
            return self._select(identify, turn, "identifying with a fact we have",
                                on_path=self.on_goal_path)
        offered_keys = {o.key for o in reading.options}
        operator_tried = any("0" in self.tried.get(sig, set()) for sig in self.tried)
        if (self.wants_human and "0" not in offered_keys and not operator_tried
                and not any(self._is(o, vocab.wants_human) for _, o in scored)
                and not any(score >= PERSON_DEPARTMENT for score, _ in scored)):
            return self._operator(tried)  # no option names a person: the unannounced 0
        if refused_here and self.on_goal_path and not reading.hold and (
                not scored or all(self.safety.declines(o) for _, o in scored)):
            # the goal's path goes on only through what was refused ("to change to this
            # flight for a $99 fee, press 1"); declining it would only lead elsewhere
            label, why = next(iter(refused_here.items()))
            return self.record("failed", answer=" ".join(reading.statements), reason=(
                f"The goal can only go on through '{label}', which was declined: {why}."))
        general = next((o for o in open_options if o.wait and not o.label), None)
        keyed = [o for o in reading.options if o.key and not self._language_of(o)]
        if general is not None and len(keyed) == 1 and not reading.hold and not (
                scored and scored[0][0] >= CONFIDENT_CHOICE):
            # "if you need roadside assistance, press 1 now; otherwise, stay on the line":
            # a weak match does not leave the line's general path for its one exception
            return self._select(general, turn, "no option here clearly serves the goal",
                                on_path=False)
        if (reading.speech_menu and reading.rejection and self.task.goal not in tried
                and not (scored and scored[0][0] >= CONFIDENT_CHOICE)):
            # the phrase that served was not understood: the goal in our own words holds
            # it too, and more for a recogniser to catch, rather than a weaker phrase
            return self._say_goal(turn)
        if scored and scored[0][0] >= CHOOSE_MIN:
            score, best = scored[0]
            return self._select(best, turn, f"best match for the goal ({score:.2f})",
                                on_path=score >= CONFIDENT_CHOICE)
        if reading.hold:
            return Decision(why="on hold: no option here serves the goal, so waiting")
        if (reading.speech_menu and not set(self._speech_phrases()) <= tried
                and not (self.task.goal in tried and _CANT_HELP.search(turn.heard))):
            return self._say_goal(turn)  # not understood yet; "I can't help" is an answer
        for _, option in scored:
            if self._is(option, vocab.explore) or (option.wait and not option.label):
                return self._select(option, turn, "exploring", on_path=False)
        for _, option in scored:
            if option.wait:
                return self._select(option, turn, "staying on the line", on_path=False)
        if self.backtracks < MAX_BACKTRACKS:
            for option in open_options:
                if option.key and self._is(option, vocab.navigation["back"]):
                    self.backtracks += 1
                    return self._select(option, turn, "no match here: going back",
                                        on_path=False)
        answered = self._yes_no_from_facts([o for _, o in scored])
        if answered is not None:
            return self._select(answered, turn, "the answer our facts give",
                                on_path=self.on_goal_path)
        default = self._unmentioned_default(scored)
        if default is not None:
            return self._select(default, turn, "the goal does not say so: the 'no' answer",
                                on_path=self.on_goal_path)
        if len(reading.options) == 1 and HEARD_OUT not in tried:
            # one option is no menu: the rest comes after a pause (a prompt built of
            # recordings), or a start of it was lost; its repeat tells the menu is whole
            tried.add(HEARD_OUT)
            return Decision(why="one option heard, not for the goal: listening for the rest")
        if ("0" not in offered_keys and not operator_tried and not scored
                and not self.refuses_human):
            return self._operator(tried)
        leads = [(score, o) for score, o in scored if o.key and score >= WEAK_LEAD]
        if leads and not self.avoided and (
                len(leads) == 1 or leads[0][0] >= 2 * leads[1][0]):
            # "a vehicle currently in our shop" for "is my car ready?": no word in common
            # but one related; with nothing else near it, a caller tries it before giving up
            score, lead = leads[0]
            return self._select(lead, turn, f"the one lead for the goal ({score:.2f})",
                                on_path=False)
        person = next((o for _, o in scored if o.key and self._is(o, vocab.wants_human)), None)
        if person is not None and not self.avoided:
            # no option names what the goal is about: the person the menu offers may
            return self._select(person, turn, "no option serves: asking a person",
                                on_path=False)
        if self.avoided:
            label, why = next(iter(self.avoided.items()))
            return self.record("failed", reason=(
                f"The goal can only go on through '{label}', which was declined: {why}."))
        offered = ", ".join(o.label for o in reading.options if o.label)
        return self.record("failed", reason=(
            f"None of the options offered ({offered}) serves the goal."))

    def _uses_our_facts(self, option: Option) -> bool:
        generic = {"number", "id", "code", "name", "date", "last", "digit", "first"}
        facts = {t for name in self.task.facts for t in self.vocab.terms(name.replace("_", " "))
                 } - generic - self.relevance.context
        related = self.vocab.related_stems
        return any(t in facts or related.get(t, frozenset()) & facts
                   for t in self.vocab.terms(option.label))

    def _operator(self, tried: set[str]) -> Decision:
        """Press 0, the key of an operator on most phone lines, though no menu said so."""
        tried.add("0")
        self.on_goal_path = self.wants_human
        return Decision([PressKeys("0")], why="no option serves: trying 0 for an operator")

    def _yes_no_from_facts(self, options: list[Option]) -> Option | None:
        """For a yes/no question a fact answers (``anyone_injured: "no"`` and "if anyone
        was injured, press 1; if no one was injured, press 2"), the option it picks."""
        for name, value in self.task.facts.items():
            answer = str(value).strip().lower()
            if name in self.task.secrets or answer not in _YES | _NO:
                continue
            asked = set(self.vocab.terms(name.replace("_", " "))) - _WHOEVER
            for option in options:
                terms = set(self.vocab.terms(option.label))
                said = {t for t in terms if not t.startswith("not_")}
                denied = {t.removeprefix("not_") for t in terms if t.startswith("not_")}
                if asked and asked <= (said if answer in _YES else denied):
                    return option
        return None

    def _unmentioned_default(self, scored: list[tuple[float, Option]]) -> Option | None:
        """For a yes/no question the goal says nothing about ("if anyone was injured,
        press 1; if no one was injured, press 2"), the 'no' option."""
        for _, option in scored:
            terms = set(self.vocab.terms(option.label))
            negated = {t.removeprefix("not_") for t in terms if t.startswith("not_")}
            if not negated or negated & self.relevance.goal_terms:
                continue
            for _, other in scored:
                if other is not option and negated <= set(self.vocab.terms(other.label)):
                    return option
        return None

    def _has_fact(self, kind: str) -> bool:
        return any(kind in self._kinds(name) for name in self.task.facts)

    def _identification(self, options: list[Option]) -> Option | None:
        """Among options that ask how the caller will identify ("press 1 to enter your
        ZIP code", "if you have your member ID, press 1; if you don't have it, press 2"),
        the first the facts allow: a field a fact holds, or "don't have" for one none
        holds."""
        previous = None
        for option in options:
            kind = self._kind(option.label) if _asks_credential(option) else None
            negated = _ALTERNATIVE.search(option.sentence) is not None
            if negated and kind is None:
                kind = previous
            if kind is None or kind in ("amount", "date"):
                continue
            previous = kind
            if self._has_fact(kind) != negated:
                return option
        return None

    def _tried_at(self, reading: Reading) -> set[str]:
        """The selectors already tried at this menu, also when it was heard before with
        other words for some labels (an STT hears "redelivery" once, "redo-livery" the
        next time): the same selectors, each label spelled at least 60% alike."""
        signature = reading.signature
        if signature not in self.tried:
            labels = dict(signature)
            for known in self.tried:
                before = dict(known)
                if before.keys() == labels.keys() and all(
                        SequenceMatcher(None, before[a], labels[a]).ratio() >= 0.6
                        for a in labels):
                    return self.tried[known]
        return self.tried.setdefault(signature, set())

    def _select(self, option: Option, turn: Turn, why: str, *,
                on_path: bool | None = None) -> Decision:
        self._tried_at(turn.reading).add(option.action)
        self.safety.chose(option, turn.reading)
        if on_path is not None:
            self.on_goal_path = on_path
        if option.key is not None:
            return Decision([PressKeys(option.key)],
                            why=f"pressing {option.key} for {option.label!r}: {why}")
        if option.say is not None:
            return Decision([Say(option.say)], why=f"saying {option.say!r}: {why}")
        return Decision(why=f"staying on the line for {option.label!r}: {why}")

    def _short_goal(self) -> str:
        """The goal in a few key words for a speech menu that did not understand it
        whole: the words of the goal's subject the vocabulary knows ("title")."""
        known = set().union(*self.vocab.topic_terms.values(), self.vocab.related_stems)
        subject = self.relevance.goal_terms - self.safety.action_words - self.relevance.context
        words = [w for w in re.findall(r"[\w'-]+", self.task.goal)
                 if (t := self.vocab.term(w.lower())) in subject and t in known]
        return " ".join(dict.fromkeys(words[:4]))

    def _speech_phrases(self) -> list[str]:
        """What to say to a speech menu, in order: the goal, its key words, a person."""
        phrases = [self.task.goal, self._short_goal()]
        if not self.refuses_human:
            phrases.append("representative")
        return [p for p in phrases if p]

    def _say_goal(self, turn: Turn) -> Decision:
        """A speech menu that lists nothing that serves: say the goal, then its key
        words, then ask for a person."""
        tried = self._tried_at(turn.reading)
        for phrase in self._speech_phrases():
            if phrase not in tried:
                tried.add(phrase)
                self.on_goal_path = phrase == self.task.goal or self.wants_human
                return Decision([Say(phrase)], why=f"saying {phrase!r} to a speech menu")
        return self.record("failed", reason="The speech menu did not understand the goal.")


def _parse_date(value: str) -> date | None:
    """A date written as 1987-04-12, 04/12/1987, 4-12-87, 21/12/2003 (day first when the
    first number cannot be a month), April 12, 1987 or 12 April 1987."""
    text = value.strip().lower()
    if m := re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", text):
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    elif m := re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{2,4})", text):
        a, b, y = int(m[1]), int(m[2]), int(m[3])
        y += 1900 if 30 < y < 100 else 2000 if y < 100 else 0
        mo, d = (b, a) if a > 12 else (a, b)
    elif m := re.fullmatch(r"(\d{2})(\d{2})(\d{4})", text):
        mo, d, y = int(m[1]), int(m[2]), int(m[3])
    elif m := re.fullmatch(r"(\d{1,2})\s*/\s*(\d{2}|\d{4})", text):  # a card's 08/28
        mo, d, y = int(m[1]), 1, int(m[2])
        y += 2000 if y < 100 else 0
    elif m := re.fullmatch(r"([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", text):
        mo, d, y = _month(m[1]), int(m[2]), int(m[3])
    elif m := re.fullmatch(r"(\d{1,2})\s+([a-z]+)\.?,?\s+(\d{4})", text):
        d, mo, y = int(m[1]), _month(m[2]), int(m[3])
    else:
        return None
    try:
        return date(y, mo, d)
    except ValueError:
        return None


def _month(word: str) -> int:
    """The month a name or abbreviation names ("apr" -> 4), 0 for none."""
    return next((n for name, n in _MONTHS.items() if name.startswith(word[:3])), 0)


def _format_date(day: date, fmt: str) -> str:
    """``day`` as the digits of ``fmt`` (MMDDYYYY, MMDDYY, MMYY, YYYY...)."""
    return (fmt.replace("YYYY", f"{day.year:04d}").replace("YY", f"{day.year % 100:02d}")
            .replace("MM", f"{day.month:02d}").replace("DD", f"{day.day:02d}"))
