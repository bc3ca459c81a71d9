"""MSO Academy plugin "kassenfuehrung": bookkeeping for non-profit associations.

Course type `kassenfuehrung`; activity kinds `kassenbuch` (a month of receipts booked in a cash book, checked line
by line to the cent, saved as drafts while the learner works) and `zuwendungsbestaetigung` (whether and which
donation confirmation, and its required fields). Imports nothing from MSO Academy but its plugin API.

Privacy: the plugin keeps no data of its own. Learners' answers and drafts are stored by the core (attempts and
activity drafts), which exports and deletes them with the account.
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
from mso_kassenfuehrung.cashbook import CashBook
from mso_kassenfuehrung.donation import DonationReceipt

__version__ = "0.1.0"

HERE = Path(__file__).parent
COURSE_TYPE = "kassenfuehrung"

#: Printed on certificates of courses of this type: the legal bases the course covers (German, as the courses).
LEGAL_BASES = {
    "de": [
        (
            "Rechtsgrundlagen",
            "Kassenführung und Aufzeichnungen (§§ 63 Abs. 3, 146, 147 AO), steuerliche Sphären eines gemeinnützigen "
            "Vereins (§§ 14, 55, 64-68 AO), Zuwendungsbestätigungen (§ 10b EStG, § 50 EStDV), Übungsleiter- und "
            "Ehrenamtspauschale (§ 3 Nr. 26, 26a EStG); Rechtsstand 22.11.2026",
        )
    ],
    "en": [
        (
            "Legal bases covered",
            "Cash keeping and records (§§ 63(3), 146, 147 AO), tax spheres of a non-profit association (§§ 14, 55, "
            "64-68 AO), donation receipts (§ 10b EStG, § 50 EStDV), volunteer allowances (§ 3 No. 26, 26a EStG); "
            "law as of 22 Nov 2026",
        )
    ],
}


@hookimpl
def register_course_types() -> list[CourseType]:
    return [
        CourseType(
            slug=COURSE_TYPE,
            name=lazy_gettext("Bookkeeping"),
            description=lazy_gettext(
                "Cash book, tax spheres, donation receipts and the cash audit for treasurers of associations."
            ),
            icon="🧾",
        )
    ]


@hookimpl
def register_activity_kinds() -> list[ActivityKind]:
    return [CashBook(), DonationReceipt()]


register_template_dirs, register_translation_dirs = package_dirs(HERE)
# Nothing to export or delete: answers and drafts live in the core's attempts and drafts, which the core exports
# and deletes with the account.
export_user_data, delete_user_data = no_personal_data()


@hookimpl
def register_blueprints() -> list[Blueprint]:
    """Only the plugin's stylesheet (no inline styles in the templates), at /plugins/kassenfuehrung/…css."""
    return [StaticBlueprint(COURSE_TYPE, __name__, url_prefix="/plugins/kassenfuehrung")]


certificate_contributions = certificate_lines(COURSE_TYPE, LEGAL_BASES)
