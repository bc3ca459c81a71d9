"""Admin forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SearchField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from mso_academy.accounts.models import Role

ROLE_LABELS = {Role.TRAINER: _l("Trainer"), Role.ADMIN: _l("Admin"), Role.FUNDER: _l("Funding body")}


class UserSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField(_l("Search by name or e-mail"), validators=[Optional(), Length(max=200)])


class RoleForm(FlaskForm):
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()],
        validators=[InputRequired()],
    )
    action = SelectField(
        choices=[SelectChoice("grant", _l("Grant")), SelectChoice("revoke", _l("Revoke"))], validators=[InputRequired()]
    )
