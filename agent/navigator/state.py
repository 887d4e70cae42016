"""Per-call state of the navigator: the session's ``userdata``, shared by its tools and by
the supervisor. Every change to the call goes through it as an event of the navigator's
log (:mod:`agent.call.events`), already masked."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from ..call.events import (
    ActionDeclined,
    CallerSpeech,
    CallEvent,
    Dtmf,
    FoundFact,
    LimitReached,
    Prompt,
    ResultRecorded,
)
from ..call.masking import Masker
from ..call.task import CallTask, Outcome
from ..dtmf import DTMF_KEYS
from ..transport.base import Clock, Keypad

logger = logging.getLogger("ivr_navigator.navigator")

KEY_INTERVAL_S = 0.3
"""Pause after each DTMF key: the pacing of LiveKit's ``send_dtmf_events``
(``DEFAULT_DTMF_PUBLISH_DELAY``), well above the 40 ms tone + 50 ms gap a receiver needs
(AT&T limits, as in Asterisk's ``main/dsp.c``)."""


class KeyRefused(Exception):
    """A key the navigator must not press; ``str(err)`` says why (for the tool's error)."""


class KeyGuard:
    """Decides whether keys may be pressed. This base allows everything; the safety
    policy (:class:`agent.navigator.safety.SafetyPolicy`) refuses actions the goal did not
    ask for."""

    def review(self, keys: str, heard: list[Prompt]) -> tuple[str, str] | None:
        """None to allow ``keys``, else (what they would do, why they are refused);
        ``heard`` is what the far end said since the navigator last acted."""
        return None


@dataclass
class CallState:
    """One call as the navigator lives it.

    ``clock`` gives call seconds; ``keypad`` carries keys to the far end; ``log`` is the
    navigator's event log; ``on_end`` is called once with (outcome, reason) when the
    navigator records its result or a key limit is reached.
    """

    task: CallTask
    call_id: str
    clock: Clock
    keypad: Keypad
    max_keypresses: int = 100
    guard: KeyGuard = field(default_factory=KeyGuard)
    masker: Masker = field(init=False)
    log: list[CallEvent] = field(default_factory=list)
    on_end: Callable[[Outcome, str], None] = lambda outcome, reason: None
    _acted_at: int = field(default=0, init=False)  # log length when it last sent keys or words

    def __post_init__(self) -> None:
        self.masker = Masker(self.task.secret_values())

    def add(self, event: CallEvent) -> None:
        """Append ``event`` to the log (the one place it grows)."""
        self.log.append(event)

    def heard_since_acting(self) -> list[Prompt]:
        """What the far end said since the navigator last pressed keys or spoke."""
        heard = [e for e in self.log[self._acted_at:] if isinstance(e, Prompt)]
        # a partial prompt holds all heard of its utterance yet: only the last one counts
        return [p for i, p in enumerate(heard)
                if p.final or i + 1 == len(heard) or heard[i + 1].at_s != p.at_s]

    def keys_sent(self) -> int:
        return sum(isinstance(e, Dtmf) for e in self.log)

    # --- what the navigator does ---------------------------------------------------------

    async def press(self, keys: str, *, secret: bool = False, guarded: bool = True) -> None:
        """Press ``keys`` one by one, :data:`KEY_INTERVAL_S` apart; digits of a ``secret``
        are logged as ``•``.

        Raises:
            KeyRefused: a key is not a DTMF key, the guard refuses them (an
                :class:`ActionDeclined` is logged), or the call's keypress limit would be
                passed (a :class:`LimitReached` is logged and the call ends).
        """
        bad = [k for k in keys if k not in DTMF_KEYS]
        if bad or not keys:
            raise KeyRefused(f"not DTMF keys: {keys!r} (allowed: 0-9 * # A-D)")
        if guarded and (refusal := self.guard.review(keys, self.heard_since_acting())):
            action, reason = refusal
            self.add(ActionDeclined(at_s=self.clock.now_s(), keys=keys, action=action,
                                    reason=reason))
            logger.info("call %s: declined %s (%s): %s", self.call_id, action, keys, reason)
            raise KeyRefused(f"refused to press {keys} ({action}): {reason}")
        if self.keys_sent() + len(keys) > self.max_keypresses:
            self.add(LimitReached(at_s=self.clock.now_s(), limit="keypresses",
                                  value=self.max_keypresses))
            self.on_end("failed", f"more than {self.max_keypresses} keys pressed")
            raise KeyRefused(f"the call's limit of {self.max_keypresses} keys is reached")
        self._acted_at = len(self.log)
        for key in keys:
            await self.keypad.press(key)
            shown = "•" if secret and key.isdigit() else key
            self.add(Dtmf(at_s=self.clock.now_s(), key=shown))
            await asyncio.sleep(KEY_INTERVAL_S)

    def said(self, text: str) -> str:
        """Log words the navigator says to the far end; returns them masked."""
        text = self.masker(text)
        self._acted_at = len(self.log)
        self.add(CallerSpeech(at_s=self.clock.now_s(), text=text))
        return text

    def record(self, outcome: Outcome, answer: str, reason: str,
               facts: list[FoundFact]) -> None:
        """Log the navigator's result (masked) and end the call with it."""
        mask = self.masker
        self.add(ResultRecorded(at_s=self.clock.now_s(), outcome=outcome, answer=mask(answer),
                                reason=mask(reason),
                                facts=[FoundFact(name=f.name, value=mask(f.value))
                                       for f in facts]))
        logger.info("call %s: result recorded: %s", self.call_id, outcome)
        self.on_end(outcome, mask(reason))
