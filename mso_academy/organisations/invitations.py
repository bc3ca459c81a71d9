"""Invitations: a manager invites an e-mail address, and whoever follows the mailed link may join or decline.

The link carries nothing but the invitation's id, signed with the site's secret and timed (`INVITATION_MAX_AGE`),
so it can be neither guessed nor forged; the invitation's row says whether it was used, declined or withdrawn, so
a link works once and a newer invitation to the same address replaces the older one. The person who accepts joins
with the account they are signed in with, whatever its address. A link we did not make is an error of the request
(`InvalidInvitation`, 400), one that can no longer be used is gone (`InvitationGone`, 410), so the page can say
which and what to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mso_academy import mail
from mso_academy.accounts import services as accounts
from mso_academy.accounts.models import User
from mso_academy.db import utcnow
from mso_academy.errors import Conflict, DomainError, NotFound
from mso_academy.organisations.access import membership_of
from mso_academy.organisations.membership import AlreadyMember
from mso_academy.organisations.models import Invitation, MemberRole, Membership, Organisation

INVITATION_SALT = "mso-academy.invitation"


class InvalidInvitation(DomainError):
    """The link was not made by us (forged, cut off): 400."""


class InvitationGone(DomainError):
    """The invitation existed but cannot be used any more (expired, used, withdrawn): 410."""

    status_code = 410


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=INVITATION_SALT)


def invitation_token(invitation: Invitation) -> str:
    return _serializer().dumps(invitation.id)


def _max_age() -> int:
    return int(current_app.config["INVITATION_MAX_AGE"])


def pending_invitations(session: Session, organisation: Organisation) -> list[Invitation]:
    """Invitations neither accepted nor withdrawn (expired ones included: the page says so), newest first."""
    return list(
        session.scalars(
            select(Invitation)
            .where(
                Invitation.organisation_id == organisation.id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        )
    )


def invite(session: Session, organisation: Organisation, inviter: User, *, email: str, role: str) -> Invitation:
    """Mail an invitation link; an earlier invitation to the same address is replaced (its link stops working)."""
    email = accounts.normalise_email(email)
    if role not in {str(r) for r in MemberRole}:
        raise DomainError(_("Please choose a role from the list."))
    account = accounts.find_by_email(session, email)
    if account is not None and membership_of(session, account.id, organisation.id) is not None:
        raise AlreadyMember(_("%(email)s is already a member of this organisation.", email=email))
    now = utcnow()
    session.execute(
        update(Invitation)
        .where(
            Invitation.organisation_id == organisation.id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    max_age = _max_age()
    invitation = Invitation(
        organisation_id=organisation.id,
        email=email,
        role=role,
        invited_by_id=inviter.id,
        created_at=now,
        expires_at=now + timedelta(seconds=max_age),
    )
    session.add(invitation)
    session.flush()
    # The invitee's own language when they have an account; otherwise the site's default language.
    language = account.preferred_language if account is not None else current_app.config["BABEL_DEFAULT_LOCALE"]
    mail.send(
        session,
        mail.compose(
            email,
            language,
            _l("Invitation to %(organisation)s", organisation=organisation.name),
            "mail/invitation.txt",
            organisation=organisation,
            inviter=inviter,
            role=role,
            link=mail.external_url("organisations.invitation", token=invitation_token(invitation)),
            days=max_age // 86400,
            hours=max(1, max_age // 3600),
        ),
    )
    return invitation


def invitation_for_token(session: Session, token: str) -> Invitation:
    """The invitation a link names, if it can still be accepted or declined; otherwise a clear error."""
    try:
        invitation_id = _serializer().loads(token, max_age=_max_age())
    except SignatureExpired:
        raise InvitationGone(_("This invitation has expired. Please ask the organisation for a new one.")) from None
    except BadSignature:
        raise InvalidInvitation(
            _("This invitation link is not valid. Please check that you opened the whole link from the e-mail.")
        ) from None
    if not isinstance(invitation_id, int) or isinstance(invitation_id, bool):
        raise InvalidInvitation(_("This invitation link is not valid."))
    invitation = session.get(Invitation, invitation_id)
    if invitation is None:
        raise InvitationGone(_("This invitation is no longer valid. Please ask the organisation for a new one."))
    if invitation.accepted_at is not None:
        raise InvitationGone(_("This invitation has already been used. Each invitation link works only once."))
    if invitation.revoked_at is not None:
        raise InvitationGone(
            _(
                "This invitation has been withdrawn or declined, or replaced by a newer one. "
                "Please use the link in the most recent e-mail or ask the organisation for a new invitation."
            )
        )
    if invitation.expires_at <= utcnow():
        raise InvitationGone(_("This invitation has expired. Please ask the organisation for a new one."))
    return invitation


@dataclass(frozen=True)
class InvitationView:
    """What the accept page shows."""

    invitation: Invitation
    organisation: Organisation
    inviter: User | None


def describe_invitation(session: Session, token: str) -> InvitationView:
    invitation = invitation_for_token(session, token)
    organisation = session.get(Organisation, invitation.organisation_id)
    assert organisation is not None  # invitations are deleted with their organisation
    inviter = session.get(User, invitation.invited_by_id) if invitation.invited_by_id else None
    return InvitationView(invitation, organisation, inviter)


def accept_invitation(session: Session, token: str, user: User) -> Membership:
    """Join the organisation with `user`'s account (whatever its address); the link is used up."""
    invitation = invitation_for_token(session, token)
    organisation_id = invitation.organisation_id
    if membership_of(session, user.id, organisation_id) is not None:
        raise AlreadyMember(_("You are already a member of this organisation."))
    membership = Membership(organisation_id=organisation_id, user_id=user.id, role=invitation.role)
    try:
        with session.begin_nested():
            # Claim the invitation with one conditional update, so two simultaneous clicks cannot both use it;
            # the same savepoint holds the new membership, so a clash leaves the invitation unused.
            claimed = session.execute(
                update(Invitation)
                .where(
                    Invitation.id == invitation.id, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None)
                )
                .values(accepted_at=utcnow(), accepted_by_id=user.id)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                raise InvitationGone(_("This invitation has already been used. Each invitation link works only once."))
            session.add(membership)
            session.flush()
    except IntegrityError:
        raise AlreadyMember(_("You are already a member of this organisation.")) from None
    session.refresh(invitation, ["accepted_at", "accepted_by_id"])
    return membership


def decline_invitation(session: Session, token: str) -> Invitation:
    """The invitee says no; the link stops working. (Recorded as withdrawn: there is no separate state.)"""
    invitation = invitation_for_token(session, token)
    invitation.revoked_at = utcnow()
    session.flush()
    return invitation


def revoke_invitation(session: Session, organisation: Organisation, invitation_id: int) -> Invitation:
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.organisation_id != organisation.id:
        raise NotFound(_("This invitation does not exist."))
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise Conflict(_("This invitation has been accepted or withdrawn already."))
    invitation.revoked_at = utcnow()
    session.flush()
    return invitation
