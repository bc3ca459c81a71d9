"""Every route of the app × every role → the expected status (issue 7, "access control, proven").

The routes come from `app.url_map` (the core and the built-in plugins), so a route without an entry in
`EXPECTED` fails `test_every_route_has_an_entry` ("new route without an entry"). A route that takes GET and POST
has two entries (`endpoint` and `endpoint:POST`). Each request runs inside a savepoint that is rolled back, so
every role meets the same world (see `world.py`). Posts send an empty form: what matters here is who gets past
the checks, not what the form says.

Reading a row: `private(404, trainer=200)` — anonymous visitors are sent to log in, signed-in users get 404
except the trainer, who gets 200. Objects of others answer 404 (nobody learns what exists); pages of a role one
lacks (admin, trainer, report pages) answer 403; what a role may do answers 200, a redirect, or the form again
with 4xx because the empty form is invalid.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from flask import Flask, url_for
from sqlalchemy import Connection, event
from sqlalchemy.orm import Session
from werkzeug.routing import Rule

from mso_academy.db import database
from tests.security.world import ROLES, World, build_world, client_for

EXEMPT = {"static"}  # the package's own files, the same for everyone
LOGIN = "302 to login"


def every(status: int | str, **overrides: int | str) -> dict[str, int | str]:
    return {role: overrides.get(role, status) for role in ROLES}


def private(status: int, **overrides: int) -> dict[str, int | str]:
    """Signed-in users get `status` (unless overridden); anonymous visitors are sent to the login page."""
    return every(status, anonymous=LOGIN, **overrides)


EXPECTED: dict[str, dict[str, int | str]] = {
    "accounts.change_password": private(422),
    "accounts.check_mail": every(200),
    "accounts.confirm_email": every(400),
    "accounts.forgot_password": every(200),
    "accounts.forgot_password:POST": every(200),
    "accounts.login": every(302, anonymous=200),
    "accounts.login:POST": every(302, anonymous=200),
    "accounts.logout": private(302),
    "accounts.profile": private(200),
    "accounts.profile:POST": private(422),
    "accounts.register": every(302, anonymous=200),
    "accounts.register:POST": every(302, anonymous=422),
    "accounts.resend_confirmation": every(200),
    "accounts.resend_confirmation:POST": every(200),
    "accounts.reset_password": every(400),
    "accounts.reset_password:POST": every(400),
    "admin.change_role": private(403, admin=303),
    "admin.courses": private(403, admin=200),
    "admin.index": private(403, admin=302),
    "admin.plugin_list": private(403, admin=200),
    "admin.users": private(403, admin=200),
    "admin.audit_log": private(403, admin=200),
    "admin.disable_user": private(403, admin=303),
    # The JSON API signs in with a personal access token (Bearer), never the cookie; no token: 401, not a redirect.
    "api.course": every(200),
    "api.courses": every(200),
    "api.my_certificates": every(200, anonymous=401),
    "api.my_enrolments": every(200, anonymous=401),
    "api.openapi": every(200),
    "api.organisation_certificates": every(404, anonymous=401, manager=200, admin=200),
    "api.organisation_members": every(404, anonymous=401, manager=200, admin=200),
    "api.organisations": every(200, anonymous=401),  # the organisations one manages (none: an empty list)
    "api.verification": every(200),
    "api_tokens.create": private(400),
    "api_tokens.index": private(200),
    "api_tokens.revoke": private(404, learner=302),  # the learner's own token; anyone else's: 404
    "authoring.add_activity": private(404, trainer=422, admin=422),
    "authoring.add_module": private(404, trainer=422, admin=422),
    "authoring.add_trainer": private(404, trainer=422, admin=422),
    "authoring.archive": private(404, trainer=303, admin=303),
    "authoring.course_details": private(404, trainer=200, admin=200),
    "authoring.course_details:POST": private(404, trainer=422, admin=422),
    "authoring.courses": private(403, trainer=200, other_trainer=200, admin=200),
    "authoring.discard": private(404, trainer=303, admin=303),
    "authoring.edit_activity": private(404, trainer=200, admin=200),
    "authoring.edit_activity:POST": private(404, trainer=422, admin=422),
    "authoring.edit_module": private(404, trainer=200, admin=200),
    "authoring.edit_module:POST": private(404, trainer=422, admin=422),
    "authoring.editor": private(404, trainer=200, admin=200),
    "authoring.export": private(404, trainer=200, admin=200),
    "authoring.move_activity": private(404, trainer=400, admin=400),
    "authoring.move_module": private(404, trainer=400, admin=400),
    "authoring.new_course": private(403, trainer=200, other_trainer=200, admin=200),
    "authoring.new_course:POST": private(403, trainer=422, other_trainer=422, admin=422),
    "authoring.preview_activity": private(404, trainer=200, admin=200),
    "authoring.preview_course": private(404, trainer=200, admin=200),
    "authoring.preview_submit": private(404, trainer=303, admin=303),
    "authoring.publish": private(404, trainer=409, admin=409),
    "authoring.remove_activity": private(404, trainer=303, admin=303),
    "authoring.remove_module": private(404, trainer=303, admin=303),
    "authoring.remove_trainer": private(404, trainer=303, admin=303),
    "authoring.trainers": private(404, trainer=200, admin=200),
    "authoring.unpublish": private(404, trainer=303, admin=303),
    "catalog.catalogue": every(200),
    "catalog.course": every(200),
    "certificates.admin_list": private(403, admin=200),
    "certificates.download_credential": private(404, learner=200),
    "certificates.download_pdf": private(404, learner=200),
    "certificates.issuer_profile": every(200),
    "certificates.jwks": every(200),
    "certificates.mine": private(200),
    "certificates.renew": private(404, learner=200),
    "certificates.renew:POST": private(404, learner=303),
    "certificates.revoke": private(404, trainer=200, admin=200),
    "certificates.revoke:POST": private(404, trainer=422, admin=422),
    "certificates.verify": every(200),
    "certificates.verify_form": every(200),
    "certificates.verify_json": every(200),
    "core.accessibility": every(200),
    "core.healthz": every(200),
    "core.index": every(200),
    "core.ping": every(200),
    "core.switch_language": every(400),
    "learning.activity": private(302, learner=200),
    "learning.dashboard": private(200),
    "learning.enrol": private(303),
    "learning.resume": private(302),
    "learning.save_draft": private(303, learner=404),
    "learning.submit": private(303, learner=400),
    "mail.reminder_preferences": private(302),
    "mail.unsubscribe": every(404),  # a made-up link
    "mail.unsubscribe:POST": every(404),
    "organisations.accept_invitation": private(303),
    "organisations.add_requirement": private(404, manager=422, admin=422),
    "organisations.assign_function": private(404, manager=422, admin=422),
    "organisations.change_role": private(404, manager=422, admin=422),
    "organisations.decline_invitation": every(303),
    "organisations.delete_function": private(404, manager=200, admin=200),
    "organisations.delete_function:POST": private(404, manager=303, admin=303),
    "organisations.function": private(404, manager=200, admin=200),
    "organisations.functions": private(404, manager=200, admin=200),
    "organisations.functions:POST": private(404, manager=422, admin=422),
    "organisations.index": private(200),
    "organisations.invitation": every(200),
    "organisations.invitations": private(404, manager=200, admin=200),
    "organisations.invitations:POST": private(404, manager=422, admin=422),
    "organisations.leave": private(404, learner=200, manager=200, admin=303),
    "organisations.leave:POST": private(404, learner=303, manager=409, admin=303),
    "organisations.members": private(404, manager=200, admin=200),
    "organisations.new": private(200),
    "organisations.new:POST": private(422),
    "organisations.overview": private(404, learner=200, manager=200, admin=200),
    "organisations.public": every(404, learner=200, manager=200, admin=200),
    "organisations.remove_member": private(404, manager=200, admin=200),
    "organisations.remove_member:POST": private(404, manager=303, admin=303),
    "organisations.remove_requirement": private(404, manager=303, admin=303),
    "organisations.rename_function": private(404, manager=422, admin=422),
    "organisations.revoke_invitation": private(404, manager=303, admin=303),
    "organisations.settings": private(404, manager=200, admin=200),
    "organisations.settings:POST": private(404, manager=422, admin=422),
    "organisations.unassign_function": private(404, manager=303, admin=303),
    "privacy.delete_account": private(200),
    "privacy.delete_account:POST": private(422),
    "privacy.export": private(200),
    "privacy.notice": every(200),
    "qualification.assign": private(404, manager=422, admin=422),
    "qualification.dashboard": private(404, manager=200, admin=200),
    "qualification.matrix_export": private(404, manager=200, admin=200),
    "qualification.progress_export": private(404, manager=200, admin=200),
    "reports.evaluation": private(403, admin=200),
    "reports.evaluation_csv": private(403, admin=200),
    "reports.evaluation_xlsx": private(403, admin=200),
    "reviews.queue": private(403, trainer=200, other_trainer=200, admin=200),
    "reviews.review": private(403, trainer=200, other_trainer=404, admin=200),
    "reviews.review:POST": private(403, trainer=422, other_trainer=404, admin=422),
    "teaching.learners": private(404, trainer=200, admin=200),
    "teaching.learners_csv": private(404, trainer=200, admin=200),
    "two_factor.disable": private(303),
    "two_factor.enable": private(302),
    "two_factor.new_recovery_codes": private(303),
    "two_factor.settings": private(200),
    # Without a password step first, the second step sends everyone to log in.
    "two_factor.verify": every(LOGIN),
    "two_factor.verify:POST": every(LOGIN),
    "uploads.download": private(404, learner=200, trainer=200, admin=200),
}


def _cases(rule: Rule) -> list[tuple[str, str]]:
    """(method, key) pairs to request: GET if the route has it, and POST if it takes POST."""
    methods = (rule.methods or set()) - {"HEAD", "OPTIONS"}
    found = []
    if "GET" in methods:
        found.append(("GET", rule.endpoint))
    if "POST" in methods:
        found.append(("POST", f"{rule.endpoint}:POST" if "GET" in methods else rule.endpoint))
    return found


def _values(rule: Rule, world: World) -> dict[str, Any]:
    """URL arguments from the world: the learner's objects, the trainer's course, the manager's organisation."""
    v = world.values
    in_organisation = "/organisations/" in rule.rule  # also the API's /api/v1/organisations/<slug>/…
    values: dict[str, Any] = {}
    for name in rule.arguments:
        if name == "slug":
            values[name] = v["organisation_slug"] if in_organisation else v["course_slug"]
        elif name == "key":
            values[name] = v["module_key"] if "/modules/<key>" in rule.rule else v["activity_key"]
        elif name == "token":  # a real invitation; account links with a made-up token answer 400 for everyone
            values[name] = v["invitation_token"] if in_organisation else "not-a-valid-token"
        elif name == "code":
            values[name] = v["certificate_code"]
        elif name == "user_id":  # the course's co-trainer in the editor, the learner on admin pages
            values[name] = v["co_trainer_id"] if rule.rule.startswith("/trainer/") else world.user_ids["learner"]
        elif name == "fmt":
            values[name] = "csv"
        elif name in v:
            values[name] = v[name]
        else:  # an object the world does not hold yet: a made-up id, so such a route answers 404 for everyone
            values[name] = 999_999 if name.endswith("_id") else "unknown"
    return values


