"""The web editor's forms; each lists exactly the fields it accepts.

An activity's content is not a WTForms field: its kind builds it from the posted fields (`content_from_form`),
or the trainer writes it as YAML (`content_from_request`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import yaml
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import TextInput

from mso_academy.authoring.services import ContentInvalid, CourseFields
from mso_academy.catalog.forms import LEVEL_LABELS
from mso_academy.catalog.packages import COURSE_FIELDS, CourseSpec, ModuleSpec
from mso_academy.plugins.api import ActivityKind, ContentProblem, FormData
from mso_academy.plugins.manager import PluginManager
from mso_academy.templating import LANGUAGE_NAMES

# Whole numbers in a text box (styled like the other fields) with the phone's number keyboard.
NUMBER = {"inputmode": "numeric", "autocomplete": "off"}
YAML_FIELD = "content_yaml"


def _choices(plugins: PluginManager) -> dict[str, list[SelectChoice]]:
    return {
        "course_type": [SelectChoice(slug, str(ct.name)) for slug, ct in sorted(plugins.course_types.items())],
        "language": [SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()],
        "level": [SelectChoice(str(k), v) for k, v in LEVEL_LABELS.items()],
    }


class _CourseBasicsForm(FlaskForm):
    """The fields a new course and the course details share."""

    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    summary = TextAreaField(
        _l("Summary"),
        validators=[Optional(), Length(max=1000)],
        description=_l("One or two sentences for the catalogue."),
        render_kw={"rows": 3},
    )
    language = SelectField(_l("Language of the course"), choices=[])
    course_type = SelectField(_l("Course type"), choices=[])
    level = SelectField(_l("Level"), choices=[])
    duration_minutes = IntegerField(
        _l("Duration in minutes"),
        default=60,
        validators=[InputRequired(), NumberRange(min=1, max=10000)],
        widget=TextInput(),
        render_kw=NUMBER,
    )

    def set_choices(self, plugins: PluginManager) -> None:
        for name, choices in _choices(plugins).items():
            getattr(self, name).choices = choices


class NewCourseForm(_CourseBasicsForm):
    slug = StringField(
        _l("Web address (optional)"),
        validators=[
            Optional(),
            Length(max=100),
            Regexp(r"^[a-z0-9][a-z0-9-]*$", message=_l("Only lowercase letters, digits and '-'.")),
        ],
        description=_l("Made from the title if you leave it empty. It cannot be changed later."),
    )

    def set_choices(self, plugins: PluginManager, language: str = "de") -> None:
        super().set_choices(plugins)
        if not self.is_submitted():
            self.language.data = self.language.data or language

    def fields(self) -> CourseFields:
        return CourseFields(
            title=self.title.data or "",
            summary=self.summary.data or "",
            language=self.language.data or "",
            course_type=self.course_type.data or "",
            level=self.level.data or "",
            duration_minutes=self.duration_minutes.data or 0,
        )


class CourseForm(_CourseBasicsForm):
    """The course's own fields in the draft."""

    description = TextAreaField(
        _l("About this course"),
        validators=[Optional(), Length(max=20000)],
        description=_l("Markdown: headings with #, lists with -, links as [text](https://…)."),
        render_kw={"rows": 8},
    )
    learning_outcomes = TextAreaField(
        _l("What learners will learn"),
        validators=[Optional(), Length(max=5000)],
        description=_l("One sentence per line."),
        render_kw={"rows": 4},
    )
    version = StringField(
        _l("Version"),
        validators=[InputRequired(), Length(max=20)],
        description=_l("Raise it (for example from 1.0 to 1.1) to publish changes to a published course."),
    )
    certificate_description = TextAreaField(
        _l("What the certificate confirms"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 3}
    )
    certificate_validity_months = IntegerField(
        _l("Certificate valid for (months)"),
        validators=[Optional(), NumberRange(min=1, max=600)],
        description=_l("Leave empty for no time limit."),
        widget=TextInput(),
        render_kw=NUMBER,
    )
    translation_group = StringField(
        _l("Language group (optional)"),
        validators=[
            Optional(),
            Length(max=100),
            Regexp(r"^[a-z0-9][a-z0-9-]*$", message=_l("Only lowercase letters, digits and '-'.")),
        ],
        description=_l(
            "Give the language versions of one course the same group, such as vereinsrecht-grundlagen: "
            "their course pages then link to each other."
        ),
        render_kw={"autocomplete": "off"},
    )

    def load(self, spec: CourseSpec) -> None:
        fields = CourseFields.of(spec)
        for name in COURSE_FIELDS:
            getattr(self, name).data = getattr(fields, name)
        self.learning_outcomes.data = "\n".join(fields.learning_outcomes)

    def fields(self) -> CourseFields:
        return CourseFields(
            title=self.title.data or "",
            summary=self.summary.data or "",
            description=(self.description.data or "").replace("\r\n", "\n"),
            language=self.language.data or "",
            course_type=self.course_type.data or "",
            level=self.level.data or "",
            duration_minutes=self.duration_minutes.data or 0,
            version=(self.version.data or "").strip(),
            certificate_description=self.certificate_description.data or "",
            certificate_validity_months=self.certificate_validity_months.data,
            learning_outcomes=tuple((self.learning_outcomes.data or "").splitlines()),
            translation_group=(self.translation_group.data or "").strip(),
        )


