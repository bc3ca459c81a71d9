"""One-click unsubscribe from reminder mails (no login; the signed link authorises it) and reminder choices."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from mso_academy.accounts.models import User
from mso_academy.db import get_session
from mso_academy.extensions import csrf
from mso_academy.mail import mask, preferences
from mso_academy.mail.forms import ReminderPreferencesForm

bp = Blueprint("mail", __name__)


@bp.app_template_global("reminder_preferences_form")
def reminder_preferences_form() -> ReminderPreferencesForm:
    """The profile page's reminder section, filled from the signed-in user's choices."""
    data = {kind: preferences.wants(current_user, kind) for kind in ReminderPreferencesForm.kinds}
    return ReminderPreferencesForm(prefix="reminders", data=data, formdata=None)


@bp.post("/account/reminders")
@login_required
def reminder_preferences() -> Response:
    form = ReminderPreferencesForm(prefix="reminders")
    if form.validate_on_submit():
        preferences.set_wanted(get_session(), current_user, form.wanted())
        flash(_("Your reminder choices have been saved."), "success")
    else:
        flash(_("Your reminder choices could not be saved. Please try again."), "error")
    return redirect(url_for("accounts.profile", _anchor="reminders"))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # authorised by the signed token; RFC 8058 one-click POSTs come from mail clients without a form
def unsubscribe(token: str) -> str | tuple[str, int]:
    """GET asks (link checkers and previews open links); POST switches the reminder off."""
    try:
        user_id, kind = preferences.read_unsubscribe_token(token)
    except preferences.InvalidUnsubscribeLink:
        abort(404)
    session = get_session()
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        abort(404)
    label = preferences.REMINDER_KINDS[kind]
    if request.method == "POST":
        preferences.opt_out(session, user, kind)
        return render_template("mail/pages/unsubscribed.html", label=label)
    return render_template(
        "mail/pages/unsubscribe.html",
        label=label,
        address=mask(user.email),
        already=not preferences.wants(user, kind),
        token=token,
    )
