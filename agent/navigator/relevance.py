"""How well a piece of phone-line text fits a caller's goal, on words and topics.

Phone trees name things their own way: a copay question sits under "benefits and
coverage", a payment plan under "billing questions", an outage report under "technical
support". :class:`WordRelevance` scores on shared terms (stemmed, phrases folded, Spanish
read as English), on related words, and on shared topics of the vocabulary, so the label
a goal means wins without a word in common.
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
it was reported), or per negated goal term the text affirms."""
CONTEXT = 0.3
"""Weight of a goal term that names what the whole phone line is about ("card" on a card
issuer's line, from its greeting): it tells no option from another."""
_EXAMPLE_BREAK = re.compile(r"\s*,\s*(?:or\s+|and\s+)?|\s+(?:or|and)\s+")


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

    def learn_context(self, text: str) -> None:
        """Note the words of a greeting ("Thank you for calling Summit Card Services"):
        goal terms among them count :data:`CONTEXT` from now on."""
        self.context |= set(self.vocab.terms(text)) & self.goal_terms

    def _related(self, a: str, b: str) -> bool:
        return b in self.vocab.related_stems.get(a, ())

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
        if precision and recall:
            explained = sum(
                1 for t in terms
                if t in goal or any(self._related(g, t) for g in goal)
                or self.vocab.topics_of({t}) & self.goal_topics)
            recall *= 0.5 + 0.5 * explained / len(terms)
        contradicted = sum(1 for g in goal if _negated(g) in terms)
        return recall + topic_credit - CONTRADICTION * contradicted
