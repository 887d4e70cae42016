"""The mock IVR as a LiveKit agent participant: the same engine and runner as in process,
played over a real room with an ``AgentSession`` of its own.

In text mode it speaks with ``session.say`` (its session publishes the words as its
``lk.transcription`` text stream) and hears the caller's text on ``lk.chat`` (the
session's text input). In audio mode its prompts play on an audio track
(:class:`~agent.audio.track.LineTrack`), each from the moment the IVR starts to say it,
a key pressed mid-prompt cuts it (barge-in), and it hears the caller's audio track
through the local STT. Either way it hears the caller's keys as ``sip_dtmf_received``;
every collect node takes its entry through a
:class:`~agent.dtmf.task.CollectDigitsTask`, keys and spoken digits both, as LiveKit's
bank-IVR example does with ``GetDtmfTask``. A transfer is
announced as the participant attribute ``ivr.transfer_to`` before it leaves the room.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from livekit import rtc
from livekit.agents import Agent, AgentSession, room_io

from ..audio.hearing import Hearing
from ..audio.track import LineTrack, hear_track
from ..call.events import CallEvent, Prompt
from ..dtmf import DigitsEntry, key_for_event_code
from ..dtmf.task import CollectDigitsTask
from ..scenario.ivr_model import CollectNode
from ..transport.room import HANGUP_REASON_ATTRIBUTE, TRANSFER_ATTRIBUTE
from .engine import IvrEngine
from .runner import IvrRunner

logger = logging.getLogger("ivr_navigator.mock_ivr")

ANY_KIND = list(rtc.ParticipantKind.values())
SAY_TIMEOUT_S = 30.0
"""Longest wait for a prompt's text to go out (text mode; a room that went away)."""


