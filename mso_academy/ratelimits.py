"""Rate limits, declared in one place: endpoint → rules naming the config key that holds the limit.

Rules of the same `scope` share one budget (the page and its JSON twin; every form that mails a link).

Accounts are protected per client address AND per account, without letting anyone lock a real user out:

* per address, every POST counts (a crowd behind one router — a course evening at an association — stays far
  below the limits);
* per account, on login and on the second step only *failures* count (a 401): a correct password is never held
  back by someone else's wrong ones until the account's budget (LOGIN_RATE_LIMIT_ACCOUNT, 10 per 15 minutes) is
  spent; then the account answers 429 with Retry-After for the rest of the window and nothing else is asked of
  the user: no permanent lock, no CAPTCHA, the window passes by itself. An attacker who spends the budget from
  many addresses delays a real user by at most that window, while guessing stays at ~1,000 tries a day;
* per e-mail address, the forms that send mail (password reset, new confirmation link, registration) count every
  request: each counted request did send the link to the address's owner, so the owner always has a fresh one.

Account keys are keyed digests of the normalised e-mail address (or the account id), never the address itself,
so the counter store (Redis) holds no personal data. One `Limiter` per app (no module globals); storage is memory
on one machine, RATELIMIT_STORAGE_URI or MSO_ACADEMY_REDIS_URL (Redis) to count across several app servers.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import TooManyRequests
from werkzeug.wrappers import Response

EXTENSION_KEY = "mso_academy.limiter"


def _digest(kind: str, value: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return f"{kind}:{hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]}"


def email_key() -> str:
    """The e-mail address sent in the form, normalised and digested."""
    return _digest("email", (request.form.get("email") or "").strip().lower())


def pending_account_key() -> str:
    """The account waiting for its second step (else the client address)."""
    from mso_academy.accounts.twofactor_views import pending_user_id

    user_id = pending_user_id()
    return _digest("user", user_id) if user_id else f"ip:{get_remote_address()}"


def _failed(response: Response) -> bool:
    return response.status_code == 401


@dataclass(frozen=True)
class Rule:
    config_key: str
    scope: str
    key_func: Callable[[], str] = get_remote_address
    methods: tuple[str, ...] | None = ("POST",)
    failures_only: bool = False


_LOGIN_IP = Rule("LOGIN_RATE_LIMIT_IP", "login-ip")
_MAIL_IP = Rule("MAIL_LINK_RATE_LIMIT_IP", "mail-link-ip")
_MAIL_ACCOUNT = Rule("MAIL_LINK_RATE_LIMIT_ACCOUNT", "mail-link-account", email_key)
_TWO_FACTOR_IP = Rule("TWO_FACTOR_RATE_LIMIT_IP", "two-factor-ip")

RULES: dict[str, tuple[Rule, ...]] = {
    "certificates.verify": (Rule("VERIFY_RATE_LIMIT", "VERIFY_RATE_LIMIT", methods=None),),
    "certificates.verify_json": (Rule("VERIFY_RATE_LIMIT", "VERIFY_RATE_LIMIT", methods=None),),
    "accounts.login": (
        _LOGIN_IP,
        Rule("LOGIN_RATE_LIMIT_ACCOUNT", "login-account", email_key, failures_only=True),
    ),
    "accounts.register": (Rule("REGISTER_RATE_LIMIT_IP", "register-ip"), _MAIL_ACCOUNT),
    "accounts.forgot_password": (_MAIL_IP, _MAIL_ACCOUNT),
    "accounts.resend_confirmation": (_MAIL_IP, _MAIL_ACCOUNT),
    "accounts.confirm_email": (Rule("CONFIRM_RATE_LIMIT_IP", "confirm-ip", methods=None),),
    # Password checks of signed-in users: a stolen session must not become a password oracle.
    "accounts.change_password": (_LOGIN_IP,),
    "privacy.delete_account": (_LOGIN_IP,),
    "two_factor.verify": (
        _TWO_FACTOR_IP,
        Rule("TWO_FACTOR_RATE_LIMIT_ACCOUNT", "two-factor-account", pending_account_key, failures_only=True),
    ),
    "two_factor.enable": (_TWO_FACTOR_IP,),
    "two_factor.disable": (_TWO_FACTOR_IP,),
    "two_factor.new_recovery_codes": (_TWO_FACTOR_IP,),
}


def storage_uri(app: Flask) -> str:
    return app.config.get("RATELIMIT_STORAGE_URI") or app.config.get("REDIS_URL") or "memory://"


def init_app(app: Flask) -> Limiter:
    """Call after the blueprints are registered: wraps the listed views with their limits."""
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=storage_uri(app),
        key_prefix=app.config.get("RATELIMIT_KEY_PREFIX", "mso-academy"),
        enabled=app.config["RATELIMIT_ENABLED"],
        headers_enabled=True,
        default_limits=[],
    )
    for endpoint, rules in RULES.items():
        view = app.view_functions.get(endpoint)
        if view is None:
            continue
        for rule in rules:
            view = limiter.shared_limit(
                lambda key=rule.config_key: app.config[key],
                scope=rule.scope,
                key_func=rule.key_func,
                methods=list(rule.methods) if rule.methods else None,
                deduct_when=_failed if rule.failures_only else None,
            )(view)
        app.view_functions[endpoint] = view
    app.extensions[EXTENSION_KEY] = limiter
    app.register_error_handler(429, _too_many)
    return limiter


def _too_many(error: TooManyRequests) -> tuple[str, int, dict[str, str]]:
    """A page that says how long to wait, with the same figure in Retry-After."""
    wait = 60
    current = limiter(current_app).current_limit
    if current is not None:
        wait = max(1, math.ceil(current.reset_at - time.time()))
    minutes = math.ceil(wait / 60)
    message = _(
        "Too many attempts. For your protection, please wait %(minutes)d minute(s) and try again. "
        "Nothing is locked: after the wait everything works as before.",
        minutes=minutes,
    )
    return (
        render_template("core/error.html", status=429, message=message),
        429,
        {"Retry-After": str(wait)},
    )


def limiter(app: Flask) -> Limiter:
    return app.extensions[EXTENSION_KEY]
