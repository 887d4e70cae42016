"""The judge: compares a call's result and the IVR's event log with a scenario's ``expect``.

Keys are counted from what the IVR actually received, not from the navigator's tool calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..events import CallEvent, DtmfReceived, NodeEntered
from ..result import CallResult
from ..scenario import Scenario


@dataclass
class Verdict:
    """``passed`` when ``reasons`` (one line per failed check) is empty."""

    reasons: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.reasons


def judge(scenario: Scenario, result: CallResult, events: list[CallEvent], *,
          check_duration: bool = True) -> Verdict:
    """Check ``result`` and ``events`` against ``scenario.expect``, and that no secret of
    the scenario appears in clear anywhere in the result. ``check_duration=False`` skips
    ``max_sim_seconds`` (for calls on wall time, whose clock is not the simulated one)."""
    expect = scenario.expect
    verdict = Verdict()
    fail = verdict.reasons.append

    if result.outcome != expect.outcome:
        detail = f" ({result.reason})" if result.reason else ""
        fail(f"outcome {result.outcome!r}{detail}, expected {expect.outcome!r}")
    visited = {e.node for e in events if isinstance(e, NodeEntered)}
    for node in expect.reach:
        if node not in visited:
            fail(f"never reached node {node!r}")
    text = " ".join([result.answer, *(f.value for f in result.facts)])
    for needle in expect.result_contains:
        if needle.lower() not in text.lower():
            fail(f"result does not mention {needle!r}")
    received = sum(isinstance(e, DtmfReceived) for e in events)
    if expect.max_keypresses is not None and received > expect.max_keypresses:
        fail(f"the IVR received {received} keys, at most {expect.max_keypresses} allowed")
    if (check_duration and expect.max_sim_seconds is not None
            and result.duration_s > expect.max_sim_seconds):
        fail(f"call took {result.duration_s:.1f} s, at most {expect.max_sim_seconds:g} s allowed")
    dumped = result.model_dump_json()
    for name in scenario.task.secrets:
        if any(value in dumped for value in scenario.task.candidates(name)):
            fail(f"secret {name!r} appears in clear in the result")
    return verdict
