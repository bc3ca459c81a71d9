"""A course's draft in the web editor: the courses a trainer may edit, reading and saving the draft, its own fields.

- The editor works on a `CourseDraft` (a course package document, see `catalog.packages`), never on the live
  modules and activities, so learners never see a draft. Reading a course for the editor writes nothing: until
  the first change the draft is the live course itself (`draft_for`).
- Every change reads the draft with the course row locked (`editable_draft`), so two windows or two co-trainers
  changing one course take turns instead of overwriting each other.
- Keys of modules and activities are made from their titles once (`slugify`, `unique_key`) and never change
  afterwards, so learners keep their progress across versions.
- A trainer edits the courses they own or co-own; admins edit all (`permissions.can_edit_course`). Anything
  else is answered as if the course did not exist.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from mso_academy.accounts.models import User
from mso_academy.catalog.models import Course, CourseDraft, CourseStatus, CourseTrainer, Level, Module
from mso_academy.catalog.packages import (
    LANGUAGE,
    SLUG,
    VERSION,
    CourseSpec,
    ModuleSpec,
    spec_from_course,
    spec_from_dict,
    spec_to_dict,
)
from mso_academy.db import utcnow
from mso_academy.errors import Conflict, DomainError, NotFound
from mso_academy.permissions import Permission, can_edit_course, has_permission
from mso_academy.plugins.manager import PluginManager

KEY_LENGTH = 60
_TRANSLITERATE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})


# --- values -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CourseFields:
    """A course's own fields as the trainer edits them (everything but the outline)."""

    title: str
    summary: str
    language: str
    course_type: str
    level: str
    duration_minutes: int
    description: str = ""
    version: str = "1.0"
    certificate_description: str = ""
    certificate_validity_months: int | None = None
    learning_outcomes: tuple[str, ...] = ()
    translation_group: str = ""  # shared by the course's language versions; empty: none

    @classmethod
    def of(cls, spec: CourseSpec) -> CourseFields:
        return cls(
            title=spec.title,
            summary=spec.summary,
            language=spec.language,
            course_type=spec.course_type,
            level=spec.level,
            duration_minutes=spec.duration_minutes,
            description=spec.description,
            version=spec.version,
            certificate_description=spec.certificate_description,
            certificate_validity_months=spec.certificate_validity_months,
            learning_outcomes=tuple(spec.learning_outcomes),
            translation_group=spec.translation_group or "",
        )


@dataclass(frozen=True)
class EditorCourse:
    """One line of a trainer's course list: the live course and what its draft says."""

    course: Course
    title: str
    version: str
    state: str  # new | published | changed | unpublished | archived
    is_owner: bool


# --- finding courses ----------------------------------------------------------------------------------------


def course_for_editing(session: Session, user: Any, slug: str) -> Course:
    """The course with its outline, if `user` may edit it; otherwise `NotFound`, as if it did not exist."""
    course = session.scalar(
        select(Course).where(Course.slug == slug).options(selectinload(Course.modules).selectinload(Module.activities))
    )
    if course is None or not can_edit_course(user, course):
        raise NotFound(_("This course does not exist."))
    return course


def list_courses_for(session: Session, user: User) -> list[EditorCourse]:
    """The courses `user` owns or co-trains (admins: all), by title; three queries."""
    stmt = select(Course).order_by(Course.title, Course.id)
    if not has_permission(user, Permission.COURSE_EDIT_ANY):
        co_trained = select(CourseTrainer.course_id).where(CourseTrainer.user_id == user.id)
        stmt = stmt.where(or_(Course.owner_id == user.id, Course.id.in_(co_trained)))
    courses = list(session.scalars(stmt.options(selectinload(Course.co_trainers))))  # the template asks is_trainer
    drafts = {
        d.course_id: spec_from_dict(d.spec)
        for d in session.scalars(select(CourseDraft).where(CourseDraft.course_id.in_([c.id for c in courses])))
    }
    result = []
    for course in courses:
        spec = drafts.get(course.id)
        result.append(
            EditorCourse(
                course=course,
                title=spec.title if spec else course.title,
                version=spec.version if spec else course.version,
                state=course_state(course, spec),
                is_owner=course.owner_id == user.id,
            )
        )
    return result


def course_state(course: Course, draft: CourseSpec | None) -> str:
    if course.status == CourseStatus.ARCHIVED:
        return "archived"
    if course.status == CourseStatus.DRAFT:
        return "unpublished" if course.published_at is not None else "new"
    if draft is not None and not draft.matches(course):
        return "changed"
    return "published"


# --- keys ---------------------------------------------------------------------------------------------------


def slugify(text: str, fallback: str) -> str:
    """Lowercase letters, digits and '-', from any title ("Über uns" → "ueber-uns")."""
    text = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
    text = text.encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:KEY_LENGTH].strip("-")
    return slug or fallback


