"""Checks of an IVR's node graph that a schema cannot express."""

from __future__ import annotations

from .ivr_model import (
    CollectNode,
    HoldNode,
    HumanNode,
    IvrDefinition,
    MenuNode,
    SayNode,
)
from .templates import ROOTS, TemplateError, lookup, placeholders


def _edges(node: object) -> list[tuple[str, str]]:
    """(field path, target id) for every node reference of ``node``."""
    if isinstance(node, MenuNode):
        edges = [(f'options."{key}".next', opt.next) for key, opt in node.options.items()]
        return edges + [("on_failure", node.on_failure)]
    if isinstance(node, CollectNode):
        return [("next", node.next), ("on_invalid", node.on_invalid)]
    if isinstance(node, SayNode | HoldNode):
        return [("next", node.next)]
    return []


def _templates(node: object) -> list[tuple[str, str]]:
    found = [("prompt", getattr(node, "prompt", ""))]
    if isinstance(node, HoldNode):
        found += [(f"announcements[{i}]", a) for i, a in enumerate(node.announcements)]
    if isinstance(node, HumanNode):
        found += [(f"answers[{i}].reply", a.reply) for i, a in enumerate(node.answers)]
    return found


def check_graph(ivr: IvrDefinition) -> list[tuple[str, str]]:
    """Problems as (YAML path, reason): unknown ``start`` or ``next``, unreachable nodes,
    menus with no way out, and templates naming data that no customer has."""
    problems: list[tuple[str, str]] = []
    known = ", ".join(sorted(ivr.nodes))
    if ivr.start not in ivr.nodes:
        problems.append(("start", f"unknown node {ivr.start!r}; known nodes: {known}"))

    for node_id, node in ivr.nodes.items():
        for field, target in _edges(node):
            if target not in ivr.nodes:
                problems.append(
                    (f"nodes.{node_id}.{field}", f"unknown node {target!r}; known nodes: {known}")
                )
        if isinstance(node, MenuNode):
            exits = {opt.next for opt in node.options.values()} | {node.on_failure}
            if exits <= {node_id}:
                problems.append(
                    (f"nodes.{node_id}", "menu has no way out: every option leads back to it")
                )
        problems += _template_problems(ivr, node_id, node)

    problems += _say_loops(ivr)
    reachable: set[str] = set()
    todo = [ivr.start] if ivr.start in ivr.nodes else []
    while todo:
        node_id = todo.pop()
        if node_id in reachable:
            continue
        reachable.add(node_id)
        todo += [t for _, t in _edges(ivr.nodes[node_id]) if t in ivr.nodes]
    for node_id in ivr.nodes:
        if node_id not in reachable and ivr.start in ivr.nodes:
            problems.append((f"nodes.{node_id}", f"unreachable from start node {ivr.start!r}"))
    return problems


def _template_problems(ivr: IvrDefinition, node_id: str, node: object) -> list[tuple[str, str]]:
    problems = []
    customers = ivr.data.get("customers") or {}
    for field, template in _templates(node):
        for path in placeholders(template):
            root = path.split(".")[0]
            where = f"nodes.{node_id}.{field}"
            if root not in ROOTS:
                problems.append((where, f"template names {{{path}}}; allowed roots: {ROOTS}"))
            elif root == "ivr" and not _resolves(ivr.template_context(), path):
                problems.append((where, f"template names {{{path}}}, which is not in data"))
            elif root == "customer" and not any(
                _resolves(ivr.template_context(record), path) for record in customers.values()
            ):
                problems.append((where, f"template names {{{path}}}, which no customer in "
                                        "data.customers has"))
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
