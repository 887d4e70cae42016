"""Benchmark of the embedded policy's first choice on phone menus it was not written for.

    python benchmarks/bench_menu_choice.py [--relevance word,blend] [-v] [sets...]

Each set in ``benchmarks/menu_probes/`` is a JSON list of probes, ``{"industry", "goal",
"prompt", "expect", "why"}``: a caller's goal, one menu prompt as a company's IVR says it,
and the key a careful caller presses (``expect``, one of 0-9 * #). The sets were written by
helpers that had not seen the navigator's code, vocabulary or scenarios (see the README
section "Measured": which set was used to tune the rules and which was only measured).

For each probe the policy hears the prompt once, whole, as the first turn of a call with
no facts but an account number; the probe passes when the decision presses ``expect`` or
says the phrase of the option keyed ``expect`` (a speech menu). Prints the pass rate per
set and scorer, and with ``-v`` the probes missed with what was decided.

Prints figures; asserts nothing (the figures are read from the output, not from tests).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import embedding_relevance
from embedding_relevance import BLEND, EmbeddingRelevance, MiniLM

from agent.call.events import Prompt
from agent.call.task import CallTask
from agent.navigator.brain import Decision, PressKeys, Say
from agent.navigator.policy import IvrPolicy
from agent.navigator.reading import PromptReader
from agent.navigator.relevance import WordRelevance
from agent.navigator.vocabulary import Vocabulary, load_vocabulary

PROBES_DIR = Path(__file__).parent / "menu_probes"


def _chose(decision: Decision, expect: str, prompt: str, reader: PromptReader) -> bool:
    """Whether ``decision`` presses ``expect`` or says the phrase of its option."""
    for action in decision.actions:
        if isinstance(action, PressKeys):
            return action.keys == expect
        if isinstance(action, Say):
            said = action.text.lower()
            return any(o.key == expect and (said in o.label or said == (o.say or "").lower())
                       for o in reader.read(prompt).options)
    return False


def _policy(goal: str, vocab: Vocabulary, scorer: str, model: MiniLM | None) -> IvrPolicy:
    task = CallTask(goal=goal, facts={"account_number": "12345678"})
    if scorer == "word":
        return IvrPolicy(task, vocab)
    relevance = EmbeddingRelevance(WordRelevance(goal, vocab), goal, model,
                                   BLEND if scorer == "blend" else None)
    return IvrPolicy(task, vocab, relevance=relevance)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="*", type=Path,
                        default=sorted(PROBES_DIR.glob("*.json")))
    parser.add_argument("--relevance", default="word",
                        help="scorers, comma-separated: word, embedding, blend")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    scorers = args.relevance.split(",")
    if set(scorers) - {"word"} and not embedding_relevance.available():
        print("embedding relevance: not installed (pip install -e '.[embedding]')")
        scorers = ["word"]
    model = MiniLM() if set(scorers) - {"word"} else None
    vocab = load_vocabulary()
    reader = PromptReader(vocab)
    for path in args.sets:
        probes = json.loads(path.read_text(encoding="utf-8"))
        for scorer in scorers:
            missed = []
            for i, probe in enumerate(probes):
                policy = _policy(probe["goal"], vocab, scorer, model)
                decision = policy.decide([Prompt(at_s=0.0, end_s=1.0, text=probe["prompt"])])
                if not _chose(decision, probe["expect"], probe["prompt"], reader):
                    missed.append((i, probe, decision))
            passed = len(probes) - len(missed)
            print(f"{path.name:<12} {scorer:<10} {passed:3d} of {len(probes)} "
                  f"({100 * passed / len(probes):.0f}%)")
            if args.verbose:
                for i, probe, decision in missed:
                    print(f"  #{i} [{probe['expect']}] {probe['industry']}: {probe['goal']}\n"
                          f"      {decision.actions} {decision.why}")


if __name__ == "__main__":
    main()
