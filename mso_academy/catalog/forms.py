"""The catalogue's search and filter form (GET, no CSRF: it changes nothing)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SearchField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

from mso_academy.catalog.models import Level

LEVEL_LABELS = {
    Level.BEGINNER: _l("Beginner"),
    Level.INTERMEDIATE: _l("Intermediate"),
    Level.ADVANCED: _l("Advanced"),
}


class CatalogueForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField(_l("Search"), validators=[Optional(), Length(max=200)])
    type = SelectField(_l("Course type"), choices=[], validate_choice=True, validators=[Optional()])
    language = SelectField(_l("Language"), choices=[], validate_choice=True, validators=[Optional()])
    level = SelectField(_l("Level"), choices=[], validate_choice=True, validators=[Optional()])
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100000)])

    def set_choices(self, course_types: list[tuple[str, str]], languages: list[tuple[str, str]]) -> None:
        anything = SelectChoice("", _l("All"))
        self.type.choices = [anything, *(SelectChoice(v, label) for v, label in course_types)]
        self.language.choices = [anything, *(SelectChoice(v, label) for v, label in languages)]
        self.level.choices = [anything, *(SelectChoice(str(k), v) for k, v in LEVEL_LABELS.items())]
