"""The refugee-counselling plugin, registered in code (tests do not autoload entry points), and its shipped course."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mso_fluechtlingsberatung
import pytest

from tests.plugins.support import shipped_document

COURSE = Path(__file__).resolve().parents[3] / "courses" / "fluechtlingsberatung-ehrenamtlich"


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"EXTRA_PLUGINS": [mso_fluechtlingsberatung]}


def shipped(relative: str) -> dict[str, Any]:
    """A content document of the shipped course (a fresh copy a test may change)."""
    return shipped_document(COURSE, relative)


def good_path(content: dict[str, Any]) -> list[str]:
    """The path of good choices from the start to an end node (the first good choice at every node)."""
    nodes = {n["key"]: n for n in content["nodes"]}
    current = nodes[content.get("start") or content["nodes"][0]["key"]]
    path = []
    while not current.get("end"):
        choice = next(c for c in current["choices"] if c.get("correct"))
        path.append(f"{current['key']}.{choice['key']}")
        current = nodes[choice["next"]]
    return path


def right_glossary_answers(kind: Any, content: dict[str, Any]) -> dict[str, str]:
    return {f"m-{term['key']}": letter for letter, term in kind.lettered(content)}
