"""MSO Academy plugin "funding applications" (Förderanträge): a course type and two activity kinds.

- `application.ApplicationBuilder` (``funding_application``): draft an application against a funding call,
  with automatic checks of the cost and financing plan, trainer review, drafts and a PDF download;
- `spending.SpendingReport` (``spending_report``): a spending report (Verwendungsnachweis), planned vs. actual.

The plugin stores no personal data of its own: drafts and attempts are kept by the core (see the privacy hooks).
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint

from mso_academy.plugins.api import (
    ActivityKind,
    CourseType,
    certificate_lines,
    hookimpl,
    lazy_gettext,
    no_personal_data,
    package_dirs,
)

from .application import ApplicationBuilder
from .spending import SpendingReport

HERE = Path(__file__).parent
COURSE_TYPE = "foerderantraege"


@hookimpl
def register_course_types() -> list[CourseType]:
    return [
        CourseType(
            slug=COURSE_TYPE,
            name=lazy_gettext("Funding applications"),
            description=lazy_gettext(
                "From a project idea to a funding application with a balanced financing plan, and a spending "
                "report that passes."
            ),
            icon="💶",
        )
    ]


@hookimpl
def register_activity_kinds() -> list[ActivityKind]:
    return [ApplicationBuilder(), SpendingReport()]


register_template_dirs, register_translation_dirs = package_dirs(HERE)
# Nothing to export or delete: the plugin keeps no tables; drafts and hand-ins are the core's (in its export), and
# the PDF is made from the posted form and never stored.
export_user_data, delete_user_data = no_personal_data()


@hookimpl
def register_blueprints() -> list[Blueprint]:
    from .views import bp

    return [bp]


#: Printed on every certificate of a funding-applications course.
CERTIFICATE_LINES = {
    "de": [
        (
            "Rechtsgrundlagen",
            "§§ 23, 44 BHO/LHO und VV dazu; ANBest-P (Bund) und ANBest-P NRW, "
            "insbesondere Nr. 1.2 (Finanzierungsplan) und Nachweis der Verwendung; Stand 22.11.2026",
        ),
        (
            "Geübt",
            "Förderantrag mit SMART-Zielen, ausgeglichenem Kosten- und Finanzierungsplan; "
            "zahlenmäßiger Verwendungsnachweis",
        ),
    ],
    "en": [
        (
            "Legal basis",
            "Sections 23 and 44 BHO/LHO and their administrative rules; ANBest-P (federal) and ANBest-P "
            "NRW, in particular no. 1.2 (financing plan) and the proof of use; as of 22 Nov 2026",
        ),
        (
            "Practised",
            "Funding application with SMART goals and a balanced cost and financing plan; numerical spending report",
        ),
    ],
}
certificate_contributions = certificate_lines(COURSE_TYPE, CERTIFICATE_LINES)
