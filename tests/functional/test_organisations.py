"""Organisations: creating one, details and visibility, the public page, members and managers, functions with
required courses, and that nobody outside an organisation (or a member on a manager's page) learns it exists."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mso_academy.accounts.models import Role
from mso_academy.catalog.models import CourseStatus
from mso_academy.demo import DEMO_ORGANISATION, load_demo
from mso_academy.errors import Conflict, DomainError
from mso_academy.organisations import services
from mso_academy.organisations.models import (
    CourseAssignment,
    FunctionRequirement,
    MemberFunction,
    MemberRole,
    Membership,
    Organisation,
    OrgFunction,
)
from mso_academy.plugins.manager import plugins
from tests.conftest import login
from tests.factories import PASSWORD, make_course, make_user

COURSES = Path(__file__).resolve().parents[2] / "courses"


def make_organisation(session, manager, name="Verein Über Grenzen e.V.", **fields):
    return services.create_organisation(session, manager, services.Details(name=name, **fields))


def add_member(session, organisation, user, role=MemberRole.MEMBER):
    membership = Membership(organisation_id=organisation.id, user_id=user.id, role=role)
    session.add(membership)
    session.flush()
    return membership


def membership(session, organisation, user):
    return session.scalar(
        select(Membership).where(Membership.organisation_id == organisation.id, Membership.user_id == user.id)
    )


@pytest.fixture
def manager(session):
    return make_user(session, name="Mona Manager", email="mona@example.org")


@pytest.fixture
def member(session):
    return make_user(session, name="Max Member", email="max@example.org")


@pytest.fixture
def org(session, manager, member):
    organisation = make_organisation(session, manager, municipality="Köln", short_name="VÜG")
    add_member(session, organisation, member)
    return organisation


# --- creating an organisation -------------------------------------------------------------------------------


def test_a_signed_in_user_creates_an_organisation_and_becomes_its_first_manager(client, session):
    user = make_user(session, email="founder@example.org")
    session.commit()
    login(client, user.email)
    assert client.get("/organisations/new").status_code == 200
    response = client.post(
        "/organisations/new",
        data={
            "name": "  Interkultureller Frauenverein Ülm e.V. ",
            "short_name": "IFV",
            "legal_form": "e.V.",
            "municipality": "Ulm",
            "register_number": "VR 123",
            "contact_email": "Info@IFV.example.org",
            "contact_phone": "0731 123",
            "description": "Wir beraten Frauen.",
        },
    )
    assert response.status_code == 303
    organisation = session.scalar(select(Organisation))
    assert organisation.slug == "interkultureller-frauenverein-uelm-e-v"
    assert organisation.name == "Interkultureller Frauenverein Ülm e.V."
    assert organisation.contact_email == "info@ifv.example.org"
    assert organisation.created_by_id == user.id
    assert not organisation.is_public and not organisation.show_status_publicly
    assert membership(session, organisation, user).role == MemberRole.MANAGER
    page = client.get("/organisations/")
    assert "Interkultureller Frauenverein Ülm e.V." in page.text and "Manager" in page.text


def test_creating_needs_a_name_and_a_known_legal_form(client, session):
    user = make_user(session)
    session.commit()
    login(client, user.email)
    response = client.post("/organisations/new", data={"name": "", "legal_form": "e.V."})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.text and 'href="#name"' in response.text
    response = client.post("/organisations/new", data={"name": "Verein", "legal_form": "AG"})
    assert response.status_code == 422
    assert session.scalar(select(func.count()).select_from(Organisation)) == 0


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/organisations/new")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_an_admin_creates_an_organisation_and_sees_every_organisation(client, session, org):
    admin = make_user(session, roles=(Role.ADMIN,))
    session.commit()
    login(client, admin.email)
    assert "Verein Über Grenzen e.V." in client.get("/organisations/").text
    assert client.get(f"/organisations/{org.slug}/members").status_code == 200
    response = client.post("/organisations/new", data={"name": "Admin-Verein", "legal_form": "initiative"})
    assert response.status_code == 303
    created = session.scalar(select(Organisation).where(Organisation.slug == "admin-verein"))
    assert membership(session, created, admin).role == MemberRole.MANAGER


def test_slugs_are_unique_and_never_a_page_name(session, manager):
    first = make_organisation(session, manager, name="Verein")
    second = make_organisation(session, manager, name="Verein")
    assert (first.slug, second.slug) == ("verein", "verein-2")
    assert make_organisation(session, manager, name="Invitations").slug == "invitations-2"
    assert make_organisation(session, manager, name="New").slug == "new-2"
    assert make_organisation(session, manager, name="!!!").slug == "organisation"


# --- details, visibility, public page -----------------------------------------------------------------------


def test_a_manager_edits_details_and_visibility(client, session, org, manager):
    session.commit()
    login(client, manager.email)
    page = client.get(f"/organisations/{org.slug}/settings")
    assert page.status_code == 200 and 'value="Köln"' in page.text
    response = client.post(
        f"/organisations/{org.slug}/settings",
        data={
            "name": "Verein Über Grenzen",
            "legal_form": "initiative",
            "municipality": "Bonn",
            "is_public": "y",
            "show_status_publicly": "y",
        },
    )
    assert response.status_code == 303
    session.refresh(org)
    assert (org.name, org.legal_form, org.municipality, org.is_public, org.show_status_publicly) == (
        "Verein Über Grenzen",
        "initiative",
        "Bonn",
        True,
        True,
    )
    assert org.slug == "verein-ueber-grenzen-e-v"  # the address stays when the name changes
    response = client.post(f"/organisations/{org.slug}/settings", data={"name": "X", "contact_email": "nope"})
    assert response.status_code == 422 and 'id="contact_email-error"' in response.text


def test_the_public_page_shows_only_when_the_organisation_wants_it(client, session, org, member):
    session.commit()
    assert client.get(f"/organisations/{org.slug}/public").status_code == 404
    stranger = make_user(session)
    session.commit()
    login(client, stranger.email)
    assert client.get(f"/organisations/{org.slug}/public").status_code == 404
    org.is_public = True
    org.description = "Wir machen Kultur."
    session.commit()
    page = client.get(f"/organisations/{org.slug}/public")
    assert page.status_code == 200 and "Wir machen Kultur." in page.text and "Köln" in page.text
    assert "Max Member" not in page.text  # members stay hidden
    assert client.get("/organisations/nobody-here/public").status_code == 404


def test_members_preview_the_public_page_before_it_is_public(client, session, org, member):
    session.commit()
    login(client, member.email)
    page = client.get(f"/organisations/{org.slug}/public")
    assert page.status_code == 200 and "This page is not public" in page.text


def test_the_public_page_shows_the_status_only_when_chosen(client, session, org, manager):
    course = make_course(session, title="Vereinsrecht", course_type="general")
    function = services.create_function(session, org, "Vorstand")
    services.set_requirement(session, org, function.id, course_id=course.id, min_holders=1)
    org.is_public = True
    session.commit()
    assert "Qualification" not in client.get(f"/organisations/{org.slug}/public").text
    org.show_status_publicly = True
    session.commit()
    page = client.get(f"/organisations/{org.slug}/public")
    assert "Qualification" in page.text and "not yet qualified" in page.text


# --- the overview -------------------------------------------------------------------------------------------


def test_a_member_sees_details_and_their_functions_but_not_the_member_list(client, session, org, member, manager):
    course = make_course(session, title="Kasse führen")
    function = services.create_function(session, org, "Kassenwart")
    services.set_requirement(session, org, function.id, course_id=course.id, min_holders=1)
    services.assign_function(session, org, membership(session, org, member).id, function.id)
    session.commit()
    login(client, member.email)
    page = client.get(f"/organisations/{org.slug}/")
    assert page.status_code == 200
    assert "Verein Über Grenzen e.V." in page.text and "Köln" in page.text
    assert "Kassenwart" in page.text and "Kasse führen" in page.text
    assert "Mona Manager" not in page.text and f"/organisations/{org.slug}/dashboard" not in page.text
    assert "You are a member of this organisation." in page.text


def test_a_manager_sees_members_roles_functions_and_the_dashboard_link(client, session, org, manager):
    session.commit()
    login(client, manager.email)
    page = client.get(f"/organisations/{org.slug}/")
    assert "Mona Manager" in page.text and "Max Member" in page.text
    assert f'href="/organisations/{org.slug}/dashboard"' in page.text


def test_a_person_can_belong_to_several_organisations(client, session, org, member):
    other_manager = make_user(session)
    other = make_organisation(session, other_manager, name="Zweiter Verein")
    add_member(session, other, member)
    session.commit()
    login(client, member.email)
    page = client.get("/organisations/")
    assert "Verein Über Grenzen e.V." in page.text and "Zweiter Verein" in page.text
    assert client.get(f"/organisations/{other.slug}/").status_code == 200


# --- who may open what --------------------------------------------------------------------------------------

MANAGER_PAGES = ["settings", "members", "invitations", "functions"]


@pytest.mark.parametrize("page", ["", "leave", *MANAGER_PAGES])
def test_a_manager_of_another_organisation_gets_404_for_every_page(client, session, org, page):
    other_manager = make_user(session)
    make_organisation(session, other_manager, name="Anderer Verein")
    session.commit()
    login(client, other_manager.email)
    assert client.get(f"/organisations/{org.slug}/{page}").status_code == 404
    assert client.get(f"/organisations/does-not-exist/{page}").status_code == 404


def test_a_manager_of_another_organisation_cannot_change_anything_by_url(client, session, org, member):
    other_manager = make_user(session)
    other = make_organisation(session, other_manager, name="Anderer Verein")
    function = services.create_function(session, org, "Vorstand")
    member_id = membership(session, org, member).id
    session.commit()
    login(client, other_manager.email)
    posts = [
        (f"/organisations/{org.slug}/settings", {"name": "Hijacked", "legal_form": "e.V."}),
        (f"/organisations/{org.slug}/members/{member_id}/role", {"role": "manager"}),
        (f"/organisations/{org.slug}/members/{member_id}/remove", {}),
        (f"/organisations/{org.slug}/invitations", {"email": "x@example.org", "role": "member"}),
        (f"/organisations/{org.slug}/functions", {"name": "Spion"}),
        (f"/organisations/{org.slug}/functions/{function.id}/delete", {}),
        # Their own slug with the other organisation's ids: the ids do not belong to it.
        (f"/organisations/{other.slug}/members/{member_id}/role", {"role": "manager"}),
        (f"/organisations/{other.slug}/members/{member_id}/remove", {}),
        (f"/organisations/{other.slug}/functions/{function.id}/rename", {"rename-name": "X"}),
        (f"/organisations/{other.slug}/functions/{function.id}/delete", {}),
    ]
    for url, data in posts:
        assert client.post(url, data=data).status_code == 404, url
    assert client.get(f"/organisations/{other.slug}/functions/{function.id}").status_code == 404
    session.refresh(org)
    assert org.name == "Verein Über Grenzen e.V."
    assert membership(session, org, member).role == MemberRole.MEMBER
    assert session.get(OrgFunction, function.id).name == "Vorstand"


def test_a_member_trying_manager_actions_gets_404_and_nothing_changes(client, session, org, member, manager):
    function = services.create_function(session, org, "Vorstand")
    manager_id = membership(session, org, manager).id
    member_id = membership(session, org, member).id
    session.commit()
    login(client, member.email)
    for page in MANAGER_PAGES:
        assert client.get(f"/organisations/{org.slug}/{page}").status_code == 404, page
    posts = [
        (f"/organisations/{org.slug}/members/{member_id}/role", {"role": "manager"}),  # promote oneself
        (f"/organisations/{org.slug}/members/{manager_id}/remove", {}),
        (f"/organisations/{org.slug}/members/{member_id}/functions", {f"m{member_id}-function": function.id}),
        (f"/organisations/{org.slug}/invitations", {"email": "friend@example.org", "role": "manager"}),
        (f"/organisations/{org.slug}/functions", {"name": "Mitglied-Funktion"}),
        (f"/organisations/{org.slug}/functions/{function.id}/rename", {"rename-name": "X"}),
        (f"/organisations/{org.slug}/functions/{function.id}/delete", {}),
        (f"/organisations/{org.slug}/settings", {"name": "Mine now", "legal_form": "e.V.", "is_public": "y"}),
    ]
    for url, data in posts:
        assert client.post(url, data=data).status_code == 404, url
    assert membership(session, org, member).role == MemberRole.MEMBER
    assert membership(session, org, manager) is not None
    assert session.scalar(select(func.count()).select_from(MemberFunction)) == 0
    assert session.scalar(select(func.count()).select_from(OrgFunction)) == 1
    session.refresh(org)
    assert org.name == "Verein Über Grenzen e.V." and not org.is_public


# --- members and managers -----------------------------------------------------------------------------------


def test_a_manager_promotes_and_demotes(client, session, org, manager, member):
    member_id = membership(session, org, member).id
    session.commit()
    login(client, manager.email)
    assert (
        client.post(f"/organisations/{org.slug}/members/{member_id}/role", data={"role": "manager"}).status_code == 303
    )
    assert membership(session, org, member).role == MemberRole.MANAGER
    assert (
        client.post(f"/organisations/{org.slug}/members/{member_id}/role", data={"role": "member"}).status_code == 303
    )
    assert membership(session, org, member).role == MemberRole.MEMBER
    bad = client.post(f"/organisations/{org.slug}/members/{member_id}/role", data={"role": "owner"})
    assert bad.status_code == 422


def test_removing_the_last_manager_is_refused_with_a_message(client, session, org, manager):
    manager_id = membership(session, org, manager).id
    session.commit()
    login(client, manager.email)
    confirm = client.get(f"/organisations/{org.slug}/members/{manager_id}/remove")
    assert confirm.status_code == 200
    response = client.post(f"/organisations/{org.slug}/members/{manager_id}/remove")
    assert response.status_code == 409
    assert "The last manager cannot be removed. Make another member a manager first." in response.text
    assert membership(session, org, manager).role == MemberRole.MANAGER


def test_demoting_the_last_manager_is_refused_with_a_message(client, session, org, manager):
    manager_id = membership(session, org, manager).id
    session.commit()
    login(client, manager.email)
    response = client.post(f"/organisations/{org.slug}/members/{manager_id}/role", data={"role": "member"})
    assert response.status_code == 409
    assert "The last manager cannot become a member." in response.text and 'role="alert"' in response.text
    assert membership(session, org, manager).role == MemberRole.MANAGER


def test_the_last_manager_cannot_leave_until_someone_else_manages(client, session, org, manager, member):
    session.commit()
    login(client, manager.email)
    response = client.post(f"/organisations/{org.slug}/leave")
    assert response.status_code == 409
    assert "You are the last manager of this organisation." in response.text
    assert membership(session, org, manager) is not None
    services.set_role(session, org, membership(session, org, member).id, MemberRole.MANAGER)
    session.commit()
    assert client.post(f"/organisations/{org.slug}/leave").status_code == 303
    assert membership(session, org, manager) is None
    assert client.get(f"/organisations/{org.slug}/").status_code == 404


def test_admins_do_not_count_as_the_last_manager(session, org, manager):
    admin = make_user(session, roles=(Role.ADMIN,))
    add_member(session, org, admin, MemberRole.MEMBER)
    with pytest.raises(Conflict):
        services.remove_member(session, org, membership(session, org, manager).id)


def test_a_manager_removes_a_member_and_the_organisations_assignments_go(client, session, org, manager, member):
    course = make_course(session)
    function = services.create_function(session, org, "Vorstand")
    member_id = membership(session, org, member).id
    services.assign_function(session, org, member_id, function.id)
    session.add(CourseAssignment(organisation_id=org.id, user_id=member.id, course_id=course.id))
    session.commit()
    login(client, manager.email)
    confirm = client.get(f"/organisations/{org.slug}/members/{member_id}/remove")
    assert "Remove Max Member from the organisation?" in confirm.text
    assert client.post(f"/organisations/{org.slug}/members/{member_id}/remove").status_code == 303
    assert membership(session, org, member) is None
    assert session.scalar(select(func.count()).select_from(MemberFunction)) == 0
    assert session.scalar(select(func.count()).select_from(CourseAssignment)) == 0
    assert session.get(OrgFunction, function.id) is not None
    assert client.post(f"/organisations/{org.slug}/members/{member_id}/remove").status_code == 404


def test_a_member_leaves_at_any_time(client, session, org, member):
    session.commit()
    login(client, member.email)
    page = client.get(f"/organisations/{org.slug}/leave")
    assert page.status_code == 200 and "no longer see your certificates" in page.text
    assert membership(session, org, member) is not None  # GET changed nothing
    response = client.post(f"/organisations/{org.slug}/leave")
    assert response.status_code == 303 and response.headers["Location"].endswith("/organisations/")
    assert membership(session, org, member) is None


def test_the_members_page_lists_everyone_with_their_actions(client, session, org, manager, member):
    services.create_function(session, org, "Vorstand")
    session.commit()
    login(client, manager.email)
    page = client.get(f"/organisations/{org.slug}/members")
    assert page.status_code == 200
    assert "Mona Manager" in page.text and "max@example.org" in page.text
    assert "Make manager" in page.text and "Make member" in page.text
    assert "The only manager." in page.text
    assert f'<label for="m{membership(session, org, member).id}-function">' in page.text


# --- functions ----------------------------------------------------------------------------------------------


def test_a_manager_creates_renames_and_deletes_functions(client, session, org, manager):
    session.commit()
    login(client, manager.email)
    response = client.post(f"/organisations/{org.slug}/functions", data={"name": "  Vorstand  "})
    assert response.status_code == 303
    function = session.scalar(select(OrgFunction))
    assert function.name == "Vorstand"
    assert response.headers["Location"].endswith(f"/functions/{function.id}")
    duplicate = client.post(f"/organisations/{org.slug}/functions", data={"name": "vorstand"})
    assert duplicate.status_code == 409 and "has a function called vorstand already" in duplicate.text
    empty = client.post(f"/organisations/{org.slug}/functions", data={"name": ""})
    assert empty.status_code == 422
    url = f"/organisations/{org.slug}/functions/{function.id}"
    assert client.post(f"{url}/rename", data={"rename-name": "Kassenwart"}).status_code == 303
    session.refresh(function)
    assert function.name == "Kassenwart"
    assert client.get(f"{url}/delete").status_code == 200
    assert session.get(OrgFunction, function.id) is not None
    assert client.post(f"{url}/delete").status_code == 303
    assert session.scalar(select(func.count()).select_from(OrgFunction)) == 0


def test_renaming_to_a_taken_name_is_refused(client, session, org, manager):
    services.create_function(session, org, "Vorstand")
    second = services.create_function(session, org, "Kassenwart")
    session.commit()
    login(client, manager.email)
    response = client.post(f"/organisations/{org.slug}/functions/{second.id}/rename", data={"rename-name": "Vorstand"})
    assert response.status_code == 409 and 'id="rename-name-error"' in response.text


def test_required_courses_are_chosen_among_published_courses(client, session, org, manager):
    published = make_course(session, title="Datenschutz im Verein")
    draft = make_course(session, title="Entwurf", status=CourseStatus.DRAFT)
    function = services.create_function(session, org, "Vorstand")
    session.commit()
    login(client, manager.email)
    url = f"/organisations/{org.slug}/functions/{function.id}"
    page = client.get(url)
    assert "Datenschutz im Verein" in page.text and "Entwurf" not in page.text
    response = client.post(f"{url}/requirements", data={"req-course": published.id, "req-min_holders": "2"})
    assert response.status_code == 303
    requirement = session.scalar(select(FunctionRequirement))
    assert (requirement.course_id, requirement.min_holders) == (published.id, 2)
    # Setting it again changes the number instead of adding a second requirement.
    client.post(f"{url}/requirements", data={"req-course": published.id, "req-min_holders": "3"})
    session.refresh(requirement)
    assert requirement.min_holders == 3
    assert session.scalar(select(func.count()).select_from(FunctionRequirement)) == 1
    assert client.post(f"{url}/requirements", data={"req-course": draft.id, "req-min_holders": "1"}).status_code == 422
    zero = client.post(f"{url}/requirements", data={"req-course": published.id, "req-min_holders": "0"})
    assert zero.status_code == 422 and 'id="req-min_holders-error"' in zero.text
    assert "at least 3 holders must hold the certificate" in client.get(url).text
    remove = client.post(f"{url}/requirements/{requirement.id}/remove")
    assert remove.status_code == 303
    assert session.scalar(select(func.count()).select_from(FunctionRequirement)) == 0


def test_the_services_refuse_a_draft_course_and_fewer_than_one_holder(session, org):
    draft = make_course(session, status=CourseStatus.DRAFT)
    published = make_course(session)
    function = services.create_function(session, org, "Vorstand")
    with pytest.raises(DomainError):
        services.set_requirement(session, org, function.id, course_id=draft.id, min_holders=1)
    with pytest.raises(DomainError):
        services.set_requirement(session, org, function.id, course_id=published.id, min_holders=0)


def test_a_manager_assigns_and_unassigns_functions(client, session, org, manager, member):
    function = services.create_function(session, org, "Kassenwart")
    other_org = make_organisation(session, make_user(session), name="Fremder Verein")
    foreign = services.create_function(session, other_org, "Fremd")
    member_id = membership(session, org, member).id
    session.commit()
    login(client, manager.email)
    url = f"/organisations/{org.slug}/members/{member_id}/functions"
    assert client.post(url, data={f"m{member_id}-function": function.id}).status_code == 303
    assert [mf.function_id for mf in membership(session, org, member).functions] == [function.id]
    assert "Kassenwart" in client.get(f"/organisations/{org.slug}/").text
    # Another organisation's function is not among the choices.
    assert client.post(url, data={f"m{member_id}-function": foreign.id}).status_code == 422
    assert client.post(f"{url}/{function.id}/remove").status_code == 303
    session.expire_all()
    assert membership(session, org, member).functions == []


def test_deleting_a_function_keeps_the_members(session, org, member):
    function = services.create_function(session, org, "Vorstand")
    services.assign_function(session, org, membership(session, org, member).id, function.id)
    services.delete_function(session, org, function.id)
    session.expire_all()
    assert membership(session, org, member).functions == []
    assert membership(session, org, member) is not None


# --- navigation and demo ------------------------------------------------------------------------------------


def test_the_main_navigation_links_to_organisations(client, session, member):
    session.commit()
    assert 'href="/organisations/"' not in client.get("/").text
    login(client, member.email)
    assert 'href="/organisations/"' in client.get("/").text


def test_the_demo_organisation_has_members_and_functions_and_loads_once(app, session):
    first = load_demo(session, plugins(), COURSES)
    second = load_demo(session, plugins(), COURSES)
    assert any(line.startswith("created organisation") for line in first)
    assert "created function Vorstand" in first and "created function Kassenwart" in first
    assert not any("organisation" in line or "function" in line for line in second)
    organisation = session.scalar(select(Organisation).where(Organisation.slug == DEMO_ORGANISATION["slug"]))
    functions = {f.name: f for f in organisation.functions}
    assert set(functions) == {"Vorstand", "Kassenwart"}
    (requirement,) = functions["Vorstand"].requirements
    assert requirement.min_holders == 2
    assert session.scalar(select(func.count()).select_from(Membership)) == 3
    assert session.scalar(select(func.count()).select_from(MemberFunction)) == 3
    managers = [m for m in organisation.memberships if m.role == MemberRole.MANAGER]
    assert len(managers) == 1


# --- the pages' own forms, with CSRF protection on ----------------------------------------------------------


class _Forms(HTMLParser):
    """The hidden inputs of every form on a page, by the form's action."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self._action: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form":
            self._action = values.get("action") or ""
            self.forms.setdefault(self._action, {})
        elif tag == "input" and self._action is not None and values.get("type") == "hidden":
            self.forms[self._action][values["name"] or ""] = values.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._action = None


