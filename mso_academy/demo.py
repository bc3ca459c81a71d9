"""Demo data: one user per role, a demo organisation and the shipped courses. Running it twice changes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from mso_academy.accounts import services as accounts
from mso_academy.accounts.models import Role, User
from mso_academy.catalog.models import Course
from mso_academy.catalog.packages import find_packages, import_course, load_package
from mso_academy.certificates import services as certificates
from mso_academy.certificates.models import Certificate
from mso_academy.db import utcnow
from mso_academy.errors import DomainError
from mso_academy.learning.models import ActivityProgress, Completion, Enrolment, EnrolmentStatus
from mso_academy.organisations.models import (
    FunctionRequirement,
    MemberFunction,
    MemberRole,
    Membership,
    Organisation,
    OrgFunction,
)
from mso_academy.plugins.manager import PluginManager

DEMO_PASSWORD = "mso-demo-2026"

DEMO_USERS: list[tuple[str, str, str, tuple[Role, ...]]] = [
    ("learner@example.org", "Ayşe Demir", "de", ()),
    ("trainer@example.org", "Olena Kovalenko", "de", (Role.TRAINER,)),
    ("manager@example.org", "Karim Haddad", "de", ()),
    ("admin@example.org", "Admin MSO Academy", "de", (Role.ADMIN,)),
    ("holder@example.org", "Zeynep Yılmaz-Haddad", "de", ()),
]

DEMO_CERTIFICATE_COURSES = ("datenschutz-im-verein", "erste-schritte")

DEMO_ORGANISATION = {
    "slug": "kulturverein-musterstadt",
    "name": "Interkultureller Kulturverein Musterstadt e.V.",
    "short_name": "IKV Musterstadt",
    "legal_form": "e.V.",
    "municipality": "Musterstadt",
}

# The demo organisation's members: (e-mail, role, functions).
DEMO_MEMBERS: list[tuple[str, MemberRole, tuple[str, ...]]] = [
    ("manager@example.org", MemberRole.MANAGER, ("Vorstand",)),
    ("learner@example.org", MemberRole.MEMBER, ("Kassenwart",)),
    ("holder@example.org", MemberRole.MEMBER, ("Vorstand",)),
]

# The demo organisation's functions and the courses each requires: (course slug, min_holders).
DEMO_FUNCTIONS: dict[str, tuple[tuple[str, int], ...]] = {
    "Vorstand": (("datenschutz-im-verein", 2),),
    "Kassenwart": (),
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
    organisation, organisation_lines = _demo_organisation(session, users)
    lines.extend(organisation_lines)
    for folder in find_packages(courses_dir):
        missing = _missing_course_type(folder, plugins)
        if missing:
            # A shipped course of a plugin that is not installed (or disabled) is left out, not an error.
            lines.append(f"course {folder.name}: skipped, course type {missing!r} is not installed")
            continue
        spec, problems = load_package(folder, plugins)
        if spec is None:
            raise DomainError("; ".join(map(str, problems)))
        outcome = import_course(session, spec)
        course = session.scalar(select(Course).where(Course.slug == spec.slug))
        if course is not None and course.owner_id is None:
            course.owner_id = users["trainer@example.org"].id
        lines.append(f"course {spec.slug} {spec.version}: {outcome}")
    session.flush()
    lines.extend(_demo_functions(session, organisation, users))
    lines.extend(_demo_certificates(session, plugins, users["holder@example.org"]))
    return lines


def _missing_course_type(folder: Path, plugins: PluginManager) -> str | None:
    """The package's course type when no installed plugin provides it (validation reports anything else)."""
    try:
        document = yaml.safe_load((folder / "course.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    course_type = document.get("course_type") if isinstance(document, dict) else None
    if isinstance(course_type, str) and plugins.course_type(course_type) is None:
        return course_type
    return None


def _demo_organisation(session: Session, users: dict[str, User]) -> tuple[Organisation, list[str]]:
    """The demo organisation and its members; adds only what is missing."""
    lines = []
    organisation = session.scalar(select(Organisation).where(Organisation.slug == DEMO_ORGANISATION["slug"]))
    if organisation is None:
        organisation = Organisation(**DEMO_ORGANISATION, created_by_id=users["manager@example.org"].id)
        session.add(organisation)
        lines.append(f"created organisation {organisation.name}")
    members = {m.user_id for m in organisation.memberships}
    for email, role, _functions in DEMO_MEMBERS:
        if users[email].id not in members:
            organisation.memberships.append(Membership(user_id=users[email].id, role=role))
    session.flush()
    return organisation, lines


def _demo_functions(session: Session, organisation: Organisation, users: dict[str, User]) -> list[str]:
    """The demo organisation's functions, their required courses (once imported) and who holds them."""
    lines = []
    functions = {f.name: f for f in organisation.functions}
    for name, requirements in DEMO_FUNCTIONS.items():
        function = functions.get(name)
        if function is None:
            function = functions[name] = OrgFunction(name=name)
            organisation.functions.append(function)
            lines.append(f"created function {name}")
        for course_slug, min_holders in requirements:
            course = session.scalar(select(Course).where(Course.slug == course_slug))
            if course is not None and all(r.course_id != course.id for r in function.requirements):
                function.requirements.append(FunctionRequirement(course_id=course.id, min_holders=min_holders))
    session.flush()
    memberships = {m.user_id: m for m in organisation.memberships}
    for email, _role, names in DEMO_MEMBERS:
        membership = memberships[users[email].id]
        held = {mf.function_id for mf in membership.functions}
        for name in names:
            if functions[name].id not in held:
                membership.functions.append(MemberFunction(function_id=functions[name].id))
    session.flush()
    return lines


def _complete(
    session: Session, plugins: PluginManager, enrolment: Enrolment, course: Course, when: datetime
) -> Certificate:
    """Mark every activity of the enrolment's current cycle passed at `when` and issue its certificate."""
    passed = set(
        session.scalars(select(ActivityProgress.activity_id).where(ActivityProgress.enrolment_id == enrolment.id))
    )
    for module in course.modules:
        for activity in module.activities:
            if activity.id not in passed and (enrolment.cycle > 1 or not module.is_renewal):
                session.add(
                    ActivityProgress(
                        enrolment_id=enrolment.id,
                        activity_id=activity.id,
                        attempts_count=1,
                        best_score=1.0,
                        passed_at=when,
                    )
                )
    completion = Completion(
        enrolment_id=enrolment.id, cycle=enrolment.cycle, course_version=course.version, completed_at=when
    )
    session.add(completion)
    enrolment.status, enrolment.completed_at, enrolment.last_activity_at = EnrolmentStatus.COMPLETED, when, when
    session.flush()
    return certificates.issue(session, plugins, completion, enrolment)


def _demo_certificates(session: Session, plugins: PluginManager, holder: User) -> list[str]:
    """A holder with an expired certificate and its valid renewal, and a revoked one (if the courses exist)."""
    if session.scalar(select(Enrolment).where(Enrolment.user_id == holder.id)) is not None:
        return []
    courses = {c.slug: c for c in session.scalars(select(Course).where(Course.slug.in_(DEMO_CERTIFICATE_COURSES)))}
    if len(courses) < len(DEMO_CERTIFICATE_COURSES):
        return []
    now = utcnow()
    lines = []
    privacy = courses["datenschutz-im-verein"]
    enrolment = Enrolment(user_id=holder.id, course_id=privacy.id, enrolled_at=now - timedelta(days=800))
    session.add(enrolment)
    session.flush()
    old = _complete(session, plugins, enrolment, privacy, now - timedelta(days=790))
    enrolment.cycle += 1
    renewed = _complete(session, plugins, enrolment, privacy, now - timedelta(days=20))
    basics = courses["erste-schritte"]
    enrolment = Enrolment(user_id=holder.id, course_id=basics.id, enrolled_at=now - timedelta(days=100))
    session.add(enrolment)
    session.flush()
    revoked = _complete(session, plugins, enrolment, basics, now - timedelta(days=95))
    admin = accounts.find_by_email(session, "admin@example.org")
    certificates.revoke(session, plugins, revoked, admin, "Demo: so sieht ein widerrufenes Zertifikat aus.")
    for certificate in (old, renewed, revoked):
        lines.append(
            f"certificate {certificate.code} ({certificate.course_slug}, {certificate.state(now)}) for {holder.email}"
        )
    return lines
