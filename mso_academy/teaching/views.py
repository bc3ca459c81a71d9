"""The trainer's learner overview of a course and its CSV download."""

from __future__ import annotations

import re

from flask import Blueprint, Response, render_template
from flask_babel import format_percent
from flask_login import current_user, login_required

from mso_academy.audit import services as audit
from mso_academy.db import get_session
from mso_academy.teaching import services

bp = Blueprint("teaching", __name__, template_folder="templates")


@bp.context_processor
def _helpers() -> dict[str, object]:
    return {
        "state_label": services.state_label,
        "percent": lambda share: format_percent(share) if share is not None else "",
    }


@bp.get("/trainer/courses/<slug>/learners")
@login_required
def learners(slug: str) -> str:
    session = get_session()
    course = services.course_for_trainer(session, current_user, slug)
    return render_template(
        "teaching/learners.html",
        course=course,
        modules=services.module_columns(course),
        rows=services.learner_overview(session, course),
        quizzes=services.quiz_statistics(session, course),
    )


@bp.get("/trainer/courses/<slug>/learners.csv")
@login_required
def learners_csv(slug: str) -> Response:
    session = get_session()
    course = services.course_for_trainer(session, current_user, slug)
    body = services.overview_csv(services.learner_overview(session, course), services.module_columns(course))
    filename = "learners-" + re.sub(r"[^A-Za-z0-9_-]", "-", course.slug) + ".csv"
    audit.record(
        session,
        audit.Event.REPORT_EXPORTED,
        actor_id=current_user.id,
        target=("course", course.id),
        details={"export": "learners", "format": "csv"},
    )
    return Response(
        body.encode("utf-8"),
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            # Personal data: not for shared caches or the browser's history cache.
            "Cache-Control": "private, no-store",
        },
    )
