"""The editor's routes for the draft's outline: adding, editing, removing and moving modules and activities.

An activity's content is saved only when its kind accepts it; otherwise the page comes back with the problems
next to the fields (status 422), keeping what the trainer typed, and the draft is left as it was.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from mso_academy.authoring import forms, services
from mso_academy.authoring.views import Page, bp, editable_course, editor_page, to_editor
from mso_academy.catalog.models import Course
from mso_academy.catalog.packages import ActivitySpec, CourseSpec, ModuleSpec
from mso_academy.db import get_session
from mso_academy.errors import DomainError
from mso_academy.plugins.api import ContentProblem
from mso_academy.plugins.manager import plugins

# --- modules ------------------------------------------------------------------------------------------------


@bp.post("/courses/<slug>/modules")
@login_required
def add_module(slug: str) -> Response | Page:
    course = editable_course(slug)
    form = forms.AddModuleForm()
    if not form.validate():
        return editor_page(course, 422, _("Please give the new module a title."), module_form=form)
    module = services.add_module(get_session(), course, current_user, form.title.data or "")
    flash(_("Module “%(title)s” added.", title=module.title), "success")
    return to_editor(course, f"module-{module.key}")


@bp.route("/courses/<slug>/modules/<key>", methods=["GET", "POST"])
@login_required
def edit_module(slug: str, key: str) -> Response | Page:
    course = editable_course(slug)
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
        return to_editor(course, f"module-{key}")
    status = 422 if form.is_submitted() else 200
    return render_template("authoring/module.html", course=course, module=module, form=form), status


@bp.post("/courses/<slug>/modules/<key>/remove")
@login_required
def remove_module(slug: str, key: str) -> Response:
    course = editable_course(slug)
    module = services.remove_module(get_session(), course, current_user, key)
    flash(_("Module “%(title)s” removed from the draft.", title=module.title), "success")
    return to_editor(course)


@bp.post("/courses/<slug>/move-module")
@login_required
def move_module(slug: str) -> Response | Page:
    course = editable_course(slug)
    form = forms.MoveForm()
    if not form.validate():
        return editor_page(course, 400, _("Nothing was moved: the request was incomplete."))
    try:
        services.move_module(
            get_session(), course, current_user, form.key.data, form.direction.data, form.seen(request.form)
        )
    except DomainError as exc:
        return editor_page(course, exc.status_code, exc.message)
    return to_editor(course, f"module-{form.key.data}")


# --- activities ---------------------------------------------------------------------------------------------


@bp.post("/courses/<slug>/modules/<key>/activities")
@login_required
def add_activity(slug: str, key: str) -> Response | Page:
    course = editable_course(slug)
    form = forms.AddActivityForm()
    form.set_choices(plugins())
    if not form.validate():
        return editor_page(course, 422, _("Please choose a kind and give the new activity a title."))
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
    course = editable_course(slug)
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
            return to_editor(course, f"activity-{key}")
    return _activity_page(course, spec, module, activity, form, content, problems, status=422)


@bp.post("/courses/<slug>/activities/<key>/remove")
@login_required
def remove_activity(slug: str, key: str) -> Response:
    course = editable_course(slug)
    activity = services.remove_activity(get_session(), course, current_user, key)
    flash(_("Activity “%(title)s” removed from the draft.", title=activity.title), "success")
    return to_editor(course)


@bp.post("/courses/<slug>/modules/<key>/move-activity")
@login_required
def move_activity(slug: str, key: str) -> Response | Page:
    course = editable_course(slug)
    form = forms.MoveForm()
    if not form.validate():
        return editor_page(course, 400, _("Nothing was moved: the request was incomplete."))
    try:
        services.move_activity(
            get_session(), course, current_user, key, form.key.data, form.direction.data, form.seen(request.form)
        )
    except DomainError as exc:
        return editor_page(course, exc.status_code, exc.message)
    return to_editor(course, f"activity-{form.key.data}")
