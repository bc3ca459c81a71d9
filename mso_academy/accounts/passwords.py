"""Password hashing (argon2id) and the password policy.

Policy, after NIST SP 800-63B and OWASP: a minimum length, no composition rules, and no password from a list of
common ones (``mso_academy/data/common-passwords.txt``).
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _

EXTENSION_KEY = "mso_academy.password_hasher"


def hasher() -> PasswordHasher:
    app = current_app
    if EXTENSION_KEY not in app.extensions:
        app.extensions[EXTENSION_KEY] = PasswordHasher(
            time_cost=app.config["ARGON2_TIME_COST"],
            memory_cost=app.config["ARGON2_MEMORY_COST"],
            parallelism=app.config["ARGON2_PARALLELISM"],
            type=Type.ID,
        )
    return app.extensions[EXTENSION_KEY]


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return hasher().check_needs_rehash(stored_hash)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = files("mso_academy").joinpath("data/common-passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def password_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """Why a new password is not acceptable; empty when it is."""
    problems: list[str] = []
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        problems.append(_("Use at least %(n)d characters.", n=minimum))
    lowered = password.strip().lower()
    if lowered in common_passwords():
        problems.append(_("This password is one of the most common ones. Please choose another."))
    elif len(set(lowered)) < 4:  # "aaaaaaaaaa", "1212121212": long, but guessed at once
        problems.append(_("This password repeats the same few characters. Please choose another."))
    if email and lowered in {email.lower(), email.split("@")[0].lower()}:
        problems.append(_("Do not use your e-mail address as password."))
    if name and lowered == name.strip().lower():
        problems.append(_("Do not use your name as password."))
    return problems
