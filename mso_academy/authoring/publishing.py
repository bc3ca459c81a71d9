"""Publishing a draft, taking a course away from learners, and how far a draft is from being publishable.

- Publishing checks every activity and the whole package (the same `load_package` checks as a package on disk),
  then imports it with `import_course`: the same version with different content is refused, a new version
  updates the course by stable keys. A course never published before has no learners and no version yet, so its
  first publication is not held to that rule.
- Unpublishing and archiving hide the course from learners; their enrolments and attempts stay.
- The zip export holds the same package files `courses import` reads, so a draft can move to another
  installation or into version control.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mso_academy.accounts.models import User
from mso_academy.authoring.drafts import course_state, draft_row, editable_draft, save_draft
from mso_academy.catalog.models import Course, CourseStatus
from mso_academy.catalog.packages import (
    CourseSpec,
    export_files,
    import_course,
    load_package,
    spec_from_course,
    spec_from_dict,
    write_package,
    zip_package,
)
from mso_academy.db import utcnow
from mso_academy.errors import Conflict, DomainError
from mso_academy.learning.models import Enrolment
from mso_academy.plugins.manager import PluginManager


@dataclass(frozen=True)
class PublishProblem:
    """One reason a draft cannot be published; `activity_key`/`module_key` say where (empty: the course)."""

    message: str
    module_key: str = ""
    activity_key: str = ""
    where: str = ""


class PublishRefused(DomainError):
    status_code = 422

    def __init__(self, problems: Sequence[PublishProblem]) -> None:
        super().__init__(_("The course cannot be published yet. Please correct these points:"))
        self.problems = list(problems)


@dataclass(frozen=True)
class EditorState:
    """What the editor page shows about the draft compared with the live course."""

    spec: CourseSpec
    state: str
    has_draft: bool
    changed: bool = False
    problems: list[PublishProblem] = field(default_factory=list)
    enrolments: int = 0


def editor_state(session: Session, plugins: PluginManager, course: Course) -> EditorState:
    """The draft, how it stands to the live course, and what would keep it from being published."""
    row = draft_row(session, course)
    spec = spec_from_dict(row.spec) if row is not None else spec_from_course(course)
    return EditorState(
        spec=spec,
        state=course_state(course, spec if row is not None else None),
        has_draft=row is not None,
        changed=row is not None and not spec.matches(course),
        problems=check_draft(plugins, spec),
        enrolments=enrolment_count(session, course),
    )


# --- checking and publishing --------------------------------------------------------------------------------


def check_draft(plugins: PluginManager, spec: CourseSpec) -> list[PublishProblem]:
    """Everything that keeps the draft from being published, per activity where it belongs."""
    problems: list[PublishProblem] = []
    if not spec.title.strip():
        problems.append(PublishProblem(_("The course needs a title.")))
    if plugins.course_type(spec.course_type) is None:
        problems.append(PublishProblem(_("The course type %(type)s is not installed.", type=spec.course_type)))
    if not spec.modules:
        problems.append(PublishProblem(_("A course needs at least one module.")))
    for module in spec.modules:
        if not module.activities:
            problems.append(
                PublishProblem(_("This module has no activity yet."), module_key=module.key, where=module.title)
            )
        for activity in module.activities:
            at = {"module_key": module.key, "activity_key": activity.key, "where": activity.title}
            kind = plugins.kind(activity.kind)
            if kind is None:
                problems.append(
                    PublishProblem(_("The activity kind %(kind)s is not installed.", kind=activity.kind), **at)
                )
                continue
            for problem in kind.validate(activity.content):
                problems.append(PublishProblem(f"{problem.field}: {problem.message}", **at))
    return problems


def _as_package(plugins: PluginManager, spec: CourseSpec) -> CourseSpec:
    """The draft written as package files and read back with `load_package`: what the CLI would import."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / spec.slug
        write_package(export_files(spec), folder)
        loaded, problems = load_package(folder, plugins)
    if loaded is None:
        raise PublishRefused([PublishProblem(p.message) for p in problems])
    return loaded


def publish(session: Session, plugins: PluginManager, course: Course, user: User) -> str:
    """Publish the draft: "created"/"updated" (new content live), "unchanged" (it was live already).

    Refused with `PublishRefused` (problems per activity) or `Conflict` (the package rule: raise the version,
    or an activity with learners' attempts was removed); then nothing changes.
    """
    draft = editable_draft(session, course)
    problems = check_draft(plugins, draft)
    if problems:
        raise PublishRefused(problems)
    spec = _as_package(plugins, draft)
    with session.begin_nested():
        if course.published_at is None and course.package_fingerprint != spec.fingerprint():
            # Never published: no learner has seen any version, so there is no version to protect yet.
            course.version = ""
        outcome = import_course(session, spec, publish=True, plugins=plugins)
        if course.status != CourseStatus.PUBLISHED:
            course.status = CourseStatus.PUBLISHED
            course.published_at = course.published_at or utcnow()
            outcome = "updated" if outcome == "unchanged" else outcome
    save_draft(session, course, spec, user)
    return outcome


def unpublish(session: Session, course: Course) -> None:
    """Back to draft: learners cannot open it any more, but their enrolments and attempts stay."""
    if course.status != CourseStatus.PUBLISHED:
        raise Conflict(_("This course is not published."))
    course.status = CourseStatus.DRAFT
    session.flush()


def archive(session: Session, course: Course) -> None:
    if course.status == CourseStatus.ARCHIVED:
        raise Conflict(_("This course is archived already."))
    course.status = CourseStatus.ARCHIVED
    session.flush()


# --- export -------------------------------------------------------------------------------------------------


def export_zip(spec: CourseSpec) -> bytes:
    """The draft as a course package in a zip file: one folder named by the slug (`courses import` reads it)."""
    return zip_package(spec.slug, export_files(spec))


def enrolment_count(session: Session, course: Course) -> int:
    """How many learners are enrolled in the live course (their activities cannot be removed on publishing)."""
    return session.scalar(select(func.count()).select_from(Enrolment).where(Enrolment.course_id == course.id)) or 0
