"""MSO Academy course type "association law" (Vereinsrecht): statute checks and decision cases.

Imports nothing from MSO Academy but its public plugin API. The plugin stores no data of its own: learners'
answers are the core's attempts, which the core exports and deletes with the account.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint

from mso_academy.plugins.api import (
    ActivityKind,
    CourseType,
    StaticBlueprint,
    certificate_lines,
    hookimpl,
    lazy_gettext,
    no_personal_data,
    package_dirs,
)

from .decision_case import DecisionCase
from .statute_check import StatuteCheck

__version__ = "0.1.0"
HERE = Path(__file__).parent
COURSE_TYPE = "vereinsrecht"

# The legal bases a course of this type covers, printed on its certificates (plain text, per course language).
LEGAL_BASES = {
    "de": [
        (
            "Rechtsgrundlagen",
            "Vereinsrecht §§ 21–79 BGB (u. a. §§ 26, 27, 31a, 32, 33, 40, 57, 58 BGB); "
            "Gemeinnützigkeitsrecht §§ 51–68 AO mit Mustersatzung (Anlage 1 zu § 60 AO)",
        )
    ],
    "en": [
        (
            "Legal bases",
            "German association law, §§ 21–79 BGB (including §§ 26, 27, 31a, 32, 33, 40, 57, 58 BGB); "
            "non-profit tax law, §§ 51–68 AO with the model statute (Annex 1 to § 60 AO)",
        )
    ],
}


@hookimpl
def register_course_types() -> list[CourseType]:
    return [
        CourseType(
            slug=COURSE_TYPE,
            name=lazy_gettext("Association law"),
            description=lazy_gettext(
                "From founding a registered association (e.V.) to a valid general meeting: the statute, the board's "
                "duties and liability, non-profit status."
            ),
            icon="⚖️",
        )
    ]


@hookimpl
def register_activity_kinds() -> list[ActivityKind]:
    return [StatuteCheck(), DecisionCase()]


register_template_dirs, register_translation_dirs = package_dirs(HERE)
# Nothing to export or delete: answers are the core's attempts, which the core exports and deletes.
export_user_data, delete_user_data = no_personal_data()


@hookimpl
def register_blueprints() -> list[Blueprint]:
    """The stylesheet (no inline styles: the site's CSP forbids them), at /plugins/vereinsrecht/vereinsrecht.css."""
    return [StaticBlueprint(COURSE_TYPE, __name__, url_prefix="/plugins/vereinsrecht")]


# The legal bases covered, on every certificate of an association-law course.
certificate_contributions = certificate_lines(COURSE_TYPE, LEGAL_BASES)
