"""The LiveKit transport: the navigator's far end and keypad in a LiveKit room.

The far end is one participant: the dialed SIP participant, or the mock IVR's. In text
mode its words arrive as its ``lk.transcription`` text streams (what an agent session
publishes when it speaks). When it publishes an audio track instead (the mock IVR in
audio mode), the navigator hears that track through the local speech stack
(:class:`~agent.audio.hearing.Hearing`: Silero VAD endpointing, Whisper STT, on wall
time), partial prompts included, and speaks to it on an audio track of its own
(:data:`CALLER_TRACK`, flite's kal voice). Otherwise the navigator's words go to it on
``lk.chat`` (what an agent session reads as user text). Keys travel as SIP DTMF data
packets (``publish_dtmf``, RFC 4733 event codes), which the server delivers to every
participant of the room: each call has a room of its own.

Only the far end is heard: text from any other participant is ignored and logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable

from livekit import rtc
from livekit.agents.types import TOPIC_CHAT, TOPIC_TRANSCRIPTION

from ..call.events import HungUp, Prompt, Transferred
from ..dtmf import rfc4733_event_code
from .base import Clock, FarEndEvent, TransportError

logger = logging.getLogger("ivr_navigator.transport")

TRANSFER_ATTRIBUTE = "ivr.transfer_to"
"""Set by the mock IVR's participant when its tree transfers the call out, before it
leaves (a SIP trunk would bridge the call instead; the mock has no one to bridge to)."""
HANGUP_REASON_ATTRIBUTE = "ivr.hangup_reason"
"""Set by the mock IVR's participant before it hangs up, for the navigator's log."""
LOST_CONNECTION = "lost connection to the LiveKit server"


class RoomKeypad:
    """Sends keys into ``room`` as SIP DTMF (RFC 4733 §3.2 event code and digit);
    ``on_press`` is told of each key as it goes (the far end's hearing: a key answers
    what was heard)."""

    def __init__(self, room: rtc.Room, on_press: Callable[[], None] | None = None) -> None:
        self._room = room
        self._on_press = on_press

    async def press(self, key: str) -> None:
        if self._on_press is not None:
            self._on_press()
        await self._room.local_participant.publish_dtmf(code=rfc4733_event_code(key),
                                                        digit=key)


CALLER_TRACK = "caller-audio"
"""The navigator's audio track, published when the far end speaks on one."""
DRAIN_S = 5.0
"""Longest wait, once the far end is gone, for what was heard of it to be decoded."""
LEFT_GRACE_S = 3.0
"""How long a far end that left without hanging up (no reason, not client-initiated) is
given before it counts as a hang-up: long enough to see whether the server went away."""


