"""The phone line: 8 kHz G.711 μ-law, levels in dBFS, line noise at a signal-to-noise ratio.

Audio here is mono float32 in [-1, 1] (full scale 1.0, so 0 dBFS is a full-scale square
wave and a full-scale sine reads -3 dBFS), at :data:`LINE_RATE_HZ` unless said otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import gcd

import numpy as np
from scipy.signal import resample_poly

LINE_RATE_HZ = 8000
"""The narrowband telephone sample rate (ITU-T G.711)."""

_BIAS = 0x84
_CLIP = 32635
"""G.711 μ-law's bias and clip level on 14-bit-magnitude linear samples (ITU-T G.711,
as in the reference ``linear2ulaw`` of Sun's g711.c)."""


def resample(audio: np.ndarray, from_hz: int, to_hz: int) -> np.ndarray:
    """``audio`` at ``from_hz`` resampled to ``to_hz`` (polyphase, with its anti-alias
    filter: a 22.05 kHz voice loses everything above 4 kHz on its way to the line)."""
    if from_hz == to_hz:
        return audio.astype(np.float32, copy=False)
    g = gcd(from_hz, to_hz)
    return resample_poly(audio, to_hz // g, from_hz // g).astype(np.float32)


def mulaw_encode(audio: np.ndarray) -> np.ndarray:
    """Float samples to 8-bit G.711 μ-law codes (uint8, bits inverted as sent on the
    wire), by G.711's eight segments of 16 steps."""
    pcm = np.round(np.clip(audio, -1.0, 1.0) * 32767).astype(np.int32)
    sign = np.where(pcm < 0, 0x80, 0)
    mag = np.minimum(np.abs(pcm), _CLIP) + _BIAS
    exponent = np.floor(np.log2(mag >> 7)).astype(np.int32)  # mag >> 7 is 1..255
    mantissa = (mag >> (exponent + 3)) & 0x0F
    return (~(sign | (exponent << 4) | mantissa) & 0xFF).astype(np.uint8)


def mulaw_decode(codes: np.ndarray) -> np.ndarray:
    """8-bit G.711 μ-law codes to float samples (full scale 1.0)."""
    c = ~codes.astype(np.int32) & 0xFF
    exponent = (c >> 4) & 0x07
    mag = ((((c & 0x0F) << 3) + _BIAS) << exponent) - _BIAS
    return (np.where(c & 0x80, -mag, mag) / 32768.0).astype(np.float32)


def dbfs(audio: np.ndarray) -> float:
    """RMS level of ``audio`` in dBFS (full scale 1.0); -inf for digital silence."""
    rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64)))) if audio.size else 0.0
    return 20 * np.log10(rms) if rms > 0 else float("-inf")


def set_level(audio: np.ndarray, level_dbfs: float) -> np.ndarray:
    """``audio`` scaled so its RMS level is ``level_dbfs`` (silence stays silence)."""
    now = dbfs(audio)
    if now == float("-inf"):
        return audio.astype(np.float32, copy=True)
    return (audio * 10 ** ((level_dbfs - now) / 20)).astype(np.float32)


@dataclass(frozen=True)
class PhoneLine:
    """What a call's audio goes through between the two ends.

    Args:
        level_dbfs: speech level on the line (RMS, dBFS); -20 dBFS is a usual nominal
            telephone speech level with headroom for peaks.
        snr_db: white line noise this many dB below the speech level; None for none.
        seed: the noise generator's seed (a call's noise is the same on every run).
    """

    level_dbfs: float = -20.0
    snr_db: float | None = None
    seed: int = 0

    def carry(self, audio: np.ndarray, rate_hz: int, gain_db: float = 0.0) -> np.ndarray:
        """``audio`` (at ``rate_hz``) as the far end receives it: at 8 kHz, at the line
        level (``gain_db`` above it: hold music is quieter than speech), with noise,
        through a G.711 μ-law encode and decode."""
        x = set_level(resample(audio, rate_hz, LINE_RATE_HZ), self.level_dbfs + gain_db)
        if self.snr_db is not None:
            rng = np.random.default_rng(self.seed)
            noise_rms = 10 ** ((self.level_dbfs - self.snr_db) / 20)
            x = x + rng.normal(0.0, noise_rms, x.size).astype(np.float32)
        return mulaw_decode(mulaw_encode(x))

    def noise(self, seconds: float) -> np.ndarray:
        """Line noise alone for ``seconds`` (silence when the line has none), at 8 kHz."""
        n = int(round(seconds * LINE_RATE_HZ))
        if self.snr_db is None:
            return np.zeros(n, np.float32)
        rng = np.random.default_rng(self.seed + 1)
        rms = 10 ** ((self.level_dbfs - self.snr_db) / 20)
        return mulaw_decode(mulaw_encode(rng.normal(0.0, rms, n).astype(np.float32)))
