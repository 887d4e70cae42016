"""One direction of a phone line in a LiveKit room: speech published as an audio track
(:class:`LineTrack`), and a remote track heard (:func:`hear_track`).

Both ends of an audio call over the server use them: the mock IVR speaks its prompts and
hears the caller, the navigator hears the IVR and speaks when it must. What is said is
rendered (a TTS voice or a recorded IVR's files), carried over a
:class:`~agent.audio.line.PhoneLine` (G.711 μ-law, level, noise) and published as a mono
8 kHz track, 20 ms frames in real time; between utterances the track carries the line's
idle noise, as a phone line does, or hold music while the IVR holds the call
(:class:`~agent.audio.player.LinePlayer`). A key pressed mid-prompt cuts what is still to play,
the frames queued in the source included (barge-in).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import numpy as np
from livekit import rtc

from ..call.events import Prompt
from .endpointing import WINDOW
from .hearing import Hearing
from .line import LINE_RATE_HZ, PhoneLine
from .player import LinePlayer
from .prompts import PromptAudio

FRAME_S = 0.02
"""Seconds per published frame (20 ms, the usual RTP packetisation of G.711)."""
FRAME = int(LINE_RATE_HZ * FRAME_S)
QUEUE_MS = 100
"""The audio source's buffer (ms): a cut leaves at most this much still to play."""


class LineTrack:
    """Speaks into ``room`` as the audio track ``name`` (see the module docstring).

    Args:
        voice: renders what is said as 8 kHz audio.
        line: the phone line the audio goes through before the room.
    """

    def __init__(self, room: rtc.Room, voice: PromptAudio, *, name: str,
                 line: PhoneLine | None = None) -> None:
        self.room = room
        self.voice = voice
        self.name = name
        self.line = line or PhoneLine()
        self._source = rtc.AudioSource(LINE_RATE_HZ, 1, queue_size_ms=QUEUE_MS)
        self._player = LinePlayer(voice, self.line)
        self._task: asyncio.Task[None] | None = None
        self._publication: rtc.LocalTrackPublication | None = None

    def seconds(self, text: str) -> float:
        """How long ``text`` takes to say (seconds)."""
        return self.voice.audio(text).size / LINE_RATE_HZ

    async def start(self) -> None:
        """Publish the track and start playing (line noise until something is said)."""
        track = rtc.LocalAudioTrack.create_audio_track(self.name, self._source)
        self._publication = await self.room.local_participant.publish_track(
            track, rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE))
        self._task = asyncio.create_task(self._play(), name=self.name)

    async def subscribed(self, timeout_s: float) -> bool:
        """Wait until someone in the room subscribed to the started track, at most
        ``timeout_s`` seconds: whether they did. Audio played before that is lost to them."""
        if self._publication is None:
            raise RuntimeError("the track is not started")
        try:
            await asyncio.wait_for(self._publication.wait_for_subscription(), timeout_s)
        except TimeoutError:
            return False
        return True

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._source.aclose()

    def speak(self, text: str) -> None:
        """Start saying ``text`` after what is still playing."""
        self._player.speak(text)

    def cut(self) -> None:
        """Stop what is being said (a key barged in)."""
        self._player.cut()
        self._source.clear_queue()

    def hold(self, on: bool) -> None:
        """Play hold music between utterances (``on``), or the idle line again."""
        self._player.hold(on)

    @property
    def playing(self) -> bool:
        """Whether speech is still to play."""
        return self._player.speaking or self._source.queued_duration > 0

    async def played_out(self, timeout_s: float = 30.0) -> None:
        """Wait until everything said has played (bounded: the room may be gone)."""
        for _ in range(int(timeout_s / FRAME_S)):
            if not self.playing:
                return
            await asyncio.sleep(FRAME_S)

    async def _play(self) -> None:
        while True:
            frame = self._player.next(FRAME)
            pcm = (np.clip(frame, -1.0, 1.0) * 32767).astype(np.int16)
            # waits while the source's buffer is full: the track plays in real time
            await self._source.capture_frame(rtc.AudioFrame(
                pcm.tobytes(), LINE_RATE_HZ, 1, FRAME))


async def hear_track(track: rtc.Track, hearing: Hearing | asyncio.Future[Hearing],
                     now_s: Callable[[], float]) -> None:
    """Feed ``track`` (resampled to 8 kHz mono) to ``hearing`` window by window, each
    stamped with ``now_s()`` (call seconds) as it arrives, until the track ends or the
    task is cancelled.

    ``hearing`` may be a future still loading it (its models take seconds, more on a
    loaded machine, and the far end may already speak): the track is read from the start
    and what arrives meanwhile is fed, with its arrival times, once it is ready. The
    hearing must have been started; closing it is the caller's.

    Raises:
        Exception: whatever loading the hearing raised.
    """
    if isinstance(hearing, Hearing):
        ready: asyncio.Future[Hearing] = asyncio.get_running_loop().create_future()
        ready.set_result(hearing)
    else:
        ready = hearing
    stream = rtc.AudioStream(track, sample_rate=LINE_RATE_HZ, num_channels=1)
    pending = np.zeros(0, np.float32)
    backlog: list[tuple[np.ndarray, float]] = []  # windows not yet fed
    try:
        async for event in stream:
            samples = np.frombuffer(event.frame.data, np.int16).astype(np.float32)
            pending = np.concatenate([pending, samples / 32768.0])
            while pending.size >= WINDOW:
                window, pending = pending[:WINDOW], pending[WINDOW:]
                backlog.append((window, now_s()))
            if ready.done():
                for window, end_s in backlog:
                    ready.result().feed(window, end_s)
                backlog.clear()
    finally:
        await stream.aclose()


async def local_hearing(emit: Callable[[Prompt], None], *,
                        grammar: Callable[[], str | None] | None = None) -> Hearing:
    """A started :class:`Hearing` on wall time (decoding in a worker thread), on the
    process's shared Whisper tiny.en and a Silero endpointer, both loaded in a worker
    thread (they take a second or two); ``grammar`` as :class:`Hearing` takes it.

    Raises:
        SttError: the STT model is not installed.
    """
    from .endpointing import Endpointer
    from .stt import shared_transcriber

    transcriber = await asyncio.to_thread(shared_transcriber)
    endpointer = await asyncio.to_thread(Endpointer)
    hearing = Hearing(transcriber, emit, endpointer=endpointer, virtual_time=False,
                      grammar=grammar)
    hearing.start()
    return hearing
