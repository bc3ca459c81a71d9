"""Configuration from MSO_ACADEMY_* environment variables, with safe defaults."""

from __future__ import annotations

import pytest

from mso_academy import create_app


def test_environment_values_are_typed(monkeypatch, tmp_path):
    monkeypatch.setenv("MSO_ACADEMY_CATALOGUE_PAGE_SIZE", "7")
    monkeypatch.setenv("MSO_ACADEMY_PLUGINS_AUTOLOAD", "false")
    monkeypatch.setenv("MSO_ACADEMY_DISABLED_PLUGINS", "a, b")
    monkeypatch.setenv("MSO_ACADEMY_SITE_NAME", "Akademie")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["CATALOGUE_PAGE_SIZE"] == 7
    assert app.config["PLUGINS_AUTOLOAD"] is False
    assert app.config["DISABLED_PLUGINS"] == ["a", "b"]
    assert app.config["SITE_NAME"] == "Akademie"


def test_defaults_run_on_a_laptop(monkeypatch, tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'mso_academy.sqlite3'}"
    key = (tmp_path / "secret_key").read_text()
    assert app.config["SECRET_KEY"] == key and len(key) > 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"] == key  # kept, not regenerated


def test_bad_environment_value_names_the_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("MSO_ACADEMY_CATALOGUE_PAGE_SIZE", "many")
    with pytest.raises(ValueError, match="MSO_ACADEMY_CATALOGUE_PAGE_SIZE must be an integer"):
        create_app({"INSTANCE_PATH": str(tmp_path)})
