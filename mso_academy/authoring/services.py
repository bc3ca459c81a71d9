"""The web editor: trainers build a course as a draft package and publish it by the package rule.

Rules:
- The editor works on a `CourseDraft` (a course package document, see `catalog.packages`), never on the live
  modules and activities. Learners never see a draft. Reading a course for the editor writes nothing: until the
  first change the draft is the live course itself (`draft_for`).
- Keys of modules and activities are made from their titles once and never change afterwards, so learners keep
  their progress across versions. Activity keys are unique within the course, module keys among the modules.
- Content is checked by its activity kind (`ActivityKind.validate`) on every save; invalid content is refused
  and nothing is stored.
- Moving carries the order the trainer saw. If that order is not the stored one (another window changed it) or
  names items the course does not have, the move is refused with `Conflict` and nothing changes.
- Publishing checks every activity and the whole package (the same `load_package` checks as a package on disk),
  then imports it with `import_course`: the same version with different content is refused, a new version
  updates the course by stable keys. A course never published before has no learners and no version yet, so its
  first publication is not held to that rule.
- Unpublishing and archiving hide the course from learners; their enrolments and attempts stay.
- A trainer edits the courses they own or co-own; admins edit all (`permissions.can_edit_course`). Anything
  else is answered as if the course did not exist.
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from mso_academy.accounts import services as accounts
from mso_academy.accounts.models import Role, User
from mso_academy.catalog.models import Course, CourseDraft, CourseStatus, CourseTrainer, Level, Module
from mso_academy.catalog.packages import (
    LANGUAGE,
    SLUG,
    VERSION,
    ActivitySpec,
    CourseSpec,
    ModuleSpec,
    export_files,
    import_course,
    load_package,
    spec_from_course,
    spec_from_dict,
    spec_to_dict,
    write_package,
    zip_package,
)
from mso_academy.db import utcnow
from mso_academy.errors import Conflict, DomainError, NotFound
from mso_academy.learning.models import Enrolment
from mso_academy.permissions import Permission, can_edit_course, has_permission
from mso_academy.plugins.api import ContentProblem
from mso_academy.plugins.manager import PluginManager

Direction = Literal["up", "down"]
KEY_LENGTH = 60
_TRANSLITERATE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})


# --- errors -------------------------------------------------------------------------------------------------


class ContentInvalid(DomainError):
    """An activity's content has problems; nothing was saved. `problems` name the fields."""

    status_code = 422

    def __init__(self, problems: Sequence[ContentProblem]) -> None:
        super().__init__(_("Please correct the marked fields. Nothing was saved."))
        self.problems = list(problems)


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


class NoSuchTrainer(DomainError):
    status_code = 422


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
        )


@dataclass(frozen=True)
class EditorCourse:
    """One line of a trainer's course list: the live course and what its draft says."""

    course: Course
    title: str
    version: str
    state: str  # new | published | changed | unpublished | archived
    is_owner: bool


@dataclass(frozen=True)
class EditorState:
    """What the editor page shows about the draft compared with the live course."""

    spec: CourseSpec
    state: str
    has_draft: bool
    changed: bool = False
    problems: list[PublishProblem] = field(default_factory=list)
    enrolments: int = 0


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
    """The courses `user` owns or co-trains (admins: all), by title; two queries."""
    stmt = select(Course).order_by(Course.title, Course.id)
    if not has_permission(user, Permission.COURSE_EDIT_ANY):
        co_trained = select(CourseTrainer.course_id).where(CourseTrainer.user_id == user.id)
        stmt = stmt.where(or_(Course.owner_id == user.id, Course.id.in_(co_trained)))
    courses = list(session.scalars(stmt))
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
                state=_state(course, spec),
                is_owner=course.owner_id == user.id,
            )
        )
    return result


def _state(course: Course, draft: CourseSpec | None) -> str:
    if course.status == CourseStatus.ARCHIVED:
        return "archived"
    if course.status == CourseStatus.DRAFT:
        return "unpublished" if course.published_at is not None else "new"
    if draft is not None and draft.fingerprint() != course.package_fingerprint:
        return "changed"
    return "published"


# --- keys ---------------------------------------------------------------------------------------------------


def slugify(text: str, fallback: str) -> str:
    """Lowercase letters, digits and '-', from any title ("Über uns" → "ueber-uns")."""
    text = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
    text = text.encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:KEY_LENGTH].strip("-")
    return slug or fallback


def _unique(base: str, taken: Iterable[str]) -> str:
    taken = set(taken)
    if base not in taken:
        return base
    number = 2
    while f"{base[: KEY_LENGTH - 4]}-{number}" in taken:
        number += 1
    return f"{base[: KEY_LENGTH - 4]}-{number}"


# --- the draft ----------------------------------------------------------------------------------------------


def _draft_row(session: Session, course: Course) -> CourseDraft | None:
    return session.scalar(select(CourseDraft).where(CourseDraft.course_id == course.id))


