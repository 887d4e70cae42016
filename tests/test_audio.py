"""The audio path: the G.711 line, number normalisation, menu punctuation, STT on a
recorded IVR, barge-in, and audio-mode calls through the one call loop."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest
import yaml
from rich.console import Console

from agent.audio.line import LINE_RATE_HZ, PhoneLine, dbfs, mulaw_decode, mulaw_encode
from agent.audio.menu_text import repunctuate_menu
from agent.audio.numbers import normalize_numbers
from agent.audio.player import LinePlayer
from agent.audio.prompts import (
    CALLER_VOICE,
    HOLD_MUSIC_LEVEL_DBFS,
    RecordedPrompts,
    RecordingError,
    SynthesizedPrompts,
)
from agent.audio.speech_form import spoken_form
from agent.audio.stt import GRAMMAR_PROMPT_CHARS, grammar_prompt, shared_transcriber
from agent.audio.voices import voice
from agent.call.events import NodeEntered
from agent.harness.audio_metrics import word_error_rate
from agent.harness.report import print_run
from agent.harness.runner import AudioMode, run_scenario
from agent.harness.virtual_time import run_virtual
from agent.ivr.engine import IvrEngine
from agent.paths import PROJECT_ROOT, SCENARIOS_DIR
from agent.scenario import load_ivr, load_scenario

RECORDED_BANK = PROJECT_ROOT / "recordings" / "first_meridian_bank"


def test_mulaw_known_codes_and_round_trip() -> None:
    # G.711: 0xFF is zero, 0x00 the most negative step, 0x80 the most positive
    assert mulaw_decode(np.array([0xFF], np.uint8))[0] == 0.0
    assert mulaw_decode(np.array([0x00, 0x80], np.uint8)).tolist() == [
        pytest.approx(-32124 / 32768), pytest.approx(32124 / 32768)]
    assert mulaw_encode(np.array([0.0], np.float32))[0] == 0xFF
    x = np.sin(2 * np.pi * 1000 * np.arange(LINE_RATE_HZ) / LINE_RATE_HZ).astype(np.float32)
    y = mulaw_decode(mulaw_encode(0.5 * x))
    snr = 10 * np.log10(np.sum((0.5 * x) ** 2) / np.sum((0.5 * x - y) ** 2))
    assert snr > 30  # 8-bit μ-law: about 34 dB SQNR on a tone 6 dB below full scale


def test_line_level_and_noise() -> None:
    tone = np.sin(2 * np.pi * 440 * np.arange(16000) / 16000).astype(np.float32)
    carried = PhoneLine(level_dbfs=-20).carry(tone, 16000)
    assert carried.size == LINE_RATE_HZ
    assert dbfs(carried) == pytest.approx(-20, abs=0.3)
    noisy = PhoneLine(level_dbfs=-20, snr_db=10).carry(tone, 16000)
    noise = noisy - carried
    assert dbfs(noise) == pytest.approx(-30, abs=1.0)


@pytest.mark.parametrize("spoken, written", [
    ("Your balance is twenty five dollars and fifty cents.", "Your balance is $25.50."),
    ("Account one two three four oh five.", "Account 123405."),
    ("For billing, press two.", "For billing, press 2."),
    ("One moment please.", "One moment please."),
    ("Payment of one thousand two hundred thirty four dollars due March fifth.",
     "Payment of $1234 due March 5th."),
    ("due on the twenty first of June", "due on the 21st of June"),
    ("for the second time", "for the second time"),
    ("Your balance is $1,234 and 56 cents.", "Your balance is $1,234.56."),
    # Whisper's "to" for a "two" read digit by digit, never in a range or to an amount
    ("Our routing number is 0 to 1000089.", "Our routing number is 0 2 1000089."),
    ("For hours, press 1 to 5.", "For hours, press 1 to 5."),
    ("from 1 to 1,000,000 points", "from 1 to 1,000,000 points"),
    # Whisper's full stop in a clock time, and an amount it wrote with cents
    ("It departs at 4.35pm from gate B22.", "It departs at 4:35 PM from gate B22."),
    ("We open at 8.30 a.m. on weekdays.", "We open at 8:30 AM on weekdays."),
    ("The fee is 4.50 dollars.", "The fee is $4.50."),
    ("Version 2.5 is out.", "Version 2.5 is out."),
    # a lone digit word that counts something
    ("It arrives in three to five business days.", "It arrives in 3 to 5 business days."),
    ("Please wait one minute.", "Please wait 1 minute."),
    # "and 9 cents" written as one decimal; digits said with pauses written with commas
    ("Your payoff quote is $212,774.9.", "Your payoff quote is $212,774.09."),
    ("Your balance is $2.417.53.", "Your balance is $2,417.53."),
    ("Our routing number is 0,2,1,0,0,0,0,8,9.", "Our routing number is 0 2 1 0 0 0 0 8 9."),
    ("You entered 6, 0, 9, 3.", "You entered 6 0 9 3."),
    ("You have 3,870 points.", "You have 3,870 points."),
])
def test_number_normalisation(spoken: str, written: str) -> None:
    assert normalize_numbers(spoken) == written


@pytest.mark.parametrize("text, said", [
    ("worth $38.70 as a credit", "worth 38 dollars and 70 cents as a credit"),
    ("a payoff of $8,316.42", "a payoff of 8,316 dollars and 42 cents"),
    ("Your quote is $212,774.09. Press 1.", "Your quote is 212,774 dollars and 9 cents. Press 1."),
    ("Your fee is $25.", "Your fee is 25 dollars."),
    ("a $1.00 fee, $500.00 and $0.05", "a 1 dollar fee, 500 dollars and 5 cents"),
    ("ending in 4458.", "ending in 4 4 5 8."),
    ("Our routing number is 0 2 1 0 0 0 0 8 9.", "Our routing number is 0 2 1. 0 0 0. 0 8 9."),
    ("Your policy number is 7715002946.", "Your policy number is 7 7 1. 5 0 0. 2 9 4 6."),
    ("Call 971-555-0163.", "Call 9 7 1. 5 5 5. 0 1 6 3."),
    ("Serving drivers since 1962, 3,870 points, 18.4 miles at 8:15 AM, press 1.",
     "Serving drivers since 1962, 3,870 points, 18.4 miles at 8:15 AM, press 1."),
])
def test_figures_are_given_to_the_voice_as_an_ivr_says_them(text: str, said: str) -> None:
    assert spoken_form(text) == said


def test_menu_punctuation_put_back_after_keys() -> None:
    heard = ("Welcome, Jordan, main menu for deposit accounts. Press 1 for credit cards. "
             "Press 2 to repeat this menu. Press star.")
    assert repunctuate_menu(heard) == (
        "Welcome, Jordan, main menu. For deposit accounts, press 1. For credit cards, "
        "press 2. To repeat this menu, press star.")
    key_first = "Press 1 for billing. Press 2 for claims."
    assert repunctuate_menu(key_first) == key_first


def test_stt_on_recorded_prompts_under_word_error_bound() -> None:
    """Whisper tiny.en on the shipped recorded bank IVR (festival's 8 kHz voice) over a
    G.711 line: word error under 25% on its menus."""
    prompts = RecordedPrompts(RECORDED_BANK, fallback=SynthesizedPrompts(voice("flite:slt")))
    texts = [p.text for p in prompts.manifest.prompts if "press" in p.text.lower()][:8]
    assert len(texts) == 8
    line = PhoneLine()
    stt = shared_transcriber()
    pairs = [(t, stt.transcribe(line.carry(prompts.audio(t), LINE_RATE_HZ)).text)
             for t in texts]
    assert word_error_rate(pairs) < 0.25


def test_grammar_prompt_lists_the_phrases_then_the_question() -> None:
    assert grammar_prompt([]) is None
    assert grammar_prompt(["registrar", "financial aid", "registrar"], "Say a department.") \
        == "registrar, financial aid. Say a department."
    long = grammar_prompt([f"phrase number {i}" for i in range(200)])
    assert long is not None and len(long) <= GRAMMAR_PROMPT_CHARS + 1


def test_the_ivr_recogniser_hears_a_short_word_with_its_grammar() -> None:
    """The navigator's voice saying "fees" alone is heard as another word without the
    speech menu's grammar and as "fees" with it (flite kal over G.711)."""
    engine = IvrEngine(load_ivr(SCENARIOS_DIR / "ivrs" / "state_dmv.yaml"))
    engine.start()
    assert "fee" in engine.speech_grammar
    said = PhoneLine().carry(SynthesizedPrompts(voice(CALLER_VOICE)).audio("fees"), LINE_RATE_HZ)
    stt = shared_transcriber()
    plain = stt.transcribe(said).text.lower()
    heard = stt.transcribe(said, prompt=grammar_prompt(engine.speech_grammar,
                                                         engine.last_said)).text.lower()
    assert "fee" not in plain and "fees" in heard
    entered = [e.node for e in engine.hear(heard) if isinstance(e, NodeEntered)]
    assert entered[0] == "fees_info"


def test_missing_hold_music_is_a_recording_error_naming_the_file(tmp_path: Path) -> None:
    prompts = SynthesizedPrompts(voice(CALLER_VOICE), music_file=tmp_path / "music.wav")
    with pytest.raises(RecordingError, match=r"hold music: .*music\.wav: cannot be read"):
        prompts.music()


def test_recorded_folder_errors_name_the_file(tmp_path: Path) -> None:
    (tmp_path / "prompts.yaml").write_text(yaml.safe_dump(
        {"ivr": "x", "voice": "me", "prompts": [{"text": "Hello.", "files": ["hello.wav"]}]}))
    with pytest.raises(RecordingError, match=r"prompts\[0\] names 'hello.wav'"):
        RecordedPrompts(tmp_path, fallback=SynthesizedPrompts(voice("flite:slt")))


def test_recorded_folder_names_a_hold_music_file_it_has(tmp_path: Path) -> None:
    (tmp_path / "prompts.yaml").write_text(yaml.safe_dump(
        {"ivr": "x", "voice": "me", "prompts": [], "hold_music": "music.wav"}))
    with pytest.raises(RecordingError, match=r"hold_music names 'music.wav'"):
        RecordedPrompts(tmp_path, fallback=SynthesizedPrompts(voice("flite:slt")))


def test_the_line_plays_speech_then_hold_music_while_on_hold() -> None:
    player = LinePlayer(SynthesizedPrompts(voice("flite:slt")), PhoneLine())
    said_s = player.speak("Please hold.")
    player.hold(True)
    speech = player.next(int(said_s * LINE_RATE_HZ))  # speech first, music after it
    music = player.next(4 * LINE_RATE_HZ)
    assert dbfs(speech) == pytest.approx(-20, abs=1.5)  # the prompts' level
    assert dbfs(music) == pytest.approx(HOLD_MUSIC_LEVEL_DBFS, abs=1.5)
    player.hold(False)
    assert dbfs(player.next(LINE_RATE_HZ)) == float("-inf")  # a noiseless idle line
    player.speak("Thank you for holding.")
    player.cut()  # a key barged in
    assert not player.speaking and dbfs(player.next(LINE_RATE_HZ)) == float("-inf")


def test_key_mid_prompt_cuts_the_prompt() -> None:
    ivr = load_ivr(SCENARIOS_DIR / "ivrs" / "first_meridian_bank.yaml")
    engine = IvrEngine(ivr)
    engine.start()
    assert engine.now_s > 6  # the greeting and the language menu are queued
    engine.barge_in(6.0)  # the caller cut in 6 s into the call
    engine.press("1")
    prompts = [e for e in engine.log if e.type == "prompt"]
    cut = [p for p in prompts if p.cut]
    assert len(cut) == 1 and cut[0].end_s == 6.0
    assert all(p.at_s >= 6.0 for p in prompts if p.at_s > cut[0].at_s)  # none played past it
    assert engine.node_id != ivr.start


@pytest.mark.parametrize("scenario, voice_id", [
    ("bank/checking_balance.yaml", "piper:joe"),
    ("bank/rewards_points.yaml", "piper:joe"),
    ("bank/reach_human.yaml", "flite:slt"),
    ("bank/missing_fact.yaml", "flite:slt"),
])
def test_audio_mode_scenario(scenario: str, voice_id: str) -> None:
    loaded = load_scenario(SCENARIOS_DIR / scenario)
    mode = AudioMode(SynthesizedPrompts(voice(voice_id)), SynthesizedPrompts(voice(CALLER_VOICE)))
    run = run_virtual(run_scenario(loaded, audio=mode))
    assert run.verdict.passed, run.verdict.reasons
    assert run.hearing is not None and run.hearing.segments > 0
    heard = [e for e in run.result.events if e.type == "prompt" and e.final]
    assert heard and all(e.speaker is None for e in heard)
    console = Console(record=True, width=10_000)
    print_run(console, run)  # -v shows what was heard beside what was said
    assert f"HEARD   {heard[0].text}" in console.export_text()


def test_menu_punctuation_after_a_figure_and_a_misheard_or() -> None:
    heard = ("Your quote is $212,774.09 to return to the main menu. Press 1. If you are "
             "finished, press 2 are simply hang up.")
    assert repunctuate_menu(heard) == (
        "Your quote is $212,774.09. To return to the main menu, press 1. If you are "
        "finished, press 2 are simply hang up.")


def test_whisper_hundreds_and_tens_are_one_number() -> None:
    assert normalize_numbers("Your balance is $300,10.02.") == "Your balance is $310.02."
    assert normalize_numbers("$1,234.56 and 1,500") == "$1,234.56 and 1,500"


def test_a_key_mid_prompt_stops_the_audio_on_the_line() -> None:
    """Over the in-process audio line: a key 3 s into the greeting cuts the prompt in the
    IVR's log and stops what the line plays; the next prompt plays instead."""
    from agent.ivr.runner import IvrRunner
    from agent.transport.audio import AudioLine
    from agent.transport.base import LoopClock

    ivr = load_ivr(SCENARIOS_DIR / "ivrs" / "first_meridian_bank.yaml")
    prompts = SynthesizedPrompts(voice(CALLER_VOICE))

    async def call() -> tuple[list, float, float]:
        clock = LoopClock()
        line = AudioLine(clock, prompts=prompts, caller_voice=prompts,
                         transcriber=shared_transcriber())
        engine = IvrEngine(ivr, speech_seconds=lambda t: prompts.audio(t).size / LINE_RATE_HZ)
        runner = IvrRunner(engine, line)
        line.attach(runner)
        ivr_call = asyncio.create_task(runner.run())
        line.start()
        await asyncio.sleep(3.0)
        queued = line.ivr_speech_left_s
        await line.keypad.press("1")
        await asyncio.sleep(0)
        left = line.ivr_speech_left_s
        runner.hang_up("test over")
        await ivr_call
        await line.close()
        return engine.log, queued, left

    log, queued_s, left_s = run_virtual(call())
    cut = [e for e in log if e.type == "prompt" and e.cut]
    assert len(cut) == 1 and cut[0].end_s == pytest.approx(3.0, abs=0.05)
    assert queued_s > 1.0  # the greeting still had seconds to play
    assert left_s < queued_s  # what plays now is the next prompt, not the rest of it
    spoken_after = [e for e in log if e.type == "prompt" and e.at_s >= 3.0]
    assert spoken_after and "customer ID" in spoken_after[0].text


def test_recorded_ivr_scenario_in_audio_mode() -> None:
    loaded = load_scenario(SCENARIOS_DIR / "bank" / "card_due_date.yaml")
    prompts = RecordedPrompts(RECORDED_BANK, fallback=SynthesizedPrompts(voice("flite:slt")))
    run = run_virtual(run_scenario(loaded, audio=AudioMode(
        prompts, SynthesizedPrompts(voice(CALLER_VOICE)))))
    assert run.verdict.passed, run.verdict.reasons


def test_misheard_phone_menu_words_are_put_right() -> None:
    assert repunctuate_menu("Please enter the 5-digit CIP code. To read enter, press 2. "
                            "If this is correct, press 1.") == (
        "Please enter the 5-digit ZIP code. To re-enter, press 2. If this is correct, "
        "press 1.")
