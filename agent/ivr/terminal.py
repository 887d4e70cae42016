"""Play an IVR in a terminal: a person types keys or words, the engine answers."""

from __future__ import annotations

from collections.abc import Callable

from ..call.events import CallEvent, HoldStarted, HungUp, Prompt, Transferred
from .engine import IvrEngine


def _show(events: list[CallEvent], output_fn: Callable[[str], None]) -> None:
    for e in events:
        if isinstance(e, Prompt):
            output_fn(f"[{e.at_s:6.1f}s] {'HUMAN' if e.speaker == 'human' else 'IVR'}: {e.text}")
        elif isinstance(e, HoldStarted):
            output_fn(f"[{e.at_s:6.1f}s] (on hold for {e.seconds:g} s; press Enter to wait)")
        elif isinstance(e, Transferred):
            output_fn(f"[{e.at_s:6.1f}s] (transferred to {e.to})")
        elif isinstance(e, HungUp):
            output_fn(f"[{e.at_s:6.1f}s] (call ended by {e.by}: {e.reason})")


def play(engine: IvrEngine, *, input_fn: Callable[[str], str],
         output_fn: Callable[[str], None], parse_keys: Callable[[str], str]) -> None:
    """Run one call until it ends or the person types ``quit`` (or input ends).

    A line of DTMF keys (``1``, ``10000001#``) is pressed key by key; an empty line lets
    time pass to the next timer (no input, hold); anything else is caller speech.
    """
    _show(engine.start(), output_fn)
    while not engine.ended:
        try:
            line = input_fn("you> ").strip()
        except EOFError:
            line = "quit"
        if line == "quit":
            _show(engine.hang_up(), output_fn)
            break
        if not line:
            _show(engine.advance_to_next_timer(), output_fn)
            continue
        try:
            keys = parse_keys(line)
        except ValueError:
            _show(engine.hear(line), output_fn)
            continue
        for key in keys:
            _show(engine.advance(0.3) + engine.press(key), output_fn)