def unique_key(base: str, taken: Iterable[str]) -> str:
    taken = set(taken)
    if base not in taken:
        return base
    number = 2
    while f"{base[: KEY_LENGTH - 4]}-{number}" in taken:
        number += 1
    return f"{base[: KEY_LENGTH - 4]}-{number}"


# --- the draft ----------------------------------------------------------------------------------------------


def draft_row(session: Session, course: Course) -> CourseDraft | None:
    return session.scalar(select(CourseDraft).where(CourseDraft.course_id == course.id))


def draft_for(session: Session, course: Course) -> CourseSpec:
    """The course as the editor sees it: the stored draft, or (before the first change) the live course."""
    row = draft_row(session, course)
    return spec_from_dict(row.spec) if row is not None else spec_from_course(course)


def editable_draft(session: Session, course: Course) -> CourseSpec:
    """The draft, read for changing it: the course row is locked first, so two edits of one course (two windows,
    two co-trainers) run one after the other instead of overwriting each other (SQLite writes one at a time anyway).
    """
    session.execute(select(Course.id).where(Course.id == course.id).with_for_update())
    return draft_for(session, course)


def save_draft(session: Session, course: Course, spec: CourseSpec, user: User) -> None:
    row = draft_row(session, course)
    if row is None:
        row = CourseDraft(course_id=course.id, spec={})
        session.add(row)
    row.spec = spec_to_dict(spec)
    row.updated_by_id = user.id
    row.updated_at = utcnow()
    session.flush()


def discard_draft(session: Session, course: Course) -> None:
    """Forget the draft's changes: the editor shows the published course again."""
    row = draft_row(session, course)
    if row is not None:
        session.delete(row)
        session.flush()


# --- the course's own fields --------------------------------------------------------------------------------


def _check_fields(plugins: PluginManager, fields: CourseFields) -> None:
    if not fields.title.strip():
        raise DomainError(_("The course needs a title."))
    if plugins.course_type(fields.course_type) is None:
        raise DomainError(_("Please choose an installed course type."))
    if not LANGUAGE.match(fields.language):
        raise DomainError(_("Please choose the course's language."))
    if fields.level not in {lv.value for lv in Level}:
        raise DomainError(_("Please choose a level."))
    if not VERSION.match(fields.version):
        raise DomainError(_('The version must be letters, digits, "." or "-", such as 1.1.'))
    if fields.translation_group.strip() and not SLUG.match(fields.translation_group.strip()):
        raise DomainError(_("The language group may contain lowercase letters, digits and '-' only."))


def create_course(session: Session, plugins: PluginManager, user: User, fields: CourseFields, slug: str = "") -> Course:
    """A new course in status draft, owned by `user`, with a draft of one empty module.

    Without `slug` the web address is made from the title (and numbered if taken).
    """
    _check_fields(plugins, fields)
    if slug:
        if not SLUG.match(slug):
            raise DomainError(_("The web address may contain lowercase letters, digits and '-' only."))
    else:
        base = slugify(fields.title, "course")
        slug = unique_key(base, session.scalars(select(Course.slug).where(Course.slug.startswith(base))))
    taken = Conflict(_("A course with the web address %(slug)s exists already.", slug=slug))
    if session.scalar(select(Course.id).where(Course.slug == slug)) is not None:
        raise taken
    course = Course(
        slug=slug,
        title=fields.title.strip(),
        summary=fields.summary.strip(),
        course_type=fields.course_type,
        language=fields.language,
        level=fields.level,
        duration_minutes=fields.duration_minutes,
        version=fields.version,
        status=CourseStatus.DRAFT,
        owner_id=user.id,
        learning_outcomes=[],
        translations={},
    )
    try:
        with session.begin_nested():
            session.add(course)
    except IntegrityError:
        raise taken from None
    first = _("Module %(number)d", number=1)
    spec = CourseSpec(
        slug=slug,
        title="",
        summary="",
        description="",
        language="",
        course_type="",
        level="",
        duration_minutes=0,
        version="",
        certificate_description="",
        certificate_validity_months=None,
        learning_outcomes=[],
        translations={},
        modules=[ModuleSpec(key="module-1", title=first, summary="")],  # a key in no language
    )
    save_draft(session, course, _with_fields(spec, fields), user)
    return course


def _with_fields(spec: CourseSpec, fields: CourseFields) -> CourseSpec:
    return replace(
        spec,
        title=fields.title.strip(),
        summary=fields.summary.strip(),
        description=fields.description,
        language=fields.language,
        course_type=fields.course_type,
        level=fields.level,
        duration_minutes=fields.duration_minutes,
        version=fields.version.strip(),
        certificate_description=fields.certificate_description.strip(),
        certificate_validity_months=fields.certificate_validity_months,
        learning_outcomes=[o.strip() for o in fields.learning_outcomes if o.strip()],
        translation_group=fields.translation_group.strip() or None,
    )


def update_course_fields(
    session: Session, plugins: PluginManager, course: Course, user: User, fields: CourseFields
) -> None:
    _check_fields(plugins, fields)
    save_draft(session, course, _with_fields(editable_draft(session, course), fields), user)
