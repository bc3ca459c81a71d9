"""A trainer writes a statute check and a decision case in the web editor, and a statute check as a package."""

from __future__ import annotations

import io
import re
import textwrap
import zipfile
from pathlib import Path
from typing import Any

import yaml
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.plugins.support import draft_content, new_activity


def text(response: Any) -> str:
    return response.get_data(as_text=True)


BASE = {"title": "Satzungs-Check", "required": "y", "module": "module-1"}
CLAUSE = {"clauses-0-key": "", "clauses-0-heading": "§ 1 Name", "clauses-0-text": "Der Verein heißt „Brücke“."}
ELEMENT = {
    "elements-0-key": "",
    "elements-0-label": "Name des Vereins",
    "elements-0-category": "required",
    "elements-0-status": "present",
    "elements-0-clause": "",
    "elements-0-legal_basis": "§ 57 Abs. 1 BGB",
    "elements-0-explanation": "Der Name steht in § 1.",
}


def test_a_trainer_writes_a_statute_check_in_the_editor(as_trainer: FlaskClient, session: Session) -> None:
    slug, key = new_activity(as_trainer, "vereinsrecht", "statute_check", "Satzungs-Check")
    url = f"/trainer/courses/{slug}/activities/{key}"
    page = text(as_trainer.get(url))
    for field in ("association", "intro", "pass_mark", "clauses-0-heading", "elements-0-legal_basis"):
        assert f'id="{field}"' in page, field
    assert 'for="elements-0-category"' in page and "Must be in the statute (§ 57 BGB)" in page

    # First save: a clause, and an element that names no clause although it is "present".
    response = as_trainer.post(url, data={**BASE, "pass_mark": "100", **CLAUSE, **ELEMENT})
    assert response.status_code == 422
    page = text(response)
    assert 'id="elements-0-clause-error"' in page and "must name the clause it is in" in page
    assert 'aria-invalid="true" aria-describedby="elements-0-clause-error"' in page

    # The clause got its key c1 in the form that came back; choose it and save again.
    assert re.search(r'<option value="c1"[^>]*>§ 1 Name</option>', page)
    response = as_trainer.post(
        url, data={**BASE, "pass_mark": "100", **CLAUSE, "clauses-0-key": "c1", **ELEMENT, "elements-0-clause": "c1"}
    )
    assert response.status_code == 303, text(response)
    content = draft_content(session, slug, key)
    assert content["pass_mark"] == 100 and content["max_attempts"] is None
    assert content["clauses"] == [{"key": "c1", "heading": "§ 1 Name", "text": "Der Verein heißt „Brücke“."}]
    assert content["elements"] == [
        {
            "key": "e1",
            "label": "Name des Vereins",
            "category": "required",
            "status": "present",
            "clause": "c1",
            "legal_basis": "§ 57 Abs. 1 BGB",
            "explanation": "Der Name steht in § 1.",
        }
    ]

    # Delete the element, add another: the new one gets the next free key, the old one's key is not reused.
    response = as_trainer.post(
        url,
        data={
            **BASE,
            **CLAUSE,
            "clauses-0-key": "c1",
            **ELEMENT,
            "elements-0-key": "e1",
            "elements-0-clause": "c1",
            "elements-0-delete": "1",
            "elements-1-key": "",
            "elements-1-label": "Vermögensbindung",
            "elements-1-category": "tax",
            "elements-1-status": "missing",
            "elements-1-clause": "",
            "elements-1-legal_basis": "§ 61 AO",
            "elements-1-explanation": "Fehlt.",
        },
    )
    assert response.status_code == 303, text(response)
    elements = draft_content(session, slug, key)["elements"]
    assert [(e["key"], e["status"], "clause" in e) for e in elements] == [("e1", "missing", False)]

    preview = text(as_trainer.get(f"{url}/preview"))
    assert "§ 1 Name" in preview and "Vermögensbindung" in preview and 'name="e-e1"' in preview

    archive = zipfile.ZipFile(io.BytesIO(as_trainer.get(f"/trainer/courses/{slug}/export.zip").data))
    exported = [yaml.safe_load(archive.read(n)) for n in archive.namelist() if n.endswith(f"{key}.yaml")]
    assert exported and exported[0]["elements"][0]["legal_basis"] == "§ 61 AO"


