"""Checks of an IVR's node graph and data that a schema cannot express."""

from __future__ import annotations

from typing import Any

from .ivr_model import (
    CollectNode,
    HoldNode,
    HumanNode,
    IvrDefinition,
    Lookup,
    Matches,
    MenuNode,
    SayNode,
)
from .templates import TemplateError, lookup, placeholders


def edges(node: object) -> list[tuple[str, str]]:
    """(field path, target id) for every node reference of ``node``."""
    found: list[tuple[str, str]] = []
    if isinstance(node, MenuNode | HoldNode):
        found += [(f'options."{key}".next', opt.next) for key, opt in node.options.items()]
    if isinstance(node, MenuNode):
        found.append(("on_failure", node.on_failure))
        if node.default is not None:
            found.append(("default", node.default))
    if isinstance(node, CollectNode):
        found += [("next", node.next), ("on_invalid", node.on_invalid)]
    if isinstance(node, SayNode | HoldNode):
        found.append(("next", node.next))
    if isinstance(node, HoldNode) and node.keep_holding is not None:
        found.append(("keep_holding.on_timeout", node.keep_holding.on_timeout))
    return found


def _templates(node: object) -> list[tuple[str, str]]:
    found = [("prompt", getattr(node, "prompt", ""))]
    if isinstance(node, MenuNode):
        found += [("invalid_prompt", node.invalid_prompt),
                  ("no_input_prompt", node.no_input_prompt)]
    if isinstance(node, CollectNode):
        found.append(("invalid_prompt", node.invalid_prompt))
    if isinstance(node, HoldNode):
        found += [(f"announcements[{i}]", a) for i, a in enumerate(node.announcements)]
        if node.keep_holding is not None:
            found.append(("keep_holding.prompt", node.keep_holding.prompt))
    if isinstance(node, HumanNode):
        found += [(f"answers[{i}].reply", a.reply) for i, a in enumerate(node.answers)]
        found += [("fallback", node.fallback), ("closing", node.closing)]
    return found


def check_graph(ivr: IvrDefinition) -> list[tuple[str, str]]:
    """Problems as (YAML path, reason): unknown ``start`` or node references, unreachable
    nodes, menus with no way out, checks naming tables, records or fields that do not
    exist, and templates naming data that no record has."""
    problems: list[tuple[str, str]] = []
    known = ", ".join(sorted(ivr.nodes))
    if ivr.start not in ivr.nodes:
        problems.append(("start", f"unknown node {ivr.start!r}; known nodes: {known}"))

    binds = _binds(ivr)
    for node_id, node in ivr.nodes.items():
        for field, target in edges(node):
            if target not in ivr.nodes:
                problems.append(
                    (f"nodes.{node_id}.{field}", f"unknown node {target!r}; known nodes: {known}")
                )
        if isinstance(node, MenuNode):
            exits = {target for _, target in edges(node)}
            if exits <= {node_id}:
                problems.append(
                    (f"nodes.{node_id}", "menu has no way out: every option leads back to it")
                )
        if isinstance(node, CollectNode) and node.check is not None:
            problems += _check_problems(ivr, binds, node_id, node)
        problems += _template_problems(ivr, binds, node_id, node)

    problems += _say_loops(ivr)
    reachable: set[str] = set()
    todo = [ivr.start] if ivr.start in ivr.nodes else []
    while todo:
        node_id = todo.pop()
        if node_id in reachable:
            continue
        reachable.add(node_id)
        todo += [t for _, t in edges(ivr.nodes[node_id]) if t in ivr.nodes]
    for node_id in ivr.nodes:
        if node_id not in reachable and ivr.start in ivr.nodes:
            problems.append((f"nodes.{node_id}", f"unreachable from start node {ivr.start!r}"))
    return problems


def _binds(ivr: IvrDefinition) -> dict[str, list[dict[str, Any]]]:
    """Record name -> the records a lookup may bind to it (from every table it looks in)."""
    tables = ivr.tables()
    binds: dict[str, list[dict[str, Any]]] = {}
    for node in ivr.nodes.values():
        if isinstance(node, CollectNode) and isinstance(node.check, Lookup):
            records = list(tables.get(node.check.lookup, {}).values())
            binds.setdefault(node.check.bind, []).extend(records)
    return binds


def _check_problems(ivr: IvrDefinition, binds: dict[str, list[dict[str, Any]]],
                    node_id: str, node: CollectNode) -> list[tuple[str, str]]:
    where = f"nodes.{node_id}.check"
    tables = ivr.tables()
    check = node.check
    if isinstance(check, Lookup):
        if check.lookup not in tables:
            allowed = ", ".join(sorted(tables)) or "(data has no tables)"
            return [(f"{where}.lookup", f"no table {check.lookup!r} in data; tables: {allowed}")]
        records = tables[check.lookup].values()
        if check.field is not None and not any(check.field in r for r in records):
            return [(f"{where}.field", f"no record of data.{check.lookup} has a field "
                                       f"{check.field!r}")]
    elif isinstance(check, Matches):
        name, _, path = check.matches.partition(".")
        if name not in binds:
            allowed = ", ".join(sorted(binds)) or "(no lookup binds a record)"
            return [(f"{where}.matches", f"no lookup binds a record {name!r}; bound: {allowed}")]
        if not any(_resolves(record, path) for record in binds[name]):
            return [(f"{where}.matches", f"no record bound as {name!r} has {path!r}")]
    return []


def _template_problems(ivr: IvrDefinition, binds: dict[str, list[dict[str, Any]]],
                       node_id: str, node: object) -> list[tuple[str, str]]:
    problems = []
    entries = {n.store_as for n in ivr.nodes.values()
               if isinstance(n, CollectNode) and not n.secret}
    roots = ", ".join(["ivr", "entry", *sorted(binds)])
    for field, template in _templates(node):
        for path in placeholders(template):
            root, _, rest = path.partition(".")
            where = f"nodes.{node_id}.{field}"
            if root == "ivr":
                if not _resolves(ivr.template_context(), path):
                    problems.append((where, f"template names {{{path}}}, which is not in data"))
            elif root == "entry":
                if rest not in entries:
                    allowed = ", ".join(sorted(entries)) or "(none)"
                    problems.append((where, f"template names {{{path}}}; entries (store_as "
                                            f"of collect nodes that are not secret): {allowed}"))
            elif root in binds:
                if not any(_resolves(record, rest) for record in binds[root]):
                    problems.append((where, f"template names {{{path}}}, which no record "
                                            f"bound as {root!r} has"))
            else:
                problems.append((where, f"template names {{{path}}}; allowed roots: {roots}"))
    return problems


def _resolves(context: dict, path: str) -> bool:
    try:
        lookup(context, path)
    except TemplateError:
        return False
    return True


def _say_loops(ivr: IvrDefinition) -> list[tuple[str, str]]:
    """Cycles made only of ``say`` nodes: the IVR would talk forever without waiting."""
    problems, reported = [], set()
    for start_id, node in ivr.nodes.items():
        path, node_id = [start_id], getattr(node, "next", None)
        while isinstance(node, SayNode) and node_id in ivr.nodes and node_id not in path:
            node = ivr.nodes[node_id]
            path.append(node_id)
            node_id = getattr(node, "next", None)
        if isinstance(node, SayNode) and node_id == start_id and start_id not in reported:
            reported.update(path)
            loop = " -> ".join([*path, start_id])
            problems.append((f"nodes.{start_id}", f"say nodes loop forever: {loop}"))
    return problems
