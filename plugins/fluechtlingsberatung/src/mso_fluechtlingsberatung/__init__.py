"""MSO Academy course type "refugee counselling" (Flüchtlingsberatung): case scenarios and a multilingual glossary.

Imports nothing from MSO Academy but its public plugin API. The plugin stores no data of its own: a learner's
path through a scenario is a core draft until handed in, then a core attempt; both are exported and deleted by
the core with the account. The glossary page shows the plugin's own glossary (data/glossar.yaml).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint

from mso_academy.plugins.api import ActivityKind, CourseType, hookimpl, lazy_gettext

from .assets import blueprint
from .glossary import Glossary
from .scenario import CaseScenario

__version__ = "0.1.0"
HERE = Path(__file__).parent
COURSE_TYPE = "fluechtlingsberatung"

# The legal bases a course of this type covers, printed on its certificates (plain text, per course language).
LEGAL_BASES = {
    "de": (
        "Rechtsgrundlagen (Stand 22.11.2026)",
        "§§ 2, 6 RDG (Grenzen unentgeltlicher Rechtsdienstleistung); AsylG, AufenthG und AsylbLG in der Fassung "
        "des GEAS-Anpassungsgesetzes; GEAS-Verordnungen (EU) 2024/1347, 2024/1348, 2024/1351, 2024/1356 und "
        "Richtlinie (EU) 2024/1346; Art. 5, 6, 9 DSGVO",
    ),
    "en": (
        "Legal bases (as of 22 Nov 2026)",
        "Sections 2 and 6 RDG (limits of unpaid legal services); AsylG, AufenthG and AsylbLG as amended by the "
        "GEAS adaptation act; CEAS Regulations (EU) 2024/1347, 2024/1348, 2024/1351, 2024/1356 and Directive "
        "(EU) 2024/1346; Articles 5, 6 and 9 GDPR",
    ),
}


@hookimpl
def register_course_types() -> list[CourseType]:
    return [
        CourseType(
            slug=COURSE_TYPE,
            name=lazy_gettext("Refugee counselling"),
            description=lazy_gettext(
                "Accompany refugees well as a volunteer: the asylum procedure after the EU reform, plain words, "
                "data protection, and knowing when to refer to professional advice."
            ),
            icon="🧭",
        )
    ]


@hookimpl
def register_activity_kinds() -> list[ActivityKind]:
    return [CaseScenario(), Glossary()]


@hookimpl
def register_template_dirs() -> list[Path]:
    return [HERE / "templates"]


@hookimpl
def register_translation_dirs() -> list[Path]:
    return [HERE / "translations"]


@hookimpl
def register_blueprints() -> list[Blueprint]:
    return [blueprint]


@hookimpl
def certificate_contributions(course_slug: str, course_type: str, language: str) -> list[dict[str, str]] | None:
    """The legal bases covered, on every certificate of a refugee-counselling course."""
    if course_type != COURSE_TYPE:
        return None
    label, text = LEGAL_BASES.get(language, LEGAL_BASES["en"])
    return [{"label": label, "text": text}]


@hookimpl
def export_user_data(session: Any, user_id: int) -> dict[str, Any] | None:
    """Nothing to export: the plugin keeps no tables; paths are the core's drafts and attempts (in its export)."""
    return None


@hookimpl
def delete_user_data(session: Any, user_id: int) -> None:
    """Nothing to delete: the plugin keeps no personal data of its own (the core deletes drafts and attempts)."""
