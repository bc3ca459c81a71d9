"""The web editor's services, one import for the views, the forms and the tests.

Trainers build a course as a draft package and publish it by the package rule. The work is split by what it
changes, and each module's docstring states the rules it keeps: `drafts` (the courses a trainer may edit,
reading and saving the draft, the course's own fields), `outline` (modules, activities and their order),
`publishing` (checking, publishing, unpublishing, archiving, the zip export) and `trainers` (co-trainers).
"""

from __future__ import annotations

from mso_academy.authoring.drafts import (
    KEY_LENGTH,
    CourseFields,
    EditorCourse,
    course_for_editing,
    create_course,
    discard_draft,
    draft_for,
    list_courses_for,
    save_draft,
    slugify,
    update_course_fields,
)
from mso_academy.authoring.outline import (
    ContentInvalid,
    Direction,
    add_activity,
    add_module,
    find_activity,
    find_module,
    move_activity,
    move_module,
    remove_activity,
    remove_module,
    update_activity,
    update_module,
)
from mso_academy.authoring.publishing import (
    EditorState,
    PublishProblem,
    PublishRefused,
    archive,
    check_draft,
    editor_state,
    enrolment_count,
    export_zip,
    publish,
    unpublish,
)
from mso_academy.authoring.trainers import NoSuchTrainer, add_co_trainer, remove_co_trainer, trainers_of

__all__ = [
    "KEY_LENGTH",
    "ContentInvalid",
    "CourseFields",
    "Direction",
    "EditorCourse",
    "EditorState",
    "NoSuchTrainer",
    "PublishProblem",
    "PublishRefused",
    "add_activity",
    "add_co_trainer",
    "add_module",
    "archive",
    "check_draft",
    "course_for_editing",
    "create_course",
    "discard_draft",
    "draft_for",
    "editor_state",
    "enrolment_count",
    "export_zip",
    "find_activity",
    "find_module",
    "list_courses_for",
    "move_activity",
    "move_module",
    "publish",
    "remove_activity",
    "remove_co_trainer",
    "remove_module",
    "save_draft",
    "slugify",
    "trainers_of",
    "unpublish",
    "update_activity",
    "update_course_fields",
    "update_module",
]
