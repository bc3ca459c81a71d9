"""Forms of the manager's dashboard: assigning a course, and filtering the matrix by function."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SelectMultipleField
from wtforms.validators import InputRequired, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (one per choice) instead of a multiple select, which is hard to use on a phone."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AssignForm(FlaskForm):
    course = SelectField(
        _l("Course"),
        coerce=int,
        validators=[NumberRange(min=1, message=_l("Please choose a course."))],
    )
    members = MultiCheckboxField(_l("Members"), coerce=int, validators=[Optional()])
    function = SelectField(
        _l("Or everyone holding a function"),
        coerce=int,
        default=0,
        description=_l("Everyone who holds the function now gets the course, as well as the members ticked above."),
    )
    due_on = DateField(
        _l("Due date"),
        validators=[InputRequired(message=_l("Please give a due date."))],
        description=_l("Members are reminded by e-mail a few days before."),
    )


def assign_form(
    courses: Iterable[tuple[int, str]],
    members: Iterable[tuple[int, str]],
    functions: Iterable[tuple[int, str]],
    **kwargs: object,
) -> AssignForm:
    form = AssignForm(**kwargs)
    form.course.choices = [(0, str(_l("Choose a course"))), *courses]
    form.members.choices = list(members)
    form.function.choices = [(0, str(_l("No function"))), *functions]
    return form


class MatrixFilterForm(FlaskForm):
    class Meta:
        csrf = False

    function = SelectField(_l("Show"), coerce=int, default=0)


def filter_form(functions: Iterable[tuple[int, str]], function_id: int | None) -> MatrixFilterForm:
    form = MatrixFilterForm(formdata=None, function=function_id or 0)
    form.function.choices = [(0, str(_l("All members"))), *((i, str(name)) for i, name in functions)]
    return form
