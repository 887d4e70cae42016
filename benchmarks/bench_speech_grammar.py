"""Benchmark of the mock IVR's recogniser on the caller's short phrases: every English
keyword of every speech-enabled menu of the shipped IVRs, said alone by a voice, carried
over the G.711 line and heard by Whisper tiny.en, once with its plain IVR vocabulary
prompt and once with the menu's grammar and question as its prompt
(:func:`agent.audio.stt.grammar_prompt`).

    python benchmarks/bench_speech_grammar.py [--voices flite:kal,piper:joe,flite:awb]

Prints per voice how many keywords the menu selects as meant (the keyword's own option)
without and with the grammar, and the misheard ones with the grammar.

Asserts nothing (the figures are read from the output, not from tests).
"""

from __future__ import annotations

import argparse

from agent.audio.line import LINE_RATE_HZ, PhoneLine
from agent.audio.prompts import prompt_audio
from agent.audio.stt import grammar_prompt, shared_transcriber
from agent.ivr.engine import spoken_option
from agent.paths import SCENARIOS_DIR
from agent.scenario import load_ivr
from agent.scenario.ivr_model import MenuNode


def keyword_cases() -> list[tuple[MenuNode, str, str]]:
    """(menu, key, keyword) for the first keyword of each option of each speech-enabled
    English menu of the shipped IVRs."""
    cases = []
    for path in sorted((SCENARIOS_DIR / "ivrs").glob("*.yaml")):
        for node_id, node in load_ivr(path).nodes.items():
            if not isinstance(node, MenuNode) or node_id.startswith("es_"):
                continue
            for key, option in node.options.items():
                if option.keywords and option.keywords[0].isascii():
                    cases.append((node, key, option.keywords[0]))
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voices", default="flite:kal,piper:joe,flite:awb")
    args = parser.parse_args()
    cases = keyword_cases()
    stt, line = shared_transcriber(), PhoneLine()
    print(f"{len(cases)} keywords of speech-enabled menus, said alone")
    for voice_id in args.voices.split(","):
        prompts = prompt_audio(voice_id)
        plain = with_grammar = 0
        misheard = []
        for node, key, keyword in cases:
            said = line.carry(prompts.audio(keyword), LINE_RATE_HZ)
            words = [w for option in node.options.values() for w in option.keywords]
            plain += spoken_option(node, stt.transcribe(said).text.lower()) == key
            heard = stt.transcribe(said, prompt=grammar_prompt(words, node.prompt)).text
            if spoken_option(node, heard.lower()) == key:
                with_grammar += 1
            else:
                misheard.append(f"{keyword!r} as {heard!r}")
        print(f"{voice_id}: plain prompt {plain}, with the grammar {with_grammar} "
              f"of {len(cases)}")
        print("   misheard with the grammar: " + "; ".join(misheard))


if __name__ == "__main__":
    main()
