"""Invitations: a manager invites by e-mail, the invitee accepts with any account (or declines), and every bad link
(reused, expired, forged, withdrawn, replaced) is answered with a clear page and changes nothing."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select

from mso_academy import mail
from mso_academy.accounts import tokens
from mso_academy.db import database, transaction, utcnow
from mso_academy.organisations import services
from mso_academy.organisations.models import Invitation, MemberRole, Membership
from tests.conftest import login
from tests.factories import PASSWORD, make_user

FOURTEEN_DAYS = 14 * 24 * 3600


@pytest.fixture
def manager(session):
    return make_user(session, name="Mona Manager", email="mona@example.org")


@pytest.fixture
def org(session, manager):
    return services.create_organisation(
        session, manager, services.Details(name="Verein Über Grenzen e.V.", municipality="Köln")
    )


def invite(client, org, email="new.person@example.org", role="member"):
    return client.post(f"/organisations/{org.slug}/invitations", data={"email": email, "role": role})


def path(link):
    return urlsplit(link).path


def memberships(session, org):
    return session.scalar(select(func.count()).select_from(Membership).where(Membership.organisation_id == org.id))


@pytest.fixture
def invited(client, session, org, manager, outbox):
    """A manager has invited new.person@example.org; the client is logged out again; returns the link's path."""
    session.commit()
    login(client, manager.email)
    assert invite(client, org).status_code == 303
    client.post("/account/logout")
    return path(outbox.last_link())


# --- inviting -----------------------------------------------------------------------------------------------


def test_a_manager_invites_by_email_and_the_mail_explains_and_links(client, session, org, manager, outbox):
    session.commit()
    login(client, manager.email)
    response = invite(client, org, email="  New.Person@Example.org ")
    assert response.status_code == 303
    assert "The invitation is sent to new.person@example.org." in client.get(response.headers["Location"]).text
    invitation = session.scalar(select(Invitation))
    assert (invitation.email, invitation.role, invitation.invited_by_id) == (
        "new.person@example.org",
        "member",
        manager.id,
    )
    assert timedelta(seconds=FOURTEEN_DAYS - 60) < invitation.expires_at - utcnow() <= timedelta(seconds=FOURTEEN_DAYS)
    (message,) = outbox.messages()
    assert message["To"] == "new.person@example.org"
    assert message["Subject"] == "Invitation to Verein Über Grenzen e.V."
    body = message.get_content()
    assert "Mona Manager invites you to join Verein Über Grenzen e.V." in body and "as a member" in body
    assert "see your certificates and your progress" in body and "leave the organisation at any time" in body
    assert "valid for 14 days and works once" in body
    assert path(outbox.last_link()).startswith("/organisations/invitations/")
    page = client.get(f"/organisations/{org.slug}/invitations")
    assert "new.person@example.org" in page.text and "Withdraw" in page.text


def test_the_mail_is_in_the_language_of_an_existing_account_else_the_default(
    client, session, org, manager, monkeypatch
):
    make_user(session, email="tuerkce@example.org", language="tr")
    session.commit()
    languages = []
    compose = mail.compose

    def spy(to, language, *args, **kwargs):
        languages.append((to, language))
        return compose(to, language, *args, **kwargs)

    monkeypatch.setattr(mail, "compose", spy)
    login(client, manager.email)
    invite(client, org, email="tuerkce@example.org")
    invite(client, org, email="unknown@example.org")
    assert languages == [("tuerkce@example.org", "tr"), ("unknown@example.org", "en")]  # tests default to "en"


def test_inviting_an_address_that_is_already_a_member_is_refused(client, session, org, manager, outbox):
    member = make_user(session, email="max@example.org")
    session.add(Membership(organisation_id=org.id, user_id=member.id))
    session.commit()
    login(client, manager.email)
    response = invite(client, org, email="MAX@example.org")
    assert response.status_code == 409
    assert "max@example.org is already a member of this organisation." in response.text
    assert 'id="email-error"' in response.text and 'href="#email"' in response.text
    assert session.scalar(select(func.count()).select_from(Invitation)) == 0
    assert outbox.messages() == []
    assert invite(client, org, email=manager.email).status_code == 409  # oneself too


