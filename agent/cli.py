"""The ``python -m agent`` command line."""

from __future__ import annotations

import asyncio
import json
import logging
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from .dtmf import parse_keys
from .scenario import ScenarioError, find_scenario_files, load_ivr, load_scenario
from .scenario.loader import export_json_schema, find_ivr_files, is_ivr_file

# the --dev server's secret is 6 bytes; PyJWT warns on every token it signs with it
warnings.filterwarnings("ignore", message="The HMAC key is")

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_show_locals=False,
                  help="ivr-navigator: an AI caller that navigates IVR phone trees.")
console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def _logging(verbose: bool, default: int = logging.WARNING) -> None:
    from .logs import configure

    configure(logging.DEBUG if verbose else default)


@app.command()
def simulate(
    targets: Annotated[list[Path], typer.Argument(help="Scenario files or folders.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per scenario.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
    mode: Annotated[str, typer.Option(help="text, or audio: the navigator hears the IVR "
                                      "over an 8 kHz G.711 line through local STT.")] = "text",
    voices: Annotated[list[str] | None, typer.Option(
        "--voice", help="Audio mode: what speaks the IVR's prompts, a TTS voice (engine:name)"
        " or recorded:<folder>; repeat to run every scenario with each (default "
        "flite:slt).")] = None,
    snr_db: Annotated[float | None, typer.Option(
        "--snr-db", help="Audio mode: white line noise this many dB below speech.")] = None,
    stt_model: Annotated[str, typer.Option(
        help="Audio mode: the Whisper model, tiny.en or base (the \\[multilingual] extra).")
    ] = "tiny.en",
) -> None:
    """Call the mock IVR once per scenario with the real navigator session; exits 1 when
    a scenario fails or a file is broken."""
    from .harness.report import print_run, print_table, summary
    from .harness.runner import run_scenario
    from .harness.virtual_time import run_virtual
    from .navigator.vocabulary import load_vocabulary

    _logging(verbose)
    if mode not in ("text", "audio"):
        raise typer.BadParameter(f"{mode!r}; allowed: text, audio", param_hint="--mode")
    audio_modes = ([None] if mode == "text"
                   else _audio_modes(voices or ["flite:slt"], snr_db, stt_model))
    files: list[Path] = []
    broken: list[tuple[Path, str]] = []
    for target in targets:
        try:
            files += find_scenario_files(target)
        except ScenarioError as e:
            broken.append((target, str(e)))

    async def run_all() -> list:
        runs = []
        vocabulary = load_vocabulary()
        for path in files:
            try:
                loaded = load_scenario(path)
            except ScenarioError as e:
                broken.append((path, str(e)))
                continue
            for audio in audio_modes:
                run = await run_scenario(loaded, vocabulary=vocabulary, audio=audio)
                runs.append(run)
                if as_json:
                    console.print(json.dumps(summary(run), ensure_ascii=False), markup=False,
                                  soft_wrap=True)
                else:
                    print_run(console, run)
        return runs

    runs = run_virtual(run_all())
    for path, message in broken:
        if as_json:
            console.print(json.dumps({"id": path.stem, "passed": False, "outcome": None,
                                      "reasons": message.splitlines(), "keys": "",
                                      "sim_seconds": 0, "wall_seconds": 0}),
                          markup=False, soft_wrap=True)
        else:
            err_console.print(message, markup=False, soft_wrap=True)
    if not as_json:
        print_table(console, runs, broken=len(broken))
    if broken or not all(r.verdict.passed for r in runs) or not (runs or broken):
        raise typer.Exit(1)


def _audio_modes(voices: list[str], snr_db: float | None, stt_model: str) -> list:
    """One audio mode per ``--voice`` (the navigator speaks with flite's kal voice)."""
    from .audio.line import PhoneLine
    from .audio.prompts import CALLER_VOICE, RecordingError, prompt_audio
    from .audio.stt import SttError, shared_transcriber
    from .audio.voices import VoiceError
    from .harness.runner import AudioMode

    try:
        shared_transcriber(stt_model)
    except SttError as e:
        raise typer.BadParameter(str(e), param_hint="--stt-model") from None
    modes = []
    try:
        caller = prompt_audio(CALLER_VOICE)
        for name in voices:
            prompts = prompt_audio(name)
            prompts.music()  # its hold music is read now: a bad file fails here, not on hold
            modes.append(AudioMode(prompts, caller, PhoneLine(snr_db=snr_db), stt_model))
    except (VoiceError, RecordingError) as e:
        raise typer.BadParameter(str(e), param_hint="--voice") from None
    return modes


@app.command()
def record(
    ivr_file: Annotated[Path, typer.Argument(help="The IVR definition (YAML).")],
    folder: Annotated[Path, typer.Argument(help="Where to write the WAV files and "
                                           "prompts.yaml.")],
    voice_id: Annotated[str, typer.Option("--voice", help="The TTS voice (engine:name).")]
    = "piper:joe",
) -> None:
    """Render every prompt of an IVR into a recorded-IVR folder: one 8 kHz 16-bit WAV file
    per distinct sentence, and prompts.yaml listing each prompt's text and files."""
    from .audio.recorder import record_ivr
    from .audio.voices import VoiceError, voice

    try:
        count = record_ivr(load_ivr(ivr_file), folder, voice(voice_id))
    except (ScenarioError, VoiceError) as e:
        err_console.print(str(e), markup=False, soft_wrap=True)
        raise typer.Exit(2) from None
    console.print(f"{count} prompts recorded in {folder} with {voice_id}")


@app.command()
def check(targets: Annotated[list[Path], typer.Argument(
        help="Scenario or IVR files, or folders (IVR files are those under ivrs/).")]) -> None:
    """Validate scenario and IVR files without running them."""
    failed = False
    for target in targets:
        try:
            paths = [(p, True) for p in find_ivr_files(target)]
            paths += [(p, False) for p in find_scenario_files(target) if not is_ivr_file(p)]
        except ScenarioError as e:
            err_console.print(str(e), markup=False, soft_wrap=True)
            failed = True
            continue
        for path, ivr_file in paths:
            try:
                load_ivr(path) if ivr_file else load_scenario(path)
                console.print(f"ok  {path}")
            except ScenarioError as e:
                err_console.print(str(e), markup=False, soft_wrap=True)
                failed = True
    if failed:
        raise typer.Exit(1)


@app.command()
def schema(out: Annotated[Path, typer.Option(help="Where to write it.")] = Path(
        "scenarios/schema.json")) -> None:
    """Export the JSON Schema of scenario files (IVR files: its #/$defs/IvrDefinition)."""
    export_json_schema(out)
    console.print(f"wrote {out}")


@app.command()
def ivr(path: Annotated[Path, typer.Argument(help="An IVR definition file.")]) -> None:
    """Play the IVR yourself: type keys (e.g. 1 or 10000001#), words, an empty line to wait
    in silence, or 'quit'."""
    from .ivr.engine import IvrEngine
    from .ivr.terminal import play

    try:
        engine = IvrEngine(load_ivr(path))
    except ScenarioError as e:
        err_console.print(str(e), markup=False, soft_wrap=True)
        raise typer.Exit(1) from e
    play(engine, input_fn=input, output_fn=lambda line: console.print(line, markup=False),
         parse_keys=parse_keys)


# --- the service (a LiveKit server is needed from here on) ------------------------------


def _run_worker(devmode: bool, *, mock_ivr: bool = False) -> None:
    from .ivr.worker import MOCK_IVR_AGENT_NAME, accept_as_mock_ivr, mock_ivr_job
    from .ivr.worker import prewarm as prewarm_mock_ivr
    from .results.delivery import import_journal
    from .results.store import CallStore, StoreError
    from .service import navigator_ledger, serve
    from .settings import Settings
    from .worker import build_server

    settings = Settings()
    if mock_ivr:
        server = build_server(settings, agent_name=MOCK_IVR_AGENT_NAME, entrypoint=mock_ivr_job,
                              on_request=accept_as_mock_ivr, setup=prewarm_mock_ivr)
        asyncio.run(serve(server, devmode=devmode))
        return
    store = CallStore(settings.results_db)
    try:  # a worker that could not keep its results takes no calls
        store.check_writable()
        imported = import_journal(settings.results_journal, store,
                                  delivery_expiry_s=settings.webhook_expiry_s)
    except StoreError as e:
        err_console.print(f"not starting: {e}", markup=False, soft_wrap=True)
        raise typer.Exit(1) from e
    if imported:
        logging.getLogger("ivr_navigator.results").warning(
            "imported %d result(s) from the journal %s", imported, settings.results_journal)
    server = build_server(settings, max_calls=settings.max_concurrent_calls)
    asyncio.run(serve(server, devmode=devmode, ledger=navigator_ledger(settings, store)))


@app.command()
def start(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    """Run the navigator worker (production mode) for the LiveKit server in LIVEKIT_URL."""
    _logging(verbose, default=logging.INFO)
    _run_worker(devmode=False)


@app.command()
def dev(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = True) -> None:
    """Run the navigator worker in development mode (debug logs, no idle processes)."""
    _logging(verbose, default=logging.INFO)
    _run_worker(devmode=True)


@app.command("mock-ivr")
def mock_ivr(
    ivr_file: Annotated[Path, typer.Argument(
        help="The IVR definition to play, or a folder of them (a dispatch's metadata "
             '{"ivr": "<id>"} picks one).')],
    time_scale: Annotated[float, typer.Option(help="Wall seconds per IVR second.")] = 1.0,
    events_dir: Annotated[Path | None, typer.Option(help="Write each call's IVR event log here.")
                          ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Run the mock IVR worker (agent name mock-ivr) that answers calls in rooms."""
    import os

    from .ivr.worker import load_ivrs

    _logging(verbose, default=logging.INFO)
    try:
        load_ivrs(ivr_file)
    except ScenarioError as e:
        err_console.print(str(e), markup=False, soft_wrap=True)
        raise typer.Exit(1) from e
    os.environ["MOCK_IVR_PATH"] = str(ivr_file)
    os.environ["MOCK_IVR_TIME_SCALE"] = str(time_scale)
    if events_dir is not None:
        os.environ["MOCK_IVR_EVENTS_DIR"] = str(events_dir)
    _run_worker(devmode=False, mock_ivr=True)


@app.command()
def call(
    goal: Annotated[str | None, typer.Option(help="What to find out or do.")] = None,
    to: Annotated[str | None, typer.Option(help="E.164 number to dial.")] = None,
    participant: Annotated[str | None, typer.Option(
        help="Identity of a participant in the room to talk to instead of dialing.")] = None,
    mock_ivr: Annotated[bool, typer.Option(
        "--mock-ivr", help="Dispatch the mock IVR into the room and talk to it.")] = False,
    ivr: Annotated[str | None, typer.Option(
        help="With --mock-ivr: the id of the IVR it plays (default: its first).")] = None,
    ivr_voice: Annotated[str | None, typer.Option(
        help="With --mock-ivr: it speaks on an audio track in this voice (engine:name or "
             "recorded:<folder>), heard through the navigator's local STT.")] = None,
    dtmf: Annotated[str | None, typer.Option(
        help="Keys to send once the far end answers, e.g. 1w10000001# (w = 0.5 s, W = 1 s).")
                    ] = None,
    dtmf_dialect: Annotated[str, typer.Option(
        help="How --dtmf is written: standard, or vicidial (P = #, S = *, Q = 1 s).")
                            ] = "standard",
    fact: Annotated[list[str] | None, typer.Option(help="name=value (repeatable).")] = None,
    secret: Annotated[list[str] | None, typer.Option(
        help="name=value of a secret fact, masked everywhere (repeatable).")] = None,
    trunk: Annotated[str | None, typer.Option(help="Outbound SIP trunk ID.")] = None,
    webhook: Annotated[str | None, typer.Option(help="Where to POST the result.")] = None,
    call_id: Annotated[str | None, typer.Option(
        help="The call's id (default: a new one); the same request again is the same call.")
                       ] = None,
    max_call_s: Annotated[float, typer.Option(help="Longest call (seconds).")] = 900.0,
    from_file: Annotated[Path | None, typer.Option(
        help="Call requests, one JSON object per line (the dispatch metadata format); "
             "with --mock-ivr/--ivr each is made with the mock IVR.")] = None,
    wait: Annotated[bool, typer.Option("--wait", help="Wait for the result and print it.")
                    ] = False,
) -> None:
    """Ask the navigator to make a call (or every call of --from-file): records it in the
    call ledger, which the workers dispatch as they have room; with --wait, prints each
    result."""
    from pydantic import ValidationError

    from .call_request import CallRequest, CallRequestError, parse_call_request
    from .results.store import CallIdConflict, CallStore, StoreError
    from .service import result_json, submit_call, wait_for_result
    from .settings import Settings
    from .validation import validation_problems

    settings = Settings()
    mock = (ivr or True) if (mock_ivr or ivr is not None or ivr_voice) else False
    if ivr_voice:
        from .audio.prompts import RecordingError, prompt_audio
        from .audio.voices import VoiceError

        try:
            prompt_audio(ivr_voice)
        except (VoiceError, RecordingError) as e:
            raise typer.BadParameter(str(e), param_hint="--ivr-voice") from None
    requests: list[CallRequest] = []
    problems: list[str] = []
    if from_file is not None:
        try:
            lines = from_file.read_text(encoding="utf-8").splitlines()
        except OSError as e:
            err_console.print(f"{from_file}: {e.strerror}", markup=False)
            raise typer.Exit(2) from e
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                requests.append(parse_call_request(line))
            except CallRequestError as e:
                problems += [f"{from_file}:{number}: {p}" for p in str(e).splitlines()]
    else:
        if goal is None:
            err_console.print("give --goal, or --from-file", markup=False)
            raise typer.Exit(2)
        facts, secrets = {}, []
        for pair, is_secret in ([(p, False) for p in fact or []]
                                + [(p, True) for p in secret or []]):
            name, sep, value = pair.partition("=")
            if not sep or not name:
                err_console.print(f"--{'secret' if is_secret else 'fact'} {name!r}: expected "
                                  "name=value", markup=False)
                raise typer.Exit(2)
            facts[name] = value
            if is_secret:
                secrets.append(name)
        if mock:
            participant = participant or "mock-ivr"
        if (to is None) == (participant is None):
            err_console.print("give exactly one of --to (a phone number), --participant or "
                              "--mock-ivr", markup=False)
            raise typer.Exit(2)
        target = ({"kind": "phone", "number": to, "sip_trunk_id": trunk} if to else
                  {"kind": "participant", "identity": participant})
        fields = {"task": {"goal": goal, "facts": facts, "secrets": secrets},
                  "target": target, "limits": {"max_call_s": max_call_s},
                  "webhook_url": webhook, "post_connect_dtmf": dtmf,
                  "dtmf_dialect": dtmf_dialect}
        if call_id is not None:
            fields["call_id"] = call_id
        try:
            requests.append(CallRequest.model_validate(fields))
        except ValidationError as e:
            problems += [f"call request: {p}: {r}" for p, r in validation_problems(e)]
    for problem in problems:
        err_console.print(problem, markup=False, soft_wrap=True)
    if problems and not requests:
        raise typer.Exit(2)
    store = CallStore(settings.results_db)
    submitted = []
    for request in requests:
        try:
            submit_call(request, settings, mock_ivr=mock, mock_ivr_voice=ivr_voice,
                        store=store)
        except (CallIdConflict, StoreError) as e:
            err_console.print(str(e), markup=False, soft_wrap=True)
            problems.append(str(e))
            continue
        submitted.append(request)
        console.print(f"call {request.call_id} recorded; the workers dispatch it to agent "
                      f"{settings.agent_name!r}", markup=False)
    if wait:
        async def wait_all():
            return await asyncio.gather(*(wait_for_result(
                store, r.call_id, timeout_s=settings.queue_timeout_s + r.limits.max_call_s + 60)
                for r in submitted))

        for request, result in zip(submitted, asyncio.run(wait_all()), strict=True):
            if result is None:
                err_console.print(f"no result for {request.call_id} in {store!r}")
                problems.append(request.call_id)
            else:
                console.print(result_json(result), markup=False, soft_wrap=True)
    if problems:
        raise typer.Exit(1)


@app.command()
def results(
    since: Annotated[datetime | None, typer.Option(help="Only calls finished since (ISO).")
                     ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per result.")
                       ] = False,
) -> None:
    """List stored call results (RESULTS_DB)."""
    from rich.table import Table

    from .results.store import CallStore
    from .service import result_json
    from .settings import Settings

    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    store = CallStore(Settings().results_db)
    stored = store.results(since)
    if as_json:
        for result in stored:
            delivery = store.delivery(result.call_id)
            console.print(result_json(result, delivery), markup=False, soft_wrap=True)
        return
    table = Table(title=f"{len(stored)} call results")
    for column in ("finished", "call", "outcome", "answer / reason", "webhook"):
        table.add_column(column)
    for r in stored:
        delivery = store.delivery(r.call_id)
        webhook = ("-" if delivery is None else
                   f"{delivery.state} after {delivery.attempts} attempt(s)"
                   + (f": {delivery.last_error}" if delivery.last_error and
                      delivery.state != "delivered" else ""))
        table.add_row(r.finished_at.strftime("%Y-%m-%d %H:%M:%S"), r.call_id, r.outcome,
                      r.answer or r.reason, webhook)
    console.print(table)


@app.command()
def provision(config: Annotated[Path, typer.Argument(help="Provisioning YAML file.")]) -> None:
    """Create or update the outbound SIP trunk and the inbound dispatch rule (idempotent)."""
    from .provision import ProvisionError, load_provision_config
    from .provision import provision as run_provision
    from .service import lk_api
    from .settings import Settings

    try:
        parsed = load_provision_config(config)
    except ProvisionError as e:
        err_console.print(str(e), markup=False, soft_wrap=True)
        raise typer.Exit(1) from e

    async def run() -> dict[str, str]:
        lk = lk_api(Settings())
        try:
            return await run_provision(lk, parsed)
        finally:
            await lk.aclose()

    try:
        done = asyncio.run(run())
    except Exception as e:
        err_console.print(f"provisioning failed: {type(e).__name__}: {e}", markup=False,
                          soft_wrap=True)
        raise typer.Exit(1) from e
    for what, action in done.items():
        console.print(f"{what}: {action}")
