"""Terminal output of simulated calls: a readable transcript per call, the structured
result, a pass/fail table, and the one-line JSON form for machines."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table

from ..call.events import (
    CallerSpeech,
    CallEvent,
    Dtmf,
    HoldEnded,
    HoldStarted,
    HungUp,
    InputCollected,
    Prompt,
    Transferred,
)
from .audio_metrics import decision_latencies, heard_pairs, median, word_error_rate
from .judge import call_seconds
from .runner import ScenarioRun


def transcript_lines(events: list[CallEvent]) -> list[str]:
    """An event log as ``[  12.3s] WHO  text`` lines; consecutive keys are joined. A
    prompt without a speaker is what the navigator heard (``HEARD``, audio mode)."""
    lines: list[str] = []
    keys, keys_at = "", 0.0

    def flush() -> None:
        nonlocal keys
        if keys:
            lines.append(f"[{keys_at:6.1f}s] KEYS    {keys}")
            keys = ""

    for e in events:
        if isinstance(e, Dtmf):
            keys_at = e.at_s if not keys else keys_at
            keys += e.key
            continue
        flush()
        if isinstance(e, Prompt):
            who = {"human": "HUMAN", None: "HEARD"}.get(e.speaker, "IVR")
            lines.append(f"[{e.at_s:6.1f}s] {who:<7} {e.text}")
        elif isinstance(e, CallerSpeech):
            lines.append(f"[{e.at_s:6.1f}s] CALLER  {e.text}")
        elif isinstance(e, InputCollected) and not e.valid:
            lines.append(f"[{e.at_s:6.1f}s] ....    {e.name} rejected: {e.reason}")
        elif isinstance(e, HoldStarted):
            lines.append(f"[{e.at_s:6.1f}s] HOLD    ({e.seconds:g} s of hold music)")
        elif isinstance(e, HoldEnded):
            lines.append(f"[{e.at_s:6.1f}s] HOLD    (ended)")
        elif isinstance(e, Transferred):
            lines.append(f"[{e.at_s:6.1f}s] XFER    transferred to {e.to}")
        elif isinstance(e, HungUp):
            lines.append(f"[{e.at_s:6.1f}s] HANGUP  by {e.by}: {e.reason}")
    flush()
    return lines


def summary(run: ScenarioRun) -> dict[str, Any]:
    """The ``--json`` object of one scenario (in audio mode with the voice, the STT's
    word error rate and real-time factor, and the median decision latency in seconds)."""
    row = {
        "id": run.loaded.scenario.id,
        "passed": run.verdict.passed,
        "outcome": run.result.outcome,
        "reasons": run.verdict.reasons,
        "keys": run.received_keys,
        "sim_seconds": round(call_seconds(run.result, run.ivr_events), 2),
        "wall_seconds": round(run.wall_seconds, 3),
    }
    if run.hearing is not None:
        wer = word_error_rate(heard_pairs(run.ivr_events, run.result.events))
        latency = median(decision_latencies(run.result.events))
        row.update(voice=run.voice, wer=None if wer is None else round(wer, 3),
                   stt_rtf=round(run.hearing.real_time_factor, 3),
                   decision_latency_s=None if latency is None else round(latency, 3))
    return row


def print_run(console: Console, run: ScenarioRun) -> None:
    """One call: header, transcript, result, verdict."""
    scenario = run.loaded.scenario
    console.rule(f"[bold]{scenario.id}[/bold]: {scenario.label}")
    console.print(f"[dim]goal:[/dim] {scenario.task.goal}")
    console.print(f"[dim]expect:[/dim] {scenario.expect.describe()}", markup=True,
                  highlight=False)
    events = run.ivr_events
    if run.hearing is not None:  # audio mode: what the navigator's STT made of each utterance
        heard = [e for e in run.result.events if isinstance(e, Prompt) and e.final]
        events = sorted([*events, *heard], key=lambda e: e.at_s)
    for line in transcript_lines(events):
        console.print(line, markup=False, highlight=False)
    result = run.result.model_dump(mode="json", exclude={"events", "keys", "finished_at"})
    console.print("[dim]result:[/dim]", json.dumps(result, ensure_ascii=False), markup=True,
                  highlight=False)
    if run.verdict.passed:
        console.print("[green]PASS[/green]")
    else:
        console.print("[red]FAIL[/red]: " + "; ".join(run.verdict.reasons))


def print_table(console: Console, runs: list[ScenarioRun], *, broken: int = 0) -> None:
    """The pass/fail table of all scenarios, with a totals line (broken files fail)."""
    table = Table(title="Scenarios")
    for column in ("scenario", "result", "outcome", "keys", "sim s", "wall s"):
        table.add_column(column)
    for run in runs:
        s = summary(run)
        table.add_row(s["id"], "[green]pass[/green]" if s["passed"] else "[red]FAIL[/red]",
                      s["outcome"], str(len(s["keys"])), f"{s['sim_seconds']:.1f}",
                      f"{s['wall_seconds']:.2f}")
    console.print(table)
    passed = sum(r.verdict.passed for r in runs)
    console.print(f"{passed} passed, {len(runs) - passed + broken} failed")
