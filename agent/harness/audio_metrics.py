"""Measures of an audio-mode call: word error rate of what the navigator heard against
what the IVR said, and the navigator's decision latency.

WER (substitutions + deletions + insertions over reference words, computed by ``jiwer``)
is taken per utterance the navigator heard in full: its final transcript against the
texts of the IVR prompts its span covers, both lower-cased, numbers normalised and
punctuation dropped. Utterances over a prompt a key cut are left out (their reference
is unknown past the cut).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence

import jiwer

from ..audio.numbers import normalize_numbers
from ..call.events import (
    CallEvent,
    Dtmf,
    HoldStarted,
    InputCollected,
    NodeEntered,
    Prompt,
    ResultRecorded,
)

_UNITS = {"zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
          "six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10"}


def _words(text: str) -> str:
    """``text`` in the form words are compared in: numbers as figures (lone number words
    too), no digit grouping, spelled-out letters and digits joined ("d 4 4 1 7" and
    "a.m." are "d4417" and "am"), "dot" in addresses dropped, no punctuation."""
    text = normalize_numbers(text).lower().replace(",", "").replace("-", " ")
    text = re.sub(r"(?<=\b[a-z])\.(?=\s*[a-z]\b)|(?<=\b[a-z])\.$", "", text)  # a.m. -> a m
    words = re.sub(r"[^\w$.%'\s]|(?<!\d)\.|\.(?!\d)", " ", text).split()
    words = [_UNITS.get(w, w) for w in words if w != "dot"]
    joined: list[str] = []
    in_run = False  # the last token was one letter or digit
    for w in words:  # "d 4 4 1 7" and "d4417" are one token, as said or as written
        if len(w) == 1 and in_run:
            joined[-1] += w
        else:
            joined.append(w)
            in_run = len(w) == 1
    return " ".join(joined)


def heard_pairs(ivr_events: Sequence[CallEvent], navigator_events: Sequence[CallEvent]
                ) -> list[tuple[str, str]]:
    """(what the IVR said, what the navigator heard) per utterance heard in full."""
    said = [e for e in ivr_events if isinstance(e, Prompt)]
    pairs = []
    for heard in navigator_events:
        if not (isinstance(heard, Prompt) and heard.final):
            continue
        covered = [p for p in said if p.end_s > heard.at_s - 0.3 and p.at_s < heard.end_s]
        if covered and not any(p.cut for p in covered):
            pairs.append((" ".join(p.text for p in covered), heard.text))
    return pairs


def word_error_rate(pairs: Sequence[tuple[str, str]]) -> float | None:
    """WER over all ``pairs`` (reference, hypothesis) together; None without any."""
    pairs = [(_words(r), _words(h)) for r, h in pairs if _words(r)]
    if not pairs:
        return None
    return float(jiwer.wer([r for r, _ in pairs], [h for _, h in pairs]))


def decision_latencies(navigator_events: Sequence[CallEvent]) -> list[float]:
    """Seconds from the end of each heard utterance to the first key pressed after it
    (the navigator's decision latency, STT and endpointing included)."""
    latencies, last_end = [], None
    for e in navigator_events:
        if isinstance(e, Prompt) and e.final:
            last_end = e.end_s
        elif isinstance(e, Dtmf) and last_end is not None:
            latencies.append(round(e.at_s - last_end, 3))
            last_end = None
    return latencies


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


KEY_S = 0.09
"""Time of one key for an ideal caller: a 40 ms tone and a 50 ms gap, the shortest a
DTMF receiver must accept (AT&T limits, as in Asterisk's ``main/dsp.c``)."""


def _through_key(text: str, key: str) -> str:
    """``text`` up to the end of the sentence that names ``key`` (all of it if none)."""
    sentences = re.split(r"(?<=[.!?])\s+", text)
    named = re.compile(rf"\b(?:press|dial|oprima|marque)\s+{re.escape(key)}\b", re.I)
    for i, sentence in enumerate(sentences):
        if named.search(sentence):
            return " ".join(sentences[: i + 1])
    return text


def physical_bound_s(ivr_events: Sequence[CallEvent], seconds) -> float:  # noqa: ANN001
    """The least call time the path the IVR took allows (seconds): for each input the IVR
    accepted, the prompt audio an ideal caller must hear first (each node's first prompt
    since the last accepted input, a menu's only up to the sentence naming the key
    pressed) plus :data:`KEY_S` per key; hold time; and the last node's first prompt
    (the answer), whole. ``seconds(text)`` is the audio length of a text.
    """
    bound, step = 0.0, []  # step: the first prompt of each node entered since the last input
    seen: set[str] = set()
    hold_from: float | None = None
    for i, e in enumerate(ivr_events):
        if isinstance(e, NodeEntered):
            if hold_from is not None:
                bound += e.at_s - hold_from
                hold_from = None
        elif isinstance(e, Prompt) and e.node not in seen:
            seen.add(e.node or "")
            step.append(e)
        elif isinstance(e, HoldStarted):
            hold_from = e.at_s
        elif (isinstance(e, InputCollected) and e.valid) or (
                isinstance(e, Dtmf) and _moved(ivr_events, i)):
            texts = [p.text for p in step]
            if isinstance(e, Dtmf) and texts:
                texts[-1] = _through_key(texts[-1], e.key)
            keys = len(e.digits) if isinstance(e, InputCollected) else 1
            bound += sum(seconds(t) for t in texts) + KEY_S * keys
            step, seen = [], set()
    if step:
        bound += sum(seconds(p.text) for p in step if p.node == step[-1].node)
    return bound


def _moved(events: Sequence[CallEvent], i: int) -> bool:
    """Whether the key at ``events[i]`` took the IVR to another node (was accepted)."""
    for e in events[i + 1:]:
        if isinstance(e, NodeEntered):
            return e.node != events[i].node
        if isinstance(e, Dtmf | InputCollected):
            return False
    return False


def time_to_goal_s(navigator_events: Sequence[CallEvent]) -> float | None:
    """Call seconds until the navigator recorded its result (None if it never did)."""
    return next((e.at_s for e in navigator_events if isinstance(e, ResultRecorded)), None)
