"""A person's rights over their data (GDPR Art. 15, 17, 20): the full export and the deletion of the account.

Deletion removes what hangs on the account everywhere (the plugins first, through `delete_user_data`) and
pseudonymises what others legitimately keep: a certificate record stays verifiable by its code when
`CERTIFICATE_RETENTION` is "pseudonymise" (the default), with the holder's name, the recipient hash and the signed
credential (which carries the name) removed; with "delete" the record goes too. The audit log keeps only numeric
ids, never names or addresses, so it is not rewritten (and cannot be: it is append-only). See docs/privacy.md.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from mso_academy.accounts.models import RecoveryCode, Role, User, UserRole
from mso_academy.audit import services as audit
from mso_academy.catalog.models import Course, CourseTrainer
from mso_academy.certificates.models import Certificate
from mso_academy.errors import Conflict
from mso_academy.mail.models import MailMessage
from mso_academy.organisations.models import (
    CourseAssignment,
    Invitation,
    MemberRole,
    Membership,
    Organisation,
    OrgFunction,
)
from mso_academy.plugins.manager import PluginManager
from mso_academy.uploads import services as uploads

RETENTION_POLICIES = ("pseudonymise", "delete")


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def export_user_data(session: Session, plugins: PluginManager, user: User) -> dict[str, Any]:
    """Everything the platform holds about `user` and nothing about anyone else, as JSON-ready data."""
    from mso_academy.learning.services import export_learning_data

    recovery_left = session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )
    data: dict[str, Any] = {
        "account": {
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "preferred_language": user.preferred_language,
            "created_at": _iso(user.created_at),
            "email_confirmed_at": _iso(user.email_confirmed_at),
            "last_login_at": _iso(user.last_login_at),
            "roles": sorted(user.role_names),
            "two_factor_enabled_at": _iso(user.totp_enabled_at),
            "recovery_codes_left": recovery_left if user.totp_enabled_at else 0,
        },
        "mail_preferences": {"reminders_turned_off": sorted(user.reminder_opt_outs or [])},
        "learning": export_learning_data(session, user.id),
        "certificates": [
            {
                "code": c.code,
                "holder_name": c.holder_name,
                "course": c.course_slug,
                "course_title": c.course_title,
                "course_version": c.course_version,
                "issued_at": _iso(c.issued_at),
                "valid_until": _iso(c.valid_until),
                "state": c.state(),
            }
            for c in session.scalars(select(Certificate).where(Certificate.user_id == user.id).order_by(Certificate.id))
        ],
        "memberships": _memberships(session, user.id),
        "course_assignments": [
            {"organisation": slug, "course": course, "due_on": _iso(a.due_on), "assigned_at": _iso(a.assigned_at)}
            for a, slug, course in session.execute(
                select(CourseAssignment, Organisation.slug, Course.slug)
                .join(Organisation, Organisation.id == CourseAssignment.organisation_id)
                .join(Course, Course.id == CourseAssignment.course_id)
                .where(CourseAssignment.user_id == user.id)
                .order_by(CourseAssignment.id)
            )
        ],
        "invitations_received": [
            {"organisation": slug, "created_at": _iso(i.created_at), "accepted_at": _iso(i.accepted_at)}
            for i, slug in session.execute(
                select(Invitation, Organisation.slug)
                .join(Organisation, Organisation.id == Invitation.organisation_id)
                .where(func.lower(Invitation.email) == user.email.lower())
                .order_by(Invitation.id)
            )
        ],
        "courses_taught": sorted(
            set(session.scalars(select(Course.slug).where(Course.owner_id == user.id)))
            | set(
                session.scalars(
                    select(Course.slug)
                    .join(CourseTrainer, CourseTrainer.course_id == Course.id)
                    .where(CourseTrainer.user_id == user.id)
                )
            )
        ),
        "uploads": uploads.export_for_owner(session, user.id),
        "mail_sent_to_you": [
            {"subject": m.subject, "created_at": _iso(m.created_at), "status": m.status}
            for m in session.scalars(
                select(MailMessage).where(func.lower(MailMessage.to_address) == user.email.lower())
            )
        ],
        "audit_events": [audit.as_dict(entry) for entry in audit.about_user(session, user.id, user.created_at)],
        "plugins": {},
    }
    for plugin_name, result in plugins.call_each("export_user_data", session=session, user_id=user.id):
        if result is not None:
            data["plugins"][plugin_name] = result
    return data


def _memberships(session: Session, user_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Membership, Organisation)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(Membership.user_id == user_id)
        .order_by(Membership.id)
    ).all()
    result = []
    for membership, organisation in rows:
        held = {mf.function_id for mf in membership.functions}
        functions = session.scalars(select(OrgFunction.name).where(OrgFunction.id.in_(held))).all() if held else []
        result.append(
            {
                "organisation": organisation.slug,
                "organisation_name": organisation.name,
                "role": membership.role,
                "joined_at": _iso(membership.joined_at),
                "functions": sorted(functions),
            }
        )
    return result


def deletion_blockers(session: Session, user: User) -> list[str]:
    """Why the account cannot go yet: the last administrator, the last manager of an organisation with members."""
    problems = []
    if user.has_role(Role.ADMIN):
        admins = session.scalar(select(func.count()).select_from(UserRole).where(UserRole.role == str(Role.ADMIN)))
        if admins == 1:
            problems.append(_("You are the last administrator. Make someone else an administrator first."))
    managed = session.scalars(
        select(Membership.organisation_id).where(
            Membership.user_id == user.id, Membership.role == str(MemberRole.MANAGER)
        )
    ).all()
    for organisation_id in managed:
        others = (
            session.execute(
                select(Membership.role).where(
                    Membership.organisation_id == organisation_id, Membership.user_id != user.id
                )
            )
            .scalars()
            .all()
        )
        if others and str(MemberRole.MANAGER) not in others:
            name = session.get(Organisation, organisation_id).name  # type: ignore[union-attr]
            problems.append(_("You are the only manager of %(name)s. Make another member a manager first.", name=name))
    return problems


def delete_user(session: Session, plugins: PluginManager, user: User, *, actor_id: int | None = None) -> None:
    """Remove the account and everything hanging on it; pseudonymise what is kept. Plugins delete their data
    first (their rows may reference the account), `user_deleted` runs after the account is gone."""
    blockers = deletion_blockers(session, user)
    if blockers:
        raise Conflict(" ".join(blockers))
    user_id, email = user.id, user.email.lower()
    plugins.hook.delete_user_data(session=session, user_id=user_id)
    uploads.delete_for_owner(session, user_id)
    _certificates(session, user_id)
    # What was written to or about the address: queued and sent mail (bodies greet by name), invitations.
    session.execute(delete(MailMessage).where(func.lower(MailMessage.to_address) == email))
    session.execute(delete(Invitation).where(func.lower(Invitation.email) == email))
    session.execute(
        update(Organisation).where(func.lower(Organisation.contact_email) == email).values(contact_email="")
    )
    session.delete(user)
    session.flush()
    audit.record(session, audit.Event.ACCOUNT_DELETED, actor_id=actor_id, subject_user_id=user_id)
    plugins.hook.user_deleted(session=session, user_id=user_id)


def _certificates(session: Session, user_id: int) -> None:
    policy = current_app.config["CERTIFICATE_RETENTION"]
    if policy not in RETENTION_POLICIES:
        raise ValueError(f"CERTIFICATE_RETENTION must be one of {RETENTION_POLICIES}, not {policy!r}")
    certificates = session.scalars(select(Certificate).where(Certificate.user_id == user_id)).all()
    for certificate in certificates:
        if policy == "delete":
            session.delete(certificate)
            continue
        # The record stays verifiable by its code (course, dates, state), without anything naming the person.
        certificate.user_id = None
        certificate.completion_id = None
        certificate.holder_name = ""
        certificate.recipient_salt = ""
        certificate.recipient_hash = ""
        certificate.credential_jwt = ""
    session.flush()


PRIVACY_HOOKS = ("export_user_data", "delete_user_data")


def plugins_missing_privacy_hooks(manager: PluginManager) -> dict[str, list[str]]:
    """Enabled plugins that do not implement both privacy hooks, with what each lacks.

    Built-in plugins are exempt: their data (attempts, uploads) is the core's, exported and deleted above.
    Every other plugin must answer both hooks, even if only with None (it stores nothing about people).
    """
    implemented: dict[str, set[str]] = {}
    for hook_name in PRIVACY_HOOKS:
        for impl in getattr(manager.hook, hook_name).get_hookimpls():
            implemented.setdefault(impl.plugin_name, set()).add(hook_name)
    return {
        name: [hook for hook in PRIVACY_HOOKS if hook not in implemented.get(name, set())]
        for name, info in sorted(manager.plugins.items())
        if info.state == "enabled"
        and info.source != "built-in"
        and not implemented.get(name, set()) >= set(PRIVACY_HOOKS)
    }
