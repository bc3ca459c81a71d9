"""Two-factor login with TOTP (RFC 6238) and one-time recovery codes.

Optional for everyone, required for administrators and organisation managers. A code is accepted once: the
time step of the last accepted code is stored (`users.totp_last_step`), so the same or an earlier code cannot be
replayed. Recovery codes are shown once and stored only as argon2id hashes; each one works once.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

import pyotp
import segno
from flask import current_app
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import Exists, select
from sqlalchemy.orm import Session, with_expression

from mso_academy.accounts import passwords
from mso_academy.accounts.models import RecoveryCode, Role, User
from mso_academy.audit.services import Event
from mso_academy.audit.services import record as audit
from mso_academy.db import utcnow
from mso_academy.errors import DomainError

RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read from paper without mistakes
STEP_SECONDS = 30


class WrongCode(DomainError):
    status_code = 401


def _manages_an_organisation(user_id: Any) -> Exists:
    """Whether `user_id` (a value, or `User.id` inside a user query) manages an organisation."""
    from mso_academy.organisations.models import MemberRole, Membership

    manager = Membership.role == str(MemberRole.MANAGER)
    return select(Membership.id).where(Membership.user_id == user_id, manager).exists()


def with_manager_flag() -> Any:
    """A loader option filling `User.manages_organisation`, so that `is_required` needs no query of its own."""
    return with_expression(User.manages_organisation, _manages_an_organisation(User.id))


def is_required(session: Session, user: Any) -> bool:
    """Admins and organisation managers must use a second factor (when TWO_FACTOR_ENFORCED is on)."""
    if not current_app.config["TWO_FACTOR_ENFORCED"]:
        return False
    if user.has_role(Role.ADMIN):
        return True
    if user.manages_organisation is not None:  # loaded with the user (the session's user loader asks)
        return bool(user.manages_organisation)
    return bool(session.scalar(select(_manages_an_organisation(user.id))))


def is_enabled(user: User) -> bool:
    return user.totp_enabled_at is not None and bool(user.totp_secret)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=current_app.config["TWO_FACTOR_ISSUER"])


def qr_svg(uri: str) -> Markup:
    """The otpauth URI as an inline SVG (no style attributes, so a strict Content-Security-Policy allows it)."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=4, border=2, dark="#000", light="#fff", title=_("QR code for your authenticator app"), svgclass="qr"
    )
    return Markup(svg)  # segno escapes the URI, the only input


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _matching_step(secret: str, code: str, at: float | None = None) -> int | None:
    """The time step whose code equals `code` (the current one and one either side, for clock drift)."""
    if not (len(code) == 6 and code.isdigit()):
        return None
    now = at if at is not None else time.time()
    totp = pyotp.TOTP(secret)
    current = int(now // STEP_SECONDS)
    for step in (current - 1, current, current + 1):
        if secrets.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _new_recovery_codes(session: Session, user: User) -> list[str]:
    for old in session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(old)
    codes = []
    for _n in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _i in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        session.add(RecoveryCode(user_id=user.id, code_hash=passwords.hash_password(raw)))
    return codes


def enable(session: Session, user: User, secret: str, code: str) -> list[str]:
    """Turn two-factor login on once the app shows a matching code; returns the recovery codes (shown once)."""
    step = _matching_step(secret, _normalise(code))
    if step is None:
        raise WrongCode(_("This code is not right. Check the time on your phone and enter the newest code."))
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    codes = _new_recovery_codes(session, user)
    audit(session, Event.TWO_FACTOR_ENABLED, actor_id=user.id, subject_user_id=user.id)
    session.flush()
    return codes


def regenerate_recovery_codes(session: Session, user: User, code: str) -> list[str]:
    """New recovery codes (the old ones stop working); needs a current code."""
    verify(session, user, code, allow_recovery=False)
    codes = _new_recovery_codes(session, user)
    session.flush()
    return codes


def verify(session: Session, user: User, code: str, *, allow_recovery: bool = True) -> str:
    """Accept a fresh TOTP code ("totp") or an unused recovery code ("recovery_code"); `WrongCode` otherwise.

    The failure is audited; the caller keeps that record although it answers with an error.
    """
    if not is_enabled(user):
        raise WrongCode(_("Two-factor login is not turned on for this account."))
    normalised = _normalise(code)
    step = _matching_step(user.totp_secret or "", normalised)
    if step is not None and (user.totp_last_step is None or step > user.totp_last_step):
        user.totp_last_step = step
        session.flush()
        return "totp"
    if allow_recovery and len(normalised) == 10:
        unused = session.scalars(
            select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        ).all()
        for candidate in unused:
            if passwords.verify_password(candidate.code_hash, normalised):
                candidate.used_at = utcnow()
                audit(session, Event.RECOVERY_CODE_USED, actor_id=user.id, subject_user_id=user.id)
                session.flush()
                return "recovery_code"
    audit(session, Event.TWO_FACTOR_FAILED, subject_user_id=user.id)
    session.flush()
    if step is not None:
        raise WrongCode(_("This code has been used already. Wait for the next code of your app."))
    raise WrongCode(_("This code is not right. Enter the newest code of your app or a recovery code."))


def disable(session: Session, user: User, *, password: str = "", code: str = "") -> None:
    """Turn two-factor login off; needs the password or a current code. Refused where it is required."""
    if is_required(session, user):
        raise DomainError(_("Your role requires two-factor login, so it cannot be turned off."))
    if not (password and passwords.verify_password(user.password_hash, password)):
        if not code:
            raise WrongCode(_("Enter your password or a current code to turn two-factor login off."))
        verify(session, user, code)
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    for old in session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(old)
    audit(session, Event.TWO_FACTOR_DISABLED, actor_id=user.id, subject_user_id=user.id)
    session.flush()


def recovery_codes_left(session: Session, user: User) -> int:
    return len(
        session.scalars(
            select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        ).all()
    )
