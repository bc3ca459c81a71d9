"""The public plugin API: everything a course-type plugin may import from MSO Academy.

Plugins import from this module only (``from mso_academy.plugins.api import ...``). Names here are kept stable;
anything else in ``mso_academy`` may change without notice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol

import pluggy
from flask import render_template
from flask_babel import (
    LazyString,
    format_currency,
    format_date,
    format_datetime,
    format_decimal,
    format_percent,
    gettext,
    lazy_gettext,
    ngettext,
)
from markupsafe import Markup

from mso_academy.markdown import render_markdown
from mso_academy.plugins.helpers import (
    CENT,
    KEY_PATTERN,
    LOWERCASE_KEY_PATTERN,
    StaticBlueprint,
    certificate_lines,
    check_key,
    form_number,
    form_text,
    format_euro,
    format_german_date,
    free_key,
    is_int,
    is_number,
    is_text,
    no_personal_data,
    package_dirs,
    parse_date,
    parse_money,
    parse_number,
    row_indices,
    score_summary,
    sequence,
    validate_settings,
)

PROJECT_NAME = "mso_academy"

hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

__all__ = [
    "CENT",
    "KEY_PATTERN",
    "LOWERCASE_KEY_PATTERN",
    "ActivityKind",
    "ActivityView",
    "AnswerError",
    "AttemptView",
    "ContentProblem",
    "CourseType",
    "FormData",
    "Grade",
    "Markup",
    "StaticBlueprint",
    "certificate_lines",
    "check_key",
    "form_number",
    "form_text",
    "format_currency",
    "format_date",
    "format_datetime",
    "format_decimal",
    "format_euro",
    "format_german_date",
    "format_percent",
    "free_key",
    "gettext",
    "hookimpl",
    "is_int",
    "is_number",
    "is_text",
    "lazy_gettext",
    "ngettext",
    "no_personal_data",
    "package_dirs",
    "parse_date",
    "parse_money",
    "parse_number",
    "render_markdown",
    "render_template",
    "row_indices",
    "score_summary",
    "sequence",
    "validate_settings",
]


@dataclass(frozen=True)
class CourseType:
    """A kind of course (association law, bookkeeping, …); courses name it by `slug`.

    `name` and `description` may be lazy translations (``lazy_gettext``), shown in the reader's language.
    """

    slug: str
    name: str | LazyString
    description: str | LazyString = ""
    icon: str = "📘"


@dataclass(frozen=True)
class ContentProblem:
    """One thing wrong with an activity's content; `field` is a dotted path such as ``questions.2.options``."""

    field: str
    message: str


class AnswerError(ValueError):
    """The learner's submission cannot be graded (unknown question, missing answer); nothing is stored."""


@dataclass(frozen=True)
class Grade:
    """The result of grading one attempt.

    `score` is between 0 and 1; `feedback` is a JSON-serialisable mapping the kind's template understands
    (typically per question); `summary` is one sentence for the learner.
    """

    score: float
    passed: bool
    feedback: Mapping[str, Any] = field(default_factory=dict)
    summary: str = ""
    #: The work goes to a trainer's review queue; `passed` is decided there (pass, or return with feedback).
    pending_review: bool = False

    def __post_init__(self) -> None:
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"score must be between 0 and 1, got {self.score}")


class FormData(Protocol):
    """The submitted form fields (a werkzeug ``MultiDict``)."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def getlist(self, key: str) -> list[str]: ...

    def keys(self) -> Any: ...


@dataclass(frozen=True)
class AttemptView:
    """A stored attempt as the learner's view sees it."""

    number: int
    score: float
    passed: bool
    answers: Mapping[str, Any]
    feedback: Mapping[str, Any]
    summary: str
    submitted_at: datetime


