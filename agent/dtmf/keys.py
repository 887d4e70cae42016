"""DTMF keys and their RFC 4733 telephone-event codes, and plain key strings.

Only the standard library is used, so this module can be imported (and tested)
without LiveKit installed.
"""

from __future__ import annotations

__all__ = ["DTMF_KEYS", "KEYS_ALLOWED", "key_for_event_code", "parse_keys", "rfc4733_event_code"]

#: The 16 DTMF keys, in RFC 4733 §3.2 event-code order (index == event code).
DTMF_KEYS = "0123456789*#ABCD"

KEYS_ALLOWED = "0-9 * # A-D"
"""The 16 keys, as error messages name them."""


# --------------------------------------------------------------------------
# RFC 4733 event codes
# --------------------------------------------------------------------------


def rfc4733_event_code(key: str) -> int:
    """Return the RFC 4733 telephone-event code for a DTMF key.

    Event codes per RFC 4733 §3.2: ``"0"``-``"9"`` -> 0-9, ``"*"`` -> 10,
    ``"#"`` -> 11, ``"A"``-``"D"`` -> 12-15. This is the ``code`` LiveKit's
    ``publish_dtmf(code=..., digit=...)`` expects alongside the digit.

    Args:
        key: a single DTMF key, exactly one character of :data:`DTMF_KEYS`
            (upper case A-D).

    Returns:
        The event code, 0-15.

    Raises:
        ValueError: ``key`` is not exactly one of the 16 DTMF keys.
    """
    # Check length explicitly: ``"12" in DTMF_KEYS`` would be True.
    if not isinstance(key, str) or len(key) != 1 or key not in DTMF_KEYS:
        raise ValueError(f"not a DTMF key: {key!r} (allowed: {KEYS_ALLOWED})")
    return DTMF_KEYS.index(key)


def key_for_event_code(code: int) -> str:
    """Return the DTMF key for an RFC 4733 telephone-event code.

    Inverse of :func:`rfc4733_event_code` (event codes per RFC 4733 §3.2),
    e.g. for decoding LiveKit's ``sip_dtmf_received`` events.

    Args:
        code: event code, an int in 0-15.

    Returns:
        The key, one character of :data:`DTMF_KEYS`.

    Raises:
        ValueError: ``code`` is not an int in 0-15 (bools are rejected too).
    """
    if isinstance(code, bool) or not isinstance(code, int) or not 0 <= code <= 15:
        raise ValueError(f"not a DTMF event code: {code!r} (allowed: 0-15, per RFC 4733 §3.2)")
    return DTMF_KEYS[code]


def parse_keys(text: str) -> str:
    """Validate a plain key string (no pauses) and return it normalised.

    For keys typed in a scenario file or on the command line, e.g.
    ``"12ab#"`` -> ``"12AB#"``.

    Args:
        text: the keys; ``""`` is allowed and returned as-is.

    Returns:
        ``text`` with ``a-d`` upper-cased; every character is in :data:`DTMF_KEYS`.

    Raises:
        TypeError: ``text`` is not a str.
        ValueError: a character is not a DTMF key; the message names it and
            its 1-based position, e.g. ``invalid DTMF key 'w' at position 2 of
            '1w2' (allowed: 0-9 * # A-D)``.
    """
    if not isinstance(text, str):
        raise TypeError(f"DTMF keys must be a str, got {type(text).__name__}")
    keys = []
    for position, char in enumerate(text, start=1):
        if char in "abcd":
            char = char.upper()
        if char not in DTMF_KEYS:  # char is a single character, so `in` is exact
            raise ValueError(
                f"invalid DTMF key {char!r} at position {position} of {text!r} "
                f"(allowed: {KEYS_ALLOWED})"
            )
        keys.append(char)
    return "".join(keys)
