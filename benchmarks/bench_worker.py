"""Benchmark of the deployed service against a local LiveKit server: a burst of requests
recorded in the call ledger at once, and how the navigator worker works through them.

    python benchmarks/bench_worker.py [--calls 50] [--max-concurrent 4] [--time-scale 0.05]
        [--ivr-voice recorded:recordings/first_meridian_bank]

Starts livekit-server (see agent/devserver.py), one navigator worker (a process per job,
LiveKit's production executor) with its ledger loop admitting at most ``--max-concurrent``
calls (MAX_CONCURRENT_CALLS), and one mock-IVR worker playing the bank IVR with its
prompts and holds scaled by ``--time-scale`` (1.0 is real time), or with ``--ivr-voice``
speaking on an audio track in real time, heard through the navigator's local STT (audio
calls: run ``--calls N --max-concurrent N`` for N = 1, 2, 4, ... and compare the call
times: the machine sustains N concurrent audio calls while they stay near the single
call's). Every request is recorded before the first is dispatched, as a batch from
``call --from-file`` would be.

Prints, for the burst: calls finished per minute; the time from a request's recording to
the first IVR prompt the navigator heard (queueing, dispatch, room join and the IVR's
greeting: wall seconds, median and p95) and to its stored result; the calls' own
durations (answer to hang-up, median and max) and how many gave the right balance; CPU
seconds per call
(the whole machine's busy time: server, both workers and their job processes); and the
navigator worker's peak resident memory (its process tree). Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import psutil

from agent.call.events import Prompt
from agent.call.task import CallTask
from agent.call_request import CallRequest, Limits, ParticipantTarget
from agent.devserver import LiveKitDevServer, WorkerProcess, find_server_binary
from agent.ivr.worker import MOCK_IVR_IDENTITY
from agent.paths import SCENARIOS_DIR
from agent.results.store import CallStore
from agent.service import submit_call, wait_for_result
from agent.settings import Settings

TASK = CallTask(goal="What is the available balance of the checking account?",
                facts={"customer_id": "10000001", "pin": "2468"}, secrets=["pin"])
BALANCE = "$2417.53"
"""The bank IVR's checking balance for customer 10000001 (compared without commas)."""


def _p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def _machine_cpu_s() -> float:
    times = psutil.cpu_times()
    return times.user + times.system + times.nice


async def bench(calls: int, max_concurrent: int, time_scale: float,
                ivr_voice: str | None) -> None:
    binary = find_server_binary()
    if binary is None:
        raise SystemExit("livekit-server not found: run .ci/run or see README.md")
    tmp = Path(tempfile.mkdtemp(prefix="bench-worker-"))
    with LiveKitDevServer(binary) as server:
        env = {"LIVEKIT_URL": server.url, "RESULTS_DB": str(tmp / "calls.sqlite"),
               "RESULTS_JOURNAL": str(tmp / "journal.jsonl"), "JOB_EXECUTOR": "process",
               "MAX_CONCURRENT_CALLS": str(max_concurrent), "NAVIGATOR_LLM": "local",
               "PYTHONWARNINGS": "ignore"}
        navigator = WorkerProcess(["start"], env)
        mock_ivr = WorkerProcess(["mock-ivr", str(SCENARIOS_DIR / "ivrs"), "--time-scale",
                                  str(time_scale)], env)
        settings = Settings(livekit_url=server.url, results_db=env["RESULTS_DB"])
        store = CallStore(settings.results_db)
        navigator.start()  # each returns once registered with the server
        mock_ivr.start()
        worker = psutil.Process(navigator.pid)
        peak_rss = 0

        async def sample_rss() -> None:
            nonlocal peak_rss
            while True:
                total = 0
                for process in [worker, *worker.children(recursive=True)]:
                    try:
                        total += process.memory_info().rss
                    except psutil.Error:  # a job process that just ended
                        pass
                peak_rss = max(peak_rss, total)
                await asyncio.sleep(0.2)

        try:
            sampler = asyncio.create_task(sample_rss())
            cpu_before, started = _machine_cpu_s(), time.monotonic()
            requests = [CallRequest(call_id=f"bench-{n}-{uuid.uuid4().hex[:6]}", task=TASK,
                                    target=ParticipantTarget(identity=MOCK_IVR_IDENTITY),
                                    limits=Limits(max_call_s=600))
                        for n in range(calls)]
            entries = [submit_call(r, settings, mock_ivr="first_meridian_bank",
                                   mock_ivr_voice=ivr_voice, store=store)
                       for r in requests]
            results = await asyncio.gather(*(wait_for_result(store, r.call_id, timeout_s=3600)
                                             for r in requests))
            elapsed = time.monotonic() - started
            cpu = _machine_cpu_s() - cpu_before
            sampler.cancel()
        finally:
            navigator.stop()
            mock_ivr.stop()

    completed = [r for r in results if r is not None and r.outcome == "completed"]
    to_prompt, to_result = [], []
    for entry, result in zip(entries, results, strict=True):
        if result is None:
            continue
        finished = result.finished_at.timestamp()
        to_result.append(finished - entry.created_at)
        prompts = [e for e in result.events if isinstance(e, Prompt)]
        if prompts:  # the call was answered at finished_at - duration_s
            to_prompt.append(finished - result.duration_s + prompts[0].at_s - entry.created_at)
    print(f"burst: {calls} requests, at most {max_concurrent} concurrent calls, "
          + (f"IVR speaking as audio ({ivr_voice})" if ivr_voice
             else f"IVR time scale {time_scale}"))
    print(f"completed: {len(completed)} of {calls} "
          f"({calls - sum(r is not None for r in results)} without a result)")
    for (outcome, reason), n in Counter((r.outcome, r.reason) for r in results
                                        if r is not None and r.outcome != "completed").items():
        print(f"  {n} {outcome}: {reason}")
    print(f"throughput: {len(results) / elapsed * 60:.1f} calls/min "
          f"({elapsed:.1f} s for the burst)")
    if to_prompt:
        print(f"request to first prompt: median {statistics.median(to_prompt):.2f} s, "
              f"p95 {_p95(to_prompt):.2f} s, max {max(to_prompt):.2f} s")
    if to_result:
        print(f"request to result: median {statistics.median(to_result):.2f} s, "
              f"p95 {_p95(to_result):.2f} s")
    durations = [r.duration_s for r in results if r is not None]
    if durations:
        right = sum(BALANCE in r.answer.replace(",", "") for r in completed)
        print(f"call duration: median {statistics.median(durations):.1f} s, "
              f"max {max(durations):.1f} s; right balance in {right} of {calls}")
    print(f"cpu: {cpu / calls:.2f} s per call (whole machine)")
    print(f"navigator worker peak rss: {peak_rss / 2**20:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--max-concurrent", type=int, default=4)
    parser.add_argument("--time-scale", type=float, default=0.05)
    parser.add_argument("--ivr-voice", default=None,
                        help="the mock IVR speaks on an audio track in this voice")
    args = parser.parse_args()
    asyncio.run(bench(args.calls, args.max_concurrent, args.time_scale, args.ivr_voice))


if __name__ == "__main__":
    main()
