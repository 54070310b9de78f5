"""The browser tests' waits are written so that the pages' Content-Security-Policy cannot break them:
every predicate given to Playwright's wait_for_function is a function, not a bare expression.
Playwright evaluates a bare expression again with eval() on every poll, inside the page, where
`script-src 'self'` refuses it; only the first check, made through DevTools, is allowed. So a wait
whose first check said no failed with an EvalError, depending on timing (it did once, in the
terms page test)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

BROWSER_TESTS = Path(__file__).resolve().parents[1] / "browser"
FUNCTION = re.compile(r"^\s*(\(|async\b|function\b|[A-Za-z_$][\w$]*\s*=>)")


def _module_strings(tree: ast.Module) -> dict[str, str]:
    """Names bound at module level to a string (concatenations of strings included)."""
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                continue
            if isinstance(value, str):
                found[node.targets[0].id] = value
    return found


def _predicates() -> list[tuple[str, str]]:
    """(where, predicate source) of every wait_for_function call in the browser tests."""
    imported: dict[str, str] = {}
    trees = {path: ast.parse(path.read_text()) for path in sorted(BROWSER_TESTS.glob("*.py"))}
    for tree in trees.values():
        imported.update(_module_strings(tree))
    calls = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "wait_for_function"
                and node.args
            ):
                continue
            where = f"{path.name}:{node.lineno}"
            argument = node.args[0]
            if isinstance(argument, ast.Name):
                assert argument.id in imported, f"{where}: {argument.id} is not a string constant"
                calls.append((where, imported[argument.id]))
            else:
                calls.append((where, ast.literal_eval(argument)))
    return calls


def test_every_wait_for_function_predicate_is_a_function():
    predicates = _predicates()
    assert len(predicates) >= 10  # the scan finds the waits it is meant to check
    bare = [f"{where}: {source[:80]!r}" for where, source in predicates if not FUNCTION.match(source)]
    assert bare == [], "write these as '() => ...':\n" + "\n".join(bare)
