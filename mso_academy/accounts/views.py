"""Register, confirm, log in and out, reset a password, edit the profile."""

from __future__ import annotations

from functools import cache

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from mso_academy.accounts import forms, services, twofactor, twofactor_views
from mso_academy.accounts.models import User
from mso_academy.db import get_session, read_first
from mso_academy.extensions import login_manager
from mso_academy.redirects import safe_next

bp = Blueprint("accounts", __name__, url_prefix="/account")


@cache
def _user_by_session_token() -> Select[tuple[User]]:
    """Built once: every signed-in request runs it, and building the statement costs as much as running it."""
    return (
        select(User)
        .options(joinedload(User.roles), twofactor.with_manager_flag())
        .where(User.session_token == bindparam("session_token"))
        .execution_options(populate_existing=True)  # fills the flag on a user the session already holds
    )


@login_manager.user_loader
def _load_user(session_token: str) -> User | None:
    # The roles and the manager flag come in the same query, so a signed-in page pays one query for its user.
    user = get_session().scalars(_user_by_session_token(), {"session_token": session_token}).unique().one_or_none()
    return user if user is not None and user.is_active else None


def _languages() -> list[forms.SelectChoice]:
    return forms.language_choices(current_app.config["LANGUAGES"])


@bp.route("/register", methods=["GET", "POST"])
def register() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("learning.dashboard"))
    form = forms.RegisterForm()
    form.language.choices = _languages()
    if request.method == "GET":
        form.language.data = str(request.accept_languages.best_match(current_app.config["LANGUAGES"]) or "de")
    if form.validate_on_submit():
        try:
            services.register(
                get_session(),
                email=form.email.data,
                name=form.name.data,
                password=form.password.data,
                language=form.language.data,
            )
        except services.WeakPassword as exc:
            form.password.errors = list(exc.problems)
        except services.EmailTaken as exc:
            form.email.errors = [exc.message]
        else:
            return redirect(url_for("accounts.check_mail"))
    return render_template("accounts/register.html", form=form), 422 if form.errors else 200


@bp.get("/check-mail")
def check_mail() -> str:
    return render_template("accounts/check_mail.html")


@bp.get("/confirm/<token>")
def confirm_email(token: str) -> Response | tuple[str, int]:
    try:
        services.confirm_email(get_session(), token)
    except services.InvalidLink as exc:
        return render_template("accounts/link_invalid.html", message=exc.message, form=forms.EmailOnlyForm()), 400
    flash(_("Thank you, your e-mail address is confirmed. You can log in now."), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/confirm", methods=["GET", "POST"])
def resend_confirmation() -> str | Response:
    form = forms.EmailOnlyForm()
    if form.validate_on_submit():
        services.resend_confirmation(get_session(), form.email.data)
        return redirect(url_for("accounts.check_mail"))
    return render_template("accounts/resend.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    # Read first, hash the password without holding SQLite's single write lock, then write (services.authenticate):
    # twenty people logging in at once at a course evening must not queue behind each other's hashing.
    read_first()
    if current_user.is_authenticated:
        return redirect(url_for("learning.dashboard"))
    form = forms.LoginForm()
    unconfirmed = False
    if form.validate_on_submit():
        try:
            user = services.authenticate(get_session(), form.email.data, form.password.data)
        except services.EmailNotConfirmed as exc:
            flash(exc.message, "error")
            unconfirmed = True
        except services.InvalidCredentials as exc:
            flash(exc.message, "error")
            get_session().commit()  # the failed login stays in the audit log although the answer is an error
        else:
            next_url = safe_next(request.args.get("next"))
            if twofactor.is_enabled(user):
                return twofactor_views.start_pending(user, remember=form.remember.data, next_url=next_url)
            services.complete_login(get_session(), user)
            login_user(user, remember=form.remember.data)
            flash(_("Welcome, %(name)s!", name=user.name), "success")
            return redirect(next_url or url_for("learning.dashboard"))
        return render_template("accounts/login.html", form=form, unconfirmed=unconfirmed), 401
    return render_template("accounts/login.html", form=form, unconfirmed=False)


@bp.post("/logout")
@login_required
def logout() -> Response:
    services.record_logout(get_session(), current_user._get_current_object())
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("core.index"))


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password() -> str | Response:
    form = forms.EmailOnlyForm()
    if form.validate_on_submit():
        services.request_password_reset(get_session(), form.email.data)
        flash(
            _(
                "If an account exists for this address, we have sent a link to reset the password. "
                "Please check your inbox."
            ),
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> str | Response | tuple[str, int]:
    session = get_session()
    try:
        services.user_for_reset_token(session, token)
    except services.InvalidLink as exc:
        return render_template(
            "accounts/link_invalid.html", message=exc.message, reset=True, form=forms.EmailOnlyForm()
        ), 400
    form = forms.ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(session, token, form.password.data)
        except services.WeakPassword as exc:
            form.password.errors = list(exc.problems)
        else:
            logout_user()
            flash(_("Your password has been changed. Please log in with the new password."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form), 422 if form.errors else 200


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile() -> str | Response | tuple[str, int]:
    form = forms.ProfileForm(obj=current_user if request.method == "GET" else None)
    form.language.choices = _languages()
    if request.method == "GET":
        form.language.data = current_user.preferred_language
    password_form = forms.ChangePasswordForm(prefix="pw")
    if form.validate_on_submit():
        services.update_profile(get_session(), current_user, name=form.name.data, language=form.language.data)
        flash(_("Your profile has been saved."), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form, password_form=password_form), 422 if form.errors else 200


@bp.post("/password")
@login_required
def change_password() -> str | Response | tuple[str, int]:
    password_form = forms.ChangePasswordForm(prefix="pw")
    if password_form.validate_on_submit():
        try:
            services.change_password(
                get_session(), current_user, password_form.current_password.data, password_form.password.data
            )
        except services.InvalidCredentials as exc:
            password_form.current_password.errors = [exc.message]
        except services.WeakPassword as exc:
            password_form.password.errors = list(exc.problems)
        else:
            login_user(current_user._get_current_object(), fresh=True)  # keep this session; every other one has ended
            flash(_("Your password has been changed. You are logged out everywhere else."), "success")
            return redirect(url_for("accounts.profile"))
    form = forms.ProfileForm(obj=current_user)
    form.language.choices = _languages()
    form.language.data = current_user.preferred_language
    return render_template("accounts/profile.html", form=form, password_form=password_form), 422