def test_a_trainer_writes_a_decision_case_in_the_editor(as_trainer: FlaskClient, session: Session) -> None:
    slug, key = new_activity(as_trainer, "vereinsrecht", "decision_case", "Fall: Mehrheit")
    url = f"/trainer/courses/{slug}/activities/{key}"
    page = text(as_trainer.get(url))
    assert 'id="situation"' in page and 'id="questions-0-norm"' in page and 'id="questions-0-options-0-text"' in page
    form = {
        **BASE,
        "title": "Fall: Mehrheit",
        "situation": "40 Mitglieder stimmen ab: 30 Ja, 6 Nein, 4 Enthaltungen.",
        "statute": "",
        "questions-0-key": "",
        "questions-0-type": "number",
        "questions-0-text": "Wie viele Ja-Stimmen braucht eine Satzungsänderung mindestens?",
        "questions-0-answer": "27",
        "questions-0-tolerance": "",
        "questions-0-unit": "Ja-Stimmen",
        "questions-0-norm": "§ 33 Abs. 1 Satz 1 BGB",
        "questions-0-reasoning": "36 abgegebene Stimmen, drei Viertel sind 27.",
        "questions-0-statutory_default": "",
    }
    response = as_trainer.post(url, data={**form, "questions-0-norm": ""})
    assert response.status_code == 422 and 'id="questions-0-norm-error"' in text(response)
    response = as_trainer.post(url, data=form)
    assert response.status_code == 303, text(response)
    content = draft_content(session, slug, key)
    assert content["questions"] == [
        {
            "key": "q1",
            "type": "number",
            "text": "Wie viele Ja-Stimmen braucht eine Satzungsänderung mindestens?",
            "unit": "Ja-Stimmen",
            "norm": "§ 33 Abs. 1 Satz 1 BGB",
            "reasoning": "36 abgegebene Stimmen, drei Viertel sind 27.",
            "answer": 27,
            "tolerance": 0,
        }
    ]
    choice = {
        "questions-1-key": "",
        "questions-1-type": "choice",
        "questions-1-text": "Angenommen?",
        "questions-1-options-0-key": "",
        "questions-1-options-0-text": "Ja",
        "questions-1-options-0-correct": "1",
        "questions-1-options-1-key": "",
        "questions-1-options-1-text": "Nein",
        "questions-1-options-1-feedback": "30 ≥ 27.",
        "questions-1-norm": "§ 33 Abs. 1 Satz 1 BGB",
        "questions-1-reasoning": "30 Ja-Stimmen reichen.",
        "questions-1-statutory_default": "",
    }
    response = as_trainer.post(url, data={**form, "questions-0-key": "q1", **choice})
    assert response.status_code == 303, text(response)
    options = draft_content(session, slug, key)["questions"][1]["options"]
    assert options == [
        {"key": "o1", "text": "Ja", "correct": True},
        {"key": "o2", "text": "Nein", "correct": False, "feedback": "30 ≥ 27."},
    ]


STATUTE_CHECK = textwrap.dedent(
    """\
    association: Nachbarschaftshilfe Musterdorf
    clauses:
      - {key: c1, heading: "§ 1 Name und Sitz", text: "Der Verein heißt Nachbarschaftshilfe, Sitz Musterdorf."}
      - {key: c2, heading: "§ 2 Auflösung", text: "Das Vermögen fällt an die Gemeinde für gemeinnützige Zwecke."}
    elements:
      - key: name
        label: Name
        category: required
        status: present
        clause: c1
        legal_basis: § 57 Abs. 1 BGB
        explanation: Steht in § 1.
      - key: zweck
        label: Zweck
        category: required
        status: {status}
        legal_basis: § 57 Abs. 1 BGB
        explanation: Der Zweck fehlt; ohne ihn keine Eintragung.
    """
)


def write_package(root: Path, status: str) -> Path:
    folder = root / "satzung-nachbarschaftshilfe"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "check.yaml").write_text(STATUTE_CHECK.replace("{status}", status), encoding="utf-8")
    manifest = {
        "slug": folder.name,
        "title": "Satzung der Nachbarschaftshilfe",
        "language": "de",
        "course_type": "vereinsrecht",
        "duration_minutes": 15,
        "version": "1.0",
        "modules": [
            {
                "key": "satzung",
                "title": "Satzung",
                "activities": [
                    {"key": "check", "kind": "statute_check", "title": "Satzungs-Check", "file": "check.yaml"}
                ],
            }
        ],
    }
    (folder / "course.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), "utf-8")
    return folder


def test_a_trainer_writes_a_statute_check_as_a_package(app: Flask, session: Session, tmp_path: Path) -> None:
    write_package(tmp_path, "sometimes")
    result = app.test_cli_runner().invoke(args=["courses", "validate", str(tmp_path)])
    assert result.exit_code == 1
    assert (
        "satzung-nachbarschaftshilfe/check.yaml:16: elements.1.status: "
        "status must be one of present, missing, defective" in result.output
    )
    write_package(tmp_path, "missing")
    result = app.test_cli_runner().invoke(args=["courses", "import", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "satzung-nachbarschaftshilfe 1.0: created" in result.output
