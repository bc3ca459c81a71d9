"""MSO Academy plugin "kassenfuehrung": bookkeeping for non-profit associations.

Course type `kassenfuehrung`; activity kinds `kassenbuch` (a month of receipts booked in a cash book, checked line
by line to the cent, saved as drafts while the learner works) and `zuwendungsbestaetigung` (whether and which
donation confirmation, and its required fields). Imports nothing from MSO Academy but its plugin API.

Privacy: the plugin keeps no data of its own. Learners' answers and drafts are stored by the core (attempts and
activity drafts), which exports and deletes them with the account.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, request

from mso_academy.plugins.api import ActivityKind, CourseType, hookimpl, lazy_gettext
from mso_kassenfuehrung.cashbook import CashBook
from mso_kassenfuehrung.donation import DonationReceipt

__version__ = "0.1.0"

HERE = Path(__file__).parent
COURSE_TYPE = "kassenfuehrung"

#: Printed on certificates of courses of this type: the legal bases the course covers (German, as the courses).
LEGAL_BASES = {
    "de": (
        "Kassenführung und Aufzeichnungen (§§ 63 Abs. 3, 146, 147 AO), steuerliche Sphären eines gemeinnützigen "
        "Vereins (§§ 14, 55, 64-68 AO), Zuwendungsbestätigungen (§ 10b EStG, § 50 EStDV), Übungsleiter- und "
        "Ehrenamtspauschale (§ 3 Nr. 26, 26a EStG); Rechtsstand 22.11.2026"
    ),
    "en": (
        "Cash keeping and records (§§ 63(3), 146, 147 AO), tax spheres of a non-profit association (§§ 14, 55, "
        "64-68 AO), donation receipts (§ 10b EStG, § 50 EStDV), volunteer allowances (§ 3 No. 26, 26a EStG); "
        "law as of 22 Nov 2026"
    ),
}
LABELS = {"de": "Rechtsgrundlagen", "en": "Legal bases covered"}


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


@hookimpl
def register_template_dirs() -> list[Path]:
    return [HERE / "templates"]


@hookimpl
def register_translation_dirs() -> list[Path]:
    return [HERE / "translations"]


STYLESHEET = HERE / "static" / "kassenfuehrung.css"


def _blueprint() -> Blueprint:
    """Only the plugin's stylesheet (no inline styles in the templates). It is served from memory, like the core's
    static files, so the response compression gets bytes rather than an open file stream."""
    blueprint = Blueprint("kassenfuehrung", __name__, url_prefix="/plugins/kassenfuehrung")
    css = STYLESHEET.read_bytes()
    etag = hashlib.sha256(css).hexdigest()[:16]

    @blueprint.get("/kassenfuehrung.css")
    def stylesheet() -> Response:
        response = Response(css, mimetype="text/css")
        response.set_etag(etag)
        response.cache_control.public = True
        response.cache_control.max_age = 3600
        return response.make_conditional(request)

    return blueprint


@hookimpl
def register_blueprints() -> list[Blueprint]:
    return [_blueprint()]


@hookimpl
def certificate_contributions(course_slug: str, course_type: str, language: str) -> list[dict[str, str]] | None:
    if course_type != COURSE_TYPE:
        return None
    lang = language if language in LEGAL_BASES else "en"
    return [{"label": LABELS[lang], "text": LEGAL_BASES[lang]}]


@hookimpl
def export_user_data(session: Any, user_id: int) -> dict[str, Any] | None:
    """Nothing: answers and drafts live in the core's attempts and drafts, which the core exports."""
    return None


@hookimpl
def delete_user_data(session: Any, user_id: int) -> None:
    """Nothing to delete: the plugin has no tables; the core deletes attempts and drafts with the account."""
