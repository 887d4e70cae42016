"""The one call loop: a :class:`CallSupervisor` runs every call, in process and on the
LiveKit worker alike.

It builds the navigator's ``AgentSession``, owns turn-taking (what the far end says while
the navigator is busy is queued and given to it as one turn once it has finished), enforces
every limit of the call (call seconds, turns, keypresses, silence), maps how the call ended
to an outcome, and returns the :class:`~agent.call.result.CallResult` built from the
navigator's event log. The transport is behind the seams of :mod:`agent.transport.base`.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from livekit import rtc
from livekit.agents import AgentSession, llm, room_io
from livekit.agents.llm import ChatMessage
from livekit.agents.voice.events import (
    ConversationItemAddedEvent,
    FunctionToolsExecutedEvent,
    UserInputTranscribedEvent,
)

from .call.events import CallEnded, HungUp, LimitReached, Prompt, Transferred
from .call.result import CallResult
from .call.task import CallTask, Outcome
from .dtmf import Pause, Tone, parse_dtmf
from .navigator.agent import NavigatorAgent
from .navigator.brain import Brain
from .navigator.brain_llm import BrainLLM
from .navigator.safety import SafetyPolicy
from .navigator.state import CallState, KeyGuard
from .navigator.tools import KEY_TOOLS
from .navigator.vocabulary import Vocabulary, load_vocabulary
from .transport.base import Clock, FarEnd, FarEndEvent, Keypad, TransportError

logger = logging.getLogger("ivr_navigator.supervisor")


@dataclass(frozen=True)
class CallLimits:
    """Bounds of one call (seconds of call time; turns; keys)."""

    max_call_s: float = 900.0
    max_turns: int = 80
    max_keypresses: int = 100
    max_silence_s: float = 300.0
    """The far end saying nothing this long ends the call (hold announcements count)."""


@dataclass
class _Ending:
    outcome: Outcome
    reason: str


@dataclass
class SupervisedCall:
    """A finished call: its result and what the navigator's tools returned (masked)."""

    result: CallResult
    tool_outputs: list[str] = field(default_factory=list)