def draft_for(session: Session, course: Course) -> CourseSpec:
    """The course as the editor sees it: the stored draft, or (before the first change) the live course."""
    row = _draft_row(session, course)
    return spec_from_dict(row.spec) if row is not None else spec_from_course(course)


def _editable(session: Session, course: Course) -> CourseSpec:
    """The draft, read for changing it: the course row is locked first, so two edits of one course (two windows,
    two co-trainers) run one after the other instead of overwriting each other (SQLite writes one at a time anyway).
    """
    session.execute(select(Course.id).where(Course.id == course.id).with_for_update())
    return draft_for(session, course)


def save_draft(session: Session, course: Course, spec: CourseSpec, user: User) -> None:
    row = _draft_row(session, course)
    if row is None:
        row = CourseDraft(course_id=course.id, spec={})
        session.add(row)
    row.spec = spec_to_dict(spec)
    row.updated_by_id = user.id
    row.updated_at = utcnow()
    session.flush()


def discard_draft(session: Session, course: Course) -> None:
    """Forget the draft's changes: the editor shows the published course again."""
    row = _draft_row(session, course)
    if row is not None:
        session.delete(row)
        session.flush()


def editor_state(session: Session, plugins: PluginManager, course: Course) -> EditorState:
    """The draft, how it stands to the live course, and what would keep it from being published."""
    row = _draft_row(session, course)
    spec = spec_from_dict(row.spec) if row is not None else spec_from_course(course)
    return EditorState(
        spec=spec,
        state=_state(course, spec if row is not None else None),
        has_draft=row is not None,
        changed=row is not None and spec.fingerprint() != course.package_fingerprint,
        problems=check_draft(plugins, spec),
        enrolments=enrolment_count(session, course),
    )


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
        slug = _unique(base, session.scalars(select(Course.slug).where(Course.slug.startswith(base))))
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
        modules=[ModuleSpec(key=slugify(first, "module-1"), title=first, summary="")],
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
    )


def update_course_fields(
    session: Session, plugins: PluginManager, course: Course, user: User, fields: CourseFields
) -> None:
    _check_fields(plugins, fields)
    save_draft(session, course, _with_fields(_editable(session, course), fields), user)


# --- modules ------------------------------------------------------------------------------------------------


def _module(spec: CourseSpec, key: str) -> ModuleSpec:
    for module in spec.modules:
        if module.key == key:
            return module
    raise NotFound(_("This module does not exist (any more)."))


def _activity(spec: CourseSpec, key: str) -> tuple[ModuleSpec, ActivitySpec]:
    for module in spec.modules:
        for activity in module.activities:
            if activity.key == key:
                return module, activity
    raise NotFound(_("This activity does not exist (any more)."))


def find_module(session: Session, course: Course, key: str) -> ModuleSpec:
    return _module(draft_for(session, course), key)


def find_activity(session: Session, course: Course, key: str) -> tuple[ModuleSpec, ActivitySpec]:
    return _activity(draft_for(session, course), key)


def add_module(session: Session, course: Course, user: User, title: str, summary: str = "") -> ModuleSpec:
    if not title.strip():
        raise DomainError(_("The module needs a title."))
    spec = _editable(session, course)
    module = ModuleSpec(
        key=_unique(slugify(title, "module"), (m.key for m in spec.modules)), title=title.strip(), summary=summary
    )
    spec.modules.append(module)
    save_draft(session, course, spec, user)
    return module


def update_module(
    session: Session, course: Course, user: User, key: str, *, title: str, summary: str, renewal: bool
) -> None:
    if not title.strip():
        raise DomainError(_("The module needs a title."))
    spec = _editable(session, course)
    module = _module(spec, key)
    module.title, module.summary, module.renewal = title.strip(), summary.strip(), renewal
    save_draft(session, course, spec, user)


def remove_module(session: Session, course: Course, user: User, key: str) -> ModuleSpec:
    spec = _editable(session, course)
    module = _module(spec, key)
    spec.modules.remove(module)
    save_draft(session, course, spec, user)
    return module


# --- activities ---------------------------------------------------------------------------------------------


def add_activity(
    session: Session, plugins: PluginManager, course: Course, user: User, module_key: str, kind_key: str, title: str
) -> ActivitySpec:
    """A new activity at the end of the module, with the kind's default content."""
    kind = plugins.kind(kind_key)
    if kind is None:
        raise DomainError(_("Please choose an installed activity kind."))
    if not title.strip():
        raise DomainError(_("The activity needs a title."))
    spec = _editable(session, course)
    module = _module(spec, module_key)
    taken = (a.key for m in spec.modules for a in m.activities)
    activity = ActivitySpec(
        key=_unique(slugify(title, kind_key.replace("_", "-")), taken),
        kind=kind_key,
        title=title.strip(),
        required=True,
        content=dict(kind.default_content()),
    )
    module.activities.append(activity)
    save_draft(session, course, spec, user)
    return activity


