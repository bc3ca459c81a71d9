"""The manager's pages for members: the member list, roles, removing a member, and who holds which function.

A change of role or function that fails comes back as the member list with the problem and its status, so the
manager sees the whole list next to the message; removing someone asks first on a page of its own. The last
manager can be neither made a member nor removed: the services refuse it and the page says why.
"""

from __future__ import annotations

from flask import flash, render_template
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from mso_academy.db import get_session
from mso_academy.errors import DomainError, NotFound
from mso_academy.organisations import forms, services
from mso_academy.organisations.membership import membership_in
from mso_academy.organisations.models import MemberRole, Organisation
from mso_academy.organisations.views import Page, bp, managed, to


def _members_page(organisation: Organisation, status: int = 200, error: str | None = None) -> Page:
    session = get_session()
    rows = services.members(session, organisation)
    function_choices = [SelectChoice(f.id, f.name) for f in organisation.functions]
    assign_forms = {}
    for row in rows:
        held = {f.id for f in row.functions}
        form = forms.AssignFunctionForm(formdata=None, prefix=f"m{row.membership.id}")
        form.function.choices = [choice for choice in function_choices if choice.value not in held]
        assign_forms[row.membership.id] = form
    managers = sum(1 for row in rows if row.is_manager)
    return render_template(
        "organisations/members.html",
        organisation=organisation,
        rows=rows,
        managers=managers,
        assign_forms=assign_forms,
        form=forms.EmptyForm(),
        error=error,
    ), status


@bp.get("/<slug>/members")
@login_required
def members(slug: str) -> Page:
    return _members_page(managed(slug))


@bp.post("/<slug>/members/<int:membership_id>/role")
@login_required
def change_role(slug: str, membership_id: int) -> Response | Page:
    organisation = managed(slug)
    form = forms.RoleForm()
    if not form.validate_on_submit():
        return _members_page(organisation, 422, _("Please choose a role from the list."))
    try:
        membership = services.set_role(get_session(), organisation, membership_id, form.role.data)
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        return _members_page(organisation, exc.status_code, exc.message)
    flash(
        _("The member is now a manager.")
        if membership.role == MemberRole.MANAGER
        else _("The manager is now a member without manager rights."),
        "success",
    )
    return to("organisations.members", organisation)


@bp.route("/<slug>/members/<int:membership_id>/remove", methods=["GET", "POST"])
@login_required
def remove_member(slug: str, membership_id: int) -> Response | Page:
    session = get_session()
    organisation = managed(slug)
    row = next((r for r in services.members(session, organisation) if r.membership.id == membership_id), None)
    if row is None:
        raise NotFound(_("This person is not a member of this organisation."))
    form = forms.EmptyForm()
    error, status = None, 200
    if form.validate_on_submit():
        try:
            services.remove_member(session, organisation, membership_id)
        except DomainError as exc:
            error, status = exc.message, exc.status_code
        else:
            flash(_("%(name)s is no longer a member.", name=row.user.name), "success")
            return to("organisations.members", organisation)
    return render_template(
        "organisations/remove_member.html", organisation=organisation, row=row, form=form, error=error
    ), status


@bp.post("/<slug>/members/<int:membership_id>/functions")
@login_required
def assign_function(slug: str, membership_id: int) -> Response | Page:
    organisation = managed(slug)
    membership_in(get_session(), organisation, membership_id)  # another organisation's member: 404, not a form error
    form = forms.AssignFunctionForm(prefix=f"m{membership_id}")
    form.function.choices = [SelectChoice(f.id, f.name) for f in organisation.functions]
    if not form.validate_on_submit():
        return _members_page(organisation, 422, _("Please choose a function from the list."))
    services.assign_function(get_session(), organisation, membership_id, form.function.data)
    flash(_("The function is assigned."), "success")
    return to("organisations.members", organisation, _anchor=f"member-{membership_id}")


@bp.post("/<slug>/members/<int:membership_id>/functions/<int:function_id>/remove")
@login_required
def unassign_function(slug: str, membership_id: int, function_id: int) -> Response:
    organisation = managed(slug)
    if services.unassign_function(get_session(), organisation, membership_id, function_id):
        flash(_("The function is taken away."), "success")
    return to("organisations.members", organisation, _anchor=f"member-{membership_id}")
