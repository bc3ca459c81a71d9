"""Every stylesheet (the core's and each plugin's) mirrors for right-to-left pages by itself: logical properties
(margin-inline-start, border-inline-end, text-align: start …) instead of left/right, so Arabic and Farsi need no
second stylesheet. A rule for the stylesheets to come as much as for those that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STYLESHEETS = sorted([*ROOT.glob("mso_academy/static/**/*.css"), *ROOT.glob("plugins/*/src/*/static/**/*.css")])

PHYSICAL = [
    (re.compile(r"\b(?:margin|padding|border|inset)-(?:left|right)\b"), "use the -inline-start/-inline-end form"),
    (re.compile(r"(?<![-\w])(?:left|right)\s*:"), "use inset-inline-start / inset-inline-end"),
    (re.compile(r"\b(?:text-align|float|clear)\s*:\s*(?:left|right)\b"), "use start / end (or inline-start)"),
    (re.compile(r"\bborder-(?:top|bottom)-(?:left|right)-radius\b"), "use border-start-start-radius and friends"),
]
# margin/padding with four values is top right bottom left: different right and left do not mirror.
_V = r"([^;}\s]+)"
FOUR_VALUES = re.compile(rf"\b(margin|padding)\s*:\s*{_V}\s+{_V}\s+{_V}\s+{_V}\s*(?:!important\s*)?[;}}]")


def _problems(css: str) -> list[str]:
    css = re.sub(r"/\*.*?\*/", lambda m: "\n" * m[0].count("\n"), css, flags=re.S)  # comments keep line numbers
    found = []
    for number, line in enumerate(css.splitlines(), start=1):
        for pattern, advice in PHYSICAL:
            for match in pattern.finditer(line):
                found.append(f"line {number}: `{match[0]}` – {advice}")
        for match in FOUR_VALUES.finditer(line):
            if match[3] != match[5]:
                found.append(f"line {number}: `{match[0]}` – right and left differ; use {match[1]}-block/-inline")
    return found


def test_there_are_stylesheets_to_check() -> None:
    assert ROOT / "mso_academy" / "static" / "style.css" in STYLESHEETS


@pytest.mark.parametrize("path", STYLESHEETS, ids=lambda p: str(p.relative_to(ROOT)))
def test_stylesheet_uses_logical_properties(path: Path) -> None:
    problems = _problems(path.read_text(encoding="utf-8"))
    assert not problems, f"{path.relative_to(ROOT)} does not mirror for right-to-left pages:\n" + "\n".join(problems)


def test_the_check_finds_physical_properties() -> None:
    css = ".a { margin-left: 1rem; } .b { right: 0; }\n.c { text-align: left; padding: 0 1rem 0 2rem; }"
    assert len(_problems(css)) == 4
    logical = ".a { margin-inline-start: 1rem; inset-inline-end: 0; text-align: start; padding: 0 1rem 0 1rem; }"
    assert _problems(logical) == []
