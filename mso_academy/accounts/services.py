"""Accounts: registration, confirmation, authentication, password reset, profile, roles and deletion.

Every function takes the session and plain values, flushes and never commits.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mso_academy import mail
from mso_academy.accounts import passwords, tokens
from mso_academy.accounts.models import Role, User, UserRole, new_session_token
from mso_academy.audit.services import Event
from mso_academy.audit.services import record as audit
from mso_academy.db import begin_writing, utcnow
from mso_academy.errors import Conflict, DomainError, NotFound
from mso_academy.plugins.manager import PluginManager


class WeakPassword(DomainError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


class EmailTaken(Conflict):
    pass


class InvalidCredentials(DomainError):
    status_code = 401


class EmailNotConfirmed(DomainError):
    status_code = 403


class InvalidLink(DomainError):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_("This user does not exist."))
    return user


def check_new_password(password: str, *, email: str = "", name: str = "") -> None:
    problems = passwords.password_problems(password, email=email, name=name)
    if problems:
        raise WeakPassword(problems)


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    password: str,
    language: str = "de",
    roles: list[Role] | tuple[Role, ...] = (),
    confirmed: bool = False,
) -> User:
    """Create an account; `EmailTaken` if the address is in use (also under a concurrent registration)."""
    email = normalise_email(email)
    name = name.strip()
    check_new_password(password, email=email, name=name)
    if find_by_email(session, email) is not None:
        raise EmailTaken(_("An account with this e-mail address exists already. Log in or reset the password."))
    user = User(
        email=email,
        name=name,
        password_hash=passwords.hash_password(password),
        preferred_language=language,
        email_confirmed_at=utcnow() if confirmed else None,
    )
    user.roles = [UserRole(role=str(role)) for role in roles]
    session.add(user)
    session.flush()
    return user


def register(session: Session, *, email: str, name: str, password: str, language: str) -> User:
    user = create_user(session, email=email, name=name, password=password, language=language)
    send_confirmation(session, user)
    return user


def send_confirmation(session: Session, user: User) -> None:
    link = mail.external_url("accounts.confirm_email", token=tokens.confirm_token(user))
    hours = current_app.config["CONFIRM_TOKEN_MAX_AGE"] // 3600
    mail.send(
        session,
        mail.compose(
            user.email,
            user.preferred_language,
            _l("Confirm your e-mail address"),
            "mail/confirm_email.txt",
            user=user,
            link=link,
            hours=hours,
        ),
    )


def resend_confirmation(session: Session, email: str) -> None:
    """Same outcome whether or not the address is known, so nobody learns who has an account."""
    user = find_by_email(session, email)
    if user is not None and not user.email_confirmed and user.is_active:
        send_confirmation(session, user)


def confirm_email(session: Session, token: str) -> User:
    try:
        data = tokens.load(tokens.CONFIRM, token, current_app.config["CONFIRM_TOKEN_MAX_AGE"])
    except tokens.TokenError as exc:
        raise InvalidLink(
            _("This confirmation link has expired. Request a new one below.")
            if exc.expired
            else _("This confirmation link is not valid.")
        ) from None
    user = session.get(User, data["uid"])
    if user is None or not tokens.matches_email(data, user):
        raise InvalidLink(_("This confirmation link is not valid."))
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    session.flush()
    return user


# A real hash of a random password: verifying against it costs what a real check costs, so the answer time
# does not tell whether an e-mail address has an account.
_DUMMY_HASH: dict[str, str] = {}


def _dummy_verify(password: str) -> None:
    if "hash" not in _DUMMY_HASH:
        _DUMMY_HASH["hash"] = passwords.hash_password(new_session_token())
    passwords.verify_password(_DUMMY_HASH["hash"], password)


def authenticate(session: Session, email: str, password: str) -> User:
    """Check the password (the first factor). A failure is written to the audit log; the caller keeps that
    record although it answers with an error (see the login view)."""
    user = find_by_email(session, email)
    if user is None:
        _dummy_verify(password)
        begin_writing(session)
        audit(session, Event.LOGIN_FAILED, details={"cause": "unknown_account"})
        raise InvalidCredentials(_("E-mail address or password is wrong."))
    verified = passwords.verify_password(user.password_hash, password)
    begin_writing(session)  # the hashing is done: only now take the (SQLite) write lock, see the login view
    if not verified or not user.is_active:
        cause = "wrong_password" if user.is_active else "inactive_account"
        audit(session, Event.LOGIN_FAILED, subject_user_id=user.id, details={"cause": cause})
        raise InvalidCredentials(_("E-mail address or password is wrong."))
    if not user.email_confirmed:
        raise EmailNotConfirmed(_("Please confirm your e-mail address first. We can send you a new confirmation link."))
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    session.flush()
    return user


def complete_login(session: Session, user: User, second_factor: str = "none") -> None:
    """The user is in: after the password, or after the second step when two-factor login is on."""
    user.last_login_at = utcnow()
    audit(session, Event.LOGIN, actor_id=user.id, subject_user_id=user.id, details={"second_factor": second_factor})


def record_logout(session: Session, user: User) -> None:
    audit(session, Event.LOGOUT, actor_id=user.id, subject_user_id=user.id)


def request_password_reset(session: Session, email: str) -> None:
    """Mail a reset link if the address has an account; the caller answers the same either way."""
    user = find_by_email(session, email)
    if user is None or not user.is_active:
        return
    link = mail.external_url("accounts.reset_password", token=tokens.reset_token(user))
    minutes = current_app.config["RESET_TOKEN_MAX_AGE"] // 60
    mail.send(
        session,
        mail.compose(
            user.email,
            user.preferred_language,
            _l("Reset your password"),
            "mail/reset_password.txt",
            user=user,
            link=link,
            minutes=minutes,
        ),
    )


def user_for_reset_token(session: Session, token: str) -> User:
    try:
        data = tokens.load(tokens.RESET, token, current_app.config["RESET_TOKEN_MAX_AGE"])
    except tokens.TokenError as exc:
        raise InvalidLink(
            _("This reset link has expired. Please request a new one.")
            if exc.expired
            else _("This reset link is not valid.")
        ) from None
    user = session.get(User, data["uid"])
    if user is None or not user.is_active or not tokens.matches_password(data, user):
        raise InvalidLink(_("This reset link is not valid or has been used already."))
    return user


def reset_password(session: Session, token: str, new_password: str) -> User:
    user = user_for_reset_token(session, token)
    _set_password(user, new_password)
    # The link arrived by mail, so the address is proven.
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    audit(session, Event.PASSWORD_RESET, subject_user_id=user.id)
    session.flush()
    return user


def _set_password(user: User, new_password: str) -> None:
    check_new_password(new_password, email=user.email, name=user.name)
    user.password_hash = passwords.hash_password(new_password)
    user.session_token = new_session_token()  # ends every other session


def change_password(session: Session, user: User, current_password: str, new_password: str) -> None:
    if not passwords.verify_password(user.password_hash, current_password):
        raise InvalidCredentials(_("The current password is wrong."))
    _set_password(user, new_password)
    audit(session, Event.PASSWORD_CHANGED, actor_id=user.id, subject_user_id=user.id)
    session.flush()


def set_language(session: Session, user: User, language: str) -> None:
    """Remember the interface language of a signed-in user (the language switcher on every page)."""
    if language not in current_app.config["LANGUAGES"]:
        raise DomainError(_("This language is not available."))
    user.preferred_language = language
    session.flush()


def update_profile(session: Session, user: User, *, name: str, language: str) -> None:
    if language not in current_app.config["LANGUAGES"]:
        raise DomainError(_("This language is not available."))
    user.name = name.strip()
    user.preferred_language = language
    session.flush()


def grant_role(session: Session, user: User, role: Role, *, actor_id: int | None = None) -> bool:
    """Give `user` the role; False if they had it already. `actor_id` None: the console."""
    if user.has_role(role):
        return False
    user.roles.append(UserRole(role=str(role)))
    audit(session, Event.ROLE_GRANTED, actor_id=actor_id, subject_user_id=user.id, details={"role": str(role)})
    session.flush()
    return True


def revoke_role(session: Session, user: User, role: Role, *, actor_id: int | None = None) -> bool:
    if role == Role.ADMIN and user.has_role(Role.ADMIN):
        admins = session.scalar(select(func.count()).select_from(UserRole).where(UserRole.role == str(Role.ADMIN)))
        if admins == 1:
            raise Conflict(_("The last administrator cannot lose the admin role."))
    found = [r for r in user.roles if r.role == str(role)]
    for r in found:
        user.roles.remove(r)
    if found:
        audit(session, Event.ROLE_REVOKED, actor_id=actor_id, subject_user_id=user.id, details={"role": str(role)})
    session.flush()
    return bool(found)


def disable_user(session: Session, user: User, *, actor_id: int | None = None) -> None:
    """Stop an account: no more logins, and every running session ends with the rotated session token."""
    user.is_active = False
    user.session_token = new_session_token()
    audit(session, Event.ACCOUNT_DISABLED, actor_id=actor_id, subject_user_id=user.id)
    session.flush()


def list_users(session: Session, query: str = "", limit: int = 50) -> list[User]:
    stmt = select(User).order_by(User.name).limit(limit)
    if query:
        like = f"%{query.strip().lower()}%"
        stmt = stmt.where(func.lower(User.email).like(like) | func.lower(User.name).like(like))
    return list(session.scalars(stmt))


def export_user_data(session: Session, plugins: PluginManager, user: User) -> dict[str, Any]:
    """The core's data about a user plus every plugin's (GDPR Art. 15/20); see `accounts.privacy`."""
    from mso_academy.accounts import privacy

    return privacy.export_user_data(session, plugins, user)


def delete_user(session: Session, plugins: PluginManager, user: User, *, actor_id: int | None = None) -> None:
    """Remove the account everywhere (GDPR Art. 17); see `accounts.privacy`."""
    from mso_academy.accounts import privacy

    privacy.delete_user(session, plugins, user, actor_id=actor_id)
