"""How an IVR says the figures of a prompt: the text its voice is given.

Phone systems say money as "thirty-eight dollars and seventy cents" and account, card,
tracking and phone numbers digit by digit: a recorded IVR is built from such pieces, and
a TTS IVR's prompts are written for them. A general TTS front end does not: espeak-ng
(which Piper uses) reads "$38.70" as "dollar thirty eight point seven zero" and "4458" as
"four thousand four hundred fifty eight", which no phone line says and which an STT then
writes as "$1.38.70". Every voice here is given the prompt in its spoken form.
"""

from __future__ import annotations

import re

_MONEY = re.compile(r"\$(?P<dollars>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<cents>\d{2}))?(?!\d|\.\d)")
"""An amount; a full stop after it ends the sentence ("... is $212,774.09.")."""
_DIGIT_RUN = re.compile(r"(?<![\d,.:$])\d{4,}(?![\d,]|\.\d)")
"""Four digits or more, not part of an amount, a decimal, a clock time or a figure with
thousands separators ("3,870 points" is a quantity)."""
_DIGIT_GROUPS = re.compile(r"(?<![\d-])\d{3}(?:-\d{3,4}){1,2}(?![\d-])")
"""A phone number ("555-0147", "971-555-0163")."""
_SPACED_DIGITS = re.compile(r"(?<![\d,.])\d(?: \d){3,}(?![\d,.]\d)")
"""A number already written digit by digit ("0 2 1 0 0 0 0 8 9")."""
_YEAR = range(1900, 2100)


def _plural(count: int, unit: str) -> str:
    return f"{count:,} {unit}" + ("" if count == 1 else "s")


def _money(match: re.Match[str]) -> str:
    dollars = int(match["dollars"].replace(",", ""))
    cents = int(match["cents"] or 0)
    if dollars and cents:
        return f"{_plural(dollars, 'dollar')} and {_plural(cents, 'cent')}"
    return _plural(cents, "cent") if cents else _plural(dollars, "dollar")


def _groups(digits: str) -> list[str]:
    """``digits`` in the groups an IVR reads them in: up to six as one, eight or more
    that four divides in fours (a card number), else threes with a last four or two
    (a phone number's 3-3-4)."""
    n = len(digits)
    if n <= 6:
        return [digits]
    size = 4 if n % 4 == 0 else 3
    cut = [digits[i:i + size] for i in range(0, n, size)]
    if len(cut[-1]) == 1:  # 10 digits: 3-3-4, not 3-3-3-1
        cut[-2:] = [cut[-2] + cut[-1]]
    return cut


def _said_groups(groups: list[str]) -> str:
    # a pause between groups: Whisper miscounts a run of zeros said evenly ("0 2 1 0 0 0 0
    # 8 9" heard with five zeros, with any voice here) but not one said in groups
    return ". ".join(" ".join(group) for group in groups)


def _digits(match: re.Match[str]) -> str:
    run = match.group(0)
    if len(run) == 4 and int(run) in _YEAR:
        return run  # "since 1962" is a year
    return _said_groups(_groups(run))


def spoken_form(text: str) -> str:
    """``text`` as an IVR says it: amounts in dollars and cents ("$38.70" -> "38 dollars
    and 70 cents", "$500.00" -> "500 dollars"); numbers of four digits or more, phone
    numbers and numbers written digit by digit said one digit at a time, in groups with a
    pause between them, as IVRs read account and phone numbers ("ending in 4458" ->
    "ending in 4 4 5 8"; "0 2 1 0 0 0 0 8 9" -> "0 2 1. 0 0 0. 0 8 9"; a four-digit year
    stays). Quantities written with thousands separators ("3,870 points"), clock times,
    dates and short numbers are left to the voice."""
    text = _MONEY.sub(_money, text)
    text = _DIGIT_GROUPS.sub(lambda m: _said_groups(m.group(0).split("-")), text)
    text = _SPACED_DIGITS.sub(lambda m: _said_groups(_groups(m.group(0).replace(" ", ""))),
                              text)
    return _DIGIT_RUN.sub(_digits, text)
