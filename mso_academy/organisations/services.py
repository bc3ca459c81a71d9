"""Organisations: creating and describing them, members and managers, invitations, functions and their courses.

Every function takes the session and plain values, flushes and never commits. Who may call what is decided by
the views through `access.py` (`managed_organisation`, `member_organisation`); the functions here check the
rules of the organisation itself (the last manager stays, one membership per person, an invitation is used once).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mso_academy import mail
from mso_academy.accounts import services as accounts
from mso_academy.accounts.models import User
from mso_academy.authoring.drafts import slugify, unique_key
from mso_academy.catalog.models import Course, CourseStatus
from mso_academy.db import utcnow
from mso_academy.errors import Conflict, DomainError, NotFound
from mso_academy.organisations.access import membership_of, organisation_by_slug
from mso_academy.organisations.models import (
    CourseAssignment,
    FunctionRequirement,
    Invitation,
    LegalForm,
    MemberFunction,
    MemberRole,
    Membership,
    Organisation,
    OrgFunction,
)
from mso_academy.permissions import Permission, has_permission

INVITATION_SALT = "mso-academy.invitation"

# Path segments under /organisations/ that are pages of their own, so no organisation may take them as slug.
RESERVED_SLUGS = frozenset({"new", "invitations"})


class AlreadyMember(Conflict):
    pass


class LastManager(Conflict):
    pass


class InvalidInvitation(DomainError):
    """The link was not made by us (forged, cut off): 400."""


class InvitationGone(DomainError):
    """The invitation existed but cannot be used any more (expired, used, withdrawn): 410."""

    status_code = 410


# --- organisations ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Details:
    """What an organisation says about itself; every field but the name may be empty."""

    name: str
    short_name: str = ""
    legal_form: str = LegalForm.REGISTERED_ASSOCIATION
    municipality: str = ""
    register_number: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    description: str = ""

    def cleaned(self) -> Details:
        values = {name: (getattr(self, name) or "").strip() for name in self.__dataclass_fields__}
        values["contact_email"] = values["contact_email"].lower()
        if not values["name"]:
            raise DomainError(_("Please enter the name of the organisation."))
        if values["legal_form"] not in {str(form) for form in LegalForm}:
            raise DomainError(_("Please choose a legal form from the list."))
        return Details(**values)


def _apply(organisation: Organisation, details: Details) -> None:
    for name in Details.__dataclass_fields__:
        setattr(organisation, name, getattr(details, name))


def unique_slug(session: Session, name: str) -> str:
    """A web address from the name ("Verein Über uns" → "verein-ueber-uns"), numbered when it is taken."""
    base = slugify(name, "organisation")
    taken = set(session.scalars(select(Organisation.slug).where(Organisation.slug.like(f"{base}%"))))
    return unique_key(base, taken | RESERVED_SLUGS)


def create_organisation(session: Session, creator: User, details: Details) -> Organisation:
    """A new organisation; its creator becomes its first manager."""
    details = details.cleaned()
    organisation = Organisation(slug=unique_slug(session, details.name), created_by_id=creator.id)
    _apply(organisation, details)
    organisation.memberships = [Membership(user_id=creator.id, role=MemberRole.MANAGER)]
    try:
        with session.begin_nested():
            session.add(organisation)
            session.flush()
    except IntegrityError:
        # Someone created an organisation with the same name in the same moment and took the address.
        raise Conflict(_("Another organisation with this name was just created. Please try again.")) from None
    return organisation


def update_organisation(
    session: Session, organisation: Organisation, details: Details, *, is_public: bool, show_status_publicly: bool
) -> None:
    """Change the details and what the public may see. The web address stays, so links keep working."""
    _apply(organisation, details.cleaned())
    organisation.is_public = is_public
    organisation.show_status_publicly = show_status_publicly
    session.flush()


def my_organisations(session: Session, user_id: int) -> list[tuple[Organisation, Membership]]:
    rows = session.execute(
        select(Organisation, Membership)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == user_id)
        .order_by(func.lower(Organisation.name))
    )
    return [(organisation, membership) for organisation, membership in rows]


def all_organisations(session: Session) -> list[Organisation]:
    """For admins, who act as managers of every organisation."""
    return list(session.scalars(select(Organisation).order_by(func.lower(Organisation.name))))


def public_organisation(session: Session, viewer: Any, slug: str) -> Organisation:
    """The organisation for its public page: only when it is public (its members and admins may preview it)."""
    organisation = organisation_by_slug(session, slug)
    if organisation.is_public:
        return organisation
    if getattr(viewer, "is_authenticated", False) and (
        membership_of(session, viewer.id, organisation.id) is not None
        or has_permission(viewer, Permission.ORGANISATION_ANY)
    ):
        return organisation
    raise NotFound(_("This organisation does not exist."))


# --- members ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberRow:
    membership: Membership
    user: User
    functions: list[OrgFunction]

    @property
    def is_manager(self) -> bool:
        return self.membership.role == MemberRole.MANAGER


def functions_of(organisation: Organisation, membership: Membership | None) -> list[OrgFunction]:
    if membership is None:
        return []
    held = {mf.function_id for mf in membership.functions}
    return [function for function in organisation.functions if function.id in held]


def members(session: Session, organisation: Organisation) -> list[MemberRow]:
    """Every member with their account and functions, managers first, then by name (three queries)."""
    defined = organisation.functions
    rows = session.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.organisation_id == organisation.id)
        .order_by(Membership.role, func.lower(User.name), User.id)  # "manager" sorts before "member"
    )
    result = []
    for membership, user in rows:
        held = {mf.function_id for mf in membership.functions}
        result.append(MemberRow(membership, user, [f for f in defined if f.id in held]))
    return result


def _membership(session: Session, organisation: Organisation, membership_id: int) -> Membership:
    membership = session.get(Membership, membership_id)
    if membership is None or membership.organisation_id != organisation.id:
        raise NotFound(_("This person is not a member of this organisation."))
    return membership


def _lock(session: Session, organisation: Organisation) -> None:
    """Serialise changes to the managers of one organisation, so two of them cannot both step down at once."""
    session.execute(select(Organisation.id).where(Organisation.id == organisation.id).with_for_update())


def _managers(session: Session, organisation: Organisation) -> int:
    return session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.organisation_id == organisation.id, Membership.role == MemberRole.MANAGER)
    )


def _refuse_last_manager(session: Session, organisation: Organisation, membership: Membership, message: str) -> None:
    if membership.role == MemberRole.MANAGER and _managers(session, organisation) <= 1:
        raise LastManager(message)


def _end_membership(session: Session, organisation: Organisation, membership: Membership) -> None:
    """The organisation stops seeing the person: the membership, its functions and the courses it assigned go."""
    session.execute(
        delete(CourseAssignment).where(
            CourseAssignment.organisation_id == organisation.id, CourseAssignment.user_id == membership.user_id
        )
    )
    session.delete(membership)
    session.flush()


def remove_member(session: Session, organisation: Organisation, membership_id: int) -> Membership:
    _lock(session, organisation)
    membership = _membership(session, organisation, membership_id)
    _refuse_last_manager(
        session,
        organisation,
        membership,
        _("The last manager cannot be removed. Make another member a manager first."),
    )
    _end_membership(session, organisation, membership)
    return membership


def leave(session: Session, organisation: Organisation, user_id: int) -> None:
    _lock(session, organisation)
    membership = membership_of(session, user_id, organisation.id)
    if membership is None:
        raise NotFound(_("You are not a member of this organisation."))
    _refuse_last_manager(
        session,
        organisation,
        membership,
        _("You are the last manager of this organisation. Make another member a manager before you leave."),
    )
    _end_membership(session, organisation, membership)


def set_role(session: Session, organisation: Organisation, membership_id: int, role: str) -> Membership:
    """Promote a member to manager or make a manager a member again; the last manager stays a manager."""
    if role not in {str(r) for r in MemberRole}:
        raise DomainError(_("Please choose a role from the list."))
    _lock(session, organisation)
    membership = _membership(session, organisation, membership_id)
    if role == MemberRole.MEMBER:
        _refuse_last_manager(
            session,
            organisation,
            membership,
            _("The last manager cannot become a member. Make another member a manager first."),
        )
    membership.role = role
    session.flush()
    return membership


# --- invitations --------------------------------------------------------------------------------------------


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


# --- functions and their required courses -------------------------------------------------------------------


@dataclass(frozen=True)
class FunctionRow:
    function: OrgFunction
    requirements: list[tuple[FunctionRequirement, Course]]
    holders: int


def function_of(session: Session, organisation: Organisation, function_id: int) -> OrgFunction:
    function = session.get(OrgFunction, function_id)
    if function is None or function.organisation_id != organisation.id:
        raise NotFound(_("This function does not exist."))
    return function


def _function_name(session: Session, organisation: Organisation, name: str, exclude_id: int | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise DomainError(_("Please enter a name for the function."))
    stmt = select(OrgFunction.id).where(
        OrgFunction.organisation_id == organisation.id, func.lower(OrgFunction.name) == name.lower()
    )
    if exclude_id is not None:
        stmt = stmt.where(OrgFunction.id != exclude_id)
    if session.scalar(stmt) is not None:
        raise Conflict(_("This organisation has a function called %(name)s already.", name=name))
    return name


def create_function(session: Session, organisation: Organisation, name: str) -> OrgFunction:
    function = OrgFunction(organisation_id=organisation.id, name=_function_name(session, organisation, name))
    session.add(function)
    session.flush()
    session.expire(organisation, ["functions"])
    return function


def rename_function(session: Session, organisation: Organisation, function_id: int, name: str) -> OrgFunction:
    function = function_of(session, organisation, function_id)
    function.name = _function_name(session, organisation, name, exclude_id=function.id)
    session.flush()
    return function


def delete_function(session: Session, organisation: Organisation, function_id: int) -> None:
    """The function, its required courses and who held it go; the members stay."""
    function = function_of(session, organisation, function_id)
    session.execute(delete(MemberFunction).where(MemberFunction.function_id == function.id))
    session.delete(function)
    session.flush()
    session.expire(organisation, ["functions"])


def functions(session: Session, organisation: Organisation) -> list[FunctionRow]:
    """Each function with its required courses and how many members hold it (four queries)."""
    rows = organisation.functions
    course_ids = {r.course_id for f in rows for r in f.requirements}
    courses = {c.id: c for c in session.scalars(select(Course).where(Course.id.in_(course_ids)))} if course_ids else {}
    holders = dict(
        session.execute(
            select(MemberFunction.function_id, func.count())
            .where(MemberFunction.function_id.in_([f.id for f in rows]))
            .group_by(MemberFunction.function_id)
        ).all()
    )
    return [
        FunctionRow(
            f,
            sorted(((r, courses[r.course_id]) for r in f.requirements), key=lambda pair: pair[1].title.lower()),
            holders.get(f.id, 0),
        )
        for f in rows
    ]


def published_courses(session: Session) -> list[Course]:
    """The courses a function may require."""
    return list(
        session.scalars(
            select(Course).where(Course.status == CourseStatus.PUBLISHED).order_by(func.lower(Course.title))
        )
    )


def set_requirement(
    session: Session, organisation: Organisation, function_id: int, *, course_id: int, min_holders: int
) -> FunctionRequirement:
    """Holders of the function must hold the course's certificate; at least `min_holders` of them for the
    organisation to count as qualified. Setting it again changes the number."""
    function = function_of(session, organisation, function_id)
    course = session.get(Course, course_id)
    if course is None or course.status != CourseStatus.PUBLISHED:
        raise DomainError(_("Please choose a published course from the list."))
    if min_holders < 1:
        raise DomainError(_("At least one holder of the function must hold the certificate."))
    requirement = next((r for r in function.requirements if r.course_id == course.id), None)
    if requirement is None:
        requirement = FunctionRequirement(course_id=course.id, min_holders=min_holders)
        function.requirements.append(requirement)
    else:
        requirement.min_holders = min_holders
    session.flush()
    return requirement


def remove_requirement(session: Session, organisation: Organisation, function_id: int, requirement_id: int) -> None:
    function = function_of(session, organisation, function_id)
    requirement = next((r for r in function.requirements if r.id == requirement_id), None)
    if requirement is None:
        raise NotFound(_("This function does not require this course."))
    function.requirements.remove(requirement)
    session.flush()


def assign_function(session: Session, organisation: Organisation, membership_id: int, function_id: int) -> bool:
    """Give a member a function; False if they hold it already."""
    membership = _membership(session, organisation, membership_id)
    function = function_of(session, organisation, function_id)
    if any(mf.function_id == function.id for mf in membership.functions):
        return False
    membership.functions.append(MemberFunction(function_id=function.id))
    session.flush()
    return True


def unassign_function(session: Session, organisation: Organisation, membership_id: int, function_id: int) -> bool:
    membership = _membership(session, organisation, membership_id)
    found = [mf for mf in membership.functions if mf.function_id == function_id]
    for mf in found:
        membership.functions.remove(mf)
    session.flush()
    return bool(found)
