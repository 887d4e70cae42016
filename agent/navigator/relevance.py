"""How well a piece of phone-line text fits a caller's goal, on words and topics.

Phone trees name things their own way: a copay question sits under "benefits and
coverage", a payment plan under "billing questions", an outage report under "technical
support". :class:`WordRelevance` scores on shared terms (stemmed, phrases folded, Spanish
read as English), on related words, and on shared topics of the vocabulary, so the label
a goal means wins without a word in common. It also scores who an option is for and the
stage it serves (:meth:`WordRelevance.caller_fit`, :meth:`WordRelevance.stage_fit`): a
policyholder's option for a caller with a policy number, "check on an existing claim" for
a goal that follows up on one.
"""

from __future__ import annotations

import re

from .reading import EXAMPLES
from .vocabulary import Vocabulary

RELATED = 0.6
"""Credit for a goal term an IVR says with a related word ("bill" for "statement")."""
TOPIC = 0.5
"""Credit per goal term evoking a topic the text shares ("copay" and "coverage" are both
about benefits), up to :data:`MAX_TOPIC`."""
MAX_TOPIC = 1.5
CONTRADICTION = 1.0
"""Penalty per goal term the text negates ("hasn't been reported" for a goal that says
it was reported), per negated goal term the text affirms, and per kind of a thing other
than the goal's that the text names ("credit" for "debit"; the vocabulary's contrasts)."""
CONTEXT = 0.3
"""Weight of a goal term that names what the whole phone line is about ("card" on a card
issuer's line, from its greeting): it tells no option from another."""
_EXAMPLE_BREAK = re.compile(r"\s*,\s*(?:or\s+|and\s+)?|\s+(?:or|and)\s+")
_FOLLOW_UP_GOAL = re.compile(
    r"\b(?:status|yet|already|still|where (?:things|it|they|we) stand|"
    r"where(?:'s| is| are)\s+(?:my|our|the)|"
    r"(?:'s|'ve|'re|has|have|had|was|were|is|are)\s+(?:\w+\s+)?(?:been\s+)?(?:approved|"
    r"processed|deposited|paid|found|shipped|sent|received|reimbursed|fixed|located|issued|"
    r"delivered|reviewed|ready|in|done|turned in)\b|"
    r"\bdid (?:i|we|you|they) (?:ever )?(?:get|receive)\b|"
    r"(?:i|we)\s+(?:\w+\s+)?(?:applied|submitted|sent|mailed|filed|ordered|dropped|reported|"
    r"booked|requested|paid)\b|"
    r"(?:my|our)\s+(?:\w+\s+)?(?:reservation|booking|cruise|trip|appointment|order|claim|"
    r"application|request|shipment|package|delivery|refund|case|ticket)s?\b)")
"""A goal following up on something already under way ("has my claim been approved?", "I
applied two weeks ago", "where's the truck with my furniture", "our cruise next month")."""
_EXISTING_OPTION = re.compile(
    r"\b(?:existing|already|check on|checking on|in transit|on (?:its|their|the) way|"
    r"on file|pending|current|currently|recent|previously|you(?:'ve| have) (?:already )?"
    r"(?:filed|submitted|sent|reported|placed|made|booked|applied))\b")
"""An option for something under way ("check on an existing claim", "an application you
have already submitted", "an order that's on its way")."""
_NEW_OPTION = re.compile(
    r"\b(?:new|apply|applying|start a|open a|file a|report a|get a quote|a quote|estimate|"
    r"sign up|enroll|book a|schedule a|rent a|plan a|planning a)\b")
"""An option for starting something ("file a new claim", "apply for a permit")."""
DERIVED_MIN = 5
"""Letters a term must have for a longer term it begins to count as related to it."""
_STARTS_NEW = re.compile(r"\b(?:(?:a|an) new|another|open (?:a|an)|apply|sign up|start|book|"
                         r"quote|estimate|set up|add|enroll|join|buy|purchase|order|report|"
                         r"file|request)\b")
