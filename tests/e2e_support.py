"""Helpers for end-to-end tests: polling, and the mock IVR's event logs."""

from __future__ import annotations

import json
import time
from pathlib import Path

from agent.call.events import CALL_EVENTS, CallEvent


def wait_for(predicate, timeout_s: float, interval_s: float = 0.2):
    """Poll ``predicate`` until it returns something truthy; that value, or None."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval_s)
    return None


def ivr_events(events_dir: Path, room: str) -> list[CallEvent]:
    """The mock IVR's event log of the call in ``room``."""
    return CALL_EVENTS.validate_python(json.loads((events_dir / f"{room}.json").read_text()))
