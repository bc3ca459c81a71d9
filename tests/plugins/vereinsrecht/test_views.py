"""The learner's views over HTTP (German interface), malformed submissions, the plugin's hooks and catalogues."""

from __future__ import annotations

import re
from hashlib import sha256
from pathlib import Path
from typing import Any

import mso_vereinsrecht
import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from flask_babel import force_locale
from mso_vereinsrecht import certificate_contributions, delete_user_data, export_user_data
from sqlalchemy import select
from sqlalchemy.orm import Session

from mso_academy.catalog.models import Activity
from mso_academy.catalog.packages import import_course, load_package
from mso_academy.plugins.api import gettext
from mso_academy.plugins.manager import plugins
from tests.conftest import login
from tests.plugins.vereinsrecht.conftest import COURSE, right_statute_answers, shipped

STATIC = Path(mso_vereinsrecht.__file__).parent / "static"


def page_of(client: FlaskClient, url: str) -> str:
    return client.get(url, headers={"Accept-Language": "de"}).get_data(as_text=True)


def token(page: str) -> str:
    return re.search(r'name="submission_token" value="([^"]+)"', page).group(1)


@pytest.fixture
def statute_check_url(client: FlaskClient, session: Session, learner: Any) -> str:
    """The learner is enrolled in the shipped course and has passed everything before the statute check."""
    spec, problems = load_package(COURSE, plugins())
    assert problems == []
    # Only the statute check is required, so the learner can open it at once.
    for module in spec.modules:
        for activity in module.activities:
            activity.required = activity.key == "satzungs-check-kulturbruecke"
    import_course(session, spec)
    session.commit()
    login(client, learner.email)
    client.post("/language", data={"language": "de", "next": "/"})
    client.post(f"/courses/{spec.slug}/enrol")
    activity = session.scalar(select(Activity).where(Activity.key == "satzungs-check-kulturbruecke"))
    return f"/learn/{spec.slug}/{activity.id}"


def test_the_statute_check_page_in_german(client: FlaskClient, statute_check_url: str) -> None:
    page = page_of(client, statute_check_url)
    assert "/plugins/vereinsrecht/vereinsrecht.css?v=" in page
    assert "Der Satzungsentwurf des Vereins Kulturbrücke Musterstadt" in page
    assert '<h3 id="clause-c8-heading">§ 8 Auflösung</h3>' in page
    assert page.count('<fieldset class="question"') == 13
    assert '<legend><span class="question-number">13.</span> Vermögensbindung bei Auflösung</legend>' in page
    assert "Nötig für die Gemeinnützigkeit (§§ 59–61 AO)" in page
    assert page.count('value="defective"') == 13 and "Vorhanden, aber fehlerhaft" in page
    assert 'style="' not in page.split("<main", 1)[1] and "<script>" not in page


def test_wrong_answers_come_back_with_the_legal_basis(client: FlaskClient, statute_check_url: str) -> None:
    page = page_of(client, statute_check_url)
    content = shipped("02-satzung/satzungs-check.yaml")
    answers = {**right_statute_answers(content), "e-vermoegensbindung": "present", "e-beurkundung": "present"}
    answers["e-name"] = "missing"
    response = client.post(statute_check_url, data={**answers, "submission_token": token(page)})
    assert response.status_code == 303 and response.location.endswith("#result")
    result = page_of(client, response.location)
    assert "Noch nicht bestanden." in result and "10 von 13 Elementen richtig beurteilt (77 %)." in result
    assert re.search(r"Richtige Beurteilung: Vorhanden, aber fehlerhaft\.\s+Siehe § 8 Auflösung\.", result)
    assert "<strong>Rechtsgrundlage:</strong> § 55 Abs. 1 Nr. 4, § 61 AO; Anlage 1 zu § 60 AO, § 5" in result
    # The learner's choices stay checked for the next try.
    assert re.search(r'name="e-vermoegensbindung" value="present" checked', result)


def test_a_malformed_submission_is_refused_and_nothing_is_stored(client: FlaskClient, statute_check_url: str) -> None:
    page = page_of(client, statute_check_url)
    response = client.post(
        statute_check_url,
        data={"e-name": "present", "submission_token": token(page)},
        headers={"Accept-Language": "de"},
    )
    assert response.status_code == 400
    assert "Bitte beurteilen Sie jedes Element (es fehlt: 2, 3," in response.get_data(as_text=True)
    assert "Noch nicht bestanden." not in page_of(client, statute_check_url)


def test_certificate_lines_for_association_law_courses_only() -> None:
    assert certificate_contributions("x", "general", "de") is None
    [line] = certificate_contributions("x", "vereinsrecht", "en")
    assert line["label"] == "Legal bases" and "31a" in line["text"] and "Annex 1 to § 60 AO" in line["text"]
    assert certificate_contributions("x", "vereinsrecht", "tr")[0]["label"] == "Legal bases"


def test_the_plugin_stores_no_personal_data(session: Session, learner: Any) -> None:
    assert export_user_data(user_id=learner.id) is None
    assert delete_user_data(user_id=learner.id) is None


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", "Satzungs-Check"),
        ("tr", "Tüzük kontrolü"),
        ("ar", "فحص النظام الأساسي"),
        ("uk", "Перевірка статуту"),
        ("ru", "Проверка устава"),
    ],
)
def test_the_plugin_catalogues_translate_its_strings(app: Flask, language: str, expected: str) -> None:
    with app.test_request_context(), force_locale(language):
        assert gettext("Statute check") == expected
        assert render_template_string("{{ _('Decision case') }}") != "Decision case"


def test_the_stylesheet_is_served_with_its_version(client: FlaskClient) -> None:
    version = sha256((STATIC / "vereinsrecht.css").read_bytes()).hexdigest()[:12]
    response = client.get(f"/plugins/vereinsrecht/vereinsrecht.css?v={version}")
    assert response.status_code == 200 and response.mimetype == "text/css"
    assert ".vr-statute" in response.get_data(as_text=True)
    assert response.cache_control.max_age == 365 * 24 * 3600 and response.cache_control.immutable
    assert not client.get("/plugins/vereinsrecht/vereinsrecht.css").cache_control.immutable
    again = client.get(
        f"/plugins/vereinsrecht/vereinsrecht.css?v={version}",
        headers={"If-None-Match": response.headers["ETag"]},
    )
    assert again.status_code == 304
