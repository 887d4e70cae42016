"""What one direction of a phone line plays next, frame by frame: the speech queued on it,
else hold music while the IVR holds the call, else the line's idle noise.

The in-process audio line (:class:`~agent.transport.audio.AudioLine`) and a LiveKit audio
track (:class:`~agent.audio.track.LineTrack`) both draw their frames from one.
"""

from __future__ import annotations

import numpy as np

from .line import LINE_RATE_HZ, PhoneLine
from .prompts import HOLD_MUSIC_LEVEL_DBFS, PROMPT_LEVEL_DBFS, PromptAudio

IDLE_S = 1.0
"""Length of the idle-noise loop (seconds)."""


class LinePlayer:
    """Plays ``voice``'s speech, and its hold music on hold, over ``line``."""

    def __init__(self, voice: PromptAudio, line: PhoneLine) -> None:
        self.voice = voice
        self.line = line
        self._speech = np.zeros(0, np.float32)  # line audio still to play
        self._idle = line.noise(IDLE_S)
        self._music: np.ndarray | None = None  # the hold music over the line, once loaded
        self._holding = False
        self._fill_at = 0  # position in the idle noise or hold-music loop

    def speak(self, text: str) -> float:
        """Queue ``text`` after what is still playing; returns its seconds."""
        audio = self.line.carry(self.voice.audio(text), LINE_RATE_HZ)
        self._speech = np.concatenate([self._speech, audio])
        return audio.size / LINE_RATE_HZ

    def cut(self) -> None:
        """Drop the speech still to play (a key barged in)."""
        self._speech = np.zeros(0, np.float32)

    def hold(self, on: bool) -> None:
        """Play hold music between utterances from now (``on``), or the idle line again.
        The music loops from its start each time a hold begins."""
        if on and self._music is None:
            self._music = self.line.carry(self.voice.music(), LINE_RATE_HZ,
                                          gain_db=HOLD_MUSIC_LEVEL_DBFS - PROMPT_LEVEL_DBFS)
        if on != self._holding:
            self._holding, self._fill_at = on, 0

    @property
    def speaking(self) -> bool:
        """Whether speech is still queued."""
        return bool(self._speech.size)

    @property
    def queued_s(self) -> float:
        """Seconds of speech still to play."""
        return self._speech.size / LINE_RATE_HZ

    def next(self, n: int) -> np.ndarray:
        """The next ``n`` samples of the line."""
        frame, self._speech = self._speech[:n], self._speech[n:]
        if frame.size < n:
            frame = np.concatenate([frame, self._fill(n - frame.size)])
        return frame

    def _fill(self, n: int) -> np.ndarray:
        loop = self._music if self._holding and self._music is not None else self._idle
        if not loop.size:
            return np.zeros(n, np.float32)
        at = self._fill_at % loop.size
        self._fill_at = at + n
        return np.resize(np.roll(loop, -at), n)  # wraps round the loop's end
