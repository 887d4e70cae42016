"""Number normalisation: what an STT writes in words, in figures, before the navigator
reads it ("twenty five dollars and fifty cents" -> "$25.50", "one two three four" ->
"1234", "press two" -> "press 2", "March fifth" -> "March 5th").

Whisper writes most numbers as figures already; synthetic and recorded voices still
produce runs of digit words (account numbers read back), amounts and ordinals in words.
A lone "one" stays a word ("one moment") unless a key word comes before it.
"""

from __future__ import annotations

import re

_UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
          "seven": 7, "eight": 8, "nine": 9}
_TEENS = {"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
          "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
             "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11,
             "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15,
             "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
             "twentieth": 20, "thirtieth": 30}
_NUMBER_WORDS = {**_UNITS, **_TEENS, **_TENS, **_SCALES}
_KEY_CONTEXT = re.compile(r"\b(?:press|dial|enter|option|key|extension|say|select)\s*$", re.I)
# what a lone digit word counts ("five business days", "three to five days")
_COUNTED = re.compile(r"\s+(?:(?:to|or)\s+\w+\s+)?(?:business\s+)?(?:days?|weeks?|hours?|"
                      r"minutes?|months?|years?|points?)\b", re.I)
_MONTHS = ("january|february|march|april|may|june|july|august|september|october|"
           "november|december")

_WORD = "|".join(sorted([*_NUMBER_WORDS, "oh"], key=len, reverse=True))
_PHRASE = re.compile(rf"\b(?:{_WORD})(?:[\s-]+(?:and[\s-]+)?(?:{_WORD}))*\b", re.I)
_ORDINAL = re.compile(
    rf"\b(?:(?P<tens>{'|'.join(_TENS)})[\s-]+)?(?P<ord>{'|'.join(_ORDINALS)})\b", re.I)
_MONEY = re.compile(r"(?<![\d.,])(?P<d>\d[\d,]*(?:\.\d\d)?) dollars?"
                    r"(?: and (?P<c>\d{1,2}) cents?)?\b", re.I)
_CENTS_AFTER = re.compile(r"(?P<d>\$\d[\d,]*) and (?P<c>\d{1,2}) cents?\b", re.I)
# a "two" inside a number read digit by digit, which Whisper writes "to": "0 to 1000089"
_TWO_AS_TO = re.compile(r"\b(?P<a>\d{1,3})\s+too?\s+(?P<b>\d(?:[\d ,]*\d)?)\b", re.I)
# thousands Whisper separates with a full stop: "$2.417.53" is $2,417.53
_DOTTED_THOUSANDS = re.compile(r"\$\d{1,3}(?:\.\d{3})+\.\d{1,2}(?!\d)")
# "212,774 dollars and 9 cents", which Whisper writes "$212,774.9"
_ONE_DIGIT_CENTS = re.compile(r"(?P<d>\$\d[\d,]*)\.(?P<c>\d)(?!\d|[.,]\d)")
# digits said one by one with pauses, which Whisper writes "0,2,1,0" or "6, 0, 9, 3"
_DIGITS_WITH_PAUSES = re.compile(r"(?<![\d,.$])\d(?:,\s?\d){3,}(?![\d,]\d|\d)")
# a clock time Whisper writes with a full stop ("4.35pm", "8.10 a.m.")
_DOTTED_TIME = re.compile(r"\b(?P<h>1[0-2]|0?[1-9])\.(?P<m>[0-5]\d)\s?(?P<ap>[ap])(?:\.m\.|m\b)",
                          re.I)
IDENTIFIER_DIGITS = 7
"""A digit reading at least this long (a phone, routing or account number) is one number,
not a range ("press 1 to 5" keeps its "to")."""


def _cardinal(words: list[str]) -> int | None:
    """The value of number words in normal order ("two hundred and five"), or None."""
    total, current, last = 0, 0, ""
    for word in words:
        if word == "and":
            continue
        if word in _SCALES:
            scale = _SCALES[word]
            if current == 0 and scale != 100:
                return None
            if scale == 100:
                current = max(current, 1) * 100
            else:
                total, current = total + max(current, 1) * scale, 0
        elif word in _TENS:
            if current % 100 >= 10 or (last in _UNITS and current % 100):
                return None  # "twenty thirty": not one number
            current += _TENS[word]
        elif word in _TEENS or word in _UNITS:
            if current % 10 or (last in _TEENS):
                return None  # "five five": a digit run, read elsewhere
            current += _TEENS.get(word, _UNITS.get(word, 0))
        last = word
    return total + current


