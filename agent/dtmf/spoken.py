"""Turn what a caller *says* into DTMF keys.

A digit collector (GetDtmf-style) must accept a PIN whether the caller presses
it or speaks it, and speech-to-text gives us things like "my PIN is four four
two one", "double five", "twenty one" or "4-4-2-1". :func:`spoken_to_keys`
reduces all of those to the key string ``"4421"`` / ``"55"`` / ``"21"`` / ``"4421"``.

Everything is driven by the small word tables below; only the standard library
is used.
"""

from __future__ import annotations

import re

__all__ = ["spoken_to_keys"]

# Single digits. "oh" / "o" are how people say 0 inside a number ("oh one").
_DIGITS = {
    "zero": "0",
    "oh": "0",
    "o": "0",
    "nought": "0",
    "naught": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    # Spanish, for the Spanish branches of US IVRs ("dos dos uno cero")
    "cero": "0",
    "uno": "1",
    "dos": "2",
    "tres": "3",
    "cuatro": "4",
    "cinco": "5",
    "seis": "6",
    "siete": "7",
    "ocho": "8",
    "nueve": "9",
}

# Words for 1-9 that can follow a tens word or "hundred" ("twenty one").
# Zero words are excluded: "twenty oh" is not 20 + 0 in speech.
_UNITS = {word: digit for word, digit in _DIGITS.items() if digit != "0"}

_TEENS = {
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "thirteen": "13",
    "fourteen": "14",
    "fifteen": "15",
    "sixteen": "16",
    "seventeen": "17",
    "eighteen": "18",
    "nineteen": "19",
}

# Tens word -> its tens digit.
_TENS = {
    "twenty": "2",
    "thirty": "3",
    "forty": "4",
    "fifty": "5",
    "sixty": "6",
    "seventy": "7",
    "eighty": "8",
    "ninety": "9",
}

# "double five" -> "55": repeat the next single digit.
_REPEATS = {"double": 2, "triple": 3}

# Key names. "key" / "sign" after them are ignored like any other word.
_SYMBOLS = {
    "pound": "#",
    "hash": "#",
    "hashtag": "#",
    "#": "#",
    "star": "*",
    "asterisk": "*",
    "numeral": "#",
    "asterisco": "*",
    "estrella": "*",
    "*": "*",
}

# Two-word key names whose words mean nothing on their own.
_PHRASES = {("number", "sign"): "#"}

# Words, single numeral digits (so "4421" is four tokens) and the # / * keys;
# everything else (spaces, hyphens, commas) only separates tokens.
_TOKEN = re.compile(r"[a-z]+|\d|[#*]")


def spoken_to_keys(text: str) -> str:
    """Extract the DTMF keys a caller spoke, in order.

    Unknown words and punctuation are ignored, matching is case-insensitive.
    Understood:

    * digit words ``zero oh o nought one ... nine`` (and Spanish ``cero uno ...
      nueve``) and numerals anywhere in the text (``"4421"``, ``"44 21"``,
      ``"4-4-2-1"``);
    * ``double`` / ``triple`` before a digit word or numeral digit;
    * ``pound``, ``hash``, ``number sign``, ``numeral`` -> ``#``; ``star``,
      ``asterisk``, ``estrella`` -> ``*`` (also the literal ``#`` / ``*`` characters);
    * ``ten`` ... ``nineteen``, ``twenty`` ... ``ninety`` optionally followed by
      a unit (``"twenty one"`` / ``"twenty-one"`` -> ``"21"``);
    * ``N hundred`` -> N followed by ``00``, optionally followed by a number
      below 100 (``"five hundred twelve"`` / ``"five hundred and one"`` ->
      ``"512"`` / ``"501"``).

    Examples:
        >>> spoken_to_keys("my PIN is four four two one")
        '4421'
        >>> spoken_to_keys("oh one, double five, triple 7")
        '0155777'
        >>> spoken_to_keys("one two three four pound key")
        '1234#'
        >>> spoken_to_keys("twenty-one and five hundred")
        '21500'
        >>> spoken_to_keys("hello there")
        ''

    Known limits: a digit word used as an ordinary word still counts
    ("no one" -> ``"1"``, "oh well" -> ``"0"``), and ``"five hundred one
    two"`` reads as 501 then 2.

    Args:
        text: transcript of what the caller said.

    Returns:
        A string over ``0-9 # *`` (possibly ``""``).

    Raises:
        TypeError: ``text`` is not a str.
    """
    if not isinstance(text, str):
        raise TypeError(f"spoken text must be a str, got {type(text).__name__}")
    tokens = _TOKEN.findall(text.lower())
    keys: list[str] = []
    i = 0
    while i < len(tokens):
        token, following = tokens[i], _at(tokens, i + 1)
        if (token, following) in _PHRASES:
            keys.append(_PHRASES[token, following])
            i += 2
        elif token in _SYMBOLS:
            keys.append(_SYMBOLS[token])
            i += 1
        elif token in _REPEATS and _digit(following) is not None:
            keys.append(_digit(following) * _REPEATS[token])
            i += 2
        else:
            number, i = _read_number(tokens, i)
            keys.append(number)  # "" for an ignored word
    return "".join(keys)


def _at(tokens: list[str], i: int) -> str | None:
    """Token ``i``, or None past the end."""
    return tokens[i] if i < len(tokens) else None


def _digit(token: str | None) -> str | None:
    """The digit a single-digit token stands for ("five" or "5"), else None."""
    if token is None:
        return None
    if token.isdigit():
        return token
    return _DIGITS.get(token)


def _read_number(tokens: list[str], i: int) -> tuple[str, int]:
    """Read a number starting at token ``i``; return (digits, next index).

    Returns ``("", i + 1)`` when token ``i`` is not a number word, so the
    caller skips it.
    """
    digit = _digit(tokens[i])
    if digit is not None:
        if _at(tokens, i + 1) != "hundred":
            return digit, i + 1
        # "five hundred" -> "500"; "five hundred (and) twelve" -> "512".
        j = i + 2
        if _at(tokens, j) == "and":
            j += 1
        rest, after = _read_below_hundred(tokens, j, allow_units=True)
        if rest:
            return digit + rest.zfill(2), after
        return digit + "00", i + 2
    below, after = _read_below_hundred(tokens, i, allow_units=False)
    if below:
        return below, after
    return "", i + 1


def _read_below_hundred(tokens: list[str], i: int, *, allow_units: bool) -> tuple[str, int]:
    """Read a teen, a tens word (+ unit) or, if ``allow_units``, a unit word.

    Returns (digits, next index), or ``("", i)`` if nothing matched.
    """
    token = _at(tokens, i)
    if token in _TEENS:
        return _TEENS[token], i + 1
    if token in _TENS:
        unit = _UNITS.get(_at(tokens, i + 1) or "")
        if unit is not None:
            return _TENS[token] + unit, i + 2
        return _TENS[token] + "0", i + 1
    if allow_units and token in _UNITS:
        return _UNITS[token], i + 1
    return "", i
