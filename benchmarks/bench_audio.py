"""Benchmark of the audio path: the navigator's STT, its decisions and its calls in audio
mode, in process on the virtual-time loop (decoding charged to each call's clock).

    python benchmarks/bench_audio.py [--voices piper:joe,flite:slt,...]
        [--scenarios scenarios/bank] [--stt-model tiny.en] [--segment-gaps 0.3,0.15]

Prints:
- word error rate and real-time factor of the STT per voice, on a fixed sample of the
  shipped IVRs' English prompts over the G.711 line (8 per IVR);
- per voice, on the scenario folder in audio mode: pass count, median decision latency
  (end of the utterance heard to the first key), median time to goal against its
  physical bound (completed calls; aim: 1.3 or less) and the CPU seconds each second of
  an audio call costs this process, hence how many concurrent audio calls this
  machine's cores sustain (cores x call seconds / CPU seconds, decoding included, with
  no headroom: a ceiling, not a plan).

Asserts nothing (targets are read from the output, not from tests).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from pathlib import Path

from agent.audio.line import LINE_RATE_HZ, PhoneLine
from agent.audio.prompts import CALLER_VOICE, SynthesizedPrompts, prompt_audio
from agent.audio.recorder import prompt_texts
from agent.audio.stt import shared_transcriber
from agent.audio.voices import VOICES, voice
from agent.harness.audio_metrics import (
    decision_latencies,
    physical_bound_s,
    time_to_goal_s,
    word_error_rate,
)
from agent.harness.runner import AudioMode, run_scenario
from agent.harness.virtual_time import run_virtual
from agent.paths import PROJECT_ROOT, SCENARIOS_DIR
from agent.scenario import find_scenario_files, load_ivr, load_scenario

_SPANISH = ("español", "oprima", "marque", "gracias", "por favor", "lo sentimos")


def prompt_sample(per_ivr: int = 8) -> list[str]:
    """A fixed sample of English prompt texts, ``per_ivr`` from each shipped IVR."""
    rng = random.Random(7)
    texts = []
    for path in sorted((SCENARIOS_DIR / "ivrs").glob("*.yaml")):
        english = [t for t in prompt_texts(load_ivr(path))
                   if not any(w in t.lower() for w in _SPANISH)]
        texts += rng.sample(english, min(per_ivr, len(english)))
    return texts


def stt_figures(voice_ids: list[str], model: str) -> None:
    texts = prompt_sample()
    stt = shared_transcriber(model)
    line = PhoneLine()
    print(f"STT ({model}) on {len(texts)} prompts of the shipped IVRs, over G.711:")
    print(f"  {'voice':<22} {'WER':>6} {'RTF':>6}")
    for voice_id in voice_ids:
        prompts = prompt_audio(voice_id)
        audio = [line.carry(prompts.audio(t), LINE_RATE_HZ) for t in texts]
        pairs, decode_s = [], 0.0
        for text, a in zip(texts, audio, strict=True):
            heard = stt.transcribe(a)
            pairs.append((text, heard.text))
            decode_s += heard.seconds
        rtf = decode_s / (sum(a.size for a in audio) / LINE_RATE_HZ)
        print(f"  {voice_id:<22} {word_error_rate(pairs):>6.3f} {rtf:>6.3f}")


def call_figures(voice_ids: list[str], folder: Path, model: str, gap_s: float) -> None:
    files = find_scenario_files(folder)
    caller = SynthesizedPrompts(voice(CALLER_VOICE))
    print(f"\naudio-mode calls, {len(files)} scenarios of {folder} each, segments closed "
          f"by {gap_s} s pauses:")
    print(f"  {'voice':<22} {'passed':>7} {'latency s':>9} {'to goal/bound':>13} "
          f"{'CPU s/call s':>12} {'calls/machine':>13}")
    for voice_id in voice_ids:
        prompts = prompt_audio(voice_id)
        mode = AudioMode(prompts, caller, stt_model=model, segment_silence_s=gap_s)
        passed, latencies, ratios, cpu_s, call_s = 0, [], [], 0.0, 0.0
        for path in files:
            loaded = load_scenario(path)
            started = time.process_time()
            run = run_virtual(run_scenario(loaded, audio=mode))
            cpu_s += time.process_time() - started
            call_s += run.result.duration_s
            passed += run.verdict.passed
            latencies += decision_latencies(run.result.events)
            reached = time_to_goal_s(run.result.events)
            if run.result.outcome == "completed" and reached:
                bound = physical_bound_s(run.ivr_events,
                                         lambda t, p=prompts: p.audio(t).size / LINE_RATE_HZ)
                ratios.append(reached / bound)
        per_call_s = cpu_s / call_s
        latency = statistics.median(latencies) if latencies else float("nan")
        ratio = statistics.median(ratios) if ratios else float("nan")
        print(f"  {voice_id:<22} {passed:>3}/{len(files):<3} {latency:>9.2f} {ratio:>13.2f} "
              f"{per_call_s:>12.3f} {(os.cpu_count() or 1) / per_call_s:>13.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voices", default=",".join(
        [*VOICES, f"recorded:{PROJECT_ROOT / 'recordings' / 'first_meridian_bank'}"]))
    parser.add_argument("--call-voices", default="piper:joe,flite:slt,flite:awb")
    parser.add_argument("--scenarios", type=Path, default=SCENARIOS_DIR / "bank")
    parser.add_argument("--stt-model", default="tiny.en")
    parser.add_argument("--segment-gaps", default="0.3,0.15",
                        help="pauses (s) that close a speech segment, one table each")
    args = parser.parse_args()
    stt_figures(args.voices.split(","), args.stt_model)
    for gap in args.segment_gaps.split(","):
        call_figures(args.call_voices.split(","), args.scenarios, args.stt_model, float(gap))


if __name__ == "__main__":
    main()