def _phrase_to_figures(match: re.Match[str], text: str) -> str:
    raw = match.group(0)
    words = [w for w in re.split(r"[\s-]+", raw.lower()) if w]
    digits_only = all(w in _UNITS or w == "oh" for w in words)
    if digits_only:
        if len(words) == 1 and not (_KEY_CONTEXT.search(text[:match.start()])
                                    or _COUNTED.match(text[match.end():])):
            return raw  # "one moment", "oh": words, not figures
        if words == ["oh"]:
            return raw
        return "".join("0" if w == "oh" else str(_UNITS[w]) for w in words)
    if "oh" in words:
        return raw
    value = _cardinal(words)
    if value is None:  # "five five five one two", "one eight hundred": digit by digit
        pieces = [str(_UNITS[w]) if w in _UNITS else "00" if w == "hundred" else
                  str(_TEENS.get(w) or _TENS.get(w) or "") for w in words if w != "and"]
        return "".join(pieces) if all(pieces) else raw
    return str(value)


def _ordinal(match: re.Match[str]) -> str:
    value = _ORDINALS[match.group("ord").lower()] + _TENS.get((match.group("tens") or "").lower(),
                                                              0)
    suffix = "th" if 10 <= value % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(value % 10,
                                                                                    "th")
    return f"{value}{suffix}"


def normalize_numbers(text: str) -> str:
    """``text`` with spoken numbers, amounts and date ordinals written as figures."""
    # ordinals only where they date something: "March fifth", "the fifth of March"
    text = re.sub(rf"\b(?P<m>{_MONTHS})\s+(?P<o>(?:\w+[\s-]+)?\w+(?:st|nd|rd|th))\b",
                  lambda m: f"{m.group('m')} {_ORDINAL.sub(_ordinal, m.group('o'))}", text,
                  flags=re.I)
    text = re.sub(rf"\bthe\s+(?P<o>(?:\w+[\s-]+)?\w+(?:st|nd|rd|th))\s+of\s+(?={_MONTHS})",
                  lambda m: f"the {_ORDINAL.sub(_ordinal, m.group('o'))} of ", text, flags=re.I)
    text = _PHRASE.sub(lambda m: _phrase_to_figures(m, text), text)
    # Whisper writes "three hundred ten" as "300, 10" or "300,10"
    text = re.sub(r"\b(\d*[1-9]00),\s?([1-9]\d?)\b(?!,\d)", lambda m: str(int(m.group(1))
                  + int(m.group(2))), text)
    text = _MONEY.sub(lambda m: f"${m.group('d')}" + (f".{int(m.group('c')):02d}"
                                                     if m.group("c") else ""), text)
    text = _CENTS_AFTER.sub(lambda m: f"{m.group('d')}.{int(m.group('c')):02d}", text)
    text = _DOTTED_THOUSANDS.sub(lambda m: m.group(0).replace(".", ",", m.group(0).count(".")
                                                            - 1), text)
    text = _ONE_DIGIT_CENTS.sub(r"\g<d>.0\g<c>", text)
    text = _DIGITS_WITH_PAUSES.sub(lambda m: " ".join(re.findall(r"\d", m.group(0))), text)
    text = _DOTTED_TIME.sub(lambda m: f"{m['h']}:{m['m']} {m['ap'].upper()}M", text)
    return _TWO_AS_TO.sub(_two_in_digits, text)


def _two_in_digits(match: re.Match[str]) -> str:
    a, b = match.group("a"), match.group("b")
    grouped = re.fullmatch(r"\d{1,3}(?:,\d{3})+", b)  # "1 to 1,000,000": an amount
    if grouped or len(a) + sum(c.isdigit() for c in b) + 1 < IDENTIFIER_DIGITS:
        return match.group(0)
    return f"{a} 2 {b}"
