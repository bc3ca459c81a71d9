"""Personal access tokens in the profile: create one (shown once), see them, revoke one."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from mso_academy.api import tokens
from mso_academy.api.forms import TokenForm
from mso_academy.db import get_session, utcnow
from mso_academy.errors import DomainError

bp = Blueprint("api_tokens", __name__, url_prefix="/account/tokens", template_folder="templates")


def _page(form: TokenForm, new_token: str | None = None, status: int = 200) -> tuple[str, int]:
    return (
        render_template(
            "api/tokens.html",
            form=form,
            new_token=new_token,
            tokens=tokens.tokens_of(get_session(), current_user),
            labels=tokens.SCOPE_LABELS,
            now=utcnow(),
        ),
        status,
    )


@bp.get("/")
@login_required
def index() -> tuple[str, int]:
    return _page(TokenForm())


@bp.post("/")
@login_required
def create() -> tuple[str, int]:
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    try:
        _record, token = tokens.create_token(
            get_session(), current_user, form.name.data, list(form.scopes.data or []), int(form.days.data)
        )
    except DomainError as exc:
        form.name.errors = [exc.message]
        return _page(form, status=400)
    flash(_("Your new token is shown below once. Copy it now."), "success")
    return _page(TokenForm(formdata=None), new_token=token)


@bp.post("/<int:token_id>/revoke")
@login_required
def revoke(token_id: int) -> Response:
    record = tokens.revoke_token(get_session(), current_user, token_id)
    flash(_("The token “%(name)s” is revoked.", name=record.name), "success")
    return redirect(url_for("api_tokens.index"))
