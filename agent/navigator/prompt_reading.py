"""Reading what an IVR says: menu options, digit-entry requests, hold, a person answering,
and the figures an information prompt gives.

Pure text functions for the embedded brain (:mod:`agent.navigator.policy`); the words
they rely on live in ``prompts/ivr_vocabulary.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import yaml
from pydantic import BaseModel

from ..paths import PROMPTS_DIR


class Vocabulary(BaseModel):
    """The contents of ``prompts/ivr_vocabulary.yaml`` (see the comments there)."""

    phrases: dict[str, str]
    stop_words: list[str]
    related: dict[str, list[str]]
    explore: list[str]
    navigation: list[str]
    wants_human: list[str]
    affirmative: list[str]
    languages: list[str]
    hold_phrases: list[str]
    human_phrases: list[str]
    invalid_phrases: list[str]


@cache
def vocabulary() -> Vocabulary:
    """The brain's vocabulary, read once from ``prompts/ivr_vocabulary.yaml``."""
    raw = yaml.safe_load((PROMPTS_DIR / "ivr_vocabulary.yaml").read_text(encoding="utf-8"))
    return Vocabulary.model_validate(raw)


def stem(word: str) -> str:
    """A light English stemmer: plural and possessive endings only ("accounts" -> "account",
    "rewards" -> "reward", "policies" -> "policy"); enough to match IVR wording."""
    word = word.lower().removesuffix("'s")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def terms(text: str) -> list[str]:
    """Meaningful stemmed words of ``text``, multi-word phrases folded (``"home loan"`` ->
    ``"mortgage"``), stop words dropped."""
    vocab = vocabulary()
    lowered = " " + re.sub(r"[^a-z0-9ñ_' ]+", " ", text.lower()) + " "
    for phrase, replacement in vocab.phrases.items():
        lowered = lowered.replace(f" {phrase} ", f" {replacement} ")
    stops = set(vocab.stop_words)
    return [stem(w) for w in lowered.split() if w not in stops and stem(w) not in stops]


_KEY_WORDS = {
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9", "star": "*", "pound": "#",
    "hash": "#", "asterisk": "*",
    # US language menus are bilingual: "Para español, oprima el dos"
    "cero": "0", "uno": "1", "dos": "2", "tres": "3", "cuatro": "4", "cinco": "5",
    "seis": "6", "siete": "7", "ocho": "8", "nueve": "9", "estrella": "*", "numeral": "#",
}
_KEY = (r"(?:the\s+|el\s+)?(?P<key>[0-9*#]|" + "|".join(_KEY_WORDS) + r")(?:\s+key)?")
_PRESS = r"(?:press|dial|push|select|enter)"
_OPTION_PATTERNS: list[tuple[re.Pattern[str], bool]] = [  # (pattern, the label is to be said)
    # "For deposit accounts, press 1" / "To speak with a representative, press 0"
    (re.compile(rf"^(?:for|to|if you(?:'d| would)? like(?: to)?|if you want(?: to)?|if you are"
                rf"|if you)\s+(?P<label>.+?),?\s+(?:please\s+)?{_PRESS}\s+{_KEY}"
                rf"(?:,?\s+or\s+.+)?$"), False),
    # "Press 1 for English" / "press 2 to hear it again"
    (re.compile(rf"^(?:please\s+)?{_PRESS}\s+{_KEY},?\s+(?:for|to)\s+(?P<label>.+)$"), False),
    # "You can say balance or press 1" / "Say main menu or press 9"
    (re.compile(rf"^(?:you can\s+)?say\s+(?P<label>.+?),?\s+or\s+{_PRESS}\s+{_KEY}$"), True),
    # "Para español, oprima el dos"
    (re.compile(rf"^para\s+(?P<label>.+?),?\s+(?:oprima|marque|presione|pulse)\s+{_KEY}$"),
     False),
    # "Checking, press 1"
    (re.compile(rf"^(?P<label>[a-z][a-z' ]{{2,30}}),\s+{_PRESS}\s+{_KEY}$"), False),
]
_SAY_LIST = re.compile(r"\b(?:you can|please)?\s*say\s+(?P<items>.+)$")
_ENTRY = re.compile(
    r"\b(?P<verbs>(?:enter|say|key in|type|input)(?:\s+or\s+(?:enter|say|key in))?)\s+"
    r"(?:your|the|in your)\s+(?P<field>[^,.;]+?)"
    r"(?=,|\.|;|\s+followed|\s+then|\s+and\s+press|\s+using|$)"
)
_DIGITS = re.compile(r"\b(\d+)[- ]digit\b")
_TERMINATOR = re.compile(
    r"(?:followed by|then press|and press|and then)\s+(?:the\s+)?"
    r"(?P<key>pound|hash|star|number sign|#|\*)"
)
_FIGURE = re.compile(
    r"\$\s?\d[\d,]*(?:\.\d+)?"  # money
    r"|\b(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december)\s+\d{1,2}(?:st|nd|rd|th)?\b"  # dates
    r"|\b\d[\d,]*\s+(?:reward\s+)?points?\b"  # points
    r"|\b(?:[0-9]\s){4,}[0-9]\b"  # spoken digit strings (routing, case numbers)
    r"|\b\d{1,2}(?::\d\d)?\s?(?:am|pm)\b",  # times
    re.I,
)


