"""Masking of secrets (PINs, account and card numbers) before anything is logged, stored,
shown or put into an LLM's context."""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "****"
_DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


class Masker:
    """Replaces every occurrence of the given secret values with ``****``.

    A value is matched as written, with its digits separated by spaces, commas or dashes
    ("2 4 6 8"), and as digit words ("two four six eight", "oh" for zero), so a PIN read
    aloud is masked too. Values shorter than 3 characters are not masked (they would hide
    ordinary menu keys).
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        patterns = []
        for value in sorted({s for s in secrets if len(s) >= 3}, key=len, reverse=True):
            patterns.append(re.escape(value))
            if value.isdigit():
                patterns.append(r"[\s,\-]*".join(value))
                words = [
                    "(?:zero|oh)" if d == "0" else _DIGIT_WORDS[int(d)] for d in value
                ]
                patterns.append(r"[\s,\-]+".join(words))
        self._pattern = (
            re.compile(r"(?<![0-9A-Za-z])(?:" + "|".join(patterns) + r")(?![0-9A-Za-z])", re.I)
            if patterns
            else None
        )

    def mask(self, text: str) -> str:
        """``text`` with every secret replaced by ``****``."""
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(MASK, text)

    def __call__(self, text: str) -> str:
        return self.mask(text)


NO_SECRETS = Masker(())
