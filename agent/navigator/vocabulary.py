"""The embedded brain's vocabulary (``prompts/ivr_vocabulary.yaml``) and the word-level
text handling built on it: lower-casing, Spanish to English, phrase folding, stemming."""

from __future__ import annotations

import re
from functools import cached_property, lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel

from ..paths import PROMPTS_DIR

_WORD = re.compile(r"[a-z0-9ñáéíóúü_']+")
_CLAUSE = re.compile(r"[,;.:!?]|\b(?:and|or|but|y|o|pero)\b")
_NEGATOR = re.compile(r"^(?:not|no|non|never|without|nobody|none|nothing|nunca|sin|\w+n't)$")


class Vocabulary(BaseModel):
    """The contents of ``prompts/ivr_vocabulary.yaml`` (see the comments there), and the
    word functions that read with it."""

    spanish: dict[str, str]
    phrases: dict[str, str]
    stop_words: list[str]
    related: dict[str, list[str]]
    topics: dict[str, list[str]]
    explore: list[str]
    navigation: dict[str, list[str]]
    wants_human: list[str]
    keep_holding: list[str]
    affirmative: list[str]
    negative: list[str]
    languages: dict[str, list[str]]
    hold_phrases: list[str]
    person_questions: list[str]
    automated_words: list[str]
    rejection_phrases: list[str]
    no_input_phrases: list[str]
    closing_phrases: list[str]
    closed_phrases: list[str]
    boilerplate: list[str]
    actions: dict[str, list[str]]
    contrasts: list[list[str]]
    qualifiers: dict[str, dict[str, list[str]]]
    fields: dict[str, list[str]]

    # --- derived tables (computed once per vocabulary) --------------------------------

    @cached_property
    def _stops(self) -> frozenset[str]:
        return frozenset(self.stop_words) | frozenset(stem(w) for w in self.stop_words)

    @cached_property
    def _phrase_pattern(self) -> re.Pattern[str] | None:
        if not self.phrases:
            return None
        alternatives = sorted(self.phrases, key=len, reverse=True)
        return re.compile(r"(?<![a-z0-9_])(?:" + "|".join(map(re.escape, alternatives))
                          + r")(?![a-z0-9_])")

    @cached_property
    def related_stems(self) -> dict[str, frozenset[str]]:
        """Stemmed term -> stemmed terms an IVR may say for it (both directions)."""
        related: dict[str, set[str]] = {}
        for word, others in self.related.items():
            key = self.term(word)
            for other in others:
                related.setdefault(key, set()).add(self.term(other))
                related.setdefault(self.term(other), set()).add(key)
        return {k: frozenset(v) for k, v in related.items()}

    @cached_property
    def contrast_terms(self) -> list[frozenset[str]]:
        """Each group of :attr:`contrasts` as stemmed terms."""
        return [frozenset(self.term(word) for word in group) for group in self.contrasts]

    @cached_property
    def topic_terms(self) -> dict[str, frozenset[str]]:
        """Topic -> the stemmed terms (single words or folded phrases) that evoke it."""
        return {topic: frozenset(t for words in entries for t in self.terms(words))
                for topic, entries in self.topics.items()}

    # --- words ----------------------------------------------------------------------

    @cached_property
    def _spanish_phrases(self) -> re.Pattern[str] | None:
        phrases = sorted((p for p in self.spanish if " " in p), key=len, reverse=True)
        return re.compile("|".join(rf"\b{re.escape(p)}\b" for p in phrases)) if phrases else None

    @cached_property
    def _normalized(self) -> dict[str, str]:
        return {}  # text -> normalize(text): menus repeat, and every option is read often

    def normalize(self, text: str) -> str:
        """Lower-cased words of ``text`` with Spanish words and phrases translated and
        phrases folded ("date of birth" -> "date_of_birth"), separated by single spaces."""
        cached = self._normalized.get(text)
        if cached is None:
            if len(self._normalized) > 10_000:
                self._normalized.clear()
            cached = self._normalized[text] = self._normalize(text)
        return cached

    def _normalize(self, text: str) -> str:
        lowered = text.lower().replace("’", "'")
        if self._spanish_phrases is not None:
            lowered = self._spanish_phrases.sub(lambda m: self.spanish[m.group(0)], lowered)
        words = [self.spanish.get(w, w) for w in _WORD.findall(lowered)]
        joined = " ".join(words)
        if self._phrase_pattern is not None:
            joined = self._phrase_pattern.sub(lambda m: self.phrases[m.group(0)], joined)
        return joined

    def term(self, word: str) -> str:
        """One word or folded phrase as a term (stemmed)."""
        return stem(word)

    def terms(self, text: str) -> list[str]:
        """Meaningful stemmed terms of ``text``: normalized, stop words dropped. A term
        after a negation in its clause is ``not_<term>`` ("a bag that hasn't been reported"
        -> ``not_reported``), so it does not match the term itself."""
        stops = self._stops
        found = []
        for clause in _CLAUSE.split(text.lower().replace("’", "'")):
            reach = 0  # words a negation still reaches ("hasn't been reported", not further)
            for word in self.normalize(clause).split():
                if _NEGATOR.match(word):
                    # "non-emergency" negates one word
                    reach = {"no": 3, "nobody": 3, "nothing": 3, "none": 3, "non": 1}.get(word, 2)
                    continue
                reach -= 1
                if word in stops:
                    continue
                term = stem(word)
                if term not in stops and not term.isdigit():
                    found.append("not_" + term if reach >= 0 else term)
        return found

    def topics_of(self, terms: list[str] | set[str]) -> set[str]:
        """The topics the terms evoke."""
        present = set(terms)
        return {topic for topic, words in self.topic_terms.items() if present & words}

    def has_phrase(self, text: str, phrases: list[str]) -> bool:
        """Whether lower-cased ``text`` contains one of ``phrases`` as whole words."""
        return _phrase_regex(tuple(phrases)).search(text.lower().replace("’", "'")) is not None


