"""The form that creates a personal access token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from mso_academy.api.tokens import EXPIRY_CHOICES, SCOPE_LABELS


class TokenForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[InputRequired(), Length(max=100)],
        description=_l("What the token is for, e.g. “our member database”."),
    )
    scopes = SelectMultipleField(
        _l("Permissions"),
        choices=[SelectChoice(scope.value, label) for scope, label in SCOPE_LABELS.items()],
        validators=[InputRequired(message=_l("Choose at least one permission."))],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    days = SelectField(
        _l("Valid for"),
        choices=[SelectChoice(str(days), _l("%(days)d days", days=days)) for days in EXPIRY_CHOICES],
        default="90",
    )
