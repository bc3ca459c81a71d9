"""Demo data: one user per role, a demo organisation and the shipped courses. Running it twice changes nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from mso_academy.accounts import services as accounts
from mso_academy.accounts.models import Role, User
from mso_academy.catalog.models import Course
from mso_academy.catalog.packages import find_packages, import_course, load_package
from mso_academy.errors import DomainError
from mso_academy.organisations.models import MemberRole, Membership, Organisation
from mso_academy.plugins.manager import PluginManager

DEMO_PASSWORD = "mso-demo-2026"

DEMO_USERS: list[tuple[str, str, str, tuple[Role, ...]]] = [
    ("learner@example.org", "Ayşe Demir", "de", ()),
    ("trainer@example.org", "Olena Kovalenko", "de", (Role.TRAINER,)),
    ("manager@example.org", "Karim Haddad", "de", ()),
    ("admin@example.org", "Admin MSO Academy", "de", (Role.ADMIN,)),
]

DEMO_ORGANISATION = {
    "slug": "kulturverein-musterstadt",
    "name": "Interkultureller Kulturverein Musterstadt e.V.",
    "short_name": "IKV Musterstadt",
    "legal_form": "e.V.",
    "municipality": "Musterstadt",
}


def _user(session: Session, email: str, name: str, language: str, roles: tuple[Role, ...]) -> tuple[User, bool]:
    user = accounts.find_by_email(session, email)
    if user is not None:
        return user, False
    return accounts.create_user(
        session, email=email, name=name, password=DEMO_PASSWORD, language=language, roles=roles, confirmed=True
    ), True


def load_demo(session: Session, plugins: PluginManager, courses_dir: Path) -> list[str]:
    lines = []
    users = {}
    for email, name, language, roles in DEMO_USERS:
        user, created = _user(session, email, name, language, roles)
        users[email] = user
        lines.append(f"{'created' if created else 'exists '} {email} ({', '.join(map(str, roles)) or 'learner'})")
    organisation = session.scalar(select(Organisation).where(Organisation.slug == DEMO_ORGANISATION["slug"]))
    if organisation is None:
        organisation = Organisation(**DEMO_ORGANISATION)
        organisation.memberships = [
            Membership(user_id=users["manager@example.org"].id, role=MemberRole.MANAGER),
            Membership(user_id=users["learner@example.org"].id, role=MemberRole.MEMBER),
        ]
        session.add(organisation)
        lines.append(f"created organisation {organisation.name}")
    for folder in find_packages(courses_dir):
        spec, problems = load_package(folder, plugins)
        if spec is None:
            raise DomainError("; ".join(map(str, problems)))
        outcome = import_course(session, spec)
        course = session.scalar(select(Course).where(Course.slug == spec.slug))
        if course is not None and course.owner_id is None:
            course.owner_id = users["trainer@example.org"].id
        lines.append(f"course {spec.slug} {spec.version}: {outcome}")
    session.flush()
    return lines