class MockIvrAgent(Agent):
    """Plays ``engine`` to the participant ``caller`` of ``room`` for one call.

    Args:
        time_scale: wall seconds per IVR second while the IVR speaks or holds.
        on_finished: called with the engine's event log when the call is over (before the
            job shuts down, which may cut its own callbacks short).
        audio: speak on this audio track instead of in text (the engine must time its
            prompts by the track's audio, ``speech_seconds=audio.seconds``).
        hearing: with ``audio``, hears the caller's audio track (its final prompts reach
            :meth:`heard_prompt`).
    """

    def __init__(self, engine: IvrEngine, room: rtc.Room, caller: str, *,
                 time_scale: float = 1.0,
                 on_finished: Callable[[list[CallEvent]], None] | None = None,
                 audio: LineTrack | None = None, hearing: Hearing | None = None) -> None:
        super().__init__(instructions="A scripted IVR: it never generates replies.")
        self.room = room
        self.caller = caller
        self.audio = audio
        self.hearing = hearing
        self.streams_audio = audio is not None  # read by the runner (IvrLine)
        self._listening: asyncio.Task[None] | None = None
        self.runner = IvrRunner(engine, self, time_scale=time_scale, collect=self._collect)
        self._entry_task: CollectDigitsTask | None = None
        self._type_ahead: list[tuple[int, str]] = []  # (collect request, key) before its task
        self._on_finished = on_finished
        self.finished = asyncio.Event()  # set when the call is over

    # --- the call (on_enter runs it, so collect nodes may await AgentTasks) ----------------

    async def on_enter(self) -> None:
        self.room.on("sip_dtmf_received", self._on_dtmf)
        self.room.on("participant_disconnected", self._on_left)
        self.room.on("disconnected", self._on_room_closed)
        self.room.on("track_subscribed", self._on_track)
        caller = self.room.remote_participants.get(self.caller)
        for publication in caller.track_publications.values() if caller else ():
            if publication.track is not None:
                self._on_track(publication.track, publication, caller)
        try:
            await self.runner.run()
        finally:
            if self._listening is not None:
                self._listening.cancel()
            self.room.off("track_subscribed", self._on_track)
            self.room.off("sip_dtmf_received", self._on_dtmf)
            self.room.off("participant_disconnected", self._on_left)
            self.room.off("disconnected", self._on_room_closed)
            if self._on_finished is not None:
                self._on_finished(list(self.runner.engine.log))
            self.finished.set()

    async def _collect(self, node: CollectNode) -> DigitsEntry:
        engine = self.runner.engine
        request = engine.collect_request
        # keys typed at this node while its prompt played count, as the engine's own
        # collector (in process) counts them
        type_ahead = "".join(k for r, k in self._type_ahead if request and r == request[0])
        self._type_ahead.clear()
        self._entry_task = CollectDigitsTask(
            min_digits=node.min_digits, max_digits=node.max_digits, terminator=node.terminator,
            inter_digit_timeout_s=engine.ivr.timeouts.inter_digit_s,
            first_digit_timeout_s=engine.ivr.timeouts.no_input_s, secret=node.secret,
            keys_from_room=False,  # handed in by _on_dtmf, after the engine's own rules
            type_ahead=type_ahead)
        try:
            return await self._entry_task
        finally:
            self._entry_task = None

    # --- the caller's input ----------------------------------------------------------------

    def heard(self, text: str) -> None:
        """The caller's words (the session's text input)."""
        self.runner.hear(text)
        task = self._entry_task
        node = self.runner.engine.ivr.nodes.get(self.runner.engine.node_id)
        if task is not None and isinstance(node, CollectNode) and node.accepts_speech:
            task.hear(text)

    def heard_prompt(self, prompt: Prompt) -> None:
        """What the IVR's STT heard of the caller's audio (final utterances count; a
        partial one says the caller is speaking, so no wait for an answer runs out)."""
        if prompt.final:
            self.heard(prompt.text)
        else:
            self.runner.caller_speaking()

    def _on_track(self, track: rtc.Track, _publication: rtc.RemoteTrackPublication,
                  participant: rtc.RemoteParticipant) -> None:
        if (self.hearing is not None and participant.identity == self.caller
                and track.kind == rtc.TrackKind.KIND_AUDIO and self._listening is None):
            loop, start = asyncio.get_running_loop(), asyncio.get_running_loop().time()
            self._listening = asyncio.ensure_future(
                hear_track(track, self.hearing, lambda: loop.time() - start))

    def _on_dtmf(self, ev: rtc.SipDTMF) -> None:
        if ev.participant is None or ev.participant.identity != self.caller:
            return
        key = key_for_event_code(ev.code)
        engine = self.runner.engine
        ignored = engine.ignores_key(key)  # a terminator after a full entry
        request = engine.collect_request
        self.runner.press(key)
        if ignored:
            return
        if self._entry_task is not None:
            self._entry_task.press(key)
        elif request is not None:  # at a collect node whose task has not started yet
            self._type_ahead.append((request[0], key))

    def _on_left(self, participant: rtc.RemoteParticipant) -> None:
        if participant.identity == self.caller:
            self._caller_gone("caller left the room")

    def _on_room_closed(self, reason: object) -> None:
        self._caller_gone(f"the room closed ({reason})")

    def _caller_gone(self, reason: str) -> None:
        self.runner.hang_up(reason)
        with contextlib.suppress(RuntimeError):  # nobody is left to hear the prompt
            self.session.interrupt(force=True)
        if self._entry_task is not None and not self._entry_task.done():
            self._entry_task.complete(DigitsEntry(digits="", ended_by="timeout",
                                                  complete=False, reason=reason))

    # --- IvrLine -----------------------------------------------------------------------------

    async def speak(self, text: str) -> None:
        if self.audio is not None:
            self.audio.speak(text)
            return
        handle = self.session.say(text, allow_interruptions=False, add_to_chat_ctx=False)
        with contextlib.suppress(asyncio.TimeoutError):  # the room may be gone
            await asyncio.wait_for(handle.wait_for_playout(), SAY_TIMEOUT_S)

    def cut(self) -> None:
        """A key barged in (audio mode): the prompt under way stops."""
        if self.audio is not None:
            self.audio.cut()

    def hold(self, on: bool) -> None:
        """Hold music from now (audio mode), or no more."""
        if self.audio is not None:
            self.audio.hold(on)

    async def transfer(self, to: str) -> None:
        if self.audio is not None:  # the last words are heard before it goes
            await self.audio.played_out(SAY_TIMEOUT_S)
        await self.room.local_participant.set_attributes({TRANSFER_ATTRIBUTE: to})

    async def leave(self, reason: str) -> None:
        if self.audio is not None:
            await self.audio.played_out(SAY_TIMEOUT_S)
        await self.room.local_participant.set_attributes({HANGUP_REASON_ATTRIBUTE: reason})


async def play_ivr(agent: MockIvrAgent) -> AgentSession:
    """Start the mock IVR's session in its room, in text mode, hearing only its caller;
    the call runs in the agent's ``on_enter``. Returns the session."""
    session = AgentSession()

    async def on_text(sess: AgentSession, ev: room_io.TextInputEvent) -> None:
        agent.heard(ev.text)

    await session.start(agent, room=agent.room, record=False, session_host=False,
                        room_options=room_io.RoomOptions(
        participant_identity=agent.caller, participant_kinds=ANY_KIND,
        text_input=room_io.TextInputOptions(text_input_cb=on_text),
        audio_input=False, audio_output=False, text_output=True,
        close_on_disconnect=False))
    return session
