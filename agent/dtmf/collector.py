"""GetDtmf-style digit collection as a pure state machine on a caller-supplied clock.

Digits may arrive as DTMF tones or as speech ("four four two one", "double five",
"pound"), mixed freely. Entry ends on the terminator key, on reaching ``max_digits``, or
when the inter-digit timeout passes; a first-digit timeout ends an entry that never
started. The IVR engine drives it on simulated time; :mod:`agent.collect_digits_task`
drives it on the event loop's clock inside a LiveKit session.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .keys import DTMF_KEYS
from .spoken import spoken_to_keys

EndedBy = Literal["terminator", "max_digits", "timeout", "invalid_key"]


@dataclass(frozen=True, slots=True)
class DigitsEntry:
    """A finished entry.

    ``complete`` is True when the length is within ``min_digits..max_digits`` and no
    invalid key was pressed; ``reason`` says why not otherwise.
    """

    digits: str
    ended_by: EndedBy
    complete: bool
    reason: str = ""


class DigitCollector:
    """Collects one entry of digits.

    Args:
        min_digits, max_digits: accepted length, digits only (the terminator not counted).
        terminator: key that ends entry early (``"#"`` by default), or None.
        inter_digit_timeout_s: silence after a digit that ends entry (seconds).
        first_digit_timeout_s: silence before the first digit that ends entry (seconds).
        started_at_s: clock reading when the prompt finished (seconds).

    Raises:
        ValueError: lengths below 1 or ``min_digits > max_digits``; a terminator that is a
            digit or not a DTMF key.
    """

    def __init__(
        self,
        *,
        min_digits: int,
        max_digits: int,
        terminator: str | None = "#",
        inter_digit_timeout_s: float = 3.0,
        first_digit_timeout_s: float = 5.0,
        started_at_s: float = 0.0,
    ) -> None:
        if min_digits < 1 or max_digits < min_digits:
            raise ValueError(
                f"need 1 <= min_digits <= max_digits, got {min_digits} and {max_digits}"
            )
        if terminator is not None and (terminator not in DTMF_KEYS or terminator.isdigit()):
            raise ValueError(f"terminator must be one of * # A B C D or None, got {terminator!r}")
        self.min_digits = min_digits
        self.max_digits = max_digits
        self.terminator = terminator
        self.inter_digit_timeout_s = inter_digit_timeout_s
        self.first_digit_timeout_s = first_digit_timeout_s
        self.digits = ""
        self._last_input_s = started_at_s
        self.result: DigitsEntry | None = None

    @property
    def deadline_s(self) -> float | None:
        """Clock reading at which :meth:`expire` ends the entry; None once finished."""
        if self.result is not None:
            return None
        wait = self.inter_digit_timeout_s if self.digits else self.first_digit_timeout_s
        return self._last_input_s + wait

    def press(self, key: str, at_s: float) -> DigitsEntry | None:
        """Take one DTMF key; returns the entry when this key finished it."""
        if self.result is not None:
            return self.result
        self._last_input_s = at_s
        if key == self.terminator:
            return self._finish("terminator")
        if not key.isdigit():
            return self._finish("invalid_key", f"key {key!r} is not a digit")
        self.digits += key
        if len(self.digits) >= self.max_digits:
            return self._finish("max_digits")
        return None

    def hear(self, text: str, at_s: float) -> DigitsEntry | None:
        """Take spoken input; digit words and the spoken terminator count as key presses.

        Returns the entry when the speech finished it, None otherwise (also when the
        speech held no digits at all).
        """
        for key in spoken_to_keys(text):
            entry = self.press(key, at_s)
            if entry is not None:
                return entry
        return None

    def expire(self, at_s: float) -> DigitsEntry | None:
        """Tell the collector the clock reads ``at_s``; ends the entry if a timeout passed."""
        deadline = self.deadline_s
        if deadline is None or at_s < deadline:
            return self.result
        return self._finish("timeout")

    def _finish(self, ended_by: EndedBy, reason: str = "") -> DigitsEntry:
        n = len(self.digits)
        if not reason and n < self.min_digits:
            reason = "no input" if n == 0 else f"{n} digits, at least {self.min_digits} needed"
        self.result = DigitsEntry(
            digits=self.digits, ended_by=ended_by, complete=not reason, reason=reason
        )
        return self.result
