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

from .graph import check_graph
from .ivr_model import NODE_KINDS, IvrDefinition
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


def _yaml_path(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for i, item in enumerate(loc):
        # pydantic puts union tags in the path: the node kind after a node id, and
        # inline/path after "ivr"; neither is a YAML key
        if i >= 2 and loc[i - 2] == "nodes" and item in NODE_KINDS:
            continue
        if i >= 1 and loc[i - 1] == "ivr" and item in ("inline", "path"):
            continue
        if item == "[key]":
            continue
        text = str(item)
        if isinstance(item, int):
            parts.append(f"[{item}]")
            continue
        is_plain = text.replace("_", "a").isalnum() and not text[0].isdigit()
        parts.append(text if is_plain else json.dumps(text))
    return ".".join(parts).replace(".[", "[")


def _validate(model: type[BaseModel], raw: Any, path: Path) -> Any:
    if not isinstance(raw, dict):
        raise ScenarioError(path, [("", "the file must hold a mapping at the top level")])
    try:
        return model.model_validate(raw)
    except ValidationError as e:
        problems = []
        for err in e.errors(include_url=False):
            reason = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                reason = "unknown field"
            elif err["type"] == "union_tag_invalid":
                kind = (err.get("ctx") or {}).get("tag", "")
                reason = f"unknown node kind {kind!r}; allowed: {', '.join(NODE_KINDS)}"
            problems.append((_yaml_path(tuple(err["loc"])), reason))
        raise ScenarioError(path, problems) from e


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
    return LoadedScenario(scenario=scenario, ivr=ivr, path=path)


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


def export_json_schema(path: Path | str) -> None:
    """Write the JSON Schema of scenario files to ``path``; IVR definition files validate
    against its ``#/$defs/IvrDefinition``."""
    schema = Scenario.model_json_schema()
    schema["$id"] = "https://github.com/ivr-navigator/ivr-navigator/scenarios/schema.json"
    schema["title"] = "ivr-navigator scenario"
    Path(path).write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
