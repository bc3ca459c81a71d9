"""The manager's pages for functions: creating, renaming and deleting them, and the courses each requires.

A function's page holds both of its forms (rename, add a required course); a change that fails comes back on
that page with what was typed and the problem next to the field.
"""

from __future__ import annotations

from flask import flash, render_template
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from mso_academy.db import get_session
from mso_academy.errors import DomainError
from mso_academy.organisations import forms, services
from mso_academy.organisations.models import Organisation
from mso_academy.organisations.views import Page, bp, managed, to


@bp.route("/<slug>/functions", methods=["GET", "POST"])
@login_required
def functions(slug: str) -> Response | Page:
    session = get_session()
    organisation = managed(slug)
    form = forms.FunctionForm()
    status = 200
    if form.validate_on_submit():
        try:
            function = services.create_function(session, organisation, form.name.data)
        except DomainError as exc:
            form.name.errors = [exc.message]
            status = exc.status_code
        else:
            flash(_("The function %(name)s is created. Choose the courses it requires.", name=function.name), "success")
            return to("organisations.function", organisation, function_id=function.id)
    elif form.errors:
        status = 422
    return render_template(
        "organisations/functions.html",
        organisation=organisation,
        rows=services.functions(session, organisation),
        form=form,
    ), status


def _function_page(
    organisation: Organisation,
    function_id: int,
    *,
    status: int = 200,
    rename_form: forms.FunctionForm | None = None,
    requirement_form: forms.RequirementForm | None = None,
) -> Page:
    session = get_session()
    function = services.function_of(session, organisation, function_id)
    row = next(r for r in services.functions(session, organisation) if r.function.id == function.id)
    if rename_form is None:
        rename_form = forms.FunctionForm(formdata=None, prefix="rename", data={"name": function.name})
    if requirement_form is None:
        requirement_form = forms.RequirementForm(formdata=None, prefix="req")
    requirement_form.course.choices = [SelectChoice(c.id, c.title) for c in services.published_courses(session)]
    return render_template(
        "organisations/function.html",
        organisation=organisation,
        row=row,
        rename_form=rename_form,
        requirement_form=requirement_form,
        form=forms.EmptyForm(),
    ), status


@bp.get("/<slug>/functions/<int:function_id>")
@login_required
def function(slug: str, function_id: int) -> Page:
    return _function_page(managed(slug), function_id)


@bp.post("/<slug>/functions/<int:function_id>/rename")
@login_required
def rename_function(slug: str, function_id: int) -> Response | Page:
    organisation = managed(slug)
    form = forms.FunctionForm(prefix="rename")
    if form.validate_on_submit():
        try:
            services.rename_function(get_session(), organisation, function_id, form.name.data)
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            form.name.errors = [exc.message]
            return _function_page(organisation, function_id, status=exc.status_code, rename_form=form)
        flash(_("The function is renamed."), "success")
        return to("organisations.function", organisation, function_id=function_id)
    return _function_page(organisation, function_id, status=422, rename_form=form)


@bp.post("/<slug>/functions/<int:function_id>/requirements")
@login_required
def add_requirement(slug: str, function_id: int) -> Response | Page:
    session = get_session()
    organisation = managed(slug)
    form = forms.RequirementForm(prefix="req")
    form.course.choices = [SelectChoice(c.id, c.title) for c in services.published_courses(session)]
    if form.validate_on_submit():
        try:
            services.set_requirement(
                session, organisation, function_id, course_id=form.course.data, min_holders=form.min_holders.data
            )
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            form.course.errors = [exc.message]
            return _function_page(organisation, function_id, status=exc.status_code, requirement_form=form)
        flash(_("The required course is saved."), "success")
        return to("organisations.function", organisation, function_id=function_id)
    return _function_page(organisation, function_id, status=422, requirement_form=form)


@bp.post("/<slug>/functions/<int:function_id>/requirements/<int:requirement_id>/remove")
@login_required
def remove_requirement(slug: str, function_id: int, requirement_id: int) -> Response:
    organisation = managed(slug)
    services.remove_requirement(get_session(), organisation, function_id, requirement_id)
    flash(_("The course is no longer required for this function."), "success")
    return to("organisations.function", organisation, function_id=function_id)


@bp.route("/<slug>/functions/<int:function_id>/delete", methods=["GET", "POST"])
@login_required
def delete_function(slug: str, function_id: int) -> Response | Page:
    session = get_session()
    organisation = managed(slug)
    function = services.function_of(session, organisation, function_id)
    form = forms.EmptyForm()
    if form.validate_on_submit():
        name = function.name
        services.delete_function(session, organisation, function_id)
        flash(_("The function %(name)s is deleted.", name=name), "success")
        return to("organisations.functions", organisation)
    return render_template(
        "organisations/delete_function.html", organisation=organisation, function=function, form=form
    )
