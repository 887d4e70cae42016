"""The judge: compares a call's result and the IVR's event log with a scenario's ``expect``.

Keys and nodes are counted from what the IVR actually received and visited, not from the
navigator's tool calls.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..audio.numbers import normalize_numbers
from ..call.events import CallerSpeech, CallEvent, Dtmf, InputCollected, NodeEntered, texts
from ..call.result import CallResult
from ..scenario import LoadedScenario


@dataclass
class Verdict:
    """``passed`` when ``reasons`` (one line per failed check) is empty."""

    reasons: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.reasons


def secret_in(value: str, found_in: Iterable[str]) -> bool:
    """Whether ``value`` appears in clear in any of the texts: as written, not inside a
    longer run of digits or letters (a PIN 2468 is not in the timestamp ``...246812``)."""
    pattern = re.compile(rf"(?<![0-9A-Za-z]){re.escape(value)}(?![0-9A-Za-z])")
    return any(pattern.search(text) for text in found_in)


def call_seconds(result: CallResult, ivr_events: list[CallEvent]) -> float:
    """How long the call lasted: the later of the two logs' ends (the IVR's clock runs
    ahead of the navigator's while it speaks, in text mode)."""
    return max([result.duration_s, *(e.at_s for e in ivr_events[-1:])])


def _comparable(text: str) -> str:
    """``text`` in the form a figure is compared in, whether it was read or heard: numbers
    as figures, no digit grouping ("0 2 1 0" and "0,210" are "0210"), no ordinal endings
    ("December 12th" is "december 12"), whole dollars without cents ("$500.00" is
    "$500"), lower case, single spaces."""
    text = normalize_numbers(text).lower()
    text = re.sub(r"(\$\d[\d,]*)\.00(?!\d)", r"\1", text)
    text = re.sub(r"(?<=\d)(?:st|nd|rd|th)\b", "", text)
    text = re.sub(r"(?<=\d)[\s,-]+(?=\d)", "", text)
    return " ".join(re.sub(r"[^\w$.%'/:\s]|\.(?!\d)", " ", text).split())


def judge(loaded: LoadedScenario, result: CallResult, ivr_events: list[CallEvent], *,
          tool_outputs: Iterable[str] = (), log_lines: Iterable[str] = (),
          check_duration: bool = True) -> Verdict:
    """Check ``result`` and the IVR's ``ivr_events`` against the scenario's ``expect``;
    that no side-effect node was reached that the scenario did not ask for; and that no
    secret appears in clear in the texts of the result (answer, reason, facts, the
    navigator's log), the tool outputs or the log lines. ``check_duration=False`` skips
    ``max_sim_seconds`` (for calls on wall time)."""
    scenario, ivr = loaded.scenario, loaded.ivr
    expect = scenario.expect
    verdict = Verdict()
    fail = verdict.reasons.append

    if result.outcome != expect.outcome:
        detail = f" ({result.reason})" if result.reason else ""
        fail(f"outcome {result.outcome!r}{detail}, expected {expect.outcome!r}")
    visited = {e.node for e in ivr_events if isinstance(e, NodeEntered)}
    for node in expect.reach:
        if node not in visited:
            fail(f"never reached node {node!r}")
    for node in expect.never_reach:
        if node in visited:
            fail(f"reached node {node!r}, which it must never reach")
    for node in sorted(visited - set(expect.reach) - set(expect.never_reach)):
        if getattr(ivr.nodes.get(node), "side_effect", False):
            fail(f"reached side-effect node {node!r}, which the goal did not ask for")
    for expected in expect.input:
        if expected.keys is not None:
            keys = "".join(e.key for e in ivr_events
                           if isinstance(e, Dtmf) and e.node == expected.node)
            entries = [e.digits for e in ivr_events
                       if isinstance(e, InputCollected) and e.node == expected.node]
            if expected.keys not in keys and expected.keys not in entries:
                fail(f"keys {expected.keys!r} never entered at {expected.node!r} (got {keys!r})")
        else:
            said = " ".join(e.text for e in ivr_events
                            if isinstance(e, CallerSpeech) and e.node == expected.node)
            if expected.said.lower() not in said.lower():
                fail(f"{expected.said!r} never said at {expected.node!r} (heard {said!r})")
    answer = _comparable(" ".join([result.answer, *(f.value for f in result.facts)]))
    for needle in expect.result_contains:
        if _comparable(needle) not in answer:
            fail(f"result does not mention {needle!r}")
    received = sum(isinstance(e, Dtmf) for e in ivr_events)
    if expect.max_keypresses is not None and received > expect.max_keypresses:
        fail(f"the IVR received {received} keys, at most {expect.max_keypresses} allowed")
    duration = call_seconds(result, ivr_events)
    if check_duration and expect.max_sim_seconds is not None and duration > expect.max_sim_seconds:
        fail(f"call took {duration:.1f} s, at most {expect.max_sim_seconds:g} s allowed")
    found_in = [result.answer, result.reason, *(f.value for f in result.facts),
                *result.declined, *texts(result.events), *tool_outputs, *log_lines]
    for name in scenario.task.secrets:
        if any(secret_in(value, found_in) for value in scenario.task.candidates(name)):
            fail(f"secret {name!r} appears in clear in the result, tool outputs or logs")
    return verdict
