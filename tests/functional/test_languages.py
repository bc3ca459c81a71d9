"""The language switcher on every page: remembered on the account, or in the session for visitors; RTL for Arabic."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import login

TRANSLATIONS = Path(__file__).resolve().parents[2] / "mso_academy" / "translations"


def test_visitor_switches_language_and_keeps_it(client):
    page = client.get("/courses/").get_data(as_text=True)
    assert 'id="language-switcher"' in page and 'value="uk"' in page
    response = client.post("/language", data={"language": "tr", "next": "/courses/"})
    assert response.status_code == 303 and response.location.endswith("/courses/")
    assert '<html lang="tr" dir="ltr">' in client.get("/courses/").get_data(as_text=True)
    client.post("/language", data={"language": "ar", "next": "/"})
    assert '<html lang="ar" dir="rtl">' in client.get("/").get_data(as_text=True)


def test_signed_in_choice_is_stored_on_the_account(client, session, learner):
    session.commit()
    login(client, learner.email)
    client.post("/language", data={"language": "ru", "next": "/dashboard"})
    session.refresh(learner)
    assert learner.preferred_language == "ru"
    assert '<html lang="ru"' in client.get("/dashboard").get_data(as_text=True)


def test_unknown_language_and_foreign_next_are_refused(client):
    assert client.post("/language", data={"language": "xx"}).status_code == 400
    response = client.post("/language", data={"language": "de", "next": "//evil.example/"})
    assert response.status_code == 303 and response.location.endswith("/") and "evil" not in response.location


def test_every_offered_language_has_a_catalogue(app):
    for code in app.config["LANGUAGES"]:
        if code != "en":  # the messages are written in English
            assert (TRANSLATIONS / code / "LC_MESSAGES" / "messages.po").is_file(), code


def test_course_content_keeps_its_own_direction_inside_an_rtl_interface(client, session, course):
    session.commit()
    client.post("/language", data={"language": "ar", "next": "/"})
    page = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    assert f'<h1 lang="de" dir="ltr">{course.title}</h1>' in page
