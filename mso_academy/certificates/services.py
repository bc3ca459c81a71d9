"""Certificates: issuing (once per completion), finding, verifying, revoking, reminding and renewing.

Everything printed on a certificate is copied at issue time, so later edits to a course or a profile never
change a certificate that was handed out.
"""

from __future__ import annotations

import base64
import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mso_academy import mail
from mso_academy.accounts.models import User
from mso_academy.audit import services as audit
from mso_academy.catalog.models import Course
from mso_academy.certificates import credential, keys
from mso_academy.certificates.models import Certificate
from mso_academy.db import utcnow
from mso_academy.errors import Conflict, DomainError, NotFound
from mso_academy.learning.models import ActivityProgress, Completion, Enrolment, EnrolmentStatus
from mso_academy.mail import preferences
from mso_academy.plugins.manager import PluginManager

CODE_PATTERN = re.compile(r"^[A-Z2-7]{32}$")


def new_code() -> str:
    """160 random bits as 32 base32 characters (no 0/1/8/9, easy to read out and type)."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def normalise_code(code: str) -> str | None:
    cleaned = re.sub(r"[\s-]", "", code or "").upper()
    return cleaned if CODE_PATTERN.match(cleaned) else None


def base_url() -> str:
    return str(current_app.config["BASE_URL"]).rstrip("/")


def issuer() -> credential.Issuer:
    config = current_app.config
    return credential.Issuer(
        id=f"{base_url()}/issuer", name=config["ISSUER_NAME"], url=base_url(), address=config["ISSUER_ADDRESS"]
    )


def verify_url(code: str) -> str:
    return f"{base_url()}/verify/{code}"


def _contributions(plugins: PluginManager, course: Course) -> list[dict[str, str]]:
    items: list[dict[str, str]] = []
    for _plugin, answer in plugins.call_each(
        "certificate_contributions",
        course_slug=course.slug,
        course_type=course.course_type,
        language=course.language,
    ):
        for item in answer or []:
            items.append({"label": str(item["label"]), "text": str(item["text"])})
    return items


def issue(session: Session, plugins: PluginManager, completion: Completion, enrolment: Enrolment) -> Certificate:
    """The certificate of `completion`, issued now if it has none (a unique constraint keeps it to one)."""
    existing = session.scalar(select(Certificate).where(Certificate.completion_id == completion.id))
    if existing is not None:
        return existing
    user = session.get(User, enrolment.user_id)
    course = session.get(Course, enrolment.course_id)
    if user is None or course is None:
        raise NotFound(_("This certificate cannot be issued."))
    now = completion.completed_at
    valid_until = (
        now + relativedelta(months=course.certificate_validity_months) if course.certificate_validity_months else None
    )
    code = new_code()
    salt = secrets.token_hex(16)
    identity = credential.recipient_hash(user.email, salt)
    document = credential.build(
        credential_id=verify_url(code),
        issuer=issuer(),
        achievement_id=f"{base_url()}/courses/{course.slug}#version-{course.version}",
        title=course.title,
        description=course.certificate_description or course.summary,
        criteria=_("Passed every required activity of the course %(title)s.", title=course.title),
        language=course.language,
        version=course.version,
        holder_name=user.name,
        identity_hash=identity,
        salt=salt,
        issued_at=now,
        valid_until=valid_until,
        outcomes=list(course.learning_outcomes),
    )
    key = keys.signing_key()
    certificate = Certificate(
        code=code,
        completion_id=completion.id,
        user_id=user.id,
        course_id=course.id,
        holder_name=user.name,
        course_slug=course.slug,
        course_title=course.title,
        course_version=course.version,
        course_language=course.language,
        course_type=course.course_type,
        description=course.certificate_description,
        learning_outcomes=list(course.learning_outcomes),
        duration_minutes=course.duration_minutes,
        contributions=_contributions(plugins, course),
        issuer_name=current_app.config["ISSUER_NAME"],
        issuer_address=current_app.config["ISSUER_ADDRESS"],
        issued_at=now,
        valid_until=valid_until,
        recipient_salt=salt,
        recipient_hash=identity,
        key_id=key.kid,
        credential_jwt=credential.sign(document, key),
    )
    try:
        with session.begin_nested():
            session.add(certificate)
    except IntegrityError:
        return session.scalars(select(Certificate).where(Certificate.completion_id == completion.id)).one()
    plugins.hook.certificate_issued(
        session=session,
        user_id=user.id,
        course_slug=course.slug,
        certificate_code=code,
        valid_until=valid_until,
    )
    mail.send(
        session,
        mail.compose(
            user.email,
            user.preferred_language,
            _l("Your certificate"),
            "mail/certificate_issued.txt",
            user=user,
            certificate=certificate,
            link=mail.external_url("certificates.mine"),
        ),
    )
    return certificate


# --- reading ------------------------------------------------------------------------------------------------


_BY_CODE = select(Certificate).where(Certificate.code == bindparam("code"))  # built once: the public verify page


def by_code(session: Session, code: str) -> Certificate | None:
    normalised = normalise_code(code)
    if normalised is None:
        return None
    return session.scalar(_BY_CODE, {"code": normalised})


def holder_certificate(session: Session, user_id: int, code: str) -> Certificate:
    """A certificate of this user; 404 for anyone else's, so nobody learns which codes exist."""
    certificate = by_code(session, code)
    if certificate is None or certificate.user_id != user_id:
        raise NotFound(_("This certificate does not exist."))
    return certificate


def for_user(session: Session, user_id: int) -> list[Certificate]:
    return list(
        session.scalars(
            select(Certificate).where(Certificate.user_id == user_id).order_by(Certificate.issued_at.desc())
        )
    )


