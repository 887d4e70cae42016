"""Benchmark of the navigator on the scenario corpus, in process on the virtual-time loop:
pass rate per IVR, CPU time per decision of the embedded policy (median, p95), wall and
CPU time per scenario and for the suite, and the process's peak memory.

    python benchmarks/bench_simulate.py [--repeat 3] [scenarios/]

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
from collections.abc import Sequence
from pathlib import Path

from agent.call.events import CallEvent
from agent.harness.runner import run_scenario
from agent.harness.virtual_time import run_virtual
from agent.navigator.brain import Brain, Decision
from agent.navigator.policy import IvrPolicy
from agent.navigator.vocabulary import load_vocabulary
from agent.paths import SCENARIOS_DIR
from agent.scenario import find_scenario_files, load_scenario


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


def bench(target: Path, repeat: int) -> None:
    files = find_scenario_files(target)
    vocabulary = load_vocabulary()
    decisions: list[float] = []
    passed: dict[str, list[bool]] = defaultdict(list)
    print(f"{'scenario':<36} {'pass':>4} {'wall ms':>8} {'cpu ms':>8} {'sim s':>7}  "
          f"(median of {repeat})")
    suite_wall, suite_cpu = time.perf_counter(), time.process_time()
    for path in files:
        loaded = load_scenario(path)
        walls, cpus, sim, ok = [], [], 0.0, False
        for _ in range(repeat):
            brain = TimedBrain(IvrPolicy(loaded.scenario.task, vocabulary), decisions)
            wall, cpu = time.perf_counter(), time.process_time()
            run = run_virtual(run_scenario(loaded, model=brain, vocabulary=vocabulary))
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            sim, ok = run.result.duration_s, run.verdict.passed
        passed[loaded.ivr.id].append(ok)
        print(f"{loaded.scenario.id:<36} {'yes' if ok else 'NO':>4} "
              f"{statistics.median(walls) * 1e3:8.1f} {statistics.median(cpus) * 1e3:8.1f} "
              f"{sim:7.1f}")
    wall = time.perf_counter() - suite_wall
    cpu = time.process_time() - suite_cpu
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print()
    print(f"{'IVR':<28} {'passed':>10}")
    for ivr, results in sorted(passed.items()):
        print(f"{ivr:<28} {sum(results):>4} of {len(results):<3} "
              f"({100 * sum(results) / len(results):.0f}%)")
    total = [ok for results in passed.values() for ok in results]
    print(f"{'all':<28} {sum(total):>4} of {len(total):<3} "
          f"({100 * sum(total) / len(total):.0f}%)")
    print(f"decisions: {len(decisions)}, CPU per decision median "
          f"{statistics.median(decisions) * 1e3:.2f} ms, p95 "
          f"{_percentile(decisions, 0.95) * 1e3:.2f} ms, max {max(decisions) * 1e3:.2f} ms")
    print(f"suite: {len(files)} scenarios x {repeat}: wall {wall:.2f} s, cpu {cpu:.2f} s, "
          f"{wall / (len(files) * repeat) * 1e3:.1f} ms wall per call; peak RSS {peak_mib:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", nargs="?", type=Path, default=SCENARIOS_DIR)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    bench(args.target, args.repeat)


if __name__ == "__main__":
    main()
