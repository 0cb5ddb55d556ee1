"""Every audit action and object type the code records has a Chinese label for the console's
操作记录 page (message_templates/zh_CN/console.yaml audit_actions / audit_objects).

The code is scanned, not listed by hand: each call of `audit.record(actor, action, object_type,
...)` in server/ and workers/ is read with `ast`. A literal is taken as it is; a variable is
resolved from the string literals assigned to it in the same function; an f-string must have an
expansion below (from the tables that drive it). A call none of these resolve fails the test, so a
new way of naming actions has to be taught here rather than slipping past."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from server.services import status
from server.texts import lookup

ROOT = Path(__file__).resolve().parents[2]


def _transition_actions(prefix_of) -> set[str]:
    return {f"{prefix}_{row.target}" for prefix, rows in prefix_of for row in rows}


# f-string action → every value it takes (the status machine names its audit rows after the
# status reached: status.transition for entries, status.move for the award tables).
F_STRINGS = {
    "entry_{row.target}": lambda: _transition_actions([("entry", status.TRANSITIONS)]),
    "{kind}_{row.target}": lambda: _transition_actions(list(status._TABLES.items())),
}
# Variable object types → their values.
OBJECT_VARIABLES = {"kind": lambda: set(status._TABLES)}


def _imports_audit_record(tree: ast.Module) -> bool:
    return any(isinstance(node, ast.ImportFrom) and (node.module or "").endswith("audit")
               and any(alias.name == "record" for alias in node.names) for node in ast.walk(tree))


def _is_record_call(node: ast.AST, bare_ok: bool) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr == "record" and isinstance(func.value, ast.Name) and func.value.id == "audit"
    return bare_ok and isinstance(func, ast.Name) and func.id == "record"


def _argument(call: ast.Call, index: int, name: str) -> ast.AST | None:
    if len(call.args) > index:
        return call.args[index]
    return next((k.value for k in call.keywords if k.arg == name), None)


def _source_of_fstring(node: ast.JoinedStr) -> str:
    parts = []
    for value in node.values:
        if isinstance(value, ast.Constant):
            parts.append(value.value)
        else:
            parts.append("{" + ast.unparse(value.value) + "}")
    return "".join(parts)


def _assigned_strings(function: ast.AST, name: str) -> set[str]:
    found = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) \
                and isinstance(node.value.value, str) \
                and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            found.add(node.value.value)
    return found


def _values(node: ast.AST | None, function: ast.AST, variables: dict, where: str) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.JoinedStr):
        source = _source_of_fstring(node)
        assert source in F_STRINGS, f"{where}: teach this test the values of f-string {source!r}"
        return F_STRINGS[source]()
    if isinstance(node, ast.Name):
        if node.id in variables:
            return variables[node.id]()
        found = _assigned_strings(function, node.id)
        assert found, f"{where}: cannot tell which strings {node.id!r} holds"
        return found
    raise AssertionError(f"{where}: cannot read {ast.unparse(node) if node else 'a missing argument'}")


def _functions(tree: ast.Module):
    """(function or module, call) for every call, with its innermost enclosing function."""
    def visit(node, owner):
        for child in ast.iter_child_nodes(node):
            inner = child if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else owner
            yield inner, child
            yield from visit(child, inner)
    yield from visit(tree, tree)


def recorded() -> tuple[dict[str, str], dict[str, str]]:
    """({action: where}, {object type: where}) over the code."""
    actions, objects = {}, {}
    files = sorted((ROOT / "server").rglob("*.py")) + sorted((ROOT / "workers").rglob("*.py"))
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        bare_ok = _imports_audit_record(tree)
        for function, node in _functions(tree):
            if not _is_record_call(node, bare_ok):
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            for action in _values(_argument(node, 1, "action"), function, {}, where):
                actions.setdefault(action, where)
            for kind in _values(_argument(node, 2, "object_type"), function, OBJECT_VARIABLES, where):
                objects.setdefault(kind, where)
    return actions, objects


ACTIONS, OBJECTS = recorded()


def test_the_scan_finds_the_known_kinds_of_call():
    # a literal, a resolved variable (scoring), both f-strings of the status machine
    assert {"console_login", "score_revised", "entry_submitted", "org_award_awarded",
            "winner_application_city_refused"} <= set(ACTIONS)
    assert len(ACTIONS) > 50


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_recorded_action_has_a_label(action):
    labels = lookup("console.audit_actions")
    assert action in labels, f"{action} (recorded at {ACTIONS[action]}) has no label in console.audit_actions"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in labels[action])


@pytest.mark.parametrize("kind", sorted(OBJECTS))
def test_every_recorded_object_type_has_a_label(kind):
    labels = lookup("console.audit_objects")
    assert kind in labels, f"{kind} (recorded at {OBJECTS[kind]}) has no label in console.audit_objects"
