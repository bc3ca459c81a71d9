"""The association-law plugin, registered in code (tests do not autoload entry points), and its shipped course."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mso_vereinsrecht
import pytest

from tests.plugins.support import shipped_document

COURSE = Path(__file__).resolve().parents[3] / "courses" / "vereinsrecht-fuer-vorstaende"


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"EXTRA_PLUGINS": [mso_vereinsrecht]}


def shipped(relative: str) -> dict[str, Any]:
    """A content document of the shipped course (a fresh copy a test may change)."""
    return shipped_document(COURSE, relative)


def right_statute_answers(content: dict[str, Any]) -> dict[str, Any]:
    return {f"e-{e['key']}": e["status"] for e in content["elements"]}


def right_case_answers(content: dict[str, Any]) -> dict[str, Any]:
    answers = {}
    for q in content["questions"]:
        if q["type"] == "choice":
            answers[f"q-{q['key']}"] = next(o["key"] for o in q["options"] if o.get("correct"))
        else:
            answers[f"q-{q['key']}"] = str(q["answer"]).replace(".", ",")
    return answers
