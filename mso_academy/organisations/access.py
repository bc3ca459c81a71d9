"""Who may see and do what in an organisation: the object-level checks every organisation page uses.

Anyone who is not allowed is told the organisation does not exist (404), so nobody learns which organisations
exist or who belongs to them. Admins may act as a manager of every organisation.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from mso_academy.errors import NotFound
from mso_academy.organisations.models import MemberRole, Membership, Organisation
from mso_academy.permissions import Permission, has_permission


def organisation_by_slug(session: Session, slug: str) -> Organisation:
    organisation = session.scalar(select(Organisation).where(Organisation.slug == slug))
    if organisation is None:
        raise NotFound(_("This organisation does not exist."))
    return organisation


def membership_of(session: Session, user_id: int, organisation_id: int) -> Membership | None:
    return session.scalar(
        select(Membership).where(Membership.user_id == user_id, Membership.organisation_id == organisation_id)
    )


def is_manager(session: Session, user: Any, organisation: Organisation) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if has_permission(user, Permission.ORGANISATION_ANY):
        return True
    membership = membership_of(session, user.id, organisation.id)
    return membership is not None and membership.role == MemberRole.MANAGER


def managed_organisation(session: Session, user: Any, slug: str) -> Organisation:
    """The organisation if `user` manages it (or is an admin); NotFound otherwise."""
    organisation = organisation_by_slug(session, slug)
    if not is_manager(session, user, organisation):
        raise NotFound(_("This organisation does not exist."))
    return organisation


def member_organisation(session: Session, user: Any, slug: str) -> tuple[Organisation, Membership | None]:
    """The organisation if `user` belongs to it (or is an admin); NotFound otherwise."""
    organisation = organisation_by_slug(session, slug)
    if not getattr(user, "is_authenticated", False):
        raise NotFound(_("This organisation does not exist."))
    membership = membership_of(session, user.id, organisation.id)
    if membership is None and not has_permission(user, Permission.ORGANISATION_ANY):
        raise NotFound(_("This organisation does not exist."))
    return organisation, membership
