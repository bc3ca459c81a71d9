"""Organisation pages under /organisations/: one's organisations, details and visibility, members and managers,
invitations (with the accept page behind the mailed link), functions and their required courses, the public page.

Every page of an organisation goes through `access.py`: a person who does not belong to it, or a member who opens
a manager's page, is told it does not exist (404). GET requests only read; every change is a POST that ends in a
redirect, or in the page again with the problem and an error status (so nothing is stored half).

There is one blueprint, `bp`, defined here with the helpers every organisation page shares and the pages of the
organisation itself; the routes for members (`member_views`), invitations (`invitation_views`) and functions
(`function_views`) live in their own modules, which register on `bp` and are imported at the end of this one.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from mso_academy.db import get_session
from mso_academy.errors import DomainError
from mso_academy.organisations import access, forms, services
from mso_academy.organisations.models import Organisation
from mso_academy.permissions import Permission, has_permission
from mso_academy.qualification.status import public_status

bp = Blueprint("organisations", __name__, url_prefix="/organisations", template_folder="templates")


Page = str | tuple[str, int]


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"legal_form_labels": forms.LEGAL_FORM_LABELS, "role_labels": forms.ROLE_LABELS}


def managed(slug: str) -> Organisation:
    return access.managed_organisation(get_session(), current_user, slug)


def to(endpoint: str, organisation: Organisation, **values: Any) -> Response:
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
            return to("organisations.invitations", organisation)
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
    organisation = managed(slug)
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
            return to("organisations.overview", organisation)
    status = 422 if form.is_submitted() else 200
    return render_template("organisations/settings.html", organisation=organisation, form=form), status


@bp.route("/<slug>/leave", methods=["GET", "POST"])
@login_required
def leave(slug: str) -> Response | Page:
    session = get_session()
    organisation, membership = access.member_organisation(session, current_user, slug)
    if membership is None:  # an admin looking at an organisation they do not belong to
        return to("organisations.overview", organisation)
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


# The other organisation routes register on `bp` when imported; they come last because they use `bp` and the helpers.
# They are imported in the order of their pages (not sorted), so the blueprint's rules keep their order.
from mso_academy.organisations import member_views, invitation_views, function_views  # noqa: E402, F401, I001
