"""Benchmark of the in-process harness: wall and CPU time per shipped scenario and for the
whole suite, and the process's peak memory.

    python benchmarks/bench_simulate.py [--repeat 3] [scenarios/]

Prints figures; asserts nothing (targets are read from the output, not from tests).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import resource
import statistics
import time
from pathlib import Path

from agent.harness.runner import run_scenario
from agent.paths import SCENARIOS_DIR
from agent.scenario import find_scenario_files, load_scenario


async def bench(target: Path, repeat: int) -> None:
    files = find_scenario_files(target)
    print(f"{'scenario':<28} {'wall ms':>9} {'cpu ms':>9} {'sim s':>7}  (median of {repeat})")
    suite_wall, suite_cpu = time.perf_counter(), time.process_time()
    for path in files:
        loaded = load_scenario(path)
        walls, cpus, sim = [], [], 0.0
        for _ in range(repeat):
            wall, cpu = time.perf_counter(), time.process_time()
            run = await run_scenario(loaded)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            sim = run.result.duration_s
        print(f"{loaded.scenario.id:<28} {statistics.median(walls) * 1e3:9.1f} "
              f"{statistics.median(cpus) * 1e3:9.1f} {sim:7.1f}")
    wall = time.perf_counter() - suite_wall
    cpu = time.process_time() - suite_cpu
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"suite: {len(files)} scenarios x {repeat}: wall {wall:.2f} s, cpu {cpu:.2f} s, "
          f"{wall / (len(files) * repeat) * 1e3:.1f} ms wall per call; peak RSS {peak_mib:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", nargs="?", type=Path, default=SCENARIOS_DIR)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(bench(args.target, args.repeat))


if __name__ == "__main__":
    main()