def list_all(session: Session, limit: int = 1000) -> list[Certificate]:
    return list(session.scalars(select(Certificate).order_by(Certificate.issued_at.desc()).limit(limit)))


def public_record(certificate: Certificate, now: datetime | None = None) -> dict[str, Any]:
    """What the public verification page and its JSON twin show: no e-mail, nothing else personal."""
    return {
        "code": certificate.code,
        "status": certificate.state(now),
        "holder": certificate.holder_name or None,  # None: the holder deleted their account
        "course": certificate.course_title,
        "course_version": certificate.course_version,
        "issued_on": certificate.issued_at.date().isoformat(),
        "valid_until": certificate.valid_until.date().isoformat() if certificate.valid_until else None,
        "revoked_on": certificate.revoked_at.date().isoformat() if certificate.revoked_at else None,
        "revocation_reason": certificate.revoked_reason if certificate.revoked_at else None,
        "issuer": {"name": certificate.issuer_name, "address": certificate.issuer_address},
    }


# --- revoking -----------------------------------------------------------------------------------------------


def can_revoke(session: Session, user: Any, certificate: Certificate) -> bool:
    """Admins, and the trainers (owner, co-trainers) of the course the certificate was issued for."""
    from mso_academy.permissions import can_edit_course, is_admin

    if is_admin(user):
        return True
    course = session.get(Course, certificate.course_id) if certificate.course_id else None
    return course is not None and can_edit_course(user, course)


def revoke(session: Session, plugins: PluginManager, certificate: Certificate, by: User, reason: str) -> None:
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Please give a reason for the revocation."))
    if certificate.revoked_at is not None:
        raise Conflict(_("This certificate has been revoked already."))
    certificate.revoked_at = utcnow()
    certificate.revoked_reason = reason[:1000]
    certificate.revoked_by_id = by.id
    audit.record(
        session,
        audit.Event.CERTIFICATE_REVOKED,
        actor_id=by.id,
        subject_user_id=certificate.user_id,
        target=("certificate", certificate.id),
    )
    session.flush()
    plugins.hook.certificate_revoked(
        session=session,
        user_id=certificate.user_id,
        course_slug=certificate.course_slug,
        certificate_code=certificate.code,
        reason=certificate.revoked_reason,
    )


# --- expiry and renewal -------------------------------------------------------------------------------------


def expiring_soon(certificate: Certificate, now: datetime, days: int) -> bool:
    return (
        certificate.state(now) == "valid"
        and certificate.valid_until is not None
        and certificate.valid_until <= now + timedelta(days=days)
    )


def send_reminders(session: Session, now: datetime | None = None) -> int:
    """Mail every holder whose valid certificate expires within the reminder window, once per certificate.

    Holders who switched these reminders off are skipped and not marked, so switching them on again still brings
    the reminder while the certificate is in the window.
    """
    now = now or utcnow()
    days = current_app.config["CERTIFICATE_REMINDER_DAYS"]
    due = session.scalars(
        select(Certificate).where(
            Certificate.revoked_at.is_(None),
            Certificate.reminded_at.is_(None),
            Certificate.valid_until.is_not(None),
            Certificate.valid_until > now,
            Certificate.valid_until <= now + timedelta(days=days),
            Certificate.user_id.is_not(None),
        )
    ).all()
    sent = 0
    for certificate in due:
        user = session.get(User, certificate.user_id)
        if user is None or not user.is_active or not preferences.wants(user, preferences.CERTIFICATE_EXPIRING):
            continue
        mail.send(
            session,
            preferences.compose_reminder(
                user,
                preferences.CERTIFICATE_EXPIRING,
                _l("Your certificate expires soon"),
                "mail/certificate_expiring.txt",
                certificate=certificate,
                link=mail.external_url("certificates.renew", code=certificate.code),
            ),
        )
        certificate.reminded_at = now
        sent += 1
    session.flush()
    return sent


def latest_for_enrolment(session: Session, enrolment: Enrolment) -> Certificate | None:
    return session.scalar(
        select(Certificate)
        .join(Completion, Completion.id == Certificate.completion_id)
        .where(Completion.enrolment_id == enrolment.id)
        .order_by(Completion.cycle.desc())
        .limit(1)
    )


def renew(session: Session, user: User, code: str) -> Enrolment:
    """Start the renewal path: the course's renewal module if it has one, otherwise the whole course again."""
    certificate = holder_certificate(session, user.id, code)
    days = current_app.config["CERTIFICATE_REMINDER_DAYS"]
    if certificate.state() == "revoked":
        raise Conflict(_("A revoked certificate cannot be renewed."))
    if certificate.state() == "valid" and not expiring_soon(certificate, utcnow(), days):
        raise Conflict(
            _("This certificate is valid for a while yet; renewal opens %(days)d days before it expires.", days=days)
        )
    completion = session.get(Completion, certificate.completion_id)
    enrolment = session.get(Enrolment, completion.enrolment_id) if completion else None
    if enrolment is None or enrolment.course is None:
        raise NotFound(_("This course does not exist any more."))
    if latest_for_enrolment(session, enrolment) is not certificate or enrolment.status != EnrolmentStatus.COMPLETED:
        return enrolment  # renewal already under way, or renewed
    course = enrolment.course
    renewal = [a.id for m in course.modules if m.is_renewal for a in m.activities]
    redo = renewal or [a.id for m in course.modules for a in m.activities]
    for row in session.scalars(
        select(ActivityProgress).where(
            ActivityProgress.enrolment_id == enrolment.id, ActivityProgress.activity_id.in_(redo)
        )
    ):
        session.delete(row)
    enrolment.cycle += 1
    enrolment.status = EnrolmentStatus.ACTIVE
    enrolment.completed_at = None
    session.flush()
    return enrolment
