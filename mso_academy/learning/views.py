"""Enrol, the dashboard, and working through a course's activities."""

from __future__ import annotations

import secrets

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from mso_academy.catalog import services as catalog
from mso_academy.db import get_session
from mso_academy.errors import DomainError
from mso_academy.learning import drafts, services
from mso_academy.learning.dashboard import dashboard as learner_dashboard
from mso_academy.learning.progress import CourseProgress
from mso_academy.plugins.api import ActivityView
from mso_academy.plugins.manager import plugins

bp = Blueprint("learning", __name__)


@bp.get("/dashboard")
@login_required
def dashboard() -> str:
    return render_template("learning/dashboard.html", board=learner_dashboard(get_session(), current_user))


@bp.post("/courses/<slug>/enrol")
@login_required
def enrol(slug: str) -> Response:
    session = get_session()
    course = catalog.course_by_slug(session, slug, current_user)
    try:
        services.enrol(session, plugins(), current_user, course)
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        flash(exc.message, "info")
        return redirect(url_for("catalog.course", slug=slug), code=303)
    flash(_("You are enrolled. Good luck!"), "success")
    return redirect(url_for("learning.resume", slug=slug), code=303)


def _progress(slug: str) -> CourseProgress:
    session = get_session()
    course = catalog.course_by_slug(session, slug, current_user)
    return services.learner_progress(session, current_user, course)


@bp.get("/learn/<slug>/")
@login_required
def resume(slug: str) -> Response:
    """Back where the learner stopped: the first activity not yet passed."""
    try:
        progress = _progress(slug)
    except services.NotEnrolled as exc:
        flash(exc.message, "info")
        return redirect(url_for("catalog.course", slug=slug))
    target = services.resume_target(progress)
    if target is None or progress.enrolment.is_completed:
        return redirect(url_for("catalog.course", slug=slug))
    return redirect(url_for("learning.activity", slug=slug, activity_id=target.id))


def _render_activity(
    progress: CourseProgress, activity_id: int, status: int = 200, error: str | None = None
) -> tuple[str, int]:
    state = services.open_activity(progress, activity_id)
    activity = state.activity
    kind = services.kind_for(plugins(), activity)
    stored = services.attempts_for(get_session(), progress.enrolment.id, activity.id)
    attempts = [services.attempt_view(a) for a in stored]
    limit = kind.max_attempts(activity.content)
    attempts_left = None if limit is None else max(0, limit - len(attempts))
    waiting = bool(stored) and stored[-1].review_status == services.ReviewStatus.PENDING
    can_submit = not state.passed and attempts_left != 0 and not waiting
    draft = drafts.draft_for(get_session(), progress.enrolment.id, activity.id) if kind.saves_drafts else None
    view = ActivityView(
        key=activity.key,
        title=activity.title,
        content=activity.content,
        attempts=attempts,
        passed=state.passed,
        can_submit=can_submit,
        attempts_left=attempts_left,
        submit_url=url_for("learning.submit", slug=progress.course.slug, activity_id=activity.id),
        submission_token=secrets.token_urlsafe(16),
        draft=draft.answers if draft is not None else None,
        draft_url=url_for("learning.save_draft", slug=progress.course.slug, activity_id=activity.id)
        if kind.saves_drafts and can_submit
        else None,
    )
    previous, following = progress.neighbours(activity.id)
    position = [s.activity.id for s in progress.states].index(activity.id) + 1
    return render_template(
        "learning/activity.html",
        progress=progress,
        state=state,
        activity=activity,
        kind=kind,
        body=kind.render(view),
        previous=previous,
        following=following,
        position=position,
        error=error,
    ), status


@bp.get("/learn/<slug>/<int:activity_id>")
@login_required
def activity(slug: str, activity_id: int) -> Response | tuple[str, int]:
    try:
        progress = _progress(slug)
        return _render_activity(progress, activity_id)
    except services.NotEnrolled as exc:
        flash(exc.message, "info")
        return redirect(url_for("catalog.course", slug=slug))
    except services.ActivityLocked as exc:
        flash(exc.message, "info")
        return redirect(url_for("learning.resume", slug=slug))


@bp.post("/learn/<slug>/<int:activity_id>")
@login_required
def submit(slug: str, activity_id: int) -> Response | tuple[str, int]:
    session = get_session()
    token = request.form.get("submission_token", "")
    try:
        course = catalog.course_by_slug(session, slug, current_user)
        progress, facts = services.submission_progress(session, current_user, course, activity_id, token)
        was_completed = progress.enrolment.is_completed
        attempt = services.submit(
            session, plugins(), progress, activity_id, request.form, token, files=request.files, facts=facts
        )
    except (services.NotEnrolled, services.ActivityLocked) as exc:
        flash(exc.message, "info")
        return redirect(url_for("learning.resume", slug=slug), code=303)
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        return _render_activity(progress, activity_id, status=exc.status_code, error=exc.message)
    if progress.enrolment.is_completed and not was_completed:
        flash(_("Congratulations! You have completed the course."), "success")
        return redirect(url_for("catalog.course", slug=slug), code=303)
    following = progress.neighbours(activity_id)[1]
    kind = services.kind_for(plugins(), attempt.activity)
    if attempt.passed and following is not None and kind.advance_on_pass:
        return redirect(url_for("learning.activity", slug=slug, activity_id=following.id), code=303)
    return redirect(url_for("learning.activity", slug=slug, activity_id=activity_id, _anchor="result"), code=303)


@bp.post("/learn/<slug>/<int:activity_id>/draft")
@login_required
def save_draft(slug: str, activity_id: int) -> Response | tuple[str, int]:
    """Save unfinished answers without handing them in (kinds with `saves_drafts`); back to the form."""
    try:
        progress = _progress(slug)
        drafts.save_draft(get_session(), plugins(), progress, activity_id, request.form)
    except (services.NotEnrolled, services.ActivityLocked) as exc:
        flash(exc.message, "info")
        return redirect(url_for("learning.resume", slug=slug), code=303)
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        return _render_activity(progress, activity_id, status=exc.status_code, error=exc.message)
    flash(_("Saved. You can close the page and continue later."), "success")
    return redirect(url_for("learning.activity", slug=slug, activity_id=activity_id, _anchor="draft"), code=303)
