"""Configuration: defaults → instance/config.py → environment (MSO_ACADEMY_*) → explicit overrides.

The defaults run on a laptop with nothing installed: SQLite in the instance folder, a secret key generated once
and kept there, mail written to an outbox folder.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

ENV_PREFIX = "MSO_ACADEMY_"

DEFAULTS: dict[str, Any] = {
    "SITE_NAME": "MSO Academy",
    "QUERY_COUNT_HEADER": False,  # X-Query-Count on every response (benchmarks, query-count tests)
    "DATABASE_URL": None,  # None: sqlite file in the instance folder
    "SQLALCHEMY_ECHO": False,
    "MAIL_URL": None,  # smtp://user:password@host:port ; smtps:// for implicit TLS; ?starttls=1
    "MAIL_FROM": "MSO Academy <no-reply@mso-academy.invalid>",
    "MAIL_OUTBOX_DIR": None,  # None: instance/outbox
    # After a commit the app tries to send the mail that transaction queued, once; the worker retries the rest.
    "MAIL_SEND_AFTER_COMMIT": True,
    "MAIL_MAX_ATTEMPTS": 8,  # then the message is "failed" (kept; `mso-academy mail requeue` tries again)
    "MAIL_RETRY_BASE_SECONDS": 60,  # waits of 1, 5, 25, 125 … minutes between attempts
    "MAIL_RETRY_MAX_SECONDS": 6 * 3600,
    "MAIL_CLAIM_SECONDS": 600,  # a worker's lease on a batch; a crashed worker's batch is retried after it
    "MAIL_BATCH_SIZE": 50,
    "CONFIRM_TOKEN_MAX_AGE": 3 * 24 * 3600,
    "RESET_TOKEN_MAX_AGE": 3600,
    "INVITATION_MAX_AGE": 14 * 24 * 3600,  # an organisation's invitation link, usable once
    "PASSWORD_MIN_LENGTH": 10,
    # argon2id at OWASP's recommended cost (Password Storage Cheat Sheet: m=19 MiB, t=2, p=1): strong against
    # guessing, at about a third of the CPU time of the RFC 9106 low-memory profile used before, and on one core
    # (p=1), so a burst of logins cannot starve the other requests.
    # A successful login rehashes stored hashes of other parameters.
    "ARGON2_TIME_COST": 2,
    "ARGON2_MEMORY_COST": 19456,
    "ARGON2_PARALLELISM": 1,
    "LANGUAGES": ["de", "en", "tr", "ar", "uk", "ru"],
    "BABEL_DEFAULT_LOCALE": "de",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Berlin",
    "CATALOGUE_PAGE_SIZE": 12,
    "DISABLED_PLUGINS": [],
    "PLUGINS_AUTOLOAD": True,
    "EXTRA_PLUGINS": [],  # plugin objects registered in code (tests, embedding)
    "COURSES_DIR": None,  # None: <project>/courses
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_DURATION": 14 * 24 * 3600,
    "WTF_CSRF_TIME_LIMIT": 3600 * 8,
    # The largest request body: a learner's upload (the assignment's limit is 5 MB) plus the rest of the form.
    # A larger request is answered with 413 before any view runs.
    "MAX_CONTENT_LENGTH": 6 * 1024 * 1024,
    "UPLOADS_DIR": None,  # None: instance/uploads (outside the web root; files are served only through a view)
    # External address of the site: links in mail sent outside a request and the ids inside credentials.
    "BASE_URL": "http://127.0.0.1:5000",
    "ISSUER_NAME": "MSO Academy",
    "ISSUER_ADDRESS": "",
    "KEYS_DIR": None,  # None: instance/keys
    "CERTIFICATE_REMINDER_DAYS": 60,
    "ORG_EXPIRY_WARNING_DAYS": 60,  # the manager's matrix marks certificates expiring within this many days
    "ASSIGNMENT_REMINDER_DAYS": 7,  # `assignments remind` mails members whose assigned course is due this soon
    "REDIS_URL": None,  # rate limits in Redis when set, else in memory
    "RATELIMIT_ENABLED": True,
    "VERIFY_RATE_LIMIT": "60 per minute",
    # Storage of the rate-limit counters: memory on one machine; REDIS_URL (if set) unless given explicitly.
    "RATELIMIT_STORAGE_URI": None,
    # Accounts, per client address (every POST) and per account (only failures count, so a real user is slowed
    # down, never locked out: the window passes by itself). See mso_academy/ratelimits.py.
    "LOGIN_RATE_LIMIT_IP": "30 per minute; 300 per hour",
    "LOGIN_RATE_LIMIT_ACCOUNT": "10 per 15 minutes",
    "REGISTER_RATE_LIMIT_IP": "10 per hour",
    "MAIL_LINK_RATE_LIMIT_IP": "10 per 15 minutes; 30 per day",  # password reset and confirmation requests
    "MAIL_LINK_RATE_LIMIT_ACCOUNT": "3 per 15 minutes; 10 per day",  # mails to one address
    "CONFIRM_RATE_LIMIT_IP": "30 per hour",
    "TWO_FACTOR_RATE_LIMIT_IP": "30 per minute",
    "TWO_FACTOR_RATE_LIMIT_ACCOUNT": "5 per 5 minutes",
    # Two-factor login: required for admins and organisation managers (False only for tests of other features).
    "TWO_FACTOR_ENFORCED": True,
    "TWO_FACTOR_ISSUER": "MSO Academy",
    "TWO_FACTOR_PENDING_MAX_AGE": 300,  # seconds between the password and the second step
    # A deleted account's certificates: "pseudonymise" (the record stays verifiable by code, without the name)
    # or "delete". See docs/privacy.md.
    "CERTIFICATE_RETENTION": "pseudonymise",
    # The accessibility statement (/accessibility, BITV 2.0 / § 12b BGG): where feedback goes (None: the address in
    # MAIL_FROM), the date the statement was last reviewed, and the enforcement body (Schlichtungsstelle, § 16 BGG).
    "ACCESSIBILITY_CONTACT": None,
    "ACCESSIBILITY_STATEMENT_DATE": "2026-11-22",
    "ACCESSIBILITY_ENFORCEMENT_NAME": "Schlichtungsstelle nach § 16 BGG",
    "ACCESSIBILITY_ENFORCEMENT_URL": "https://www.schlichtungsstelle-bgg.de",
}

# Keys whose environment value is a comma-separated list, an integer or a boolean.
_LIST_KEYS = {"LANGUAGES", "DISABLED_PLUGINS"}
_BOOL_VALUES = {
    "1": True,
    "true": True,
    "yes": True,
    "on": True,
    "0": False,
    "false": False,
    "no": False,
    "off": False,
    "": False,
}


def _coerce(key: str, raw: str) -> Any:
    """Turn an environment string into the type of the default, so `MSO_ACADEMY_X=3` is an int where X is."""
    default = DEFAULTS.get(key)
    if key in _LIST_KEYS:
        return [part.strip() for part in raw.split(",") if part.strip()]
    if isinstance(default, bool):
        try:
            return _BOOL_VALUES[raw.strip().lower()]
        except KeyError:
            raise ValueError(f"{ENV_PREFIX}{key} must be a boolean (1/0, true/false), got {raw!r}") from None
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{ENV_PREFIX}{key} must be an integer, got {raw!r}") from None
    if raw.startswith(("[", "{")):
        return json.loads(raw)
    return raw


def _secret_key(instance: Path) -> str:
    """A key generated once per installation and kept in the instance folder (mode 0600)."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def load(app: Flask, overrides: dict[str, Any] | None = None) -> None:
    """Fill `app.config` in the documented order of precedence."""
    app.config.update(DEFAULTS)
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.from_pyfile("config.py", silent=True)
    for name, raw in os.environ.items():
        if name.startswith(ENV_PREFIX):
            key = name.removeprefix(ENV_PREFIX)
            app.config[key] = _coerce(key, raw)
    if overrides:
        app.config.update(overrides)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(instance)
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'mso_academy.sqlite3'}"
    if not app.config["MAIL_OUTBOX_DIR"]:
        app.config["MAIL_OUTBOX_DIR"] = str(instance / "outbox")
    if not app.config["UPLOADS_DIR"]:
        app.config["UPLOADS_DIR"] = str(instance / "uploads")
    if not app.config["COURSES_DIR"]:
        app.config["COURSES_DIR"] = str(Path(__file__).resolve().parent.parent / "courses")
