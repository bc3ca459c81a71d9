"""The editor's previews: an activity and the course page as learners will see them, rendered from the draft.

Previews run the activity kinds' own rendering, so what the trainer sees is what learners get; nothing can be
submitted or stored from a preview.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from mso_academy.authoring import services
from mso_academy.authoring.views import Page, bp, editable_course
from mso_academy.catalog.forms import LEVEL_LABELS
from mso_academy.catalog.packages import CourseSpec
from mso_academy.db import get_session
from mso_academy.plugins.api import ActivityView
from mso_academy.plugins.manager import plugins


@bp.get("/courses/<slug>/activities/<key>/preview")
@login_required
def preview_activity(slug: str, key: str) -> Page:
    """The activity exactly as a learner sees it before the first attempt; nothing can be submitted."""
    course = editable_course(slug)
    spec = services.draft_for(get_session(), course)
    module, activity = services.find_activity(get_session(), course, key)
    kind = plugins().kind(activity.kind)
    problems = kind.validate(activity.content) if kind else []
    body = None
    if kind is not None and not problems:
        view = ActivityView(
            key=activity.key,
            title=activity.title,
            content=activity.content,
            attempts=[],
            passed=False,
            can_submit=True,
            attempts_left=kind.max_attempts(activity.content),
            submit_url=url_for("authoring.preview_submit", slug=slug, key=key),
            submission_token="preview",
            preview=True,
        )
        body = kind.render(view)
    steps = [(m, a) for m in spec.modules for a in m.activities]
    position = next(i for i, (_m, a) in enumerate(steps) if a.key == key)
    return render_template(
        "authoring/preview_activity.html",
        course=course,
        spec=spec,
        module=module,
        activity=activity,
        kind=kind,
        body=body,
        problems=problems,
        position=position + 1,
        total=len(steps),
        previous=steps[position - 1][1] if position > 0 else None,
        following=steps[position + 1][1] if position + 1 < len(steps) else None,
    )


@bp.post("/courses/<slug>/activities/<key>/preview")
@login_required
def preview_submit(slug: str, key: str) -> Response:
    """A preview's form lands here: nothing is graded or stored."""
    editable_course(slug)
    flash(_("This is a preview: answers are not sent or stored."), "info")
    return redirect(url_for("authoring.preview_activity", slug=slug, key=key), code=303)


class _DraftCourse:
    """The draft dressed as a course for the catalogue's course page (the course preview)."""

    is_published = False
    status = "draft"

    def __init__(self, spec: CourseSpec) -> None:
        self._spec = spec

    def __getattr__(self, name: str) -> Any:
        return getattr(self._spec, name)


@bp.get("/courses/<slug>/preview")
@login_required
def preview_course(slug: str) -> str:
    """The catalogue's course page, rendered from the draft."""
    course = editable_course(slug)
    spec = services.draft_for(get_session(), course)
    return render_template(
        "authoring/preview_course.html",
        course=_DraftCourse(spec),
        editor_course=course,
        progress=None,
        course_type=plugins().course_type(spec.course_type),
        levels=LEVEL_LABELS,
        kinds=plugins().activity_kinds,
    )
