"""Benchmark of one navigator worker process against a local LiveKit server: how many
concurrent text-mode calls it sustains, and its CPU and memory per call.

    python benchmarks/bench_worker.py [--levels 1,2,4,8,16]

Starts livekit-server (see agent/devserver.py), one navigator worker (a process per job,
LiveKit's production executor; its admission control off, WORKER_LOAD_THRESHOLD=inf, so
the batch size is what is measured) and one mock-IVR worker, then runs batches of
simultaneous calls (checking balance). CPU is the whole machine's busy time (server,
both workers, their job processes; job processes are forkserver grandchildren whose
time cannot be attributed once they exit); memory is the navigator worker's process tree
at its peak.
"Sustained" is the largest batch in which every call completed and the median call took
at most 1.5x the single-call median. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import psutil

from agent.call_request import CallRequest, Limits, ParticipantTarget
from agent.devserver import LiveKitDevServer, WorkerProcess, find_server_binary
from agent.paths import SCENARIOS_DIR
from agent.results.store import ResultStore
from agent.scenario import CallTask
from agent.service import dispatch_call, wait_for_result
from agent.settings import Settings

TASK = CallTask(goal="What is the available balance of the checking account?",
                facts={"customer_id": "10000001", "pin": "2468"}, secrets=["pin"])


async def one_call(settings: Settings, store: ResultStore) -> tuple[bool, float]:
    request = CallRequest(call_id=f"bench-{uuid.uuid4().hex[:8]}", task=TASK,
                          target=ParticipantTarget(identity="mock-ivr"),
                          limits=Limits(max_call_s=300))
    started = time.perf_counter()
    await dispatch_call(request, settings, mock_ivr=True)
    result = await wait_for_result(store, request.call_id, timeout_s=300)
    return (result is not None and result.outcome == "completed",
            time.perf_counter() - started)


async def bench(levels: list[int]) -> None:
    binary = find_server_binary()
    if binary is None:
        raise SystemExit("livekit-server not found: run .ci/run or see README.md")
    tmp = Path(tempfile.mkdtemp(prefix="bench-worker-"))
    with LiveKitDevServer(binary) as server:
        env = {"LIVEKIT_URL": server.url, "RESULTS_DB": str(tmp / "r.sqlite"),
               "JOB_EXECUTOR": "process", "WORKER_LOAD_THRESHOLD": "inf",
               "NAVIGATOR_LLM": "local", "PYTHONWARNINGS": "ignore"}
        navigator = WorkerProcess(["start"], env)
        mock_ivr = WorkerProcess(["mock-ivr", str(SCENARIOS_DIR / "ivrs" /
                                                  "first_meridian_bank.yaml")], env)
        navigator.start()
        mock_ivr.start()
        worker = psutil.Process(navigator.pid)

        def tree() -> list[psutil.Process]:
            return [worker, *worker.children(recursive=True)]

        def cpu_s() -> float:
            times = psutil.cpu_times()
            return times.user + times.system + times.nice

        def rss() -> int:
            total = 0
            for process in tree():
                try:
                    total += process.memory_info().rss
                except psutil.Error:  # a job process that just ended
                    pass
            return total

        settings = Settings(livekit_url=server.url, results_db=tmp / "r.sqlite")
        store = ResultStore(settings.results_db)
        print(f"{'calls':>5} {'ok':>4} {'median s':>9} {'max s':>7} {'cpu s/call':>10} "
              f"{'rss MiB':>8} {'rss MiB/call':>12}")
        baseline_rss = rss()
        single_median, sustained = None, 0
        try:
            for n in levels:
                cpu_before = cpu_s()
                peak_rss = 0

                async def sample_rss() -> None:
                    nonlocal peak_rss
                    while True:
                        peak_rss = max(peak_rss, rss())
                        await asyncio.sleep(0.2)

                sampler = asyncio.create_task(sample_rss())
                outcomes = await asyncio.gather(*(one_call(settings, store) for _ in range(n)))
                sampler.cancel()
                cpu = cpu_s() - cpu_before
                ok = sum(done for done, _ in outcomes)
                durations = [d for _, d in outcomes]
                median = statistics.median(durations)
                single_median = single_median or median
                if ok == n and median <= 1.5 * single_median:
                    sustained = n
                print(f"{n:5d} {ok:4d} {median:9.2f} {max(durations):7.2f} {cpu / n:10.3f} "
                      f"{peak_rss / 2**20:8.0f} {(peak_rss - baseline_rss) / 2**20 / n:12.1f}")
        finally:
            navigator.stop()
            mock_ivr.stop()
    print(f"sustained: {sustained} concurrent calls in one worker process "
          f"(single call median {single_median:.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="1,2,4,8,16")
    args = parser.parse_args()
    asyncio.run(bench([int(n) for n in args.levels.split(",")]))


if __name__ == "__main__":
    main()
