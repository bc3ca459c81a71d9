"""The privacy notice, the personal data export and the deletion of one's account."""

from __future__ import annotations

import json

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from werkzeug.wrappers import Response

from mso_academy.accounts import forms, passwords, privacy
from mso_academy.audit import services as audit
from mso_academy.db import get_session, utcnow
from mso_academy.errors import Conflict
from mso_academy.plugins.manager import plugins

bp = Blueprint("privacy", __name__)


@bp.get("/privacy")
def notice() -> str:
    return render_template("accounts/privacy_notice.html", retention=current_app.config["CERTIFICATE_RETENTION"])


@bp.post("/account/export")
@login_required
def export() -> Response:
    """A POST, because it writes an audit event; the JSON comes back as a download that no cache keeps."""
    if not forms.ConfirmForm().validate_on_submit():
        return redirect(url_for("accounts.profile"), code=303)
    db = get_session()
    user = current_user._get_current_object()
    data = privacy.export_user_data(db, plugins(), user)
    audit.record(db, audit.Event.DATA_EXPORTED, actor_id=user.id, subject_user_id=user.id)
    body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str)
    filename = f"mso-academy-data-{utcnow().date().isoformat()}.json"
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete_account() -> str | Response | tuple[str, int]:
    db = get_session()
    user = current_user._get_current_object()
    form = forms.DeleteAccountForm()
    blockers = privacy.deletion_blockers(db, user)
    if form.validate_on_submit() and not blockers:
        if not passwords.verify_password(user.password_hash, form.password.data):
            form.password.errors = [_("The password is wrong.")]
        else:
            try:
                privacy.delete_user(db, plugins(), user, actor_id=user.id)
            except Conflict as exc:
                blockers = [exc.message]
            else:
                logout_user()
                flash(_("Your account and your data have been deleted. Goodbye!"), "success")
                return redirect(url_for("core.index"), code=303)
    status = 422 if form.errors or (blockers and form.is_submitted()) else 200
    return render_template(
        "accounts/delete_account.html",
        form=form,
        blockers=blockers,
        retention=current_app.config["CERTIFICATE_RETENTION"],
    ), status
