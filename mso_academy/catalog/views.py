"""Catalogue pages: search and filter, and the course page."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from mso_academy.catalog import services
from mso_academy.catalog.forms import LEVEL_LABELS, CatalogueForm
from mso_academy.db import get_session
from mso_academy.learning import services as learning
from mso_academy.permissions import can_edit_course
from mso_academy.plugins.manager import plugins
from mso_academy.templating import LANGUAGE_NAMES

bp = Blueprint("catalog", __name__)


@bp.get("/courses/")
def catalogue() -> tuple[str, int] | str:
    session = get_session()
    facets = services.facet_values(session)
    form = CatalogueForm(request.args)
    form.set_choices(
        [(slug, str(ct.name)) for slug in facets["course_types"] if (ct := plugins().course_type(slug))]
        + [(slug, slug) for slug in facets["course_types"] if not plugins().course_type(slug)],
        [(code, LANGUAGE_NAMES.get(code, code)) for code in facets["languages"]],
    )
    if request.args and not form.validate():
        # Unknown filter values are ignored rather than failing the whole page.
        for name in ("type", "language", "level"):
            if getattr(form, name).errors:
                getattr(form, name).data = ""
        if form.page.errors:
            form.page.data = 1
    query = services.CatalogueQuery(
        text=(form.q.data or "")[:200],
        course_type=form.type.data or "",
        language=form.language.data or "",
        level=form.level.data or "",
        page=form.page.data or 1,
    )
    page = services.search(session, query, current_app.config["CATALOGUE_PAGE_SIZE"])
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "catalog/catalogue.html",
        form=form,
        page=page,
        args=args,
        levels=LEVEL_LABELS,
        versions=services.language_versions_of(session, page.items),
    )


@bp.get("/courses/<slug>")
def course(slug: str) -> str:
    session = get_session()
    course = services.course_by_slug(session, slug, current_user)
    progress = None
    if current_user.is_authenticated:
        enrolment = learning.find_enrolment(session, current_user.id, course.id, with_progress=True)
        if enrolment is not None:
            progress = learning.course_progress(session, course, enrolment, rows=enrolment.progress)
    return render_template(
        "catalog/course.html",
        course=course,
        progress=progress,
        course_type=plugins().course_type(course.course_type),
        levels=LEVEL_LABELS,
        kinds=plugins().activity_kinds,
        can_edit=can_edit_course(current_user, course),
        versions=services.language_versions(session, course),
    )
