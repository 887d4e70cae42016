"""GetDtmf-style digit collection as a LiveKit ``AgentTask``, for any agent that must take
digits from a caller (an account number, a PIN), pressed or spoken.

It listens to the room's ``sip_dtmf_received`` (RFC 4733 events from a SIP caller, or the
``publish_dtmf`` data packets of another participant) and to the caller's words: each
completed user turn (speech through STT), or text handed to :meth:`CollectDigitsTask.hear`
(a text-mode caller). It needs no LLM: :class:`~agent.dtmf.collector.DigitCollector`
decides, on the event loop's clock. ``await CollectDigitsTask(...)`` inside an agent's
``on_enter`` or a tool returns the :class:`~agent.dtmf.collector.DigitsEntry` (check
``complete``). The mock IVR's LiveKit participant collects every entry this way.
"""

from __future__ import annotations

import asyncio
import logging

from livekit import rtc
from livekit.agents import AgentTask, get_job_context, llm
from livekit.agents.llm import StopResponse

from .collector import DigitCollector, DigitsEntry
from .keys import key_for_event_code

logger = logging.getLogger("ivr_navigator.collect_digits")


class CollectDigitsTask(AgentTask[DigitsEntry]):
    """Collect one entry of digits; completes with a :class:`DigitsEntry`.

    Args:
        prompt: said when the task starts ("Please enter your account number, followed
            by the pound key"); empty to say nothing.
        min_digits, max_digits, terminator: as :class:`DigitCollector`.
        inter_digit_timeout_s: seconds of silence after a digit that end the entry.
        first_digit_timeout_s: seconds to wait for the first digit.
        secret: log only the entry's length, never its digits.
        caller: take keys only from this participant identity (None: from anyone).
        room: where keys arrive (default: the job's room); None with
            ``keys_from_room=False``: keys are handed in with :meth:`press`.
        type_ahead: keys the caller pressed before the task was created (during the
            prompt, as IVRs with type-ahead keep them); they count first.

    Keys and words handed in before the task has started are kept and taken, in order,
    when it starts: a fast caller's first digits are never lost.
    """

    def __init__(
        self,
        *,
        prompt: str = "",
        min_digits: int,
        max_digits: int,
        terminator: str | None = "#",
        inter_digit_timeout_s: float = 3.0,
        first_digit_timeout_s: float = 5.0,
        secret: bool = False,
        caller: str | None = None,
        room: rtc.Room | None = None,
        keys_from_room: bool = True,
        type_ahead: str = "",
    ) -> None:
        super().__init__(instructions="Collect digits from the caller; no reply is needed.")
        self._prompt = prompt
        self._secret = secret
        self._caller = caller
        self._room = room
        self._keys_from_room = keys_from_room
        self._settings = dict(
            min_digits=min_digits, max_digits=max_digits, terminator=terminator,
            inter_digit_timeout_s=inter_digit_timeout_s,
            first_digit_timeout_s=first_digit_timeout_s,
        )
        # fail fast on bad settings, before the task is awaited
        self._collector = DigitCollector(**self._settings)
        self._timer: asyncio.TimerHandle | None = None
        self._early: list[tuple[str, str]] | None = [("key", k) for k in type_ahead]
        """Input before ``on_enter`` ((kind, value) in order); None once started."""

    async def on_enter(self) -> None:
        self._collector = DigitCollector(**self._settings, started_at_s=self._now())
        early, self._early = self._early or [], None
        if self._keys_from_room:
            if self._room is None:
                self._room = get_job_context().room
            self._room.on("sip_dtmf_received", self._on_dtmf)
        if self._prompt:
            self.session.say(self._prompt)
        self._arm_timer()
        for kind, value in early:
            (self.press if kind == "key" else self.hear)(value)

    async def on_exit(self) -> None:
        if self._room is not None:
            self._room.off("sip_dtmf_received", self._on_dtmf)
        if self._timer is not None:
            self._timer.cancel()

    async def on_user_turn_completed(self, turn_ctx: llm.ChatContext,
                                     new_message: llm.ChatMessage) -> None:
        self.hear(new_message.text_content or "")
        raise StopResponse()  # the digits are taken; no reply

    def hear(self, text: str) -> None:
        """Take words the caller said (digit words and the spoken terminator count)."""
        if self._early is not None:
            self._early.append(("words", text))
        elif not self.done():
            self._settle(self._collector.hear(text, self._now()))

    def _on_dtmf(self, ev: rtc.SipDTMF) -> None:
        if self._caller is not None and (ev.participant is None
                                         or ev.participant.identity != self._caller):
            return
        try:
            key = key_for_event_code(ev.code)
        except ValueError:
            logger.warning("ignoring DTMF event with code %r", ev.code)
            return
        self.press(key)

    def press(self, key: str) -> None:
        """Take one DTMF key (when keys are handed in rather than read from the room)."""
        if self._early is not None:
            self._early.append(("key", key))
        elif not self.done():
            self._settle(self._collector.press(key, self._now()))

    def _now(self) -> float:
        return asyncio.get_running_loop().time()

    def _arm_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        deadline = self._collector.deadline_s
        if deadline is not None:
            self._timer = asyncio.get_running_loop().call_at(deadline, self._on_timer)

    def _on_timer(self) -> None:
        self._settle(self._collector.expire(self._now()))

    def _settle(self, entry: DigitsEntry | None) -> None:
        if entry is None:
            self._arm_timer()
            return
        if self.done():
            return
        shown = f"{len(entry.digits)} digits" if self._secret else entry.digits
        logger.info("digits collected: %s (ended by %s)", shown, entry.ended_by)
        self.complete(entry)