def test_inviting_needs_a_valid_address_and_role(client, session, org, manager, outbox):
    session.commit()
    login(client, manager.email)
    assert invite(client, org, email="not-an-address").status_code == 422
    assert invite(client, org, role="owner").status_code == 422
    assert outbox.messages() == []


def test_inviting_again_replaces_the_pending_invitation(client, session, org, manager, outbox):
    session.commit()
    login(client, manager.email)
    invite(client, org)
    first = path(outbox.last_link())
    invite(client, org, role="manager")
    second = path(outbox.last_link())
    assert first != second
    pending = services.pending_invitations(session, org)
    assert [(i.email, i.role) for i in pending] == [("new.person@example.org", "manager")]
    client.post("/account/logout")
    old = client.get(first)
    assert old.status_code == 410 and "replaced by a newer one" in old.text
    assert client.get(second).status_code == 200


# --- the accept page ----------------------------------------------------------------------------------------


def test_the_accept_page_explains_membership_and_asks_to_log_in_or_register(client, invited):
    page = client.get(invited)
    assert page.status_code == 200
    assert "Invitation to Verein Über Grenzen e.V." in page.text
    assert "The invitation was sent to new.person@example.org." in page.text
    assert "see your name, your e-mail address, your certificates and your progress" in page.text
    assert "You can leave the organisation at any time" in page.text
    assert f'href="/account/login?next={invited}"' in page.text
    assert f'href="/account/register?next={invited}"' in page.text


def test_logging_in_from_the_accept_page_comes_back_to_it(client, session, invited):
    user = make_user(session, email="someone@example.org")
    session.commit()
    response = client.post(f"/account/login?next={invited}", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == invited


def test_an_account_with_another_address_accepts_and_becomes_a_member_once(client, session, org, invited):
    user = make_user(session, name="Neue Person", email="private.mail@example.org")
    session.commit()
    login(client, user.email)
    page = client.get(invited)
    assert "You join with your account Neue Person (private.mail@example.org)." in page.text
    assert "This is not the address the invitation was sent to." in page.text
    assert session.scalar(select(Invitation)).accepted_at is None  # opening the page changed nothing
    response = client.post(f"{invited}/accept")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/organisations/{org.slug}/")
    assert "Welcome to Verein Über Grenzen e.V.!" in client.get(response.headers["Location"]).text
    invitation = session.scalar(select(Invitation))
    assert invitation.accepted_at is not None and invitation.accepted_by_id == user.id
    membership = session.scalar(select(Membership).where(Membership.user_id == user.id))
    assert membership.role == MemberRole.MEMBER and membership.organisation_id == org.id


def test_a_manager_invitation_makes_a_manager(client, session, org, manager, outbox):
    session.commit()
    login(client, manager.email)
    invite(client, org, email="co@example.org", role="manager")
    link = path(outbox.last_link())
    assert "as a manager" in outbox.messages()[-1].get_content()
    client.post("/account/logout")
    co = make_user(session, email="co@example.org")
    session.commit()
    login(client, co.email)
    assert "invites you to join as a manager" in client.get(link).text
    client.post(f"{link}/accept")
    assert session.scalar(select(Membership).where(Membership.user_id == co.id)).role == MemberRole.MANAGER
    assert client.get(f"/organisations/{org.slug}/members").status_code == 200


def test_accepting_needs_an_account(client, session, org, invited):
    response = client.post(f"{invited}/accept")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    assert memberships(session, org) == 1


# --- bad links ----------------------------------------------------------------------------------------------


def test_a_reused_link_says_already_used_and_changes_nothing(client, session, org, invited):
    first = make_user(session)
    second = make_user(session)
    session.commit()
    login(client, first.email)
    assert client.post(f"{invited}/accept").status_code == 303
    again = client.post(f"{invited}/accept")
    assert again.status_code == 410 and "already been used" in again.text
    client.post("/account/logout")
    login(client, second.email)
    page = client.get(invited)
    assert page.status_code == 410 and "already been used" in page.text
    response = client.post(f"{invited}/accept")
    assert response.status_code == 410 and "already been used" in response.text
    assert client.post(f"{invited}/decline").status_code == 410
    assert memberships(session, org) == 2
    assert session.scalar(select(Invitation)).accepted_by_id == first.id


def test_accepting_twice_in_the_service_creates_one_membership(app, session, org, manager):
    with app.test_request_context():
        invitation = services.invite(session, org, manager, email="twice@example.org", role="member")
        token = services.invitation_token(invitation)
        user = make_user(session)
        services.accept_invitation(session, token, user)
        assert invitation.accepted_at is not None and invitation.accepted_by_id == user.id
        for someone in (make_user(session), user):
            with pytest.raises(services.InvitationGone, match="already been used"):
                services.accept_invitation(session, token, someone)
    assert memberships(session, org) == 2


def test_an_expired_invitation_is_refused_and_nothing_changes(client, session, org, invited):
    invitation = session.scalar(select(Invitation))
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    user = make_user(session)
    session.commit()
    page = client.get(invited)
    assert page.status_code == 410 and "This invitation has expired." in page.text
    login(client, user.email)
    response = client.post(f"{invited}/accept")
    assert response.status_code == 410 and "ask the organisation for a new one" in response.text
    assert memberships(session, org) == 1
    session.refresh(invitation)
    assert invitation.accepted_at is None and invitation.revoked_at is None


def test_a_link_older_than_the_maximum_age_is_refused(app, client, session, org, invited, monkeypatch):
    invitation = session.scalar(select(Invitation))
    # The same invitation signed fifteen days ago: the stored expiry is still ahead, the signature alone refuses it.
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - FOURTEEN_DAYS - 86400)
    old = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=services.INVITATION_SALT).dumps(invitation.id)
    monkeypatch.undo()
    response = client.get(f"/organisations/invitations/{old}")
    assert response.status_code == 410 and "This invitation has expired." in response.text
    assert client.get(invited).status_code == 200  # the fresh link of the same invitation still works


