"""Organisation pages under /organisations/: one's organisations, details and visibility, members and managers,
invitations (with the accept page behind the mailed link), functions and their required courses, the public page.

Every page of an organisation goes through `access.py`: a person who does not belong to it, or a member who opens
a manager's page, is told it does not exist (404). GET requests only read; every change is a POST that ends in a
redirect, or in the page again with the problem and an error status (so nothing is stored half).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from mso_academy.db import get_session
from mso_academy.errors import DomainError, NotFound
from mso_academy.organisations import access, forms, services
from mso_academy.organisations.models import MemberRole, Organisation
from mso_academy.permissions import Permission, has_permission
from mso_academy.qualification.status import public_status

bp = Blueprint("organisations", __name__, url_prefix="/organisations", template_folder="templates")

Page = str | tuple[str, int]


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"legal_form_labels": forms.LEGAL_FORM_LABELS, "role_labels": forms.ROLE_LABELS}


def _managed(slug: str) -> Organisation:
    return access.managed_organisation(get_session(), current_user, slug)


def _to(endpoint: str, organisation: Organisation, **values: Any) -> Response:
    return redirect(url_for(endpoint, slug=organisation.slug, **values), code=303)


# --- one's organisations, creating one ----------------------------------------------------------------------


@bp.get("/")
@login_required
def index() -> str:
    session = get_session()
    everyone = services.all_organisations(session) if has_permission(current_user, Permission.ORGANISATION_ANY) else []
    return render_template(
        "organisations/index.html",
        mine=services.my_organisations(session, current_user.id),
        everyone=everyone,
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> Response | Page:
    form = forms.OrganisationForm()
    if form.validate_on_submit():
        try:
            organisation = services.create_organisation(get_session(), current_user, form.details())
        except DomainError as exc:
            form.form_errors.append(exc.message)
        else:
            flash(_("The organisation is created. You are its first manager: invite the other members now."), "success")
            return _to("organisations.invitations", organisation)
    status = 422 if form.is_submitted() else 200
    return render_template("organisations/new.html", form=form), status


# --- an organisation's pages --------------------------------------------------------------------------------


@bp.get("/<slug>/")
@login_required
def overview(slug: str) -> str:
    session = get_session()
    organisation, membership = access.member_organisation(session, current_user, slug)
    manager = access.is_manager(session, current_user, organisation)
    return render_template(
        "organisations/overview.html",
        organisation=organisation,
        membership=membership,
        manager=manager,
        my_functions=services.functions_of(organisation, membership),
        function_rows={row.function.id: row for row in services.functions(session, organisation)},
        rows=services.members(session, organisation) if manager else [],
    )


@bp.get("/<slug>/public")
def public(slug: str) -> str:
    session = get_session()
    organisation = services.public_organisation(session, current_user, slug)
    # The qualification status per area, only if the organisation chose to show it (empty otherwise).
    return render_template(
        "organisations/public.html", organisation=organisation, status=public_status(session, organisation)
    )


@bp.route("/<slug>/settings", methods=["GET", "POST"])
@login_required
def settings(slug: str) -> Response | Page:
    organisation = _managed(slug)
    form = forms.SettingsForm(obj=organisation if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.update_organisation(
                get_session(),
                organisation,
                form.details(),
                is_public=form.is_public.data,
                show_status_publicly=form.show_status_publicly.data,
            )
        except DomainError as exc:
            form.form_errors.append(exc.message)
        else:
            flash(_("The details of the organisation are saved."), "success")
            return _to("organisations.overview", organisation)
    status = 422 if form.is_submitted() else 200
    return render_template("organisations/settings.html", organisation=organisation, form=form), status


@bp.route("/<slug>/leave", methods=["GET", "POST"])
@login_required
def leave(slug: str) -> Response | Page:
    session = get_session()
    organisation, membership = access.member_organisation(session, current_user, slug)
    if membership is None:  # an admin looking at an organisation they do not belong to
        return _to("organisations.overview", organisation)
    form = forms.EmptyForm()
    error, status = None, 200
    if form.validate_on_submit():
        try:
            services.leave(session, organisation, current_user.id)
        except DomainError as exc:
            error, status = exc.message, exc.status_code
        else:
            flash(_("You have left %(organisation)s.", organisation=organisation.name), "success")
            return redirect(url_for("organisations.index"), code=303)
    return render_template(
        "organisations/leave.html", organisation=organisation, membership=membership, form=form, error=error
    ), status


# --- members ------------------------------------------------------------------------------------------------


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
    return _members_page(_managed(slug))


@bp.post("/<slug>/members/<int:membership_id>/role")
@login_required
def change_role(slug: str, membership_id: int) -> Response | Page:
    organisation = _managed(slug)
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
    return _to("organisations.members", organisation)


@bp.route("/<slug>/members/<int:membership_id>/remove", methods=["GET", "POST"])
@login_required
def remove_member(slug: str, membership_id: int) -> Response | Page:
    session = get_session()
    organisation = _managed(slug)
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
            return _to("organisations.members", organisation)
    return render_template(
        "organisations/remove_member.html", organisation=organisation, row=row, form=form, error=error
    ), status


@bp.post("/<slug>/members/<int:membership_id>/functions")
@login_required
def assign_function(slug: str, membership_id: int) -> Response | Page:
    organisation = _managed(slug)
    form = forms.AssignFunctionForm(prefix=f"m{membership_id}")
    form.function.choices = [SelectChoice(f.id, f.name) for f in organisation.functions]
    if not form.validate_on_submit():
        return _members_page(organisation, 422, _("Please choose a function from the list."))
    services.assign_function(get_session(), organisation, membership_id, form.function.data)
    flash(_("The function is assigned."), "success")
    return _to("organisations.members", organisation, _anchor=f"member-{membership_id}")


@bp.post("/<slug>/members/<int:membership_id>/functions/<int:function_id>/remove")
@login_required
def unassign_function(slug: str, membership_id: int, function_id: int) -> Response:
    organisation = _managed(slug)
    if services.unassign_function(get_session(), organisation, membership_id, function_id):
        flash(_("The function is taken away."), "success")
    return _to("organisations.members", organisation, _anchor=f"member-{membership_id}")


# --- invitations --------------------------------------------------------------------------------------------


@bp.route("/<slug>/invitations", methods=["GET", "POST"])
@login_required
def invitations(slug: str) -> Response | Page:
    session = get_session()
    organisation = _managed(slug)
    form = forms.InviteForm()
    status = 200
    if form.validate_on_submit():
        try:
            invitation = services.invite(
                session, organisation, current_user, email=form.email.data, role=form.role.data
            )
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            form.email.errors = [exc.message]
            status = exc.status_code
        else:
            flash(_("The invitation is sent to %(email)s.", email=invitation.email), "success")
            return _to("organisations.invitations", organisation)
    elif form.errors:
        status = 422
    return render_template(
        "organisations/invitations.html",
        organisation=organisation,
        form=form,
        pending=services.pending_invitations(session, organisation),
        revoke_form=forms.EmptyForm(formdata=None),
    ), status


@bp.post("/<slug>/invitations/<int:invitation_id>/revoke")
@login_required
def revoke_invitation(slug: str, invitation_id: int) -> Response:
    organisation = _managed(slug)
    try:
        invitation = services.revoke_invitation(get_session(), organisation, invitation_id)
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        flash(exc.message, "info")
    else:
        flash(
            _("The invitation to %(email)s is withdrawn. Its link no longer works.", email=invitation.email), "success"
        )
    return _to("organisations.invitations", organisation)


def _invitation_invalid(exc: DomainError) -> tuple[str, int]:
    return render_template("organisations/invitation_invalid.html", message=exc.message), exc.status_code


@bp.get("/invitations/<token>")
def invitation(token: str) -> Page:
    session = get_session()
    try:
        view = services.describe_invitation(session, token)
    except (services.InvalidInvitation, services.InvitationGone) as exc:
        return _invitation_invalid(exc)
    already_member = current_user.is_authenticated and (
        access.membership_of(session, current_user.id, view.organisation.id) is not None
    )
    return render_template(
        "organisations/invitation.html",
        view=view,
        token=token,
        already_member=already_member,
        form=forms.EmptyForm(),
        next_url=url_for("organisations.invitation", token=token),
    )


@bp.post("/invitations/<token>/accept")
@login_required
def accept_invitation(token: str) -> Response | Page:
    session = get_session()
    form = forms.EmptyForm()
    if not form.validate_on_submit():
        return redirect(url_for("organisations.invitation", token=token), code=303)
    try:
        membership = services.accept_invitation(session, token, current_user)
    except (services.InvalidInvitation, services.InvitationGone) as exc:
        return _invitation_invalid(exc)
    except services.AlreadyMember as exc:
        flash(exc.message, "info")
        view = services.describe_invitation(session, token)
        return redirect(url_for("organisations.overview", slug=view.organisation.slug), code=303)
    organisation = session.get(Organisation, membership.organisation_id)
    assert organisation is not None
    flash(_("Welcome to %(organisation)s!", organisation=organisation.name), "success")
    return _to("organisations.overview", organisation)


@bp.post("/invitations/<token>/decline")
def decline_invitation(token: str) -> Response | Page:
    form = forms.EmptyForm()
    if not form.validate_on_submit():
        return redirect(url_for("organisations.invitation", token=token), code=303)
    try:
        services.decline_invitation(get_session(), token)
    except (services.InvalidInvitation, services.InvitationGone) as exc:
        return _invitation_invalid(exc)
    flash(_("You have declined the invitation. The link no longer works."), "info")
    return redirect(url_for("core.index"), code=303)


# --- functions ----------------------------------------------------------------------------------------------


@bp.route("/<slug>/functions", methods=["GET", "POST"])
@login_required
def functions(slug: str) -> Response | Page:
    session = get_session()
    organisation = _managed(slug)
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
            return _to("organisations.function", organisation, function_id=function.id)
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
    return _function_page(_managed(slug), function_id)


@bp.post("/<slug>/functions/<int:function_id>/rename")
@login_required
def rename_function(slug: str, function_id: int) -> Response | Page:
    organisation = _managed(slug)
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
        return _to("organisations.function", organisation, function_id=function_id)
    return _function_page(organisation, function_id, status=422, rename_form=form)


@bp.post("/<slug>/functions/<int:function_id>/requirements")
@login_required
def add_requirement(slug: str, function_id: int) -> Response | Page:
    session = get_session()
    organisation = _managed(slug)
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
        return _to("organisations.function", organisation, function_id=function_id)
    return _function_page(organisation, function_id, status=422, requirement_form=form)


@bp.post("/<slug>/functions/<int:function_id>/requirements/<int:requirement_id>/remove")
@login_required
def remove_requirement(slug: str, function_id: int, requirement_id: int) -> Response:
    organisation = _managed(slug)
    services.remove_requirement(get_session(), organisation, function_id, requirement_id)
    flash(_("The course is no longer required for this function."), "success")
    return _to("organisations.function", organisation, function_id=function_id)


@bp.route("/<slug>/functions/<int:function_id>/delete", methods=["GET", "POST"])
@login_required
def delete_function(slug: str, function_id: int) -> Response | Page:
    session = get_session()
    organisation = _managed(slug)
    function = services.function_of(session, organisation, function_id)
    form = forms.EmptyForm()
    if form.validate_on_submit():
        name = function.name
        services.delete_function(session, organisation, function_id)
        flash(_("The function %(name)s is deleted.", name=name), "success")
        return _to("organisations.functions", organisation)
    return render_template(
        "organisations/delete_function.html", organisation=organisation, function=function, form=form
    )
