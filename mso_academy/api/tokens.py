"""Personal access tokens: create (shown once), list, revoke, and authenticate a request's bearer token."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from mso_academy.accounts.models import User
from mso_academy.api.models import ApiToken
from mso_academy.db import utcnow
from mso_academy.errors import DomainError, NotFound

TOKEN_PREFIX = "msoa_"
MAX_TOKENS_PER_USER = 20
EXPIRY_CHOICES = (30, 90, 365)  # days; a token never lives longer than a year
LAST_USED_RESOLUTION = timedelta(minutes=15)  # `last_used_at` is bookkeeping: not rewritten on every request


class Scope(StrEnum):
    LEARNING_READ = "learning:read"  # my enrolments, progress and certificates
    ORGANISATIONS_READ = "organisations:read"  # members and certificates of the organisations I manage


SCOPE_LABELS = {
    Scope.LEARNING_READ: _l("Read my enrolments, progress and certificates"),
    Scope.ORGANISATIONS_READ: _l("Read members and certificates of the organisations I manage"),
}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, name: str, scopes: list[str], days: int) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the stored record and the token itself, which is never shown again."""
    if days not in EXPIRY_CHOICES:
        raise DomainError(str(_l("Choose how long the token stays valid.")))
    unknown = set(scopes) - {scope.value for scope in Scope}
    if not scopes or unknown:
        raise DomainError(str(_l("Choose at least one permission.")))
    active = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))).all()
    if len(active) >= MAX_TOKENS_PER_USER:
        raise DomainError(str(_l("You have too many tokens. Revoke one you no longer use first.")))
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(
        user_id=user.id,
        name=name.strip()[:100],
        token_hash=_hash(token),
        prefix=token[: len(TOKEN_PREFIX) + 6],
        scopes=sorted(set(scopes)),
        expires_at=utcnow() + timedelta(days=days),
    )
    session.add(record)
    session.flush()
    return record, token


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


def revoke_token(session: Session, user: User, token_id: int) -> ApiToken:
    record = session.get(ApiToken, token_id)
    if record is None or record.user_id != user.id:
        raise NotFound(str(_l("This token does not exist.")))
    if record.revoked_at is None:
        record.revoked_at = utcnow()
        session.flush()
    return record


def authenticate(session: Session, token: str, now: datetime | None = None) -> tuple[User, ApiToken] | None:
    """The user and token behind a bearer token, or None when it is unknown, revoked, expired or the user disabled."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    now = now or utcnow()
    found = session.execute(
        select(ApiToken, User).join(User, User.id == ApiToken.user_id).where(ApiToken.token_hash == _hash(token))
    ).first()
    if found is None:
        return None
    record, user = found
    if record.revoked_at is not None or record.expires_at <= now or not user.is_active:
        return None
    if record.last_used_at is None or now - record.last_used_at > LAST_USED_RESOLUTION:
        record.last_used_at = now
    return user, record
