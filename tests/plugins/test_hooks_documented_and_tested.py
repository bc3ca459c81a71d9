"""Every hook is documented in docs/plugins.md and implemented by a plugin in some test.

"Implemented" means: a function or method named after the hook and decorated with MSO Academy's ``hookimpl``
marker (``@hookimpl``, ``@api.hookimpl``, ``@hookimpl(tryfirst=True)``, … imported from ``mso_academy.plugins.api``)
in a Python file under ``tests/``. A hook name in a string or a comment does not count, nor does a same-named
function without the marker or with another project's marker (``@pytest.hookimpl``).
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

from mso_academy.plugins import hookspecs

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "plugins.md"
TESTS = ROOT / "tests"
HOOK_REFERENCE = "## Hook reference"


def hook_specs() -> dict[str, inspect.Signature]:
    marker = f"{hookspecs.hookspec.project_name}_spec"
    return {
        name: inspect.signature(function)
        for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(function, marker)
    }


HOOKS = hook_specs()


def doc_sections(text: str) -> dict[str, str]:
    """``### name`` sections of the hook reference chapter, each with its text up to the next heading."""
    start = text.find(f"\n{HOOK_REFERENCE}\n")
    assert start != -1, f"docs/plugins.md has no {HOOK_REFERENCE!r} chapter"
    chapter = text[start + len(HOOK_REFERENCE) + 2 :]
    following = re.search(r"^## ", chapter, flags=re.M)
    chapter = chapter[: following.start()] if following else chapter
    parts = re.split(r"^### (.+?)[ \t]*$", chapter, flags=re.M)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


API_MODULE = "mso_academy.plugins.api"


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _marker_names(tree: ast.Module) -> set[str]:
    """The dotted names under which a module can reach MSO Academy's hookimpl marker (not pytest's)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == API_MODULE:
            names.update(a.asname or a.name for a in node.names if a.name == "hookimpl")
        elif isinstance(node, ast.ImportFrom) and node.module == "mso_academy.plugins":
            names.update(f"{a.asname or a.name}.hookimpl" for a in node.names if a.name == "api")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == API_MODULE:
                    names.add(f"{alias.asname or API_MODULE}.hookimpl")
        elif (  # hookimpl = pluggy.HookimplMarker("mso_academy")
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and (_dotted(node.value.func) or "").endswith("HookimplMarker")
            and [ast.literal_eval(a) for a in node.value.args if isinstance(a, ast.Constant)] == ["mso_academy"]
        ):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def implemented_hooks(source: str) -> set[str]:
    """Names of the functions and methods in `source` that carry MSO Academy's ``hookimpl`` marker."""
    tree = ast.parse(source)
    markers = _marker_names(tree)

    def is_marker(decorator: ast.expr) -> bool:
        return _dotted(decorator.func if isinstance(decorator, ast.Call) else decorator) in markers

    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(map(is_marker, node.decorator_list))
    }


def hooks_implemented_in_tests() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(TESTS.rglob("*.py")):
        for name in implemented_hooks(path.read_text(encoding="utf-8")):
            found.setdefault(name, []).append(str(path.relative_to(ROOT)))
    return found


# --- the meta-tests ---------------------------------------------------------------------------------------------


def test_the_hookspecs_are_found():
    assert {"register_course_types", "register_activity_kinds", "enrolled", "delete_user_data"} <= set(HOOKS)


@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_hook_is_documented(hook):
    sections = doc_sections(DOCS.read_text(encoding="utf-8"))
    assert hook in sections, f"docs/plugins.md has no '### {hook}' section under {HOOK_REFERENCE!r}"
    section = sections[hook]
    assert f"{hook}(" in section, f"the section of {hook} does not show its signature"
    for argument in HOOKS[hook].parameters:
        assert f"`{argument}`" in section, f"the section of {hook} does not describe the argument {argument!r}"
    assert "```python" in section and "@hookimpl" in section, f"the section of {hook} has no example"


def test_the_hook_reference_documents_only_existing_hooks():
    sections = doc_sections(DOCS.read_text(encoding="utf-8"))
    assert set(sections) - set(HOOKS) == set(), "docs/plugins.md documents hooks that hookspecs.py does not define"


@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_hook_is_implemented_by_a_plugin_in_some_test(hook):
    implemented = hooks_implemented_in_tests()
    assert hook in implemented, f"no test under tests/ has a plugin with a @hookimpl def {hook}(...)"


def test_only_existing_hooks_are_implemented_in_tests():
    """A misspelt hook name in a test plugin would be silently ignored by pluggy; catch it here."""
    unknown = {name: files for name, files in hooks_implemented_in_tests().items() if name not in HOOKS}
    assert unknown == {}


# --- the scanners themselves --------------------------------------------------------------------------------------


def test_the_scanner_counts_functions_with_mso_academys_marker_only():
    source = """
import pluggy
import pytest
from mso_academy.plugins import api
from mso_academy.plugins.api import hookimpl

@hookimpl
def register_course_types():
    return []

class Plugin:
    @api.hookimpl
    def enrolled(self, user_id): ...

    @hookimpl(tryfirst=True)
    @staticmethod
    def activity_passed(user_id): ...

    def course_completed(self): ...  # no marker

def user_deleted(): ...  # no marker
NOTE = "def export_user_data( is only text here"
# @hookimpl
# def delete_user_data(session, user_id): ...

@pytest.hookimpl(hookwrapper=True)
def register_blueprints(): ...  # pytest's marker, not ours
"""
    assert implemented_hooks(source) == {"register_course_types", "enrolled", "activity_passed"}


def test_the_scanner_follows_other_ways_to_import_the_marker():
    source = """
import pluggy
import mso_academy.plugins.api
import mso_academy.plugins.api as plugin_api
from mso_academy.plugins.api import hookimpl as impl

mark = pluggy.HookimplMarker("mso_academy")
other = pluggy.HookimplMarker("another_project")

@mso_academy.plugins.api.hookimpl
def register_course_types(): ...

@plugin_api.hookimpl
def enrolled(): ...

@impl
def user_deleted(): ...

@mark
def delete_user_data(): ...

@other
def export_user_data(): ...

@hookimpl  # not imported in this file
def course_completed(): ...
"""
    assert implemented_hooks(source) == {"register_course_types", "enrolled", "user_deleted", "delete_user_data"}


def test_the_docs_parser_reads_only_the_hook_reference():
    text = (
        "# Plugins\n\n### enrolled\nnot in the reference\n\n"
        f"{HOOK_REFERENCE}\n\nIntro.\n\n### register_course_types\nA.\n\n### enrolled \nB.\n\n"
        "## Afterwards\n\n### user_deleted\nnot in the reference\n"
    )
    assert doc_sections(text) == {"register_course_types": "\nA.\n\n", "enrolled": "\nB.\n\n"}
