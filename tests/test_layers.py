"""Services hold use cases, not request handling: none of them reads flask's request-bound names.

(The import contracts in pyproject.toml, checked by `make lint`, keep the layers pointing down; this
catches what they cannot see: a service using `flask.request` while importing only `flask`.)
"""

from __future__ import annotations

import ast
from pathlib import Path

SERVICES = Path(__file__).resolve().parent.parent / "mockloop" / "services"
WEB_ONLY = {"request", "session", "g", "abort", "url_for", "flash"}


def web_names_used(tree: ast.Module) -> set[str]:
    """The request-bound flask names a module imports (`from flask import x`) or reaches (`flask.x`)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "flask":
            found |= {alias.name for alias in node.names} & WEB_ONLY
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "flask":
            found |= {node.attr} & WEB_ONLY
    return found


def test_services_never_touch_the_request():
    files = sorted(SERVICES.glob("*.py"))
    assert files
    offences = [
        (path.name, name) for path in files for name in sorted(web_names_used(ast.parse(path.read_text(), str(path))))
    ]
    assert offences == []


def test_the_check_sees_both_spellings():
    assert web_names_used(ast.parse("from flask import current_app, request as r")) == {"request"}
    assert web_names_used(ast.parse("import flask\nflask.abort(404)\nflask.current_app")) == {"abort"}