@dataclass(frozen=True)
class MenuChoice:
    """An option the prompt offers: its DTMF key and/or the phrase to say, and its label."""

    label: str
    key: str | None = None
    say: str | None = None


@dataclass(frozen=True)
class EntryRequest:
    """A request to enter or say something: ``field`` as the IVR named it ("customer ID"),
    the digit count if given, the terminator key if asked for, and how it may be given."""

    field: str
    digits: int | None = None
    terminator: str | None = None
    keys_accepted: bool = True
    speech_accepted: bool = False


@dataclass
class PromptReading:
    """What one prompt (one user turn) contains."""

    text: str
    choices: list[MenuChoice] = field(default_factory=list)
    entry: EntryRequest | None = None
    is_hold: bool = False
    is_human: bool = False
    says_invalid: bool = False


def _sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.;!?])\s+|\s*;\s*", text.strip())
    return [p.strip().rstrip(".!?;").strip() for p in parts if p.strip()]


def _clean_label(label: str) -> str:
    label = re.sub(r"^(?:your|the|a|an)\s+", "", label.strip().strip(",").strip())
    return label


def read_prompt(text: str) -> PromptReading:
    """Parse one IVR prompt into a :class:`PromptReading`."""
    vocab = vocabulary()
    lowered = text.lower()
    reading = PromptReading(text=text)
    reading.is_hold = any(p in lowered for p in vocab.hold_phrases)
    reading.is_human = any(re.search(p, lowered) for p in vocab.human_phrases)
    reading.says_invalid = any(p in lowered for p in vocab.invalid_phrases)

    for sentence in _sentences(lowered):
        for pattern, label_is_said in _OPTION_PATTERNS:
            m = pattern.search(sentence)
            if m:
                key = m.group("key")
                label = _clean_label(m.group("label"))
                say = label if label_is_said else None
                key = _KEY_WORDS.get(key, key)
                reading.choices.append(MenuChoice(label=label, key=key, say=say))
                break
        else:
            entry = _ENTRY.search(sentence)
            if entry and _is_entry(entry):
                reading.entry = _entry_request(sentence, entry)
                continue
            say_list = _SAY_LIST.search(sentence)
            if say_list:
                for item in re.split(r",\s*(?:or\s+)?|\s+or\s+", say_list.group("items")):
                    item = _clean_label(item)
                    if item:
                        reading.choices.append(MenuChoice(label=item, say=item))
    return reading


def _is_entry(m: re.Match[str]) -> bool:
    words = r"\b(id|pin|number|code|digits?|date|birth|zip|password|passcode|account|card|ssn)\b"
    return bool(re.search(words, m.group("field")))


def _entry_request(sentence: str, m: re.Match[str]) -> EntryRequest:
    verbs = m.group("verbs")
    field_text = m.group("field")
    digits = _DIGITS.search(field_text)
    field_text = _DIGITS.sub("", field_text).strip()
    term = _TERMINATOR.search(sentence)
    terminator = None
    if term:
        pound = ("pound", "hash", "number sign", "#")
        terminator = "#" if term.group("key") in pound else "*"
    return EntryRequest(
        field=field_text,
        digits=int(digits.group(1)) if digits else None,
        terminator=terminator,
        keys_accepted=any(v in verbs for v in ("enter", "key in", "type", "input")),
        speech_accepted="say" in verbs,
    )


def figures(text: str) -> list[str]:
    """The figures an information prompt gives: amounts, dates, points, digit strings."""
    return [m.group(0).strip() for m in _FIGURE.finditer(text)]


def informative_sentences(text: str) -> list[str]:
    """Sentences of ``text`` that state at least one figure."""
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if figures(s)]
