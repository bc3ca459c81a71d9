"""Organisations themselves: creating one, its details and what the public may see, and one's own list.

An organisation's web address (its slug) is made from the name once, when it is created, and never changes, so
links and bookmarks keep working after a rename; the paths under /organisations/ that are pages of their own are
never handed out. The public page of an organisation that is not public answers as if it did not exist (404),
except to its members and admins, who may preview it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mso_academy.accounts.models import User
from mso_academy.authoring.drafts import slugify, unique_key
from mso_academy.errors import Conflict, DomainError, NotFound
from mso_academy.organisations.access import membership_of, organisation_by_slug
from mso_academy.organisations.models import LegalForm, MemberRole, Membership, Organisation
from mso_academy.permissions import Permission, has_permission

# Path segments under /organisations/ that are pages of their own, so no organisation may take them as slug.
RESERVED_SLUGS = frozenset({"new", "invitations"})


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
