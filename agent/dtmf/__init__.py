"""DTMF: keys and RFC 4733 event codes, dial strings in two dialects, spoken digits,
GetDtmf-style digit collection (a state machine, and the LiveKit ``AgentTask`` that runs
it in a session)."""

from .collector import DigitCollector, DigitsEntry
from .dial_string import Dialect, Pause, Tone, parse_dtmf, render_dtmf, tones_only
from .keys import DTMF_KEYS, key_for_event_code, parse_keys, rfc4733_event_code
from .spoken import spoken_to_keys

__all__ = [
    "DTMF_KEYS",
    "Dialect",
    "DigitCollector",
    "DigitsEntry",
    "Pause",
    "Tone",
    "key_for_event_code",
    "parse_dtmf",
    "parse_keys",
    "render_dtmf",
    "rfc4733_event_code",
    "spoken_to_keys",
    "tones_only",
]
