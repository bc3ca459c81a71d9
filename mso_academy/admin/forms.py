"""Admin forms."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SearchField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from mso_academy.accounts.models import Role
from mso_academy.audit.services import EVENT_LABELS

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


class AuditFilterForm(FlaskForm):
    """Filters of the audit log page (a GET form: nothing changes)."""

    class Meta:
        csrf = False

    event = SelectField(_l("Event"), validators=[Optional()], choices=[])
    user_id = IntegerField(
        _l("User id"), validators=[Optional(), NumberRange(min=1, max=2**31 - 1)], render_kw={"inputmode": "numeric"}
    )
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("Until"), validators=[Optional()])
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100_000)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.event.choices = [SelectChoice("", _l("All events"))] + [
            SelectChoice(event.value, label) for event, label in EVENT_LABELS.items()
        ]


class ConfirmDisableForm(FlaskForm):
    """The disable button: nothing but the CSRF token."""
