"""Writing a checked package into the database by the versioning rule (docs/course-packages.md).

Learners' enrolments, attempts, progress, completions and certificates hang on the course's modules and
activities, so an import never replaces them: it matches them by their stable keys and updates them in place.
For the same reason the same version may not change its content, an older version is not imported over a newer
one, and an activity that has attempts cannot be removed. Learners whose last required activities were removed
or made optional would have nothing left to do, so they complete the course with the import.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from mso_academy.catalog.models import Activity, Course, CourseStatus, Module
from mso_academy.catalog.packages.spec import COURSE_FIELDS, CourseSpec
from mso_academy.db import utcnow
from mso_academy.errors import Conflict
from mso_academy.learning.models import ActivityProgress, Attempt, Completion, Enrolment, EnrolmentStatus
from mso_academy.plugins.manager import PluginManager


def _version_tuple(version: str) -> tuple[int, ...] | None:
    parts = version.split(".")
    return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else None


def import_course(
    session: Session, spec: CourseSpec, *, publish: bool = True, plugins: PluginManager | None = None
) -> str:
    """Write a checked package; returns "created", "updated" or "unchanged".

    The rule (docs/course-packages.md): the same slug and version again changes nothing, or is refused if the
    content differs; a new version updates the course in place by stable keys, so enrolments, attempts, progress,
    completions and certificates stay; removing an activity that has attempts is refused. A new course is
    published unless `publish` is false; an existing course keeps its status (a draft is published).
    """
    fingerprint = spec.fingerprint()
    course = session.scalar(
        select(Course)
        .where(Course.slug == spec.slug)
        .options(selectinload(Course.modules).selectinload(Module.activities))
    )
    if course is not None and course.version == spec.version:
        if course.package_fingerprint == fingerprint:
            if spec.matches(course):
                return "unchanged"
            # Only the language group differs: linking language versions needs no new version.
            course.translation_group = spec.translation_group
            session.flush()
            return "updated"
        raise Conflict(
            _(
                "Course %(slug)s version %(version)s exists with different content; raise the version to update it.",
                slug=spec.slug,
                version=spec.version,
            )
        )
    if course is not None:
        installed, offered = _version_tuple(course.version), _version_tuple(spec.version)
        if installed is not None and offered is not None and offered < installed:
            raise Conflict(
                _(
                    "Course %(slug)s is at version %(installed)s; version %(version)s is older and was not imported.",
                    slug=spec.slug,
                    installed=course.version,
                    version=spec.version,
                )
            )
    created = course is None
    if course is None:
        course = Course(slug=spec.slug, status=CourseStatus.DRAFT)
        session.add(course)
    for name in (
        *COURSE_FIELDS,
        "learning_outcomes",
        "translations",
    ):
        setattr(course, name, getattr(spec, name))
    course.package_fingerprint = fingerprint
    if publish and course.status == CourseStatus.DRAFT:
        course.status = CourseStatus.PUBLISHED
        course.published_at = utcnow()
    _sync_outline(session, course, spec)
    session.flush()
    if not created:
        _complete_finished_learners(session, course, plugins)
    return "created" if created else "updated"


def _sync_outline(session: Session, course: Course, spec: CourseSpec) -> None:
    """Match modules and activities by key; progress stays on activities that keep their key."""
    existing_modules = {m.key: m for m in course.modules}
    existing_activities = {a.key: a for m in course.modules for a in m.activities}
    wanted_keys = {a.key for m in spec.modules for a in m.activities}
    removed = [a for key, a in existing_activities.items() if key not in wanted_keys]
    attempted = (
        set(
            session.scalars(
                select(Attempt.activity_id).where(Attempt.activity_id.in_([a.id for a in removed])).distinct()
            )
        )
        if removed
        else set()
    )
    if attempted:
        raise Conflict(
            _(
                "Activities with learners' attempts cannot be removed by an import: %(keys)s",
                keys=", ".join(sorted(f"{a.key} ({a.title})" for a in removed if a.id in attempted)),
            )
        )
    modules: list[Module] = []
    for m_pos, m_spec in enumerate(spec.modules, start=1):
        module = existing_modules.pop(m_spec.key, None) or Module(key=m_spec.key)
        module.position, module.title, module.summary = m_pos, m_spec.title, m_spec.summary
        module.is_renewal = m_spec.renewal
        activities = []
        for a_pos, a_spec in enumerate(m_spec.activities, start=1):
            activity = existing_activities.pop(a_spec.key, None) or Activity(key=a_spec.key)
            activity.position, activity.kind, activity.title = a_pos, a_spec.kind, a_spec.title
            activity.required, activity.content = a_spec.required, a_spec.content
            activities.append(activity)
        module.activities = activities
        modules.append(module)
    course.modules = modules


def _complete_finished_learners(session: Session, course: Course, plugins: PluginManager | None) -> None:
    """Learners whose remaining required activities were removed or made optional complete the course now.

    Otherwise they would have nothing left to hand in and could never complete. Only learners who have passed
    something since their last completion count, so a course change never completes someone who has not started.
    """
    from mso_academy.learning import services as learning
    from mso_academy.learning.progress import course_progress
    from mso_academy.plugins.manager import plugins as current_plugins

    enrolments = session.scalars(
        select(Enrolment).where(Enrolment.course_id == course.id, Enrolment.status == EnrolmentStatus.ACTIVE)
    ).all()
    for enrolment in enrolments:
        last_completed = session.scalar(
            select(func.max(Completion.completed_at)).where(Completion.enrolment_id == enrolment.id)
        )
        started = (
            select(func.count())
            .select_from(ActivityProgress)
            .where(ActivityProgress.enrolment_id == enrolment.id, ActivityProgress.passed_at.is_not(None))
        )
        if last_completed is not None:
            started = started.where(ActivityProgress.passed_at > last_completed)
        if session.scalar(started):
            learning.complete_if_done(
                session, plugins or current_plugins(), course_progress(session, course, enrolment)
            )