def requests(app: Flask, world: World) -> Iterator[tuple[str, str, str]]:
    """(key, method, url) for every route of the app but the exempt ones."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule)):
        if rule.endpoint in EXEMPT:
            continue
        for method, key in _cases(rule):
            with app.test_request_context():
                yield key, method, url_for(rule.endpoint, **_values(rule, world))


def run_matrix(
    app: Flask,
    session: Session,
    connection: Connection,
    observe: Callable[[str, str, str], Any] | None = None,
    methods: frozenset[str] = frozenset({"GET", "POST"}),
) -> dict[str, dict[str, int | str]]:
    """The status each role gets from each route; `observe(key, method, role)` runs around every request."""
    world = build_world(app, session)
    cookies = {role: client_for(app, world.emails[role]).get_cookie("session").value for role in ROLES[1:]}
    actual: dict[str, dict[str, int | str]] = {}
    for key, method, url in requests(app, world):
        if method not in methods:
            continue
        for role in ROLES:
            client = client_for(app)
            headers = {}
            if role != "anonymous" and url.startswith("/api/"):
                headers["Authorization"] = f"Bearer {world.api_tokens[role]}"
            elif role != "anonymous":
                client.set_cookie("session", cookies[role], domain="localhost")
            savepoint = connection.begin_nested()
            try:
                context = observe(key, method, role) if observe else None
                if context is not None:
                    context.__enter__()
                response = client.open(url, method=method, headers=headers)
                response.close()
                if context is not None:
                    context.__exit__(None, None, None)
            finally:
                savepoint.rollback()
            status: int | str = response.status_code
            if status in (302, 303) and response.location.startswith("/account/login"):
                status = LOGIN
            actual.setdefault(key, {})[role] = status
    return actual


def test_every_route_has_an_entry(app: Flask) -> None:
    keys = {key for rule in app.url_map.iter_rules() if rule.endpoint not in EXEMPT for _m, key in _cases(rule)}
    missing = sorted(keys - EXPECTED.keys())
    assert not missing, f"new route without an entry in EXPECTED: {missing}"
    assert not sorted(EXPECTED.keys() - keys), "entries for routes that no longer exist"


def test_every_role_gets_the_expected_status_from_every_route(
    app: Flask, session: Session, connection: Connection
) -> None:
    actual = run_matrix(app, session, connection)
    wrong = [
        f"{key} {role}: expected {expected[role]}, got {actual[key][role]}"
        for key, expected in sorted(EXPECTED.items())
        if key in actual
        for role in ROLES
        if actual[key][role] != expected[role]
    ]
    assert not wrong, "\n".join(wrong)


# Writes that record a read and change no state a user sees: an audit event (a download of personal data is
# logged) and when a personal access token was last used (at most every 15 minutes per token).
BOOKKEEPING = ("INSERT INTO AUDIT_EVENTS", "UPDATE API_TOKENS SET LAST_USED_AT=")


class _Writes:
    """Records INSERT, UPDATE and DELETE statements sent to the database while it is entered."""

    def __init__(self, engine: Any, found: list[str], label: str) -> None:
        self.engine, self.found, self.label = engine, found, label

    def _record(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith(BOOKKEEPING):
            return
        if statement.lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            self.found.append(f"{self.label}: {statement.strip()[:80]}")

    def __enter__(self) -> None:
        event.listen(self.engine, "before_cursor_execute", self._record)

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)


def test_no_get_request_changes_the_database(app: Flask, session: Session, connection: Connection) -> None:
    engine = database(app).engine
    writes: list[str] = []

    def observe(key: str, method: str, role: str) -> _Writes:
        return _Writes(engine, writes, f"GET {key} as {role}")

    actual = run_matrix(app, session, connection, observe, methods=frozenset({"GET"}))
    get_routes = {
        key for r in app.url_map.iter_rules() if r.endpoint not in EXEMPT for m, key in _cases(r) if m == "GET"
    }
    assert actual.keys() == get_routes  # every GET really ran
    assert not writes, "\n".join(writes)
