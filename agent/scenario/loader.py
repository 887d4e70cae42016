"""The one loader for IVR definitions and scenarios; its errors name file, YAML path, reason.

Numbers in YAML are read as strings (customer ids such as ``00012345`` must not turn into
integers, nor into octal); pydantic converts them where a field is numeric.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from ..validation import validation_problems
from .graph import check_graph
from .ivr_model import IvrDefinition
from .scenario_model import Scenario


class ScenarioError(ValueError):
    """A broken scenario or IVR file. ``str(err)`` is one line per problem:
    ``<file>: <yaml.path>: <reason>``."""

    def __init__(self, path: Path | str, problems: list[tuple[str, str]]) -> None:
        self.path = str(path)
        self.problems = problems
        super().__init__(
            "\n".join(f"{self.path}: {where}: {why}" if where else f"{self.path}: {why}"
                      for where, why in problems)
        )


class _StringScalarLoader(yaml.SafeLoader):
    """A SafeLoader without the int, float and bool resolvers: ``0123`` stays ``"0123"``
    and ``yes`` stays ``"yes"`` (a keyword, not True); pydantic converts where a field is
    numeric or boolean."""


_StringScalarLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers
            if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
                           "tag:yaml.org,2002:bool")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ScenarioError(path, [("", f"cannot read file: {e.strerror}")]) from e
    try:
        return yaml.load(text, Loader=_StringScalarLoader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ScenarioError(path, [(where, f"invalid YAML: {getattr(e, 'problem', e)}")]) from e


def _validate(model: type[BaseModel], raw: Any, path: Path) -> Any:
    if not isinstance(raw, dict):
        raise ScenarioError(path, [("", "the file must hold a mapping at the top level")])
    try:
        return model.model_validate(raw)
    except ValidationError as e:
        raise ScenarioError(path, validation_problems(e)) from e


def load_ivr(path: Path | str) -> IvrDefinition:
    """Load and check an IVR definition file.

    Raises:
        ScenarioError: unreadable file, invalid YAML, schema violations, or graph problems
            (unknown node references, unreachable nodes, menus with no way out, templates
            naming data that does not exist).
    """
    path = Path(path)
    ivr = _validate(IvrDefinition, _read_yaml(path), path)
    problems = check_graph(ivr)
    if problems:
        raise ScenarioError(path, problems)
    return ivr


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario with its IVR resolved and the file it came from."""

    scenario: Scenario
    ivr: IvrDefinition
    path: Path


def load_scenario(path: Path | str) -> LoadedScenario:
    """Load a scenario file and the IVR it names (a path relative to the file, or inline).

    Raises:
        ScenarioError: as :func:`load_ivr`, for the scenario file or its IVR file.
    """
    path = Path(path)
    scenario: Scenario = _validate(Scenario, _read_yaml(path), path)
    if isinstance(scenario.ivr, str):
        ivr = load_ivr(path.parent / scenario.ivr)
    else:
        problems = check_graph(scenario.ivr)
        if problems:
            raise ScenarioError(path, [(f"ivr.{w}" if w else "ivr", r) for w, r in problems])
        ivr = scenario.ivr
    problems = _expected_nodes(scenario, ivr)
    if problems:
        raise ScenarioError(path, problems)
    return LoadedScenario(scenario=scenario, ivr=ivr, path=path)


def _expected_nodes(scenario: Scenario, ivr: IvrDefinition) -> list[tuple[str, str]]:
    """``expect`` entries naming nodes the IVR does not have."""
    expect = scenario.expect
    named = [(f"expect.reach[{i}]", n) for i, n in enumerate(expect.reach)]
    named += [(f"expect.never_reach[{i}]", n) for i, n in enumerate(expect.never_reach)]
    named += [(f"expect.input[{i}].node", e.node) for i, e in enumerate(expect.input)]
    return [(where, f"unknown node {node!r} in IVR {ivr.id!r}")
            for where, node in named if node not in ivr.nodes]


def find_scenario_files(target: Path | str) -> list[Path]:
    """Scenario files under ``target`` (a file or a folder, searched recursively).

    IVR definitions (files under a folder named ``ivrs``) are not scenarios and are skipped.
    """
    target = Path(target)
    if target.is_file():
        return [target]
    if not target.is_dir():
        raise ScenarioError(target, [("", "no such file or folder")])
    return sorted(
        p for p in target.rglob("*.yaml") if "ivrs" not in p.relative_to(target).parts
    )


def find_ivr_files(target: Path | str) -> list[Path]:
    """IVR definition files under ``target``: YAML files in folders named ``ivrs``."""
    target = Path(target)
    if target.is_file():
        return [target] if is_ivr_file(target) else []
    return sorted(p for p in target.rglob("*.yaml") if "ivrs" in p.relative_to(target).parts)


def is_ivr_file(path: Path | str) -> bool:
    """Whether ``path`` holds an IVR definition (a mapping with ``nodes`` and no
    ``task``), rather than a scenario. Unreadable files count as scenarios, whose loader
    then names the problem."""
    try:
        raw = _read_yaml(Path(path))
    except ScenarioError:
        return False
    return isinstance(raw, dict) and "nodes" in raw and "task" not in raw


def export_json_schema(path: Path | str) -> None:
    """Write the JSON Schema of scenario files to ``path``; IVR definition files validate
    against its ``#/$defs/IvrDefinition``."""
    schema = Scenario.model_json_schema()
    schema["$id"] = "https://github.com/ivr-navigator/ivr-navigator/scenarios/schema.json"
    schema["title"] = "ivr-navigator scenario"
    Path(path).write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
