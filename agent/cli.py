"""The ``python -m agent`` command line."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from .dtmf import parse_keys
from .scenario import ScenarioError, find_scenario_files, load_ivr, load_scenario
from .scenario.loader import export_json_schema

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="ivr-navigator: an AI caller that navigates IVR phone trees.")
console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def _logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")


@app.command()
def simulate(
    targets: Annotated[list[Path], typer.Argument(help="Scenario files or folders.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per scenario.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Call the mock IVR once per scenario with the real navigator session; exits 1 when
    a scenario fails or a file is broken."""
    from .harness.report import print_run, print_table, summary
    from .harness.runner import run_scenario

    _logging(verbose)
    files: list[Path] = []
    broken: list[tuple[Path, str]] = []
    for target in targets:
        try:
            files += find_scenario_files(target)
        except ScenarioError as e:
            broken.append((target, str(e)))

    async def run_all() -> list:
        runs = []
        for path in files:
            try:
                loaded = load_scenario(path)
            except ScenarioError as e:
                broken.append((path, str(e)))
                continue
            run = await run_scenario(loaded)
            runs.append(run)
            if as_json:
                console.print(json.dumps(summary(run)), markup=False, soft_wrap=True)
            else:
                print_run(console, run)
        return runs

    runs = asyncio.run(run_all())
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


@app.command()
def check(targets: Annotated[list[Path], typer.Argument(help="Scenario files or folders.")]
          ) -> None:
    """Validate scenario files (and the IVRs they name) without running them."""
    failed = False
    for target in targets:
        try:
            for path in find_scenario_files(target):
                load_scenario(path)
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
