"""Certificate forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length


class RevokeForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for the revocation"),
        validators=[InputRequired(), Length(max=1000)],
        description=_l("Shown on the public verification page."),
    )


class VerifyForm(FlaskForm):
    class Meta:
        csrf = False

    code = StringField(
        _l("Verification code"),
        validators=[InputRequired(), Length(max=80)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )


class EmptyForm(FlaskForm):
    """A form with only the CSRF token (renewal)."""
