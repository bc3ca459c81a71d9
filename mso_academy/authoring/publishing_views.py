"""The editor's routes for the course as a whole: publish, unpublish, archive, discard the draft, export, co-trainers.

A refused publication shows the editor again with the reasons and an error status, so the request's transaction
is rolled back and the live course stays as it was.
"""

from __future__ import annotations

import io

from flask import flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from mso_academy.authoring import forms, services
from mso_academy.authoring.views import Page, bp, editable_course, editor_page, to_editor
from mso_academy.catalog.models import Course
from mso_academy.db import get_session
from mso_academy.errors import DomainError
from mso_academy.permissions import can_edit_course
from mso_academy.plugins.manager import plugins

# --- publishing ---------------------------------------------------------------------------------------------


@bp.post("/courses/<slug>/publish")
@login_required
def publish(slug: str) -> Response | Page:
    course = editable_course(slug)
    try:
        outcome = services.publish(get_session(), plugins(), course, current_user)
    except services.PublishRefused as exc:
        return editor_page(course, exc.status_code, exc.message, problems=exc.problems)
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        return editor_page(course, exc.status_code, exc.message)
    if outcome == "unchanged":
        flash(_("The course is published already, with exactly this content."), "info")
    else:
        flash(_("Published: learners now see version %(version)s.", version=course.version), "success")
    return to_editor(course)


@bp.post("/courses/<slug>/unpublish")
@login_required
def unpublish(slug: str) -> Response | Page:
    course = editable_course(slug)
    try:
        services.unpublish(get_session(), course)
    except DomainError as exc:
        return editor_page(course, exc.status_code, exc.message)
    flash(
        _("The course is unpublished. Learners keep their progress but cannot open it until you publish it again."),
        "success",
    )
    return to_editor(course)


@bp.post("/courses/<slug>/archive")
@login_required
def archive(slug: str) -> Response | Page:
    course = editable_course(slug)
    try:
        services.archive(get_session(), course)
    except DomainError as exc:
        return editor_page(course, exc.status_code, exc.message)
    flash(_("The course is archived. Learners keep their certificates but cannot open it."), "success")
    return to_editor(course)


@bp.post("/courses/<slug>/discard")
@login_required
def discard(slug: str) -> Response:
    course = editable_course(slug)
    services.discard_draft(get_session(), course)
    flash(_("The draft's changes are discarded; the editor shows the published course again."), "success")
    return to_editor(course)


@bp.get("/courses/<slug>/export.zip")
@login_required
def export(slug: str) -> Response:
    course = editable_course(slug)
    spec = services.draft_for(get_session(), course)
    return send_file(
        io.BytesIO(services.export_zip(spec)),
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"{spec.slug}-{spec.version}.zip",
    )


# --- co-trainers --------------------------------------------------------------------------------------------


def _trainers_page(course: Course, form: forms.CoTrainerForm, status: int = 200) -> Page:
    owner, co_trainers = services.trainers_of(get_session(), course)
    return render_template(
        "authoring/trainers.html", course=course, owner=owner, co_trainers=co_trainers, form=form
    ), status


@bp.get("/courses/<slug>/trainers")
@login_required
def trainers(slug: str) -> Page:
    return _trainers_page(editable_course(slug), forms.CoTrainerForm(formdata=None))


@bp.post("/courses/<slug>/trainers")
@login_required
def add_trainer(slug: str) -> Response | Page:
    course = editable_course(slug)
    form = forms.CoTrainerForm()
    if not form.validate():
        return _trainers_page(course, form, 422)
    try:
        user = services.add_co_trainer(get_session(), course, form.email.data or "")
    except DomainError as exc:
        form.email.errors = [*form.email.errors, exc.message]
        return _trainers_page(course, form, exc.status_code)
    flash(_("%(name)s is now a co-trainer of this course.", name=user.name), "success")
    return redirect(url_for("authoring.trainers", slug=slug), code=303)


@bp.post("/courses/<slug>/trainers/<int:user_id>/remove")
@login_required
def remove_trainer(slug: str, user_id: int) -> Response:
    course = editable_course(slug)
    services.remove_co_trainer(get_session(), course, user_id)
    flash(_("The co-trainer is removed."), "success")
    if user_id == current_user.id and not can_edit_course(current_user, course):
        return redirect(url_for("authoring.courses"), code=303)
    return redirect(url_for("authoring.trainers", slug=slug), code=303)
