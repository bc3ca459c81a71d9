"""Account forms; each lists exactly the fields it accepts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, EqualTo, InputRequired, Length

from mso_academy.templating import LANGUAGE_NAMES


def language_choices(languages: list[str]) -> list[SelectChoice]:
    return [SelectChoice(code, LANGUAGE_NAMES.get(code, code)) for code in languages]


class RegisterForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)], render_kw={"autocomplete": "name"})
    email = EmailField(
        _l("E-mail address"),
        validators=[InputRequired(), Email(), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(), Length(max=200)],
        description=_l("At least 10 characters. A sentence you can remember works well."),
        render_kw={"autocomplete": "new-password"},
    )
    language = SelectField(_l("Preferred language"), choices=[])


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"), validators=[InputRequired(), Length(max=254)], render_kw={"autocomplete": "username"}
    )
    password = PasswordField(
        _l("Password"), validators=[InputRequired(), Length(max=200)], render_kw={"autocomplete": "current-password"}
    )
    remember = BooleanField(_l("Stay logged in on this device"))


class EmailOnlyForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[InputRequired(), Email(), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[InputRequired(), Length(max=200)],
        description=_l("At least 10 characters."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[InputRequired(), EqualTo("password", _l("The passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )


class ProfileForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)], render_kw={"autocomplete": "name"})
    language = SelectField(_l("Preferred language"), choices=[])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    password = PasswordField(
        _l("New password"),
        validators=[InputRequired(), Length(max=200)],
        description=_l("At least 10 characters."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[InputRequired(), EqualTo("password", _l("The passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )


class TwoFactorCodeForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[InputRequired(), Length(max=20)],
        description=_l("The 6-digit code of your authenticator app, or one of your recovery codes."),
        render_kw={
            "autocomplete": "one-time-code",
            "inputmode": "text",
            "autocapitalize": "off",
            "spellcheck": "false",
        },
    )


class DisableTwoFactorForm(FlaskForm):
    password = PasswordField(
        _l("Password"), validators=[Length(max=200)], render_kw={"autocomplete": "current-password"}
    )
    code = StringField(
        _l("Or a current code"),
        validators=[Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"},
    )


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        _l("Your password"),
        validators=[InputRequired(), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    confirm = BooleanField(
        _l("I understand that my account and my learning data will be deleted for good."),
        validators=[InputRequired(_l("Please tick the box to confirm."))],
    )


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token: a button that changes something (e.g. the data export)."""
