"""A trainer writes a case scenario and a glossary in the web editor, and a scenario as a course package."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.plugins.support import draft_content, new_activity


def text(response: Any) -> str:
    return response.get_data(as_text=True)


BASE = {"title": "Fall: Der Brief", "required": "y", "module": "module-1", "intro": "Erfundene Person: Herr A."}
START = {
    "nodes-0-key": "start",
    "nodes-0-text": "Herr A. zeigt einen Bescheid.",
    "nodes-0-focus": "referral",
    "nodes-0-basis": "§ 6 Abs. 2 RDG",
    "nodes-0-choices-0-key": "",
    "nodes-0-choices-0-text": "Zur Beratung vermitteln",
    "nodes-0-choices-0-next": "ende",
    "nodes-0-choices-0-correct": "1",
    "nodes-0-choices-0-feedback": "Richtig, das ist eine Einzelfallfrage.",
    "nodes-0-choices-1-key": "",
    "nodes-0-choices-1-text": "Selbst einschätzen",
    "nodes-0-choices-1-next": "ende",
    "nodes-0-choices-1-feedback": "Rechtsdienstleistung ohne Anleitung.",
}
END = {"nodes-1-key": "ende", "nodes-1-text": "Geschafft.", "nodes-1-end": "1"}


def test_a_trainer_writes_a_case_scenario_in_the_editor(as_trainer: FlaskClient, session: Session) -> None:
    slug, key = new_activity(as_trainer, "fluechtlingsberatung", "case_scenario", "Fall: Der Brief")
    url = f"/trainer/courses/{slug}/activities/{key}"
    page = text(as_trainer.get(url))
    for field in ("intro", "start", "pass_mark", "nodes-0-key", "nodes-0-basis", "nodes-0-choices-0-next"):
        assert f'id="{field}"' in page, field
    assert "Recognise the need to refer to professional legal advice" in page

    # The choices lead to a node that does not exist (the end node is called differently): the error names
    # the node and the choice.
    response = as_trainer.post(url, data={**BASE, **START, **END, "nodes-1-key": "schluss"})
    assert response.status_code == 422
    page = text(response)
    assert 'id="nodes-0-choices-0-next-error"' in page
    assert "node &#39;start&#39;, choice &#39;c1&#39;: unknown target node &#39;ende&#39;" in page

    response = as_trainer.post(url, data={**BASE, **START, **END})
    assert response.status_code == 303, text(response)
    content = draft_content(session, slug, key)
    assert content["intro"] == "Erfundene Person: Herr A." and content["pass_mark"] == 80
    assert content["nodes"][0]["focus"] == "referral" and content["nodes"][0]["basis"] == "§ 6 Abs. 2 RDG"
    assert content["nodes"][0]["choices"] == [
        {
            "key": "c1",
            "text": "Zur Beratung vermitteln",
            "next": "ende",
            "feedback": "Richtig, das ist eine Einzelfallfrage.",
            "correct": True,
        },
        {"key": "c2", "text": "Selbst einschätzen", "next": "ende", "feedback": "Rechtsdienstleistung ohne Anleitung."},
    ]
    assert content["nodes"][1] == {"key": "ende", "text": "Geschafft.", "end": True}

    # A focus step without its legal basis is refused, naming the node.
    response = as_trainer.post(url, data={**BASE, **START, **END, "nodes-0-basis": ""})
    assert response.status_code == 422
    assert "node &#39;start&#39;: name the legal basis of this referral step" in text(response)

    preview = text(as_trainer.get(f"{url}/preview"))
    assert "Herr A. zeigt einen Bescheid." in preview and "Zur Beratung vermitteln" in preview


def test_a_trainer_writes_a_glossary_in_the_editor(as_trainer: FlaskClient, session: Session) -> None:
    slug, key = new_activity(as_trainer, "fluechtlingsberatung", "glossary", "Glossar")
    url = f"/trainer/courses/{slug}/activities/{key}"
    page = text(as_trainer.get(url))
    assert 'name="standard_terms" value="anhoerung"' in page
    assert 'id="terms-0-translations-fa"' in page and 'dir="rtl" lang="fa"' in page
    form = {
        **BASE,
        "title": "Glossar",
        "intro": "",
        "standard_terms": ["anhoerung", "bescheid"],
        "terms-0-key": "ladung",
        "terms-0-term": "Ladung",
        "terms-0-explanation": "Ein Brief, der zu einem Termin bestellt.",
        "terms-0-basis": "",
        "terms-0-translations-en": "summons",
        "terms-0-translations-ar": "استدعاء",
        "terms-0-translations-fa": "احضاریه",
        "terms-0-translations-tr": "çağrı",
        "terms-0-translations-uk": "виклик",
    }
    response = as_trainer.post(url, data=form)
    assert response.status_code == 422
    assert "the translation into Русский is missing" in text(response)
    response = as_trainer.post(url, data={**form, "terms-0-translations-ru": "повестка"})
    assert response.status_code == 303, text(response)
    content = draft_content(session, slug, key)
    assert content["standard_terms"] == ["anhoerung", "bescheid"]
    assert content["terms"] == [
        {
            "key": "ladung",
            "term": "Ladung",
            "explanation": "Ein Brief, der zu einem Termin bestellt.",
            "translations": {
                "en": "summons",
                "ar": "استدعاء",
                "fa": "احضاریه",
                "tr": "çağrı",
                "uk": "виклик",
                "ru": "повестка",
            },
        }
    ]


def write_package(root: Path, target: str) -> Path:
    folder = root / "begleiten-mini"
    folder.mkdir(parents=True, exist_ok=True)
    scenario = {
        "intro": "Eine erfundene Person bringt einen Brief.",
        "nodes": [
            {
                "key": "brief",
                "text": "Was tun?",
                "choices": [
                    {"key": "a", "text": "Beratung", "next": target, "correct": True, "feedback": "Gut."},
                    {"key": "b", "text": "Nichts", "next": "ende", "feedback": "Schade."},
                ],
            },
            {"key": "ende", "end": True, "text": "Ende."},
        ],
    }
    (folder / "fall.yaml").write_text(yaml.safe_dump(scenario, allow_unicode=True, sort_keys=False), "utf-8")
    manifest = {
        "slug": folder.name,
        "title": "Begleiten, kurz",
        "language": "de",
        "course_type": "fluechtlingsberatung",
        "duration_minutes": 10,
        "version": "1.0",
        "modules": [
            {
                "key": "m1",
                "title": "Fall",
                "activities": [{"key": "fall", "kind": "case_scenario", "title": "Fall", "file": "fall.yaml"}],
            }
        ],
    }
    (folder / "course.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), "utf-8")
    return folder


def test_a_trainer_writes_a_scenario_as_a_package(app: Flask, session: Session, tmp_path: Path) -> None:
    write_package(tmp_path, "beratung")
    result = app.test_cli_runner().invoke(args=["courses", "validate", str(tmp_path)])
    assert result.exit_code == 1
    assert "nodes.0.choices.0.next: node 'brief', choice 'a': unknown target node 'beratung'" in result.output
    write_package(tmp_path, "ende")
    result = app.test_cli_runner().invoke(args=["courses", "import", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "begleiten-mini 1.0: created" in result.output
