"""Two-factor login: the second step after the password, setting it up in the profile, turning it off.

Between the password and the code the person is not logged in: a signed, timestamped note in the session cookie
names the account and expires after TWO_FACTOR_PENDING_MAX_AGE seconds (5 minutes). It also carries a digest of
the account's session token, so a password change in between voids it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from mso_academy.accounts import forms, services, twofactor
from mso_academy.accounts.models import User
from mso_academy.db import get_session
from mso_academy.redirects import safe_next

bp = Blueprint("two_factor", __name__, url_prefix="/account/two-factor")

PENDING_KEY = "two_factor_pending"
SETUP_KEY = "two_factor_setup_secret"
# Where a user who must set up two-factor login may still go.
OPEN_DURING_SETUP = {
    "two_factor.settings",
    "two_factor.enable",
    "accounts.logout",
    "core.switch_language",
    "privacy.notice",
}


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="two-factor-pending")


def _token_digest(user: User) -> str:
    return hashlib.sha256(user.session_token.encode()).hexdigest()[:32]


def start_pending(user: User, *, remember: bool, next_url: str | None) -> Response:
    """After a correct password of an account with two-factor login: remember who, ask for the code."""
    session.pop("_user_id", None)
    session[PENDING_KEY] = _serializer().dumps(
        {"uid": user.id, "tok": _token_digest(user), "remember": bool(remember), "next": next_url}
    )
    return redirect(url_for("two_factor.verify"))


def pending() -> dict[str, Any] | None:
    raw = session.get(PENDING_KEY)
    if not raw:
        return None
    try:
        data = _serializer().loads(raw, max_age=current_app.config["TWO_FACTOR_PENDING_MAX_AGE"])
    except BadSignature:
        return None
    return data if isinstance(data, dict) else None


def pending_user_id() -> str | None:
    """The rate limiter's per-account key on the second step."""
    data = pending()
    return str(data["uid"]) if data else None


def _pending_user() -> tuple[User, dict[str, Any]] | None:
    data = pending()
    if data is None:
        return None
    user = get_session().get(User, data.get("uid"))
    if user is None or not user.is_active or data.get("tok") != _token_digest(user) or not twofactor.is_enabled(user):
        return None
    return user, data


@bp.route("/verify", methods=["GET", "POST"])
def verify() -> str | Response | tuple[str, int]:
    found = _pending_user()
    if found is None:
        session.pop(PENDING_KEY, None)
        flash(_("Please log in again: the time for the second step has run out."), "info")
        return redirect(url_for("accounts.login"))
    user, data = found
    form = forms.TwoFactorCodeForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            method = twofactor.verify(db, user, form.code.data)
        except twofactor.WrongCode as exc:
            form.code.errors = [exc.message]
            db.commit()  # the failed attempt stays in the audit log although the answer is an error
            return render_template("accounts/two_factor_verify.html", form=form), 401
        session.pop(PENDING_KEY, None)
        services.complete_login(db, user, second_factor=method)
        login_user(user, remember=data.get("remember", False))
        if method == "recovery_code":
            left = twofactor.recovery_codes_left(db, user)
            flash(_("You used a recovery code. %(n)d codes are left.", n=left), "info")
        flash(_("Welcome, %(name)s!", name=user.name), "success")
        return redirect(safe_next(data.get("next")) or url_for("learning.dashboard"))
    return render_template("accounts/two_factor_verify.html", form=form), 422 if form.errors else 200


@bp.get("/")
@login_required
def settings() -> str:
    user = current_user._get_current_object()
    db = get_session()
    context: dict[str, Any] = {
        "enabled": twofactor.is_enabled(user),
        "required": twofactor.is_required(db, user),
        "code_form": forms.TwoFactorCodeForm(),
        "disable_form": forms.DisableTwoFactorForm(prefix="off"),
    }
    if context["enabled"]:
        context["codes_left"] = twofactor.recovery_codes_left(db, user)
    else:
        secret = session.get(SETUP_KEY) or twofactor.new_secret()
        session[SETUP_KEY] = secret
        context["secret"] = secret
        context["qr"] = twofactor.qr_svg(twofactor.provisioning_uri(user, secret))
    return render_template("accounts/two_factor.html", **context)


def _codes_page(codes: list[str]) -> Response:
    response = current_app.make_response(render_template("accounts/recovery_codes.html", codes=codes))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/enable")
@login_required
def enable() -> Response | tuple[str, int]:
    user = current_user._get_current_object()
    form = forms.TwoFactorCodeForm()
    secret = session.get(SETUP_KEY)
    if not form.validate_on_submit() or not secret or twofactor.is_enabled(user):
        return redirect(url_for("two_factor.settings"))
    try:
        codes = twofactor.enable(get_session(), user, secret, form.code.data)
    except twofactor.WrongCode as exc:
        flash(exc.message, "error")
        return redirect(url_for("two_factor.settings"), code=303)
    session.pop(SETUP_KEY, None)
    return _codes_page(codes)


@bp.post("/recovery-codes")
@login_required
def new_recovery_codes() -> Response:
    form = forms.TwoFactorCodeForm()
    if form.validate_on_submit():
        try:
            return _codes_page(
                twofactor.regenerate_recovery_codes(get_session(), current_user._get_current_object(), form.code.data)
            )
        except twofactor.WrongCode as exc:
            flash(exc.message, "error")
    return redirect(url_for("two_factor.settings"), code=303)


@bp.post("/disable")
@login_required
def disable() -> Response:
    form = forms.DisableTwoFactorForm(prefix="off")
    if form.validate_on_submit():
        try:
            twofactor.disable(
                get_session(),
                current_user._get_current_object(),
                password=form.password.data or "",
                code=form.code.data or "",
            )
        except services.DomainError as exc:
            flash(exc.message, "error")
        else:
            flash(_("Two-factor login is off."), "success")
            return redirect(url_for("accounts.profile"), code=303)
    return redirect(url_for("two_factor.settings"), code=303)


@bp.before_app_request
def _require_two_factor() -> Response | None:
    """Admins and managers without a second factor are sent to set it up before anything else."""
    if not current_user.is_authenticated or twofactor.is_enabled(current_user):
        return None
    endpoint = request.endpoint or ""
    if endpoint in OPEN_DURING_SETUP or endpoint.endswith("static") or endpoint.startswith("two_factor."):
        return None
    if request.blueprint == "api":
        return None  # token-authenticated; tokens are made on web pages, which require the setup first
    if not twofactor.is_required(get_session(), current_user):
        return None
    flash(_("Your role requires two-factor login. Please set it up now."), "info")
    return redirect(url_for("two_factor.settings"))