@dataclass(frozen=True)
class ActivityView:
    """Everything an activity kind's learner template needs; built by the core for each page view."""

    key: str
    title: str
    content: Mapping[str, Any]
    attempts: Sequence[AttemptView]
    passed: bool
    can_submit: bool
    attempts_left: int | None
    submit_url: str | None
    submission_token: str
    preview: bool = False
    #: Kinds with `saves_drafts`: the learner's saved, ungraded answers (what `parse_draft` returned) or None,
    #: and where a form posts to save them (None in a preview or when the learner cannot submit).
    draft: Mapping[str, Any] | None = None
    draft_url: str | None = None

    @property
    def last_attempt(self) -> AttemptView | None:
        return self.attempts[-1] if self.attempts else None


class ActivityKind:
    """Base class of an activity kind. Subclass it, set the class attributes, override what differs.

    The core stores the content (a JSON document), shows ``render()`` to the learner, turns the submitted form into
    answers with ``parse_answers()``, grades them with ``grade()`` and stores the attempt.
    """

    key: ClassVar[str]
    name: ClassVar[str]
    description: ClassVar[str] = ""
    #: Jinja template of the learner view; it receives ``view`` (an `ActivityView`) and ``kind``.
    template: ClassVar[str]
    #: After a passing submission go straight on to the next activity (True) or show the result first (False).
    advance_on_pass: ClassVar[bool] = False
    #: Jinja template with the trainer's editor fields for this kind (rendered inside the core's editor form;
    #: it receives ``content``, ``problems`` (a list of `ContentProblem`) and ``kind``). ``None``: the core
    #: offers the content document as YAML in a text area.
    editor_template: ClassVar[str | None] = None
    #: Learners may hand in one file with the named form field; the core checks it by content against
    #: `upload_types` (MIME types) and `max_upload_bytes`, stores it outside the web root and passes
    #: ``upload:<id>`` in that field to `parse_answers`.
    upload_field: ClassVar[str | None] = None
    upload_types: ClassVar[frozenset[str]] = frozenset()
    max_upload_bytes: ClassVar[int] = 5 * 1024 * 1024
    #: Learners may save unfinished answers without handing them in (a long exercise survives a closed tab):
    #: the core offers ``view.draft_url``, stores what `parse_draft` returns (one draft per learner and
    #: activity, replaced on each save, removed when the learner hands in) and passes it back as ``view.draft``.
    saves_drafts: ClassVar[bool] = False

    def validate(self, content: Mapping[str, Any]) -> list[ContentProblem]:
        """Problems with the content; an empty list means it can be published."""
        return []

    def parse_answers(self, content: Mapping[str, Any], form: FormData) -> dict[str, Any]:
        """Turn the submitted form into a JSON-serialisable answers document; raise `AnswerError` if malformed."""
        return {}

    def parse_draft(self, content: Mapping[str, Any], form: FormData) -> dict[str, Any]:
        """Turn a form saved as a draft into a JSON-serialisable document; unlike `parse_answers` it accepts
        unfinished work. Raise `AnswerError` only for input that cannot be kept. Default: `parse_answers`."""
        return self.parse_answers(content, form)

    def grade(self, content: Mapping[str, Any], answers: Mapping[str, Any]) -> Grade:
        """Grade answers produced by `parse_answers` (or read back from storage)."""
        return Grade(score=1.0, passed=True)

    def max_attempts(self, content: Mapping[str, Any]) -> int | None:
        """How many attempts a learner has; ``None`` means unlimited."""
        return None

    def estimated_minutes(self, content: Mapping[str, Any]) -> int:
        """Time a learner needs, for the course outline."""
        return int(content.get("minutes", 5)) if isinstance(content.get("minutes", 5), int) else 5

    def default_content(self) -> dict[str, Any]:
        """The content of a new activity of this kind in the web editor."""
        return {}

    def content_from_form(self, form: FormData, previous: Mapping[str, Any]) -> dict[str, Any]:
        """Build the content document from the editor form (fields of `editor_template`).

        Return the new content; the core then runs `validate` and shows its problems next to the form.
        Only called when `editor_template` is set.
        """
        return dict(previous)

    def render(self, view: ActivityView) -> Markup:
        """The learner's view (HTML). It must work without JavaScript on a 360 px screen."""
        return Markup(render_template(self.template, view=view, kind=self))