class RoomFarEnd:
    """The participant ``identity`` of ``room`` as the navigator's far end: its text
    streams, or with ``hears_audio`` its audio track, heard through the local speech stack
    (not for a call whose ``AgentSession`` hears the far end with its own STT).

    Hanging up only stops listening: the worker ends the call by deleting the room once
    the result is delivered (which disconnects the SIP leg or the mock IVR).
    """

    def __init__(self, room: rtc.Room, identity: str, clock: Clock, *,
                 hears_audio: bool = False) -> None:
        self.room = room
        self.identity = identity
        self._clock = clock
        self._hears_audio = hears_audio
        self._events: asyncio.Queue[FarEndEvent | TransportError | None] = asyncio.Queue()
        self._reading: set[asyncio.Task[None]] = set()  # text streams being read
        self._ended = False
        self._told_last = False  # the call's last event is queued: nothing more is heard
        self._grace: asyncio.Future[None] | None = None  # a far end that left, undecided
        self._hearing = None  # an agent.audio.hearing.Hearing, once an audio track plays
        self._voice = None  # the navigator's agent.audio.track.LineTrack, with a hearing
        self._listening: asyncio.Task[None] | None = None
        room.register_text_stream_handler(TOPIC_TRANSCRIPTION, self._on_text)
        room.on("participant_disconnected", self._on_left)
        room.on("participant_attributes_changed", self._on_attributes)
        room.on("track_subscribed", self._on_track)
        room.on("disconnected", self._on_room_closed)
        far_end = room.remote_participants.get(identity)
        for publication in far_end.track_publications.values() if far_end else ():
            if publication.track is not None:
                self._on_track(publication.track, publication, far_end)

    def close(self) -> None:
        """Stop listening to the room."""
        self.room.unregister_text_stream_handler(TOPIC_TRANSCRIPTION)
        self.room.off("participant_disconnected", self._on_left)
        self.room.off("participant_attributes_changed", self._on_attributes)
        self.room.off("track_subscribed", self._on_track)
        self.room.off("disconnected", self._on_room_closed)
        for task in [*self._reading, *(t for t in (self._grace, self._listening) if t)]:
            task.cancel()

    def pressed(self) -> None:
        """The navigator pressed a key now: what it heard so far is answered."""
        if self._hearing is not None:
            self._hearing.pressed(self._clock.now_s())

    # --- FarEnd ------------------------------------------------------------------------

    async def events(self) -> AsyncIterator[FarEndEvent]:
        while (event := await self._events.get()) is not None:
            if isinstance(event, TransportError):
                raise event
            yield event

    async def say(self, text: str) -> None:
        if self._voice is not None:  # spoken, and said once it has played
            self._voice.speak(text)
            await self._voice.played_out()
            return
        await self.room.local_participant.send_text(
            text, topic=TOPIC_CHAT, destination_identities=[self.identity])

    async def hang_up(self) -> None:
        self._finish(None)

    # --- the room's events ---------------------------------------------------------------

    def _finish(self, last: FarEndEvent | TransportError | None) -> None:
        """Queue the call's last event once, after the texts still being read."""
        if self._ended:
            return
        self._ended = True
        pending = list(self._reading)
        hearing = self._hearing

        async def after_reads() -> None:
            if pending:
                await asyncio.wait(pending, timeout=2)
            for _ in range(int(DRAIN_S / 0.1)):  # the last words heard are told first
                if hearing is None or hearing.idle:
                    break
                await asyncio.sleep(0.1)
            self._told_last = True
            if last is not None:
                self._events.put_nowait(last)
            self._events.put_nowait(None)

        task = asyncio.ensure_future(after_reads())
        self._reading.add(task)
        task.add_done_callback(self._reading.discard)

    def _on_text(self, reader: rtc.TextStreamReader, identity: str) -> None:
        if identity != self.identity:
            logger.warning("ignoring text from %r: only the far end %r is heard", identity,
                           self.identity)
            return

        async def read() -> None:
            text = (await reader.read_all()).strip()
            if text and not self._ended and self._hearing is None:
                now = self._clock.now_s()
                self._events.put_nowait(Prompt(at_s=now, end_s=now, text=text))

        task = asyncio.ensure_future(read())
        self._reading.add(task)
        task.add_done_callback(self._reading.discard)

    def _on_track(self, track: rtc.Track, _publication: rtc.RemoteTrackPublication,
                  participant: rtc.RemoteParticipant) -> None:
        if (self._hears_audio and participant.identity == self.identity
                and track.kind == rtc.TrackKind.KIND_AUDIO and self._listening is None):
            self._listening = asyncio.ensure_future(self._listen(track))

    async def _listen(self, track: rtc.Track) -> None:
        """Hear the far end's audio track until the call ends; a hearing that fails ends
        the call (``failed``, with why) rather than leaving it deaf."""
        try:
            await self._hear(track)
        except Exception as e:
            logger.exception("cannot hear %s's audio track", self.identity)
            self._finish(TransportError(f"cannot hear the far end's audio: {e}"))

    async def _hear(self, track: rtc.Track) -> None:
        from ..audio.track import hear_track  # a text-mode call never loads the speech models

        # the track is read from now on, while the models load: the far end may already speak
        ready = asyncio.ensure_future(self._ready_to_hear())
        try:
            await hear_track(track, ready, self._clock.now_s)
        finally:
            ready.cancel()
            if self._hearing is not None:
                await self._hearing.close()
            if self._voice is not None:
                await self._voice.aclose()

    async def _ready_to_hear(self):  # noqa: ANN202 (an agent.audio.hearing.Hearing)
        """Load the local hearing, and the navigator's voice: an IVR that speaks hears
        speech too, so the navigator's words go as audio."""
        from ..audio.prompts import CALLER_VOICE, prompt_audio
        from ..audio.track import LineTrack, local_hearing

        self._hearing = await local_hearing(self._heard)
        voice = LineTrack(self.room, await asyncio.to_thread(prompt_audio, CALLER_VOICE),
                          name=CALLER_TRACK)
        await voice.start()
        self._voice = voice
        logger.info("hearing %s's audio track in %s", self.identity, self.room.name)
        return self._hearing

    def _heard(self, prompt: Prompt) -> None:
        if not self._told_last:
            self._events.put_nowait(prompt)

    def _on_left(self, participant: rtc.RemoteParticipant) -> None:
        if participant.identity != self.identity:
            return
        reason = participant.attributes.get(HANGUP_REASON_ATTRIBUTE, "")
        hung_up = HungUp(at_s=self._clock.now_s(), by="ivr",
                         reason=reason or f"{self.identity} left the call")
        if reason or participant.disconnect_reason == rtc.DisconnectReason.CLIENT_INITIATED:
            self._finish(hung_up)
            return

        async def unless_the_server_went_away() -> None:
            # a crashed server drops every participant at once: the room's own
            # disconnection, which follows, says so (and wins over this hang-up)
            await asyncio.sleep(LEFT_GRACE_S)
            if self.room.connection_state == rtc.ConnectionState.CONN_CONNECTED:
                self._finish(hung_up)
            else:
                self._finish(TransportError(LOST_CONNECTION))

        self._grace = asyncio.ensure_future(unless_the_server_went_away())

    def _on_attributes(self, changed: dict[str, str], participant: rtc.Participant) -> None:
        if participant.identity == self.identity and changed.get(TRANSFER_ATTRIBUTE):
            self._finish(Transferred(at_s=self._clock.now_s(), to=changed[TRANSFER_ATTRIBUTE]))

    def _on_room_closed(self, reason: object) -> None:
        self._finish(TransportError(f"{LOST_CONNECTION} ({reason})"))