@pytest.mark.parametrize("app_config", [{"INVITATION_MAX_AGE": 2 * 3600}])
def test_the_maximum_age_comes_from_the_configuration(client, session, org, manager, outbox, app_config):
    session.commit()
    login(client, manager.email)
    invite(client, org)
    assert "valid for 2 hours" in outbox.messages()[-1].get_content()
    invitation = session.scalar(select(Invitation))
    assert invitation.expires_at - utcnow() <= timedelta(hours=2)


def forged_tokens(app, invitation_id):
    other_key = URLSafeTimedSerializer("another-secret", salt=services.INVITATION_SALT).dumps(invitation_id)
    other_salt = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="mso-academy.email-confirm").dumps(invitation_id)
    not_an_id = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=services.INVITATION_SALT).dumps("1 OR 1=1")
    return {"other key": other_key, "other salt": other_salt, "not an id": not_an_id, "garbage": "abc.def.ghi"}


def test_forged_links_are_refused_with_400_and_nothing_changes(app, client, session, org, invited):
    invitation = session.scalar(select(Invitation))
    user = make_user(session)
    session.commit()
    real = invited.rsplit("/", 1)[1]
    candidates = {**forged_tokens(app, invitation.id), "tampered": real[:-2] + ("AA" if real[-2:] != "AA" else "BB")}
    for name, token in candidates.items():
        page = client.get(f"/organisations/invitations/{token}")
        assert page.status_code == 400, name
        assert "This invitation link is not valid" in page.text, name
    login(client, user.email)
    for name, token in candidates.items():
        assert client.post(f"/organisations/invitations/{token}/accept").status_code == 400, name
        assert client.post(f"/organisations/invitations/{token}/decline").status_code == 400, name
    assert memberships(session, org) == 1
    session.refresh(invitation)
    assert invitation.accepted_at is None and invitation.revoked_at is None


