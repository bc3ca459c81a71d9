"""The report's filters: period (months), course type, course language, municipality. Sent by GET, no CSRF."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, MonthField, SelectField, ValidationError
from wtforms.validators import Optional

from mso_academy.reports import labels
from mso_academy.reports.services import Filters, Options


class ReportFilterForm(FlaskForm):
    class Meta:
        csrf = False

    start = MonthField(_l("From (month)"), validators=[Optional()], description=_l("For example 2025-01"))
    end = MonthField(_l("To (month)"), validators=[Optional()], description=_l("Included"))
    course_type = SelectField(_l("Course type"), validators=[Optional()])
    language = SelectField(_l("Course language"), validators=[Optional()])
    municipality = SelectField(_l("Municipality"), validators=[Optional()])

    def __init__(self, formdata: Any, options: Options) -> None:
        super().__init__(formdata)
        everything = ("", _("All"))
        self.course_type.choices = [everything, *((t, labels.course_type(t)) for t in options.course_types)]
        self.language.choices = [everything, *((code, labels.language(code)) for code in options.languages)]
        self.municipality.choices = [everything, *((m, m) for m in options.municipalities)]

    def validate_end(self, field: Field) -> None:
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError(_("The last month cannot be before the first month."))

    def filters(self) -> Filters:
        return Filters(
            start=self.start.data,
            end=self.end.data,
            course_type=self.course_type.data or None,
            language=self.language.data or None,
            municipality=self.municipality.data or None,
        )

    def query(self) -> dict[str, str]:
        """The filters as query arguments, for the download links."""
        return {
            name: value
            for name, value in (
                ("start", self.start.data.strftime("%Y-%m") if self.start.data else ""),
                ("end", self.end.data.strftime("%Y-%m") if self.end.data else ""),
                ("course_type", self.course_type.data or ""),
                ("language", self.language.data or ""),
                ("municipality", self.municipality.data or ""),
            )
            if value
        }
