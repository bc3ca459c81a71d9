"""The web editor under /trainer/: a trainer's courses, the draft's outline and activities, preview, publishing.

Every course page answers 404 unless the signed-in user may edit the course (`services.course_for_editing`).
GET requests only read; every change is a POST that ends in a redirect, or in the page again with the problem
and an error status (so the request's transaction is rolled back and nothing is stored half).

There is one blueprint, `bp`, defined here with the helpers every editor page shares; the routes for the
outline (`outline_views`), the previews (`preview_views`) and publishing and co-trainers (`publishing_views`)
live in their own modules, which register on `bp` and are imported at the end of this one.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from mso_academy.authoring import forms, services
from mso_academy.catalog.models import Course
from mso_academy.db import get_session
from mso_academy.errors import DomainError
from mso_academy.permissions import Permission, require
from mso_academy.plugins.manager import plugins

bp = Blueprint("authoring", __name__, url_prefix="/trainer", template_folder="templates")

Page = str | tuple[str, int]


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"field_label": field_label, "state_labels": STATE_LABELS}


STATE_LABELS = {
    "new": lambda: _("Not published yet"),
    "published": lambda: _("Published"),
    "changed": lambda: _("Published – the draft has changes that are not published yet"),
    "unpublished": lambda: _("Unpublished – learners cannot open it"),
    "archived": lambda: _("Archived – learners cannot open it"),
}


def field_label(name: str) -> str:
    """A content field path for people: ``questions.1.options.0.text`` → "Question 2 › Option 1 › text"."""
    parts = name.split(".")
    words = []
    index = 0
    while index < len(parts):
        part = parts[index]
        following = parts[index + 1] if index + 1 < len(parts) else ""
        if part == "questions" and following.isdigit():
            words.append(_("Question %(number)d", number=int(following) + 1))
            index += 2
        elif part == "options" and following.isdigit():
            words.append(_("Option %(number)d", number=int(following) + 1))
            index += 2
        else:
            words.append(part.replace("_", " "))
            index += 1
    return " › ".join(words)


def editable_course(slug: str) -> Course:
    return services.course_for_editing(get_session(), current_user, slug)


def to_editor(course: Course, anchor: str | None = None) -> Response:
    return redirect(url_for("authoring.editor", slug=course.slug, _anchor=anchor), code=303)


def editor_page(
    course: Course,
    status: int = 200,
    error: str | None = None,
    problems: list[services.PublishProblem] | None = None,
    module_form: forms.AddModuleForm | None = None,
) -> Page:
    state = services.editor_state(get_session(), plugins(), course)
    activity_form = forms.AddActivityForm(formdata=None)
    activity_form.set_choices(plugins())
    page = render_template(
        "authoring/editor.html",
        course=course,
        draft=state,
        spec=state.spec,
        kinds=plugins().activity_kinds,
        module_form=module_form or forms.AddModuleForm(formdata=None),
        activity_form=activity_form,
        error=error,
        refused=problems or [],
    )
    return page, status


# --- the trainer's courses ----------------------------------------------------------------------------------


@bp.get("/courses/")
@require(Permission.COURSE_CREATE)
def courses() -> str:
    return render_template("authoring/courses.html", rows=services.list_courses_for(get_session(), current_user))


@bp.route("/new-course", methods=["GET", "POST"])
@require(Permission.COURSE_CREATE)
def new_course() -> Response | Page:
    form = forms.NewCourseForm()
    form.set_choices(plugins(), current_user.preferred_language)
    if form.validate_on_submit():
        try:
            course = services.create_course(
                get_session(), plugins(), current_user, form.fields(), slug=form.slug.data or ""
            )
        except DomainError as exc:
            form.form_errors.append(exc.message)
        else:
            flash(_("The course is created as a draft. Add modules and activities, then publish it."), "success")
            return to_editor(course)
    status = 422 if form.is_submitted() else 200
    return render_template("authoring/new_course.html", form=form), status


# --- the editor page ----------------------------------------------------------------------------------------


@bp.get("/courses/<slug>/")
@login_required
def editor(slug: str) -> Page:
    return editor_page(editable_course(slug))


@bp.route("/courses/<slug>/details", methods=["GET", "POST"])
@login_required
def course_details(slug: str) -> Response | Page:
    course = editable_course(slug)
    session = get_session()
    form = forms.CourseForm()
    form.set_choices(plugins())
    if not form.is_submitted():
        form.load(services.draft_for(session, course))
    elif form.validate():
        try:
            services.update_course_fields(session, plugins(), course, current_user, form.fields())
        except DomainError as exc:
            form.form_errors.append(exc.message)
        else:
            flash(_("The course details are saved in the draft."), "success")
            return to_editor(course)
    status = 422 if form.is_submitted() else 200
    return render_template("authoring/course_details.html", course=course, form=form), status


# The other editor routes register on `bp` when imported; they come last because they use `bp` and the helpers.
from mso_academy.authoring import outline_views, preview_views, publishing_views  # noqa: E402, F401
