"""The web editor under /trainer/: a trainer's courses, the draft's outline and activities, preview, publishing.

Every course page answers 404 unless the signed-in user may edit the course (`services.course_for_editing`).
GET requests only read; every change is a POST that ends in a redirect, or in the page again with the problem
and an error status (so the request's transaction is rolled back and nothing is stored half).
"""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from mso_academy.authoring import forms, services
from mso_academy.catalog.forms import LEVEL_LABELS
from mso_academy.catalog.models import Course
from mso_academy.catalog.packages import ActivitySpec, CourseSpec, ModuleSpec
from mso_academy.db import get_session
from mso_academy.errors import DomainError
from mso_academy.permissions import Permission, can_edit_course, require
from mso_academy.plugins.api import ActivityView, ContentProblem
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


def _course(slug: str) -> Course:
    return services.course_for_editing(get_session(), current_user, slug)


def _to_editor(course: Course, anchor: str | None = None) -> Response:
    return redirect(url_for("authoring.editor", slug=course.slug, _anchor=anchor), code=303)


def _editor_page(
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
            return _to_editor(course)
    status = 422 if form.is_submitted() else 200
    return render_template("authoring/new_course.html", form=form), status


# --- the editor page ----------------------------------------------------------------------------------------


@bp.get("/courses/<slug>/")
@login_required
def editor(slug: str) -> Page:
    return _editor_page(_course(slug))


@bp.route("/courses/<slug>/details", methods=["GET", "POST"])
@login_required
def course_details(slug: str) -> Response | Page:
    course = _course(slug)
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
            return _to_editor(course)
    status = 422 if form.is_submitted() else 200
    return render_template("authoring/course_details.html", course=course, form=form), status


# --- modules ------------------------------------------------------------------------------------------------


@bp.post("/courses/<slug>/modules")
@login_required
def add_module(slug: str) -> Response | Page:
    course = _course(slug)
    form = forms.AddModuleForm()
    if not form.validate():
        return _editor_page(course, 422, _("Please give the new module a title."), module_form=form)
    module = services.add_module(get_session(), course, current_user, form.title.data or "")
    flash(_("Module “%(title)s” added.", title=module.title), "success")
    return _to_editor(course, f"module-{module.key}")


@bp.route("/courses/<slug>/modules/<key>", methods=["GET", "POST"])
@login_required
def edit_module(slug: str, key: str) -> Response | Page:
    course = _course(slug)
    session = get_session()
    module = services.find_module(session, course, key)
    form = forms.ModuleForm()
    if not form.is_submitted():
        form.load(module)
    elif form.validate():
        services.update_module(
            session,
            course,
            current_user,
            key,
            title=form.title.data or "",
            summary=form.summary.data or "",
            renewal=bool(form.renewal.data),
        )
        flash(_("The module is saved in the draft."), "success")
        return _to_editor(course, f"module-{key}")
    status = 422 if form.is_submitted() else 200
    return render_template("authoring/module.html", course=course, module=module, form=form), status


@bp.post("/courses/<slug>/modules/<key>/remove")
@login_required
def remove_module(slug: str, key: str) -> Response:
    course = _course(slug)
    module = services.remove_module(get_session(), course, current_user, key)
    flash(_("Module “%(title)s” removed from the draft.", title=module.title), "success")
    return _to_editor(course)


@bp.post("/courses/<slug>/move-module")
@login_required
def move_module(slug: str) -> Response | Page:
    course = _course(slug)
    form = forms.MoveForm()
    if not form.validate():
        return _editor_page(course, 400, _("Nothing was moved: the request was incomplete."))
    try:
        services.move_module(
            get_session(), course, current_user, form.key.data, form.direction.data, form.seen(request.form)
        )
    except DomainError as exc:
        return _editor_page(course, exc.status_code, exc.message)
    return _to_editor(course, f"module-{form.key.data}")


# --- activities ---------------------------------------------------------------------------------------------


@bp.post("/courses/<slug>/modules/<key>/activities")
@login_required
def add_activity(slug: str, key: str) -> Response | Page:
    course = _course(slug)
    form = forms.AddActivityForm()
    form.set_choices(plugins())
    if not form.validate():
        return _editor_page(course, 422, _("Please choose a kind and give the new activity a title."))
    activity = services.add_activity(
        get_session(), plugins(), course, current_user, key, form.kind.data, form.title.data or ""
    )
    flash(_("Activity “%(title)s” added. Now fill in its content.", title=activity.title), "success")
    return redirect(url_for("authoring.edit_activity", slug=slug, key=activity.key), code=303)


def _activity_page(
    course: Course,
    spec: CourseSpec,
    module: ModuleSpec,
    activity: ActivitySpec,
    form: forms.ActivityForm,
    content: dict[str, Any],
    problems: list[ContentProblem],
    status: int = 200,
) -> Page:
    kind = plugins().kind(activity.kind)
    yaml_text = request.form.get(forms.YAML_FIELD, "") if request.method == "POST" else forms.content_as_yaml(content)
    return render_template(
        "authoring/activity.html",
        course=course,
        spec=spec,
        module=module,
        activity=activity,
        kind=kind,
        form=form,
        content=content,
        problems=problems,
        yaml_field=forms.YAML_FIELD,
        yaml_text=yaml_text,
    ), status


@bp.route("/courses/<slug>/activities/<key>", methods=["GET", "POST"])
@login_required
def edit_activity(slug: str, key: str) -> Response | Page:
    course = _course(slug)
    session = get_session()
    spec = services.draft_for(session, course)
    module, activity = services.find_activity(session, course, key)
    form = forms.ActivityForm(data={"title": activity.title, "required": activity.required, "module": module.key})
    form.set_choices(spec.modules)
    if not form.is_submitted():
        return _activity_page(course, spec, module, activity, form, activity.content, [])
    kind = plugins().kind(activity.kind)
    content: dict[str, Any] = dict(activity.content)
    problems: list[ContentProblem] = []
    try:
        content = forms.content_from_request(kind, request.form, activity.content)
    except services.ContentInvalid as exc:
        problems = exc.problems
    if form.validate() and not problems:
        try:
            services.update_activity(
                session,
                plugins(),
                course,
                current_user,
                key,
                title=form.title.data or "",
                required=bool(form.required.data),
                content=content,
                module_key=form.module.data,
            )
        except services.ContentInvalid as exc:
            problems = exc.problems
        else:
            flash(_("“%(title)s” is saved in the draft.", title=form.title.data), "success")
            return _to_editor(course, f"activity-{key}")
    return _activity_page(course, spec, module, activity, form, content, problems, status=422)


@bp.post("/courses/<slug>/activities/<key>/remove")
@login_required
def remove_activity(slug: str, key: str) -> Response:
    course = _course(slug)
    activity = services.remove_activity(get_session(), course, current_user, key)
    flash(_("Activity “%(title)s” removed from the draft.", title=activity.title), "success")
    return _to_editor(course)


@bp.post("/courses/<slug>/modules/<key>/move-activity")
@login_required
def move_activity(slug: str, key: str) -> Response | Page:
    course = _course(slug)
    form = forms.MoveForm()
    if not form.validate():
        return _editor_page(course, 400, _("Nothing was moved: the request was incomplete."))
    try:
        services.move_activity(
            get_session(), course, current_user, key, form.key.data, form.direction.data, form.seen(request.form)
        )
    except DomainError as exc:
        return _editor_page(course, exc.status_code, exc.message)
    return _to_editor(course, f"activity-{form.key.data}")


# --- previews -----------------------------------------------------------------------------------------------


@bp.get("/courses/<slug>/activities/<key>/preview")
@login_required
def preview_activity(slug: str, key: str) -> Page:
    """The activity exactly as a learner sees it before the first attempt; nothing can be submitted."""
    course = _course(slug)
    spec = services.draft_for(get_session(), course)
    module, activity = services.find_activity(get_session(), course, key)
    kind = plugins().kind(activity.kind)
    problems = kind.validate(activity.content) if kind else []
    body = None
    if kind is not None and not problems:
        view = ActivityView(
            key=activity.key,
            title=activity.title,
            content=activity.content,
            attempts=[],
            passed=False,
            can_submit=True,
            attempts_left=kind.max_attempts(activity.content),
            submit_url=url_for("authoring.preview_submit", slug=slug, key=key),
            submission_token="preview",
            preview=True,
        )
        body = kind.render(view)
    steps = [(m, a) for m in spec.modules for a in m.activities]
    position = next(i for i, (_m, a) in enumerate(steps) if a.key == key)
    return render_template(
        "authoring/preview_activity.html",
        course=course,
        spec=spec,
        module=module,
        activity=activity,
        kind=kind,
        body=body,
        problems=problems,
        position=position + 1,
        total=len(steps),
        previous=steps[position - 1][1] if position > 0 else None,
        following=steps[position + 1][1] if position + 1 < len(steps) else None,
    )


@bp.post("/courses/<slug>/activities/<key>/preview")
@login_required
def preview_submit(slug: str, key: str) -> Response:
    """A preview's form lands here: nothing is graded or stored."""
    _course(slug)
    flash(_("This is a preview: answers are not sent or stored."), "info")
    return redirect(url_for("authoring.preview_activity", slug=slug, key=key), code=303)


class _DraftCourse:
    """The draft dressed as a course for the catalogue's course page (the course preview)."""

    is_published = False
    status = "draft"

    def __init__(self, spec: CourseSpec) -> None:
        self._spec = spec

    def __getattr__(self, name: str) -> Any:
        return getattr(self._spec, name)


@bp.get("/courses/<slug>/preview")
@login_required
def preview_course(slug: str) -> str:
    """The catalogue's course page, rendered from the draft."""
    course = _course(slug)
    spec = services.draft_for(get_session(), course)
    return render_template(
        "authoring/preview_course.html",
        course=_DraftCourse(spec),
        editor_course=course,
        progress=None,
        course_type=plugins().course_type(spec.course_type),
        levels=LEVEL_LABELS,
        kinds=plugins().activity_kinds,
    )


# --- publishing ---------------------------------------------------------------------------------------------


@bp.post("/courses/<slug>/publish")
@login_required
def publish(slug: str) -> Response | Page:
    course = _course(slug)
    try:
        outcome = services.publish(get_session(), plugins(), course, current_user)
    except services.PublishRefused as exc:
        return _editor_page(course, exc.status_code, exc.message, problems=exc.problems)
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        return _editor_page(course, exc.status_code, exc.message)
    if outcome == "unchanged":
        flash(_("The course is published already, with exactly this content."), "info")
    else:
        flash(_("Published: learners now see version %(version)s.", version=course.version), "success")
    return _to_editor(course)


@bp.post("/courses/<slug>/unpublish")
@login_required
def unpublish(slug: str) -> Response | Page:
    course = _course(slug)
    try:
        services.unpublish(get_session(), course)
    except DomainError as exc:
        return _editor_page(course, exc.status_code, exc.message)
    flash(
        _("The course is unpublished. Learners keep their progress but cannot open it until you publish it again."),
        "success",
    )
    return _to_editor(course)


@bp.post("/courses/<slug>/archive")
@login_required
def archive(slug: str) -> Response | Page:
    course = _course(slug)
    try:
        services.archive(get_session(), course)
    except DomainError as exc:
        return _editor_page(course, exc.status_code, exc.message)
    flash(_("The course is archived. Learners keep their certificates but cannot open it."), "success")
    return _to_editor(course)


@bp.post("/courses/<slug>/discard")
@login_required
def discard(slug: str) -> Response:
    course = _course(slug)
    services.discard_draft(get_session(), course)
    flash(_("The draft's changes are discarded; the editor shows the published course again."), "success")
    return _to_editor(course)


@bp.get("/courses/<slug>/export.zip")
@login_required
def export(slug: str) -> Response:
    course = _course(slug)
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
    return _trainers_page(_course(slug), forms.CoTrainerForm(formdata=None))


@bp.post("/courses/<slug>/trainers")
@login_required
def add_trainer(slug: str) -> Response | Page:
    course = _course(slug)
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
    course = _course(slug)
    services.remove_co_trainer(get_session(), course, user_id)
    flash(_("The co-trainer is removed."), "success")
    if user_id == current_user.id and not can_edit_course(current_user, course):
        return redirect(url_for("authoring.courses"), code=303)
    return redirect(url_for("authoring.trainers", slug=slug), code=303)