"""A goal that starts something ("book another move", "open an account")."""
_SUPPOSED = re.compile(r"\s*(?:if|suppose|supposing|what if|in case|when)\b")
"""A clause that supposes ("if I filed a claim, ..."): nothing under way."""
_HOLDER_OPTION = re.compile(
    r"(?:^|\b(?:an?|our)\s+)(?:current\s+|existing\s+)?(?:[a-z]+\s+)?(?:policy ?holder|member|"
    r"customer|patient|client|subscriber|account ?holder|resident|tenant|cardholder)s?"
    r"(?=$|,|\s+calling\b)|"
    r"\b(?:current|existing|returning)\s+(?:policy ?holders?|members?|customers?|patients?|"
    r"clients?|subscribers?|account ?holders?|residents?|tenants?|famil(?:y|ies)|"
    r"cardholders?)\b")
"""An option for a caller who already has an account ("if you are a Fetchwell
policyholder", "existing customers")."""
_PROSPECT_OPTION = re.compile(
    r"\b(?:new|prospective|potential|future)\s+(?:policy ?holders?|members?|customers?|"
    r"patients?|clients?|subscribers?|policy|policies|accounts?|service)\b|\bquotes?\b|"
    r"\bnot (?:yet )?(?:a|an) (?:member|customer|policy ?holder|patient|client)\b")
"""An option for a caller who has none yet ("new customers", "a quote for a new policy")."""
_TRADE_CALLER = re.compile(
    r"^(?:an?\s+)?(?:[a-z]+\s+)?(?:provider|physician|doctor's office|medical office|practice|"
    r"vendor|contractor|broker|employer|dealer|merchant|attorney|partner|driver(?!'s)|agency)s?"
    r"(?=$|,|\s+(?:or|and|calling|office)\b)")
"""An option for a caller in a trade, not a customer ("a veterinary practice", "a
contractor", "a restaurant partner")."""
FOLLOW_UP = 0.75
"""Credit for an option about something under way, for a goal following up on one
(and the penalty, for one starting something new)."""


def _negated(term: str) -> str:
    """``not_x`` for ``x`` and ``x`` for ``not_x``."""
    return term[4:] if term.startswith("not_") else "not_" + term


