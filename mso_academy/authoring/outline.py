"""Changing the draft's outline: its modules, their activities, and the order of both.

- Keys are made from titles once and never change afterwards, so learners keep their progress across versions.
  Activity keys are unique within the course, module keys among the modules.
- Content is checked by its activity kind (`ActivityKind.validate`) on every save; invalid content is refused
  (`ContentInvalid`) and nothing is stored.
- Moving carries the order the trainer saw. If that order is not the stored one (another window changed it) or
  names items the course does not have, the move is refused with `Conflict` and nothing changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from mso_academy.accounts.models import User
from mso_academy.authoring.drafts import draft_for, editable_draft, save_draft, slugify, unique_key
from mso_academy.catalog.models import Course
from mso_academy.catalog.packages import ActivitySpec, CourseSpec, ModuleSpec
from mso_academy.errors import Conflict, DomainError, NotFound
from mso_academy.plugins.api import ContentProblem
from mso_academy.plugins.manager import PluginManager

Direction = Literal["up", "down"]


class ContentInvalid(DomainError):
    """An activity's content has problems; nothing was saved. `problems` name the fields."""

    status_code = 422

    def __init__(self, problems: Sequence[ContentProblem]) -> None:
        super().__init__(_("Please correct the marked fields. Nothing was saved."))
        self.problems = list(problems)


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
    spec = editable_draft(session, course)
    module = ModuleSpec(
        key=unique_key(slugify(title, "module"), (m.key for m in spec.modules)), title=title.strip(), summary=summary
    )
    spec.modules.append(module)
    save_draft(session, course, spec, user)
    return module


def update_module(
    session: Session, course: Course, user: User, key: str, *, title: str, summary: str, renewal: bool
) -> None:
    if not title.strip():
        raise DomainError(_("The module needs a title."))
    spec = editable_draft(session, course)
    module = _module(spec, key)
    module.title, module.summary, module.renewal = title.strip(), summary.strip(), renewal
    save_draft(session, course, spec, user)


def remove_module(session: Session, course: Course, user: User, key: str) -> ModuleSpec:
    spec = editable_draft(session, course)
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
    spec = editable_draft(session, course)
    module = _module(spec, module_key)
    taken = (a.key for m in spec.modules for a in m.activities)
    activity = ActivitySpec(
        key=unique_key(slugify(title, kind_key.replace("_", "-")), taken),
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
    spec = editable_draft(session, course)
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
    spec = editable_draft(session, course)
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
    spec = editable_draft(session, course)
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
    spec = editable_draft(session, course)
    module = _module(spec, module_key)
    by_key = {a.key: a for a in module.activities}
    order = _moved([a.key for a in module.activities], seen, key, direction)
    module.activities = [by_key[k] for k in order]
    save_draft(session, course, spec, user)
