"""Organisation forms; each lists exactly the fields it accepts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, SelectField, StringField, TelField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional

from mso_academy.organisations.models import LegalForm, MemberRole
from mso_academy.organisations.services import Details

LEGAL_FORM_LABELS = {
    LegalForm.REGISTERED_ASSOCIATION: _l("Registered association (e.V.)"),
    LegalForm.INITIATIVE: _l("Initiative (not registered)"),
    LegalForm.GGMBH: _l("Non-profit limited company (gGmbH)"),
    LegalForm.OTHER: _l("Other"),
}

ROLE_LABELS = {MemberRole.MEMBER: _l("Member"), MemberRole.MANAGER: _l("Manager")}


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class OrganisationForm(FlaskForm):
    name = StringField(
        _l("Name of the organisation"),
        validators=[InputRequired(), Length(max=200)],
        description=_l("The full name, e.g. as in the register of associations."),
        render_kw={"autocomplete": "organization"},
    )
    short_name = StringField(
        _l("Short name (optional)"), validators=[Optional(), Length(max=50)], description=_l("For example IKV.")
    )
    legal_form = SelectField(
        _l("Legal form"),
        choices=[SelectChoice(str(form), label) for form, label in LEGAL_FORM_LABELS.items()],
        default=str(LegalForm.REGISTERED_ASSOCIATION),
    )
    municipality = StringField(
        _l("Town or municipality"),
        validators=[Optional(), Length(max=100)],
        render_kw={"autocomplete": "address-level2"},
    )
    register_number = StringField(
        _l("Register number (optional)"),
        validators=[Optional(), Length(max=50)],
        description=_l("For example VR 12345, Amtsgericht Köln."),
    )
    contact_email = EmailField(
        _l("Contact e-mail address (optional)"),
        validators=[Optional(), Email(), Length(max=254)],
        filters=[_strip],
        render_kw={"autocomplete": "email"},
    )
    contact_phone = TelField(
        _l("Contact phone number (optional)"),
        validators=[Optional(), Length(max=50)],
        render_kw={"autocomplete": "tel"},
    )
    description = TextAreaField(
        _l("About the organisation (optional)"),
        validators=[Optional(), Length(max=5000)],
        description=_l("What the organisation does and for whom, in a few sentences."),
    )

    def details(self) -> Details:
        return Details(
            name=self.name.data or "",
            short_name=self.short_name.data or "",
            legal_form=self.legal_form.data or "",
            municipality=self.municipality.data or "",
            register_number=self.register_number.data or "",
            contact_email=self.contact_email.data or "",
            contact_phone=self.contact_phone.data or "",
            description=self.description.data or "",
        )


class SettingsForm(OrganisationForm):
    is_public = BooleanField(
        _l("Show a public page of the organisation"),
        description=_l("Anyone can then see the name, the details above and the description. Members stay hidden."),
    )
    show_status_publicly = BooleanField(
        _l("Show the qualification status on the public page"),
        description=_l("Whether the organisation meets the course requirements of its functions."),
    )


class InviteForm(FlaskForm):
    email = EmailField(
        _l("E-mail address of the person"),
        validators=[InputRequired(), Email(), Length(max=254)],
        filters=[_strip],
        render_kw={"autocomplete": "off"},
    )
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(str(role), label) for role, label in ROLE_LABELS.items()],
        default=str(MemberRole.MEMBER),
        description=_l("Managers can invite and remove members and see everyone's certificates."),
    )


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[SelectChoice(str(role), label) for role, label in ROLE_LABELS.items()])


class FunctionForm(FlaskForm):
    name = StringField(
        _l("Name of the function"),
        validators=[InputRequired(), Length(max=100)],
        description=_l("For example Vorstand, Kassenwart or Beratung."),
    )


class RequirementForm(FlaskForm):
    course = SelectField(_l("Required course"), coerce=int, choices=[], validate_choice=True)
    min_holders = IntegerField(
        _l("How many holders of the function need the certificate"),
        default=1,
        validators=[InputRequired(), NumberRange(min=1, max=1000)],
        render_kw={"min": 1, "max": 1000},
        description=_l("The organisation counts as qualified when at least this many holders have it."),
    )


class AssignFunctionForm(FlaskForm):
    function = SelectField(_l("Function"), coerce=int, choices=[])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token (confirmations, buttons)."""