class AddModuleForm(FlaskForm):
    title = StringField(_l("Title of the new module"), validators=[InputRequired(), Length(max=200)])


class ModuleForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=1000)], render_kw={"rows": 3})
    renewal = BooleanField(
        _l("Renewal module"),
        description=_l("Skipped the first time; it is all a learner repeats to renew the certificate."),
    )

    def load(self, module: ModuleSpec) -> None:
        self.title.data, self.summary.data, self.renewal.data = module.title, module.summary, module.renewal


class AddActivityForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=[])
    title = StringField(_l("Title of the new activity"), validators=[InputRequired(), Length(max=200)])

    def set_choices(self, plugins: PluginManager) -> None:
        self.kind.choices = [SelectChoice(key, str(kind.name)) for key, kind in plugins.activity_kinds.items()]


class ActivityForm(FlaskForm):
    """The fields every activity has; its content comes from the kind's editor or the YAML text area."""

    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    required = BooleanField(_l("Required to complete the course"))
    module = SelectField(_l("Module"), choices=[])

    def set_choices(self, modules: list[ModuleSpec]) -> None:
        self.module.choices = [SelectChoice(m.key, m.title) for m in modules]


class MoveForm(FlaskForm):
    """Move one item up or down; `order` is the order of the list as the trainer saw it."""

    key = HiddenField(validators=[InputRequired()])
    direction = SelectField(choices=[SelectChoice("up", "up"), SelectChoice("down", "down")])

    @staticmethod
    def seen(form: FormData) -> list[str]:
        return [str(key) for key in form.getlist("order")]


class CoTrainerForm(FlaskForm):
    email = EmailField(
        _l("E-mail address of the trainer"),
        validators=[InputRequired(), Email(), Length(max=254)],
        render_kw={"autocomplete": "off"},
    )


def content_from_request(kind: ActivityKind | None, form: FormData, previous: Mapping[str, Any]) -> dict[str, Any]:
    """The activity's new content: from the kind's editor fields, or from the YAML text area.

    Broken YAML, or YAML that is not a mapping, raises `ContentInvalid` naming the line.
    """
    if kind is not None and kind.editor_template:
        return kind.content_from_form(form, previous)
    text = str(form.get(YAML_FIELD) or "")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = _("line %(line)d", line=mark.line + 1) if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ContentInvalid(
            [
                ContentProblem(
                    YAML_FIELD, _("This is not valid YAML (%(where)s): %(problem)s", where=where, problem=problem)
                )
            ]
        ) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ContentInvalid(
            [ContentProblem(YAML_FIELD, _("The content must be a mapping of names to values, such as “body: …”."))]
        )
    try:
        json.dumps(data, allow_nan=False)
    except (TypeError, ValueError):
        raise ContentInvalid(
            [ContentProblem(YAML_FIELD, _("Dates and other special values must be written in quotes."))]
        ) from None
    return data


def content_as_yaml(content: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(content), allow_unicode=True, sort_keys=False) if content else ""