class WordRelevance:
    """Relevance of texts to ``goal`` (see the module docstring).

    Args:
        goal: the caller's goal, in natural language.
        vocab: the words and topics of phone trees.
    """

    def __init__(self, goal: str, vocab: Vocabulary) -> None:
        self.vocab = vocab
        self.goal_terms = set(vocab.terms(goal))
        self.goal_topics = vocab.topics_of(self.goal_terms)
        self.context: set[str] = set()
        self.starts_new = bool(_STARTS_NEW.search(goal.lower()))
        self.follows_up = any(
            _FOLLOW_UP_GOAL.search(clause) and not _SUPPOSED.match(clause)
            for clause in re.split(r"[,.;?!]", goal.lower().replace("’", "'")))

    def learn_context(self, text: str) -> None:
        """Note the words of a greeting ("Thank you for calling Summit Card Services"):
        goal terms among them count :data:`CONTEXT` from now on."""
        self.context |= set(self.vocab.terms(text)) & self.goal_terms

    def contrasts(self, text: str) -> bool:
        """Whether ``text`` names another kind of the thing the goal names ("electric
        service" for a water bill; the vocabulary's contrasts)."""
        return self._contrasted(set(self.vocab.terms(text))) > 0

    def _contrasted(self, terms: set[str]) -> int:
        return sum(1 for group in self.vocab.contrast_terms
                   if (named := self.goal_terms & group) and terms & group
                   and not terms & named)

    def caller_fit(self, label: str, *, customer: bool = False) -> float:
        """How an option meant for a kind of caller fits this one: :data:`FOLLOW_UP` for an
        option for account holders ("if you are a policyholder") when the caller is one
        (``customer``: the call has an account's facts) or follows up; minus it for one
        for new customers ("a quote for a new policy") then, and for one meant for a
        trade ("calling from a veterinary practice") the goal does not name; 0
        otherwise."""
        low = label.lower().replace("’", "'")
        trade = _TRADE_CALLER.search(low)
        if trade and not set(self.vocab.terms(trade.group(0))) & self.goal_terms:
            return -FOLLOW_UP
        if customer or self.follows_up:
            if _HOLDER_OPTION.search(low):
                return FOLLOW_UP
            if _PROSPECT_OPTION.search(low):
                return -FOLLOW_UP
        return 0.0

    def stage_fit(self, label: str, *, customer: bool = False, relevant: bool = True) -> float:
        """:data:`FOLLOW_UP` for an option about something under way ("status of a claim
        you have already filed") when the goal follows up on one (as does a ``customer``
        whose goal starts nothing, on an option ``relevant`` to the goal), minus it for one
        starting something new ("file a new claim"); 0 otherwise."""
        if not (self.follows_up or (customer and relevant and not self.starts_new)):
            return 0.0
        low = label.lower().replace("’", "'")
        if _EXISTING_OPTION.search(low):
            return FOLLOW_UP
        return -FOLLOW_UP if _NEW_OPTION.search(low) else 0.0

    def _related(self, a: str, b: str) -> bool:
        """``b`` is a word an IVR may say for ``a``, both affirmed or both negated
        ("not_urgent" and "not_emergency")."""
        if a.startswith("not_") != b.startswith("not_"):
            return False
        a, b = a.removeprefix("not_"), b.removeprefix("not_")
        short, long = sorted((a, b), key=len)
        # one word derived from the other ("cover" and "coverage", "complain" and
        # "complaint", "cancel" and "cancellation")
        return (b in self.vocab.related_stems.get(a, ())
                or (len(short) >= DERIVED_MIN and long.startswith(short)))

    def _contradicts(self, g: str, terms: set[str]) -> bool:
        """The text negates goal term ``g`` or a related word, or affirms it (or a related
        word) where the goal negates it ("emergency" for "it's not urgent")."""
        opposite = _negated(g)
        return opposite in terms or any(self._related(opposite, t) for t in terms)

    def score(self, text: str, *, precision: bool = True) -> float:
        """How well ``text`` fits the goal; 0 means unrelated.

        Recall of the goal's terms (1 per exact term, :data:`RELATED` per related one),
        plus :data:`TOPIC` per goal term evoking a topic they share, less
        :data:`CONTRADICTION` per goal term the text negates. For an option label
        (``precision``) the word part is weighted by how much of the label the goal
        explains, so "auto loan" loses to "mortgage" for a home-loan goal; a statement that
        answers the goal may say much more than the goal, so it is scored without that
        weight. A label listing examples of itself ("such as a tow, a jump start, ...")
        scores as its best example.
        """
        if precision and (listed := EXAMPLES.search(text)):
            # a goal fits one example, not the whole list: the list would only dilute it
            head = text[:listed.start()]
            examples = _EXAMPLE_BREAK.split(text[listed.end():])
            return max(self._score(text, precision=True),
                       *(self._score(f"{head} {e}", precision=True) for e in examples if e))
        return self._score(text, precision=precision)

    def _score(self, text: str, *, precision: bool) -> float:
        terms = set(self.vocab.terms(text))
        goal = self.goal_terms
        if not terms or not goal:
            return 0.0
        recall = 0.0
        for g in goal:
            weight = CONTEXT if g in self.context else 1.0
            if g in terms:
                recall += weight
            elif any(self._related(g, t) for t in terms):
                recall += RELATED * weight
        shared_topics = self.goal_topics & self.vocab.topics_of(terms)
        evoking = sum(1 for g in goal if self.vocab.topics_of({g}) & shared_topics
                      and g not in self.context)
        topic_credit = min(MAX_TOPIC, TOPIC * max(evoking, 1)) if shared_topics else 0.0
        if precision and (recall or topic_credit):
            explained = sum(
                1 for t in terms
                if t in goal or any(self._related(g, t) for g in goal)
                or self.vocab.topics_of({t}) & self.goal_topics)
            weight = 0.5 + 0.5 * explained / len(terms)
            recall *= weight
            if not recall:  # a topic alone, one word of a long label, is a faint match
                topic_credit *= weight
        contradicted = sum(1 for g in goal if self._contradicts(g, terms))
        contradicted += self._contrasted(terms)
        return recall + topic_credit - CONTRADICTION * contradicted