class CallSupervisor:
    """Runs one call of the navigator over a transport.

    Args:
        call_id: the call's id (results, logs).
        task: goal, facts and secret names.
        far_end, keypad, clock: the transport's seams (:mod:`agent.transport.base`).
        model: the navigator's LLM, or an embedded :class:`~agent.navigator.brain.Brain`.
        limits: the call's bounds.
        post_connect_dtmf: keys (standard dial string, ``w``/``W`` pauses) sent once the
            far end answers, before the navigator takes its first turn.
        guard: decides which keys may be pressed; by default the safety policy
            (:class:`~agent.navigator.safety.SafetyPolicy`), whatever the model.
        vocabulary: the words the safety policy reads prompts with (loaded from
            ``prompts/`` when not given).
        speech: for a call that carries audio (a phone line): the ``AgentSession``'s STT,
            TTS and VAD, with ``audio_room`` and ``far_end_identity`` the room and
            participant whose audio the session hears and answers. The session's own
            endpointing then takes the turns; the supervisor logs what it transcribes.
    """

    def __init__(self, *, call_id: str, task: CallTask, far_end: FarEnd, keypad: Keypad,
                 clock: Clock, model: llm.LLM | Brain, limits: CallLimits | None = None,
                 post_connect_dtmf: str = "", guard: KeyGuard | None = None,
                 vocabulary: Vocabulary | None = None,
                 speech: dict[str, Any] | None = None, audio_room: rtc.Room | None = None,
                 far_end_identity: str = "") -> None:
        self.call_id = call_id
        self.task = task
        self.far_end = far_end
        self.clock = clock
        self.limits = limits = limits or CallLimits()
        self.post_connect_dtmf = post_connect_dtmf
        self.speech = speech
        self.audio_room = audio_room
        self.far_end_identity = far_end_identity
        self.model = model
        self.state = CallState(task=task, call_id=call_id, clock=clock, keypad=keypad,
                               max_keypresses=limits.max_keypresses,
                               guard=guard or SafetyPolicy(task.goal,
                                                           vocabulary or load_vocabulary()),
                               on_end=self._end)
        self._ending: _Ending | None = None
        self._ended = asyncio.Event()
        self._inbox: deque[FarEndEvent | TransportError] = deque()
        self._arrived = asyncio.Event()
        self._tool_outputs: list[str] = []
        # the embedded brain decides on partial prompts too (when to stop listening); an
        # LLM is asked only once a prompt is complete
        self.hears_partial_prompts = not isinstance(model, llm.LLM)

    def _end(self, outcome: Outcome, reason: str) -> None:
        """The one place the call's ending is decided (the first one wins)."""
        if self._ending is None:
            self._ending = _Ending(outcome, reason)
            self._ended.set()

    async def run(self) -> SupervisedCall:
        """Run the call to its end and return its result."""
        state = self.state
        model = self.model
        if not isinstance(model, llm.LLM):
            model = BrainLLM(model, state.log)
        session: AgentSession[CallState] = AgentSession(llm=model, userdata=state,
                                                        **(self.speech or {}))
        session.on("conversation_item_added", self._on_item)
        session.on("function_tools_executed", self._on_tools)
        reader = asyncio.create_task(self._read_far_end(), name="far_end_reader")
        try:
            if self.speech is None:
                await session.start(NavigatorAgent(self.task), record=False)
            else:
                session.on("user_input_transcribed", self._on_transcript)
                await session.start(
                    NavigatorAgent(self.task), record=False, room=self.audio_room,
                    session_host=False, room_options=room_io.RoomOptions(
                        participant_identity=self.far_end_identity, audio_input=True,
                        audio_output=True, text_input=False, text_output=False,
                        close_on_disconnect=False))
            await self._send_post_connect_dtmf()
            await self._converse(session)
        finally:
            reader.cancel()
            try:
                await asyncio.wait_for(session.aclose(), 10)
            except Exception as e:  # e.g. the server is gone: the result matters more
                logger.warning("call %s: closing the session: %s", self.call_id, e)
        ending = self._ending or _Ending("failed", "the call ended before a result")
        if not isinstance(self._last_far_end_event, HungUp | Transferred):
            await self._hang_up()
        state.add(CallEnded(at_s=self.clock.now_s(), outcome=ending.outcome,
                            reason=ending.reason))
        logger.info("call %s ended: %s %s", self.call_id, ending.outcome, ending.reason)
        return SupervisedCall(CallResult.from_events(self.call_id, state.log),
                              self._tool_outputs)

    # --- the far end ---------------------------------------------------------------------

    _last_far_end_event: FarEndEvent | None = None

    async def _read_far_end(self) -> None:
        try:
            async for event in self.far_end.events():
                self._inbox.append(event)
                self._arrived.set()
        except TransportError as e:
            self._inbox.append(e)
            self._arrived.set()

    async def _hang_up(self) -> None:
        try:
            await asyncio.wait_for(self.far_end.hang_up(), 5)
        except Exception as e:
            logger.warning("call %s: hanging up: %s", self.call_id, e)

    async def _send_post_connect_dtmf(self) -> None:
        for item in parse_dtmf(self.post_connect_dtmf):
            if isinstance(item, Tone):
                await self.state.press(item.key, guarded=False)
            elif isinstance(item, Pause):
                await asyncio.sleep(item.duration_s)

    # --- turns ---------------------------------------------------------------------------

    async def _next(self, timeout_s: float) -> FarEndEvent | TransportError | None:
        """The next far-end event, or None when ``timeout_s`` passes or the call ended."""
        if not self._inbox:
            self._arrived.clear()
            waits = [asyncio.ensure_future(self._arrived.wait()),
                     asyncio.ensure_future(self._ended.wait())]
            try:
                await asyncio.wait(waits, timeout=max(0.0, timeout_s),
                                   return_when=asyncio.FIRST_COMPLETED)
            finally:
                for w in waits:
                    w.cancel()
        return self._inbox.popleft() if self._inbox and self._ending is None else None

    async def _converse(self, session: AgentSession) -> None:
        limits, state, clock = self.limits, self.state, self.clock
        turns = 0
        last_heard = clock.now_s()
        while self._ending is None:
            now = clock.now_s()
            call_left = limits.max_call_s - now
            silence_left = limits.max_silence_s - (now - last_heard)
            event = await self._next(min(call_left, silence_left))
            if self._ending is not None:
                break
            if event is None:
                limit, value = (("call_seconds", limits.max_call_s) if call_left <= silence_left
                                else ("silence", limits.max_silence_s))
                state.add(LimitReached(at_s=clock.now_s(), limit=limit, value=value))
                self._end("timeout", f"no result after {value:g} s" if limit == "call_seconds"
                          else f"the far end said nothing for {value:g} s")
                break
            if isinstance(event, TransportError):
                self._end("failed", str(event))
                break
            self._last_far_end_event = event
            if isinstance(event, Transferred):
                state.add(event)
                self._end("transferred_to_human", f"the IVR transferred the call to {event.to}")
                break
            if isinstance(event, HungUp):
                state.add(event)
                why = f": {event.reason}" if event.reason else ""
                self._end("ivr_hung_up", f"the far end hung up before a result{why}")
                break
            # everything said while the navigator was busy is one turn
            heard = [event, *self._take_prompts()]
            last_heard = clock.now_s()
            for prompt in heard:
                state.add(prompt.model_copy(update={"text": state.masker(prompt.text)}))
            text = " ".join(state.masker(p.text) for p in heard if p.final)
            if not text:
                if self.hears_partial_prompts:  # may barge in mid-prompt; not a full turn
                    await self._take_turn(session, " ".join(state.masker(p.text) for p in heard),
                                          limits.max_call_s - clock.now_s())
                continue
            if turns >= limits.max_turns:
                state.add(LimitReached(at_s=clock.now_s(), limit="turns", value=limits.max_turns))
                self._end("timeout", f"no result after {limits.max_turns} turns")
                break
            turns += 1
            await self._take_turn(session, text, limits.max_call_s - clock.now_s())

    def _take_prompts(self) -> list[Prompt]:
        taken = []
        while self._inbox and isinstance(self._inbox[0], Prompt):
            taken.append(self._inbox.popleft())
        return taken

    async def _take_turn(self, session: AgentSession, text: str, timeout_s: float) -> None:
        """Give the navigator ``text`` as one user turn and wait until it has replied
        (its words said, its keys pressed), or the call ends."""
        run = asyncio.ensure_future(session.run(user_input=text))
        ended = asyncio.ensure_future(self._ended.wait())
        try:
            await asyncio.wait([run, ended], timeout=max(0.0, timeout_s),
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            ended.cancel()
        if run.done() and not run.cancelled() and run.exception() is not None:
            logger.warning("call %s: turn failed: %s", self.call_id, run.exception())
        elif not run.done():
            run.cancel()

    # --- what the navigator says and its tools ------------------------------------------------

    def _on_item(self, ev: ConversationItemAddedEvent) -> None:
        item = ev.item
        if isinstance(item, ChatMessage) and item.role == "assistant" and item.text_content:
            text = self.state.said(item.text_content)
            if self.speech is None:  # with speech, the session's TTS says it
                asyncio.ensure_future(self.far_end.say(text))

    def _on_transcript(self, ev: UserInputTranscribedEvent) -> None:
        if ev.is_final and ev.transcript.strip():
            now = self.clock.now_s()
            self.state.add(Prompt(at_s=now, end_s=now, text=self.state.masker(ev.transcript)))

    def _on_tools(self, ev: FunctionToolsExecutedEvent) -> None:
        failed = False
        for _call, output in ev.zipped():
            if output is not None:
                output.output = self.state.masker(output.output)
                self._tool_outputs.append(output.output)
                failed = failed or output.is_error
        if not failed and all(call.name in KEY_TOOLS for call in ev.function_calls):
            # keys pressed: wait for the IVR's next prompt instead of talking over it
            ev.cancel_tool_reply()
