"""The start page, the accessibility statement, the health check and the error pages."""

from __future__ import annotations

from datetime import date
from email.utils import parseaddr

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import text
from werkzeug.exceptions import HTTPException

from mso_academy.accounts.services import set_language
from mso_academy.catalog.services import latest_published
from mso_academy.db import get_session
from mso_academy.errors import DomainError
from mso_academy.redirects import safe_next

bp = Blueprint("core", __name__)


@bp.get("/")
def index() -> str:
    courses = latest_published(
        get_session(), 6, language=current_user.preferred_language if current_user.is_authenticated else None
    )
    return render_template("core/index.html", courses=courses)


@bp.post("/language")
def switch_language() -> Response:
    """The language switcher: remembered on the account when signed in, else in the session cookie."""
    language = request.form.get("language", "")
    if language not in current_app.config["LANGUAGES"]:
        abort(400)
    if current_user.is_authenticated:
        set_language(get_session(), current_user._get_current_object(), language)
    session["language"] = language
    return redirect(safe_next(request.form.get("next")) or url_for("core.index"), code=303)


@bp.get("/accessibility")
def accessibility() -> str:
    """The accessibility statement (Erklärung zur Barrierefreiheit) that BITV 2.0 asks for, linked on every page."""
    config = current_app.config
    contact = config["ACCESSIBILITY_CONTACT"] or parseaddr(config["MAIL_FROM"])[1]
    return render_template(
        "core/accessibility.html",
        contact=contact,
        operator_name=config["ISSUER_NAME"],
        operator_address=config["ISSUER_ADDRESS"],
        statement_date=date.fromisoformat(str(config["ACCESSIBILITY_STATEMENT_DATE"])),
        enforcement_name=config["ACCESSIBILITY_ENFORCEMENT_NAME"],
        enforcement_url=config["ACCESSIBILITY_ENFORCEMENT_URL"],
    )


@bp.get("/ping")
def ping() -> Response:
    """Liveness for a load balancer, without touching the database; the benchmarks' bare route."""
    return Response("ok", mimetype="text/plain")


@bp.get("/healthz")
def healthz() -> tuple[object, int]:
    try:
        get_session().execute(text("SELECT 1"))
        return jsonify(status="ok", database="ok"), 200
    except Exception:
        return jsonify(status="error", database="unavailable"), 503


_MESSAGES = {
    400: lambda: _("The request could not be understood. Please go back and try again."),
    401: lambda: _("Please log in to see this page."),
    403: lambda: _("You are not allowed to see this page."),
    404: lambda: _("This page does not exist."),
    405: lambda: _("This page cannot be used this way. Please go back and use the buttons on the page."),
    413: lambda: _("What you sent is too large."),
    429: lambda: _("Too many requests. Please wait a moment and try again."),
    500: lambda: _("Something went wrong on our side. Please try again later."),
}


def _error_page(status: int, message: str | None = None) -> tuple[str, int]:
    text_ = message or _MESSAGES.get(status, _MESSAGES[500])()
    return render_template("core/error.html", status=status, message=text_), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError) -> tuple[str, int]:
        return _error_page(
            400, _("The form has expired or was not sent from this site. Please reload the page and try again.")
        )

    @app.errorhandler(DomainError)
    def _domain(error: DomainError) -> tuple[str, int]:
        return _error_page(error.status_code, error.message)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[str, int] | HTTPException:
        if error.code is None or error.code < 400:
            return error
        return _error_page(error.code)

    @app.errorhandler(500)
    def _server(_error: Exception) -> tuple[str, int]:
        return _error_page(500)