def test_an_accounts_token_does_not_open_an_invitation(app, client, session, invited):
    user = make_user(session)
    session.commit()
    with app.test_request_context():
        confirm = tokens.confirm_token(user)
    assert client.get(f"/organisations/invitations/{confirm}").status_code == 400


def test_a_withdrawn_invitation_is_refused(client, session, org, manager, outbox):
    session.commit()
    login(client, manager.email)
    invite(client, org)
    link = path(outbox.last_link())
    invitation = session.scalar(select(Invitation))
    response = client.post(f"/organisations/{org.slug}/invitations/{invitation.id}/revoke")
    assert response.status_code == 303
    assert services.pending_invitations(session, org) == []
    again = client.post(f"/organisations/{org.slug}/invitations/{invitation.id}/revoke")
    assert again.status_code == 303  # told it is withdrawn already
    client.post("/account/logout")
    page = client.get(link)
    assert page.status_code == 410 and "withdrawn" in page.text
    assert memberships(session, org) == 1


def test_only_the_organisations_managers_withdraw_its_invitations(client, session, org, invited):
    invitation = session.scalar(select(Invitation))
    other_manager = make_user(session)
    other = services.create_organisation(session, other_manager, services.Details(name="Anderer Verein"))
    member = make_user(session)
    session.add(Membership(organisation_id=org.id, user_id=member.id))
    session.commit()
    login(client, other_manager.email)
    assert client.post(f"/organisations/{org.slug}/invitations/{invitation.id}/revoke").status_code == 404
    assert client.post(f"/organisations/{other.slug}/invitations/{invitation.id}/revoke").status_code == 404
    client.post("/account/logout")
    login(client, member.email)
    assert client.post(f"/organisations/{org.slug}/invitations/{invitation.id}/revoke").status_code == 404
    session.refresh(invitation)
    assert invitation.revoked_at is None


# --- declining, already a member ----------------------------------------------------------------------------


def test_the_invitee_declines_without_an_account(client, session, org, invited):
    response = client.post(f"{invited}/decline")
    assert response.status_code == 303
    invitation = session.scalar(select(Invitation))
    assert invitation.revoked_at is not None and invitation.accepted_at is None
    assert client.get(invited).status_code == 410
    assert memberships(session, org) == 1


def test_a_member_opening_another_invitation_is_told_so(client, session, org, manager, invited):
    member = make_user(session, email="already@example.org")
    session.add(Membership(organisation_id=org.id, user_id=member.id))
    session.commit()
    login(client, member.email)
    page = client.get(invited)
    assert "You are already a member of this organisation." in page.text and "Accept and join" not in page.text
    response = client.post(f"{invited}/accept")
    assert response.status_code == 303
    assert "You are already a member of this organisation." in client.get(response.headers["Location"]).text
    assert memberships(session, org) == 2
    assert session.scalar(select(Invitation)).accepted_at is None  # still usable by the person it was meant for


# --- simultaneous clicks, on a real database ----------------------------------------------------------------


def test_simultaneous_accepts_by_different_people_use_the_link_once(live_app):
    with live_app.app_context(), database(live_app).session_factory() as session, transaction(session):
        boss = make_user(session, email="boss@example.org")
        organisation = services.create_organisation(session, boss, services.Details(name="Rennverein"))
        people = [make_user(session, email=f"racer{i}@example.org") for i in range(5)]
        with live_app.test_request_context():
            invitation = services.invite(session, organisation, boss, email="racer@example.org", role="member")
            token = services.invitation_token(invitation)
    clients = [live_app.test_client() for _ in people]
    for client, person in zip(clients, people, strict=True):
        login(client, person.email, PASSWORD)
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def accept(index: int) -> None:
        barrier.wait()
        statuses.append(clients[index].post(f"/organisations/invitations/{token}/accept").status_code)

    threads = [threading.Thread(target=accept, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [303] + [410] * (len(clients) - 1), statuses
    with live_app.app_context(), database(live_app).session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Membership)) == 2  # the manager and one racer
