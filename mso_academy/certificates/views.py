"""Certificates: the learner's downloads, renewal, the public verification page, the issuer's keys, revocation."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from mso_academy.certificates import keys, pdf, services
from mso_academy.certificates.credential import envelope
from mso_academy.certificates.forms import EmptyForm, RevokeForm, VerifyForm
from mso_academy.certificates.funders import funder_line
from mso_academy.db import get_session
from mso_academy.errors import DomainError
from mso_academy.permissions import Permission, require
from mso_academy.plugins.manager import plugins

bp = Blueprint("certificates", __name__, template_folder="templates")


@bp.get("/certificates/")
@login_required
def mine() -> str:
    session = get_session()
    return render_template(
        "certificates/mine.html",
        certificates=services.for_user(session, current_user.id),
        reminder_days=current_app.config["CERTIFICATE_REMINDER_DAYS"],
        renew_form=EmptyForm(),
    )


@bp.get("/certificates/<code>.pdf")
@login_required
def download_pdf(code: str) -> Response:
    certificate = services.holder_certificate(get_session(), current_user.id, code)
    body = pdf.render(certificate, services.verify_url(certificate.code))
    return Response(
        body,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="certificate-{certificate.code}.pdf"',
        },
    )


@bp.get("/certificates/<code>.json")
@login_required
def download_credential(code: str) -> Response:
    certificate = services.holder_certificate(get_session(), current_user.id, code)
    body = json.dumps(envelope(certificate.credential_jwt), indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="certificate-{certificate.code}.json"',
        },
    )


@bp.route("/certificates/<code>/renew", methods=["GET", "POST"])
@login_required
def renew(code: str) -> Response | str:
    session = get_session()
    certificate = services.holder_certificate(session, current_user.id, code)
    form = EmptyForm()
    if request.method == "GET":
        return render_template("certificates/renew.html", certificate=certificate, form=form)
    if not form.validate_on_submit():
        abort(400)
    try:
        services.renew(session, current_user, code)
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        flash(exc.message, "info")
        return redirect(url_for("certificates.mine"), code=303)
    flash(_("Your renewal has started. Complete the activities to receive a new certificate."), "success")
    return redirect(url_for("learning.resume", slug=certificate.course_slug), code=303)


# --- public verification ------------------------------------------------------------------------------------


@bp.get("/verify/")
def verify_form() -> Response | str:
    form = VerifyForm(request.args)
    if request.args and form.validate():
        code = services.normalise_code(form.code.data)
        if code:
            return redirect(url_for("certificates.verify", code=code))
        form.code.errors = [_("A verification code has 32 letters and digits, as printed on the certificate.")]
    return render_template("certificates/verify_form.html", form=form)


@bp.get("/verify/<code>")
def verify(code: str) -> str:
    certificate = services.by_code(get_session(), code)
    if certificate is None:
        abort(404)
    return render_template(
        "certificates/verify.html",
        record=services.public_record(certificate),
        certificate=certificate,
        funder_line=funder_line(certificate),
    )


@bp.get("/verify/<code>.json")
def verify_json(code: str) -> tuple[Response, int]:
    certificate = services.by_code(get_session(), code)
    if certificate is None:
        return jsonify(error="not_found", message="No certificate has this code."), 404
    return jsonify(services.public_record(certificate)), 200


@bp.get("/issuer")
def issuer_profile() -> Response:
    profile = services.issuer().profile()
    profile["@context"] = [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    profile["jwks"] = url_for("certificates.jwks", _external=True)
    return jsonify(profile)


@bp.get("/.well-known/jwks.json")
def jwks() -> Response:
    response = jsonify(keys.public_jwks())
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


# --- administration -----------------------------------------------------------------------------------------


@bp.get("/admin/certificates")
@require(Permission.ADMIN_USERS)
def admin_list() -> str:
    return render_template("certificates/admin_list.html", certificates=services.list_all(get_session(), 200))


@bp.route("/certificates/<code>/revoke", methods=["GET", "POST"])
@login_required
def revoke(code: str) -> Response | tuple[str, int] | str:
    session = get_session()
    certificate = services.by_code(session, code)
    if certificate is None or not services.can_revoke(session, current_user, certificate):
        abort(404)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            services.revoke(session, plugins(), certificate, current_user._get_current_object(), form.reason.data)
        except DomainError as exc:
            form.reason.errors = [exc.message]
        else:
            flash(_("The certificate has been revoked."), "success")
            return redirect(url_for("certificates.verify", code=certificate.code), code=303)
    return render_template("certificates/revoke.html", certificate=certificate, form=form), 422 if form.errors else 200
