"""The trainer's review queue and the review of one submission."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from mso_academy.db import get_session
from mso_academy.errors import Conflict, DomainError
from mso_academy.permissions import Permission, require
from mso_academy.plugins.manager import plugins
from mso_academy.reviews import services
from mso_academy.reviews.forms import ReviewForm

bp = Blueprint("reviews", __name__, template_folder="templates")


@bp.get("/trainer/reviews")
@require(Permission.COURSE_CREATE)
def queue() -> str:
    return render_template("reviews/queue.html", submissions=services.queue(get_session(), current_user))


@bp.route("/trainer/reviews/<int:attempt_id>", methods=["GET", "POST"])
@require(Permission.COURSE_CREATE)
def review(attempt_id: int) -> Response | str | tuple[str, int]:
    session = get_session()
    detail = services.detail(session, current_user, attempt_id)
    form = ReviewForm()
    status, error = 200, None
    if form.is_submitted():
        if form.validate():
            try:
                services.review(
                    session,
                    plugins(),
                    attempt_id,
                    current_user._get_current_object(),
                    form.decision.data,
                    form.feedback.data or "",
                )
            except DomainError as exc:
                if exc.status_code == 404:
                    raise
                status = exc.status_code
                if isinstance(exc, Conflict):
                    error = exc.message
                else:
                    form.feedback.errors = [*form.feedback.errors, exc.message]
            else:
                if form.decision.data == "pass":
                    flash(_("The work has been passed. The learner gets an e-mail."), "success")
                else:
                    flash(_("The work has been returned for rework. The learner gets an e-mail."), "success")
                return redirect(url_for("reviews.queue"), code=303)
        else:
            status = 422
    return render_template("reviews/review.html", detail=detail, form=form, error=error), status
