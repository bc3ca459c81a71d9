"""Signed, expiring tokens for links in mail (confirmation, password reset)."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from mso_academy.accounts.models import User

CONFIRM = "email-confirm"
RESET = "password-reset"


class TokenError(Exception):
    def __init__(self, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"mso-academy.{purpose}")


def _fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def confirm_token(user: User) -> str:
    return _serializer(CONFIRM).dumps({"uid": user.id, "email": _fingerprint(user.email)})


def reset_token(user: User) -> str:
    # Bound to the current password hash: once the password changes, every older reset link is dead.
    return _serializer(RESET).dumps({"uid": user.id, "pw": _fingerprint(user.password_hash)})


def load(purpose: str, token: str, max_age: int) -> dict[str, Any]:
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise TokenError(expired=True) from None
    except BadSignature:
        raise TokenError(expired=False) from None
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        raise TokenError(expired=False)
    return data


def matches_email(data: dict[str, Any], user: User) -> bool:
    return data.get("email") == _fingerprint(user.email)


def matches_password(data: dict[str, Any], user: User) -> bool:
    return data.get("pw") == _fingerprint(user.password_hash)
