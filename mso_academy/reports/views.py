"""The evaluation report: the page with charts and tables, and its CSV and XLSX downloads (admins, funding body)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_login import current_user

from mso_academy.audit import services as audit
from mso_academy.db import get_session
from mso_academy.permissions import Permission, require
from mso_academy.reports import charts, exports, labels, services
from mso_academy.reports.forms import ReportFilterForm

bp = Blueprint("reports", __name__, url_prefix="/reports", template_folder="templates")


def _report() -> tuple[ReportFilterForm, services.Report, bool]:
    facts = services.load(get_session(), ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    form = ReportFilterForm(request.args, services.options(facts))
    valid = form.validate()
    return form, services.build(facts, form.filters() if valid else services.Filters()), valid


def _download(body: bytes, mimetype: str, extension: str, report: services.Report) -> Response:
    filename = f"evaluation-report-{report.generated_at:%Y-%m-%d}.{extension}"
    audit.record(
        get_session(),
        audit.Event.REPORT_EXPORTED,
        actor_id=current_user.id,
        target=("report", "evaluation"),
        details={"export": "evaluation", "format": extension},
    )
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"},
    )


@bp.get("/")
@require(Permission.REPORT_VIEW)
def evaluation() -> str:
    form, report, valid = _report()
    return render_template(
        "reports/evaluation.html",
        form=form,
        report=report,
        query=form.query() if valid else {},
        services=services,
        labels=labels,
        table_chart=charts.table_chart,
        areas_chart=charts.areas_chart,
    )


@bp.get("/evaluation.csv")
@require(Permission.REPORT_VIEW)
def evaluation_csv() -> Response:
    _form, report, valid = _report()
    if not valid:
        abort(400)
    return _download(exports.to_csv(report), "text/csv; charset=utf-8", "csv", report)


@bp.get("/evaluation.xlsx")
@require(Permission.REPORT_VIEW)
def evaluation_xlsx() -> Response:
    _form, report, valid = _report()
    if not valid:
        abort(400)
    mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _download(exports.to_xlsx(report), mimetype, "xlsx", report)
