"""The distribution's contract: only the public API is imported, every string is translated in the five
catalogues, the course type and kinds are registered, certificates name the legal bases, no personal data kept."""

from __future__ import annotations

import ast
from pathlib import Path

import mso_kassenfuehrung
import pytest
from babel.messages.pofile import read_po

from mso_academy.plugins.manager import plugins

PACKAGE = Path(mso_kassenfuehrung.__file__).parent


def test_only_the_public_api_is_imported():
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                if name.split(".")[0] == "mso_academy":
                    assert name == "mso_academy.plugins.api", f"{path.name} imports {name}"


@pytest.mark.parametrize("locale", ["de", "tr", "ar", "uk", "ru"])
def test_every_string_is_translated(locale):
    with (PACKAGE / "translations" / "messages.pot").open("rb") as pot:
        template = read_po(pot)
    with (PACKAGE / "translations" / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po)
    wanted = {m.id for m in template if m.id}
    translated = {m.id for m in catalogue if m.id and m.string}
    assert wanted <= translated, sorted(wanted - translated)


def test_registered_and_shown_in_the_interface_language(app):
    manager = plugins()
    assert manager.course_types["kassenfuehrung"].icon == "🧾"
    assert {"kassenbuch", "zuwendungsbestaetigung"} <= set(manager.activity_kinds)
    with app.test_request_context(headers={"Accept-Language": "de"}):
        from flask_babel import force_locale

        with force_locale("de"):
            assert str(manager.activity_kinds["kassenbuch"].name) == "Kassenbuch"
        with force_locale("uk"):
            assert str(manager.activity_kinds["zuwendungsbestaetigung"].name) == "Підтвердження пожертви"


def test_certificate_lines_and_privacy():
    [line] = mso_kassenfuehrung.certificate_contributions(
        course_slug="kassenfuehrung-im-verein", course_type="kassenfuehrung", language="de"
    )
    assert line["label"] == "Rechtsgrundlagen" and "§ 10b EStG" in line["text"] and "22.11.2026" in line["text"]
    assert mso_kassenfuehrung.certificate_contributions(course_slug="x", course_type="general", language="de") is None
    assert mso_kassenfuehrung.export_user_data(session=None, user_id=1) is None
    assert mso_kassenfuehrung.delete_user_data(session=None, user_id=1) is None
