"""Writes ``hold-music.wav``: the project's default hold music, an 8 s loop synthesised
here (so it carries no licence but the project's): a C-Am-F-G arpeggio of soft sine
notes over a bass note, 8 kHz mono 16-bit, every partial under the line's 4 kHz Nyquist
limit. Run from the repository root: ``python recordings/make_hold_music.py``."""

from pathlib import Path

import numpy as np

from agent.audio.line import LINE_RATE_HZ
from agent.audio.voices import write_wav

CHORDS = [(261.63, 329.63, 392.00, 523.25), (220.00, 261.63, 329.63, 440.00),
          (174.61, 220.00, 261.63, 349.23), (196.00, 246.94, 293.66, 392.00)]
"""C major, A minor, F major, G major (Hz, equal temperament, A4 = 440 Hz)."""
NOTE_S = 0.25
CHORD_S = 2.0


def note(freq_hz: float, seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * LINE_RATE_HZ)) / LINE_RATE_HZ
    envelope = np.minimum(1.0, t / 0.01) * np.exp(-3.0 * t)  # 10 ms attack, soft decay
    return (np.sin(2 * np.pi * freq_hz * t) + 0.3 * np.sin(4 * np.pi * freq_hz * t)) * envelope


def main() -> None:
    music = np.zeros(int(len(CHORDS) * CHORD_S * LINE_RATE_HZ))
    for c, chord in enumerate(CHORDS):
        start = int(c * CHORD_S * LINE_RATE_HZ)
        bass = note(chord[0] / 2, CHORD_S) * 0.6
        music[start:start + bass.size] += bass
        for i in range(int(CHORD_S / NOTE_S)):
            tone = note(chord[[0, 1, 2, 3, 2, 1, 2, 3][i]], NOTE_S * 2)
            at = start + int(i * NOTE_S * LINE_RATE_HZ)
            end = min(music.size, at + tone.size)
            music[at:end] += tone[:end - at] * 0.5
    write_wav(Path(__file__).with_name("hold-music.wav"), 0.5 * music / np.abs(music).max(),
              LINE_RATE_HZ)


if __name__ == "__main__":
    main()
