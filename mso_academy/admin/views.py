"""Admin pages: users and roles, installed plugins, courses and their plugin state."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from mso_academy.accounts import services as accounts
from mso_academy.accounts.models import Role
from mso_academy.admin import forms
from mso_academy.admin.forms import ROLE_LABELS
from mso_academy.admin.services import courses_with_health
from mso_academy.audit import services as audit
from mso_academy.db import get_session
from mso_academy.errors import DomainError
from mso_academy.permissions import Permission, require
from mso_academy.plugins.manager import plugins

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@require(Permission.ADMIN_USERS)
def index() -> Response:
    return redirect(url_for("admin.users"))


@bp.get("/plugins")
@require(Permission.ADMIN_PLUGINS)
def plugin_list() -> str:
    return render_template("admin/plugins.html", plugins=sorted(plugins().plugins.values(), key=lambda p: p.name))


@bp.get("/courses")
@require(Permission.ADMIN_PLUGINS)
def courses() -> str:
    return render_template("admin/courses.html", rows=courses_with_health(get_session(), plugins()))


@bp.get("/users")
@require(Permission.ADMIN_USERS)
def users() -> str:
    search = forms.UserSearchForm(request.args)
    query = search.q.data if search.validate() else ""
    return render_template(
        "admin/users.html",
        search=search,
        users=accounts.list_users(get_session(), query or ""),
        role_form=forms.RoleForm(),
    )


@bp.post("/users/<int:user_id>/roles")
@require(Permission.ADMIN_USERS)
def change_role(user_id: int) -> Response:
    session = get_session()
    user = accounts.get_user(session, user_id)
    form = forms.RoleForm()
    if not form.validate_on_submit():
        flash(_("Please choose a role and an action."), "error")
        return redirect(url_for("admin.users"), code=303)
    role = Role(form.role.data)
    try:
        if form.action.data == "grant":
            changed = accounts.grant_role(session, user, role, actor_id=current_user.id)
            message = _("%(name)s now has the role %(role)s.", name=user.name, role=ROLE_LABELS[role])
        else:
            changed = accounts.revoke_role(session, user, role, actor_id=current_user.id)
            message = _("%(name)s no longer has the role %(role)s.", name=user.name, role=ROLE_LABELS[role])
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("admin.users", q=user.email), code=303)
    flash(message if changed else _("Nothing changed."), "success" if changed else "info")
    return redirect(url_for("admin.users", q=user.email), code=303)


@bp.post("/users/<int:user_id>/disable")
@require(Permission.ADMIN_USERS)
def disable_user(user_id: int) -> Response:
    """Stop an account (its sessions end at once); deleting it is the person's own right, not the admin's."""
    session = get_session()
    user = accounts.get_user(session, user_id)
    if not forms.ConfirmDisableForm().validate_on_submit() or user.id == current_user.id:
        flash(_("Nothing changed."), "info")
        return redirect(url_for("admin.users", q=user.email), code=303)
    accounts.disable_user(session, user, actor_id=current_user.id)
    flash(_("The account of %(name)s is disabled.", name=user.name), "success")
    return redirect(url_for("admin.users", q=user.email), code=303)


@bp.get("/audit")
@require(Permission.ADMIN_USERS)
def audit_log() -> str | tuple[str, int]:
    form = forms.AuditFilterForm(request.args)
    if request.args and not form.validate():
        page = audit.AuditPage(events=[], page=1, pages=1, total=0)
        return render_template("admin/audit.html", form=form, result=page, labels=audit.EVENT_LABELS, query={}), 400
    filters = audit.AuditFilters(
        event=form.event.data or None, user_id=form.user_id.data, start=form.start.data, end=form.end.data
    )
    result = audit.search(get_session(), filters, page=form.page.data or 1)
    query = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("admin/audit.html", form=form, result=result, labels=audit.EVENT_LABELS, query=query)
