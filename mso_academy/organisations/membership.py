"""Members and managers: the member list, roles, removing a member and leaving.

An organisation always keeps a manager, or nobody could run it any more: making the last manager a member,
removing them or letting them leave is refused (`LastManager`). Those changes first lock the organisation's row,
so two managers who step down at the same moment cannot leave it without one. A membership that ends takes its
functions and the courses the organisation assigned to the person with it: the organisation no longer sees them.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from mso_academy.accounts.models import User
from mso_academy.errors import Conflict, DomainError, NotFound
from mso_academy.organisations.access import membership_of
from mso_academy.organisations.models import CourseAssignment, MemberRole, Membership, Organisation, OrgFunction


class AlreadyMember(Conflict):
    pass


class LastManager(Conflict):
    pass


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


def membership_in(session: Session, organisation: Organisation, membership_id: int) -> Membership:
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
    membership = membership_in(session, organisation, membership_id)
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
    membership = membership_in(session, organisation, membership_id)
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
