"""GetDtmf-style digit collection as a LiveKit ``AgentTask``, for any agent that must take
digits from a caller (an account number, a PIN), pressed or spoken.

It listens to the job room's ``sip_dtmf_received`` and to the session's final
``user_input_transcribed`` events (what the caller said) and needs no LLM:
:class:`DigitCollector` decides, on the event loop's clock. ``await CollectDigitsTask(...)``
inside an agent returns the :class:`DigitsEntry` (check ``complete``).
"""

from __future__ import annotations

import asyncio
import logging

from livekit import rtc
from livekit.agents import AgentTask, get_job_context, llm
from livekit.agents.llm import StopResponse
from livekit.agents.voice.events import UserInputTranscribedEvent

from .digit_collector import DigitCollector, DigitsEntry

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
    ) -> None:
        super().__init__(instructions="Collect digits from the caller; no reply is needed.")
        self._prompt = prompt
        self._secret = secret
        self._settings = dict(
            min_digits=min_digits, max_digits=max_digits, terminator=terminator,
            inter_digit_timeout_s=inter_digit_timeout_s,
            first_digit_timeout_s=first_digit_timeout_s,
        )
        # fail fast on bad settings, before the task is awaited
        self._collector = DigitCollector(**self._settings)
        self._timer: asyncio.TimerHandle | None = None
        self._room: rtc.Room | None = None

    async def on_enter(self) -> None:
        loop = asyncio.get_running_loop()
        self._collector = DigitCollector(**self._settings, started_at_s=loop.time())
        self._room = get_job_context().room
        self._room.on("sip_dtmf_received", self._on_dtmf)
        self.session.on("user_input_transcribed", self._on_transcript)
        if self._prompt:
            self.session.say(self._prompt)
        self._arm_timer()

    async def on_exit(self) -> None:
        if self._room is not None:
            self._room.off("sip_dtmf_received", self._on_dtmf)
        self.session.off("user_input_transcribed", self._on_transcript)
        if self._timer is not None:
            self._timer.cancel()

    async def on_user_turn_completed(self, turn_ctx: llm.ChatContext,
                                     new_message: llm.ChatMessage) -> None:
        raise StopResponse()  # the collector took the words from the transcript; no reply

    def _on_transcript(self, ev: UserInputTranscribedEvent) -> None:
        if ev.is_final:
            self._settle(self._collector.hear(ev.transcript, self._now()))

    def _on_dtmf(self, ev: rtc.SipDTMF) -> None:
        self._settle(self._collector.press(ev.digit, self._now()))

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