@lru_cache(maxsize=512)
def _phrase_regex(phrases: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(map(re.escape, sorted(phrases, key=len, reverse=True))) or "(?!)"
    return re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])")


def stem(word: str) -> str:
    """A light English stemmer: words that differ only in a plural, possessive or past
    ending, a final silent e or a doubled letter get one term ("accounts" and "account",
    "policies" and "policy", "mailed" and "mail", "cancelled" and "cancel", "scheduled"
    and "schedule"; "baggage" and "bagage", as an STT or a typist drops or adds a doubled
    letter); enough to match IVR wording without merging words that differ in meaning
    ("-ing" is kept: "checking")."""
    word = word.lower().removesuffix("'s").strip("'")
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 4 and word.endswith(("sses", "ches", "shes", "xes")):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if len(word) > 5 and word.endswith("ed") and not word.endswith("eed"):
        word = word[:-2]
        if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
            word = word[:-1]  # "stopped" -> "stop"
        elif len(word) > 5 and word.endswith("ll"):
            word = word[:-1]  # "cancelled" -> "cancel", but "billed" -> "bill"
    if len(word) > 4 and word.endswith("e") and not word.endswith(("ee", "ie", "ue")):
        word = word[:-1]
    # a doubled letter counts once: an STT or a typist drops or adds one ("bagage")
    return _DOUBLED.sub(r"\1", word)


_DOUBLED = re.compile(r"([a-z])\1")


def load_vocabulary(path: Path = PROMPTS_DIR / "ivr_vocabulary.yaml") -> Vocabulary:
    """The brain's vocabulary from ``path`` (``prompts/ivr_vocabulary.yaml`` by default).

    Raises:
        OSError: the file cannot be read.
        pydantic.ValidationError: the file lacks a section or has a wrong shape.
    """
    return Vocabulary.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
