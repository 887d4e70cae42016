"""Turning pydantic validation errors into one line per problem: YAML/JSON path, reason.

Shared by the scenario loader and the call-request parser so that both say exactly which
field is wrong, with which value, and what is allowed.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

_UNION_TAGS = {"ivr": ("inline", "path"), "target": ("phone", "participant")}


def field_path(loc: tuple[Any, ...]) -> str:
    """``("nodes", "main_menu", "menu", "options", "12", "[key]")`` ->
    ``nodes.main_menu.options."12"``: union tags and pydantic's ``[key]`` dropped, keys
    that are not plain names quoted, list indexes as ``[i]``."""
    from .scenario.ivr_model import NODE_KINDS  # here: the scenario package imports this one

    parts: list[str] = []
    for i, item in enumerate(loc):
        # pydantic puts union tags in the path (the node kind after a node id, the target
        # kind after "target", ...); none of them is a key of the file
        if i >= 2 and loc[i - 2] == "nodes" and item in NODE_KINDS:
            continue
        if i >= 1 and item in _UNION_TAGS.get(str(loc[i - 1]), ()):
            continue
        if item == "[key]":
            continue
        if isinstance(item, int):
            parts.append(f"[{item}]")
            continue
        text = str(item)
        is_plain = text.replace("_", "a").isalnum() and not text[0].isdigit()
        parts.append(text if is_plain else json.dumps(text))
    return ".".join(parts).replace(".[", "[")


def validation_problems(error: ValidationError) -> list[tuple[str, str]]:
    """(path, reason) for each error, reasons phrased for people; values that were
    rejected are quoted in the reason where pydantic does not already say them."""
    problems = []
    for err in error.errors(include_url=False):
        reason = err["msg"].removeprefix("Value error, ")
        loc = tuple(err["loc"])
        if err["type"] == "unknown_field":
            ctx = err.get("ctx") or {}
            loc += (ctx.get("field", ""),)
            reason = f"unknown field; allowed: {ctx.get('allowed', '')}"
        elif err["type"] == "extra_forbidden":
            reason = "unknown field"
        elif err["type"] == "union_tag_invalid":
            ctx = err.get("ctx") or {}
            noun = "node kind" if "nodes" in err["loc"] else "kind"
            allowed = str(ctx.get("expected_tags", "")).replace("'", "")
            reason = f"unknown {noun} {ctx.get('tag', '')!r}; allowed: {allowed}"
        elif err["type"] == "missing":
            reason = "required field is missing"
        elif "[key]" not in loc and not isinstance(err.get("input"), dict | list):
            got = repr(err["input"])  # say which value was refused, escaped and bounded
            reason = f"{reason} (got {got[:60] + '...' if len(got) > 63 else got})"
        problems.append((field_path(loc), reason))
    return problems