def hidden_fields(page: str, action: str) -> dict[str, str]:
    parser = _Forms()
    parser.feed(page)
    return dict(parser.forms[action])


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_the_forms_carry_their_csrf_tokens(client, session, org, manager, member, app_config):
    function = services.create_function(session, org, "Vorstand")
    member_id = membership(session, org, member).id
    session.commit()
    login_page = client.get("/account/login").text
    token = hidden_fields(login_page, "/account/login")["csrf_token"]
    client.post("/account/login", data={"email": manager.email, "password": PASSWORD, "csrf_token": token})
    members_url = f"/organisations/{org.slug}/members"
    assign = f"{members_url}/{member_id}/functions"
    assert client.post(assign, data={f"m{member_id}-function": function.id}).status_code == 400  # no token
    data = hidden_fields(client.get(members_url).text, assign)
    assert client.post(assign, data={**data, f"m{member_id}-function": function.id}).status_code == 303
    role = f"{members_url}/{member_id}/role"
    assert client.post(role, data=hidden_fields(client.get(members_url).text, role)).status_code == 303
    assert membership(session, org, member).role == MemberRole.MANAGER
    assert [mf.function_id for mf in membership(session, org, member).functions] == [function.id]
    invitations_url = f"/organisations/{org.slug}/invitations"
    data = hidden_fields(client.get(invitations_url).text, invitations_url)
    response = client.post(invitations_url, data={**data, "email": "csrf@example.org", "role": "member"})
    assert response.status_code == 303
