"""A plugin ships its own gettext catalogue (`register_translation_dirs`) and its strings appear translated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask import Flask, render_template_string
from flask_babel import get_locale, refresh

from mso_academy.plugins.api import gettext, hookimpl


class CataloguePlugin:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @hookimpl
    def register_translation_dirs(self) -> list[Path]:
        return [self.directory]


def _catalogue(root: Path, locale: str, messages: dict[str, str]) -> None:
    catalog = Catalog(locale=locale)
    for msgid, msgstr in messages.items():
        catalog.add(msgid, msgstr)
    target = root / locale / "LC_MESSAGES"
    target.mkdir(parents=True)
    with open(target / "messages.mo", "wb") as handle:
        write_mo(handle, catalog)


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, Any]:
    root = tmp_path / "plugin-translations"
    # "Courses" is also a core msgid: the core's translation must win over the plugin's.
    _catalogue(root, "de", {"Zebra crossing drill": "Zebrastreifen-Übung", "Courses": "Plugin-Kurse"})
    _catalogue(root, "tr", {"Zebra crossing drill": "Yaya geçidi alıştırması"})
    return {"EXTRA_PLUGINS": [CataloguePlugin(root)]}


@pytest.mark.parametrize(("language", "expected"), [("de", "Zebrastreifen-Übung"), ("tr", "Yaya geçidi alıştırması")])
def test_plugin_strings_are_translated_in_code_and_templates(app: Flask, language: str, expected: str) -> None:
    with app.test_request_context(headers={"Accept-Language": language}):
        refresh()  # the test's app context would otherwise keep the first request's locale
        assert gettext("Zebra crossing drill") == expected
        assert render_template_string("{{ _('Zebra crossing drill') }}") == expected


def test_the_core_catalogue_wins_and_unknown_languages_fall_back(app: Flask) -> None:
    with app.test_request_context(headers={"Accept-Language": "de"}):
        assert gettext("Courses") == "Kurse"
    with app.test_request_context(headers={"Accept-Language": "uk"}):
        refresh()
        assert (str(get_locale()), gettext("Zebra crossing drill")) == ("uk", "Zebra crossing drill")


def test_an_app_without_the_plugin_does_not_see_its_catalogue(app: Flask, tmp_path: Path) -> None:
    from mso_academy import create_app

    with app.test_request_context(headers={"Accept-Language": "de"}):
        assert gettext("Zebra crossing drill") == "Zebrastreifen-Übung"
    other = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": "sqlite://",
            "INSTANCE_PATH": str(tmp_path / "other"),
            "PLUGINS_AUTOLOAD": False,
        }
    )
    with other.test_request_context(headers={"Accept-Language": "de"}):
        assert gettext("Zebra crossing drill") == "Zebra crossing drill"
