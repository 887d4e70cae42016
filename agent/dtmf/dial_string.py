"""Dial strings: "press these keys, wait this long" as text, e.g. ``"1w10000001#"``.

Different telephony back ends spell them differently, so this module parses a dial
string into a list of :class:`Tone` / :class:`Pause` items and renders such a list back,
in one of two dialects:

* :attr:`Dialect.STANDARD` -- Twilio / Telnyx / Asterisk style. Keys ``0-9 * # A-D``
  are sent as-is; ``w`` is a 0.5 s pause and ``W`` a 1 s pause (as documented for
  Twilio's ``sendDigits`` and LiveKit's ``CreateSIPParticipant`` ``dtmf`` field).
* :attr:`Dialect.VICIDIAL` -- VICIdial's ``send_dtmf`` agent API encoding. Only
  ``0-9`` plus ``P`` = ``#``, ``S`` = ``*`` and ``Q`` = 1 s of silence, because raw
  ``#`` and ``*`` break the request URL. A-D are not supported there.

Each character is exactly one item and vice versa, so ``parse_dtmf`` and
``render_dtmf`` are exact inverses for representable input. A call request's
``post_connect_dtmf`` is read in either dialect and kept in the standard one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from .keys import DTMF_KEYS, KEYS_ALLOWED

__all__ = ["Dialect", "DtmfItem", "Pause", "Tone", "parse_dtmf", "render_dtmf", "tones_only"]


# --------------------------------------------------------------------------
# Items
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tone:
    """Press one DTMF key.

    Attributes:
        key: one character of :data:`DTMF_KEYS` (upper case A-D).

    Raises:
        ValueError: on construction, if ``key`` is not exactly one DTMF key.
    """

    key: str

    def __post_init__(self) -> None:
        # Same check as rfc4733_event_code, so every Tone has an event code.
        if not isinstance(self.key, str) or len(self.key) != 1 or self.key not in DTMF_KEYS:
            raise ValueError(f"Tone key must be one of {KEYS_ALLOWED}, got {self.key!r}")


@dataclass(frozen=True, slots=True)
class Pause:
    """Wait (send silence) for a while before the next item.

    Attributes:
        duration_s: pause length in seconds, a finite number > 0.

    Raises:
        TypeError: on construction, if ``duration_s`` is not an int or float.
        ValueError: on construction, if ``duration_s`` is not finite and > 0.
    """

    duration_s: float

    def __post_init__(self) -> None:
        d = self.duration_s
        # bool is an int subclass; Pause(True) is almost certainly a bug.
        if isinstance(d, bool) or not isinstance(d, int | float):
            raise TypeError(f"Pause duration_s must be a number of seconds, got {d!r}")
        if not (math.isfinite(d) and d > 0):
            raise ValueError(f"Pause duration_s must be finite and > 0 seconds, got {d!r}")


DtmfItem = Tone | Pause


# --------------------------------------------------------------------------
# Dialects
# --------------------------------------------------------------------------


class Dialect(StrEnum):
    """Dial-string spelling understood by a telephony back end.

    A ``str`` subclass, so ``Dialect.VICIDIAL == "vicidial"`` and
    ``Dialect("vicidial")`` works for values read from config files.

    * ``STANDARD`` (Twilio / Telnyx / Asterisk style): ``0-9 * # A-D`` as-is
      (lower-case ``a-d`` accepted on parse, normalised to upper case);
      ``w`` = 0.5 s pause, ``W`` = 1 s pause, per Twilio's documented
      ``sendDigits`` syntax.
    * ``VICIDIAL``: VICIdial agent API ``send_dtmf`` encoding: ``0-9``,
      ``P`` = ``#``, ``S`` = ``*``, ``Q`` = 1 s of silence. Literal ``#``, ``*``
      and A-D are not allowed.
    """

    STANDARD = "standard"
    VICIDIAL = "vicidial"


# Dial-string character -> key, per dialect.
_TONE_CHARS: dict[Dialect, dict[str, str]] = {
    Dialect.STANDARD: {key: key for key in DTMF_KEYS},
    Dialect.VICIDIAL: {**{d: d for d in "0123456789"}, "P": "#", "S": "*"},
}

# Dial-string character -> pause seconds, per dialect.
_PAUSE_CHARS: dict[Dialect, dict[str, float]] = {
    Dialect.STANDARD: {"w": 0.5, "W": 1.0},
    Dialect.VICIDIAL: {"Q": 1.0},
}

# Human-readable allowed set, used in error messages.
_ALLOWED: dict[Dialect, str] = {
    Dialect.STANDARD: "0-9 * # A-D, w = 0.5 s pause, W = 1 s pause",
    Dialect.VICIDIAL: "0-9, P = #, S = *, Q = 1 s pause",
}

# Reverse tables for rendering.
_KEY_TO_CHAR = {d: {k: c for c, k in table.items()} for d, table in _TONE_CHARS.items()}
_SECONDS_TO_CHAR = {d: {s: c for c, s in table.items()} for d, table in _PAUSE_CHARS.items()}


def _dialect(dialect: Dialect | str) -> Dialect:
    # Accept the plain string value too ("vicidial"), e.g. from a config file.
    return Dialect(dialect)


def parse_dtmf(text: str, dialect: Dialect = Dialect.STANDARD) -> list[DtmfItem]:
    """Parse a dial string into tones and pauses, one item per character.

    Examples (standard): ``"1234w#W5"`` -> ``[Tone("1"), Tone("2"), Tone("3"),
    Tone("4"), Pause(0.5), Tone("#"), Pause(1.0), Tone("5")]``; ``"ww"`` is two
    ``Pause(0.5)``. Example (vicidial, from VICIdial's ``send_dtmf`` docs):
    ``"QQQQ1234S"`` -> four ``Pause(1.0)``, then 1, 2, 3, 4, ``*``.

    Args:
        text: the dial string; ``""`` gives ``[]``.
        dialect: how ``text`` is spelled (a :class:`Dialect` or its value).

    Returns:
        A list of :class:`Tone` / :class:`Pause` items (pause lengths in seconds).

    Raises:
        TypeError: ``text`` is not a str.
        ValueError: an invalid character; the message names it, its 1-based
            position, the dialect and the allowed set, e.g. ``invalid DTMF
            character 'x' at position 3 of '12x4' (dialect standard; allowed:
            0-9 * # A-D, w = 0.5 s pause, W = 1 s pause)``. Also raised for an
            unknown dialect.
    """
    if not isinstance(text, str):
        raise TypeError(f"DTMF text must be a str, got {type(text).__name__}")
    dialect = _dialect(dialect)
    tones, pauses = _TONE_CHARS[dialect], _PAUSE_CHARS[dialect]

    items: list[DtmfItem] = []
    for position, char in enumerate(text, start=1):
        # Lower-case a-d is common in the wild; only upper-case the letters
        # that are keys, since 'w' and 'W' mean different pauses.
        if dialect is Dialect.STANDARD and char in "abcd":
            char = char.upper()
        if char in tones:
            items.append(Tone(tones[char]))
        elif char in pauses:
            items.append(Pause(pauses[char]))
        else:
            raise ValueError(
                f"invalid DTMF character {char!r} at position {position} of {text!r} "
                f"(dialect {dialect.value}; allowed: {_ALLOWED[dialect]})"
            )
    return items


def render_dtmf(items: Iterable[DtmfItem], dialect: Dialect = Dialect.STANDARD) -> str:
    """Render tones and pauses as a dial string; the inverse of :func:`parse_dtmf`.

    Each item becomes exactly one character; longer pauses are not split so
    that ``parse_dtmf(render_dtmf(items)) == items`` always holds.

    Args:
        items: :class:`Tone` / :class:`Pause` items.
        dialect: the spelling to produce (a :class:`Dialect` or its value).

    Returns:
        The dial string, e.g. ``"1234w#"`` (standard) or ``"1234P"`` (vicidial).

    Raises:
        TypeError: an item is neither a Tone nor a Pause.
        ValueError: an item is not representable in the dialect -- a Pause
            other than exactly 0.5 s or 1 s (standard) / 1 s (vicidial), or a
            Tone A-D in vicidial. The message names the item, its 0-based
            index and what the dialect allows. Also raised for an unknown dialect.
    """
    dialect = _dialect(dialect)
    key_chars, pause_chars = _KEY_TO_CHAR[dialect], _SECONDS_TO_CHAR[dialect]

    out: list[str] = []
    for index, item in enumerate(items):
        if isinstance(item, Tone):
            char = key_chars.get(item.key)
        elif isinstance(item, Pause):
            char = pause_chars.get(item.duration_s)
        else:
            raise TypeError(
                f"item {item!r} at index {index} is not a Tone or Pause (got {type(item).__name__})"
            )
        if char is None:
            raise ValueError(
                f"cannot render {item!r} at index {index} in dialect {dialect.value} "
                f"(allowed: {_ALLOWED[dialect]})"
            )
        out.append(char)
    return "".join(out)


def tones_only(items: Iterable[DtmfItem]) -> str:
    """Return the keys of the Tone items concatenated, dropping pauses.

    Example: items parsed from ``"QQ1234QP"`` (vicidial) -> ``"1234#"``.

    Args:
        items: :class:`Tone` / :class:`Pause` items.

    Returns:
        A plain key string over :data:`DTMF_KEYS` (possibly ``""``).
    """
    return "".join(item.key for item in items if isinstance(item, Tone))
