"""The manager's dashboard, assigning courses, and the CSV/XLSX downloads.

Every page answers 404 to anyone who does not manage the organisation (`organisations.access`), whether or not
the organisation exists.
"""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import ngettext
from flask_login import current_user, login_required

from mso_academy.audit import services as audit
from mso_academy.db import get_session
from mso_academy.organisations.access import managed_organisation
from mso_academy.qualification import assignments, exports, forms, matrix
from mso_academy.qualification.dashboard import Dashboard
from mso_academy.qualification.dashboard import dashboard as load_dashboard
from mso_academy.qualification.dates import local_date

bp = Blueprint("qualification", __name__, template_folder="templates")


@bp.context_processor
def _helpers() -> dict[str, object]:
    return {"state_label": matrix.state_label, "state_symbols": matrix.STATE_SYMBOLS}


def _function_filter() -> int | None:
    return request.args.get("function", type=int) or None


def _assign_form(board: Dashboard, **kwargs: object) -> forms.AssignForm:
    return forms.assign_form(
        board.courses,
        [(m.user_id, m.name) for m in board.snapshot.members],
        [(f.id, f.name) for f in board.snapshot.functions],
        **kwargs,
    )


def _render(board: Dashboard, form: forms.AssignForm, status: int = 200) -> tuple[str, int]:
    filter_form = forms.filter_form(
        [(f.id, f.name) for f in board.snapshot.functions], board.matrix.function.id if board.matrix.function else None
    )
    return render_template("qualification/dashboard.html", board=board, form=form, filter_form=filter_form), status


@bp.get("/organisations/<slug>/dashboard")
@login_required
def dashboard(slug: str) -> tuple[str, int]:
    session = get_session()
    organisation = managed_organisation(session, current_user, slug)
    board = load_dashboard(session, organisation, _function_filter())
    return _render(board, _assign_form(board, formdata=None, due_on=local_date() + timedelta(weeks=4)))


@bp.post("/organisations/<slug>/assignments")
@login_required
def assign(slug: str) -> Response | tuple[str, int]:
    session = get_session()
    organisation = managed_organisation(session, current_user, slug)
    board = load_dashboard(session, organisation)
    form = _assign_form(board)
    if form.validate_on_submit():
        try:
            result = assignments.assign(
                session,
                organisation,
                course_id=form.course.data,
                user_ids=list(form.members.data or []),
                function_id=form.function.data or None,
                due_on=form.due_on.data,
                assigned_by_id=current_user.id,
                today=local_date(),
            )
        except assignments.AssignmentError as exc:
            (getattr(form, exc.field).errors if exc.field else form.form_errors).append(exc.message)
        else:
            flash(
                ngettext(
                    "The course is assigned to %(num)d member.",
                    "The course is assigned to %(num)d members.",
                    result.total,
                ),
                "success",
            )
            return redirect(url_for(".dashboard", slug=organisation.slug, _anchor="assigned-title"), code=303)
    return _render(board, form, 422)


# --- downloads ----------------------------------------------------------------------------------------------


def _download(table: exports.Table, fmt: str, name: str, organisation_id: int) -> Response:
    audit.record(
        get_session(),
        audit.Event.REPORT_EXPORTED,
        actor_id=current_user.id,
        target=("organisation", organisation_id),
        details={"export": name.split("-")[0], "format": fmt},
    )
    if fmt == "xlsx":
        body, content_type = exports.to_xlsx(table), exports.XLSX_TYPE
    else:
        body, content_type = exports.to_csv(table), exports.CSV_TYPE
    filename = re.sub(r"[^A-Za-z0-9_-]", "-", name) + "." + fmt
    return Response(
        body,
        content_type=content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            # Personal data: not for shared caches or the browser's history cache.
            "Cache-Control": "private, no-store",
        },
    )


@bp.get("/organisations/<slug>/matrix.<any(csv, xlsx):fmt>")
@login_required
def matrix_export(slug: str, fmt: str) -> Response:
    session = get_session()
    organisation = managed_organisation(session, current_user, slug)
    table = exports.matrix_table(matrix.matrix(matrix.load(session, organisation), _function_filter()))
    return _download(table, fmt, f"certificates-{organisation.slug}", organisation.id)


@bp.get("/organisations/<slug>/progress.<any(csv, xlsx):fmt>")
@login_required
def progress_export(slug: str, fmt: str) -> Response:
    session = get_session()
    organisation = managed_organisation(session, current_user, slug)
    table = exports.progress_table(matrix.matrix(matrix.load(session, organisation), _function_filter()))
    return _download(table, fmt, f"progress-{organisation.slug}", organisation.id)
