"""Prompt templates: ``{customer.accounts.checking.balance}`` filled from a context mapping.

Only dotted paths are allowed (no format specs, no expressions), so a template can be
checked against the data when the file is loaded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\}")


class TemplateError(KeyError):
    """A template names a path the context does not have."""


def placeholders(template: str) -> list[str]:
    """The dotted paths a template names, in order (``"{a.b} x {c}"`` → ``["a.b", "c"]``)."""
    return PLACEHOLDER.findall(template)


def lookup(context: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted ``path`` of nested mappings.

    Raises:
        TemplateError: a step of the path is missing or not a mapping.
    """
    value: Any = context
    for step in path.split("."):
        if not isinstance(value, Mapping) or step not in value:
            raise TemplateError(path)
        value = value[step]
    return value


def render(template: str, context: Mapping[str, Any]) -> str:
    """Fill every placeholder of ``template`` from ``context``.

    Raises:
        TemplateError: a placeholder names a missing path.
    """
    return PLACEHOLDER.sub(lambda m: str(lookup(context, m.group(1))), template)
