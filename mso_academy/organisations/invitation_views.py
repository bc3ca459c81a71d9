"""Invitations: the manager's page to invite and withdraw, and the pages behind the mailed link.

The link's pages are open to anyone who has the link: it is the proof, and the invitee may not have an account
yet. Looking at an invitation changes nothing; accepting (signed in) and declining are explicit POSTs, so a mail
scanner that follows the link cannot use it up. A link that cannot be used any more gets a page that says why,
with the status of the error (400 or 410).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from mso_academy.db import get_session
from mso_academy.errors import DomainError
from mso_academy.organisations import access, forms, services
from mso_academy.organisations.models import Organisation
from mso_academy.organisations.views import Page, bp, managed, to


@bp.route("/<slug>/invitations", methods=["GET", "POST"])
@login_required
def invitations(slug: str) -> Response | Page:
    session = get_session()
    organisation = managed(slug)
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
            return to("organisations.invitations", organisation)
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
    organisation = managed(slug)
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
    return to("organisations.invitations", organisation)


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
    return to("organisations.overview", organisation)


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