def update_activity(
    session: Session,
    plugins: PluginManager,
    course: Course,
    user: User,
    key: str,
    *,
    title: str,
    required: bool,
    content: dict[str, Any],
    module_key: str | None = None,
) -> ActivitySpec:
    """Save an activity; its kind checks the content first (`ContentInvalid`, nothing saved).

    With `module_key` naming another module, the activity moves to the end of that module.
    """
    spec = _editable(session, course)
    module, activity = _activity(spec, key)
    problems: list[ContentProblem] = []
    if not title.strip():
        problems.append(ContentProblem("title", _("The activity needs a title.")))
    kind = plugins.kind(activity.kind)
    if kind is not None:
        problems.extend(kind.validate(content))
    if problems:
        raise ContentInvalid(problems)
    activity.title, activity.required, activity.content = title.strip(), required, content
    if module_key and module_key != module.key:
        target = _module(spec, module_key)
        module.activities.remove(activity)
        target.activities.append(activity)
    save_draft(session, course, spec, user)
    return activity


def remove_activity(session: Session, course: Course, user: User, key: str) -> ActivitySpec:
    spec = _editable(session, course)
    module, activity = _activity(spec, key)
    module.activities.remove(activity)
    save_draft(session, course, spec, user)
    return activity


# --- order --------------------------------------------------------------------------------------------------


def _moved(current: list[str], seen: Sequence[str], key: str, direction: Direction) -> list[str]:
    """`current` with `key` one step up or down, if `seen` (the order the trainer saw) is the stored order."""
    seen = list(seen)
    if len(set(seen)) != len(seen) or not set(seen) <= set(current) or key not in seen:
        raise Conflict(
            _("The order you sent does not match this course (unknown or repeated items). Nothing was moved.")
        )
    if seen != current:
        raise Conflict(
            _(
                "The order was changed in the meantime, perhaps in another window. Nothing was moved: "
                "this page now shows the current order, please try again."
            )
        )
    index = current.index(key)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(current):
        current[index], current[other] = current[other], current[index]
    return current


def move_module(
    session: Session, course: Course, user: User, key: str, direction: Direction, seen: Sequence[str]
) -> None:
    spec = _editable(session, course)
    by_key = {m.key: m for m in spec.modules}
    order = _moved([m.key for m in spec.modules], seen, key, direction)
    spec.modules = [by_key[k] for k in order]
    save_draft(session, course, spec, user)


def move_activity(
    session: Session,
    course: Course,
    user: User,
    module_key: str,
    key: str,
    direction: Direction,
    seen: Sequence[str],
) -> None:
    spec = _editable(session, course)
    module = _module(spec, module_key)
    by_key = {a.key: a for a in module.activities}
    order = _moved([a.key for a in module.activities], seen, key, direction)
    module.activities = [by_key[k] for k in order]
    save_draft(session, course, spec, user)


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
    draft = _editable(session, course)
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


# --- co-trainers --------------------------------------------------------------------------------------------


def trainers_of(session: Session, course: Course) -> tuple[User | None, list[User]]:
    """The owner and the co-trainers (by name)."""
    ids = [t.user_id for t in course.co_trainers]
    owner = session.get(User, course.owner_id) if course.owner_id else None
    co_trainers = list(session.scalars(select(User).where(User.id.in_(ids)).order_by(User.name))) if ids else []
    return owner, co_trainers


def add_co_trainer(session: Session, course: Course, email: str) -> User:
    """Add a user who holds the trainer role; the same answer for unknown addresses and non-trainers."""
    user = accounts.find_by_email(session, email)
    if user is None or not user.has_role(Role.TRAINER) or not user.is_active:
        raise NoSuchTrainer(
            _("There is no trainer with this e-mail address. An admin can give someone the trainer role.")
        )
    if course.is_trainer(user.id):
        raise Conflict(_("%(name)s trains this course already.", name=user.name))
    try:
        with session.begin_nested():
            course.co_trainers.append(CourseTrainer(course_id=course.id, user_id=user.id))
    except IntegrityError:
        raise Conflict(_("%(name)s trains this course already.", name=user.name)) from None
    return user


def remove_co_trainer(session: Session, course: Course, user_id: int) -> None:
    link = next((t for t in course.co_trainers if t.user_id == user_id), None)
    if link is None:
        raise NotFound(_("This person is not a co-trainer of the course."))
    course.co_trainers.remove(link)
    session.flush()


# --- export -------------------------------------------------------------------------------------------------


def export_zip(spec: CourseSpec) -> bytes:
    """The draft as a course package in a zip file: one folder named by the slug (`courses import` reads it)."""
    return zip_package(spec.slug, export_files(spec))


def enrolment_count(session: Session, course: Course) -> int:
    """How many learners are enrolled in the live course (their activities cannot be removed on publishing)."""
    return session.scalar(select(func.count()).select_from(Enrolment).where(Enrolment.course_id == course.id)) or 0
