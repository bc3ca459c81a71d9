"""The plugin's hooks: course type, certificate lines, privacy (it stores nothing of its own), catalogues."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import force_locale
from mso_fluechtlingsberatung import certificate_contributions, delete_user_data, export_user_data
from sqlalchemy.orm import Session

from mso_academy.plugins.api import gettext
from mso_academy.plugins.manager import plugins

CATALOGUES = (
    Path(__file__).resolve().parents[3] / "plugins/fluechtlingsberatung/src/mso_fluechtlingsberatung/translations"
)


def test_the_course_type_and_both_kinds_are_registered(app: Flask) -> None:
    with app.app_context():
        manager = plugins()
        types = {t.slug: t for ts in manager.hook.register_course_types() for t in ts}
        kinds = {k.key for ks in manager.hook.register_activity_kinds() for k in ks}
    assert str(types["fluechtlingsberatung"].name) == "Refugee counselling" and types["fluechtlingsberatung"].icon
    assert {"case_scenario", "glossary"} <= kinds


def test_certificate_lines_name_the_legal_bases_in_the_course_language() -> None:
    german = certificate_contributions("x", "fluechtlingsberatung", "de")
    assert german[0]["label"] == "Rechtsgrundlagen (Stand 23.11.2026)"
    assert "§§ 2, 6 RDG" in german[0]["text"] and "2024/1348" in german[0]["text"]
    assert certificate_contributions("x", "fluechtlingsberatung", "tr")[0]["label"].startswith("Legal bases")
    assert certificate_contributions("x", "vereinsrecht", "de") is None


def test_the_plugin_stores_no_personal_data_of_its_own(session: Session) -> None:
    assert export_user_data(session, 1) is None
    assert delete_user_data(session, 1) is None


@pytest.mark.parametrize("language", ["de", "tr", "ar", "uk", "ru"])
def test_every_string_is_translated(language: str) -> None:
    with open(CATALOGUES / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalogue = read_po(handle, locale=language)
    empty = [m.id for m in catalogue if m.id and not all(m.string if isinstance(m.string, tuple) else [m.string])]
    assert empty == []
    assert len(catalogue) > 90


@pytest.mark.parametrize(
    ("language", "expected"),
    [("de", "Meinen Weg abgeben"), ("ar", "سلِّم مساري"), ("uk", "Здати мій шлях")],
)
def test_the_catalogues_are_used(app: Flask, language: str, expected: str) -> None:
    with app.test_request_context(), force_locale(language):
        assert gettext("Hand in my path") == expected


def test_the_examples_in_the_trainer_guide_are_valid() -> None:
    import re

    import yaml
    from mso_fluechtlingsberatung.glossary import Glossary
    from mso_fluechtlingsberatung.scenario import CaseScenario

    guide = (CATALOGUES.parents[3].parent / "docs" / "course-type-fluechtlingsberatung.md").read_text("utf-8")
    scenario, glossary = (yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", guide, re.S))
    assert CaseScenario().validate(scenario) == []
    assert Glossary().validate(glossary) == []
