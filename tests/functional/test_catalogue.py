"""The catalogue: anonymous browsing, search by words, filters, pagination, course pages, drafts."""

from __future__ import annotations

from mso_academy.accounts.models import Role
from mso_academy.catalog.models import CourseStatus
from tests.conftest import login
from tests.factories import make_course, make_user


def titles(response) -> str:
    return response.get_data(as_text=True)


def test_anonymous_visitor_browses_and_opens_a_course(client, session):
    course = make_course(session, title="Kassenführung kompakt", summary="Das Kassenbuch sicher führen.")
    session.commit()
    page = titles(client.get("/"))
    assert "Kassenführung kompakt" in page
    response = client.get(f"/courses/{course.slug}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for expected in (
        "Kassenführung kompakt",
        "Das Kassenbuch sicher führen.",
        "Module 1",
        "Activity 1.2",
        "about 30 minutes",
        "Deutsch",
        "General",
        "Confirms the basics.",
        "Log in to enrol",
    ):
        assert expected in page, expected


def test_search_matches_every_word_case_insensitively(client, session):
    make_course(session, title="Vereinsrecht Grundlagen", summary="Satzung und Vorstand")
    make_course(session, title="Förderanträge schreiben", summary="Projektideen in Anträge verwandeln")
    session.commit()
    page = titles(client.get("/courses/?q=satzung+VEREINSRECHT"))
    assert "Vereinsrecht Grundlagen" in page and "Förderanträge schreiben" not in page
    page = titles(client.get("/courses/?q=anträge"))
    assert "Förderanträge schreiben" in page and "Vereinsrecht Grundlagen" not in page
    page = titles(client.get("/courses/?q=100%25_"))
    assert "0 courses found" in page


def test_filters_by_language_level_and_type(client, session):
    make_course(session, title="Deutscher Kurs", language="de", level="beginner")
    make_course(session, title="English course", language="en", level="advanced")
    session.commit()
    page = titles(client.get("/courses/?language=en"))
    assert "English course" in page and "Deutscher Kurs" not in page
    page = titles(client.get("/courses/?level=beginner"))
    assert "Deutscher Kurs" in page and "English course" not in page
    page = titles(client.get("/courses/?type=general&language=de"))
    assert "Deutscher Kurs" in page and "English course" not in page
    # Unknown filter values are ignored instead of failing the page.
    response = client.get("/courses/?language=xx&level=%3Cscript%3E&page=-3")
    assert response.status_code == 200 and "<script>" not in response.get_data(as_text=True)


def test_pagination(client, session, app):
    app.config["CATALOGUE_PAGE_SIZE"] = 2
    for n in range(5):
        make_course(session, title=f"Paged course {n}")
    session.commit()
    first = titles(client.get("/courses/"))
    assert "5 courses found" in first and "Page 1 of 3" in first and 'rel="next"' in first
    last = titles(client.get("/courses/?page=3"))
    assert "Page 3 of 3" in last and last.count('class="card"') == 1
    assert "Page 3 of 3" in titles(client.get("/courses/?page=99"))


def test_unpublished_course_is_404_for_learners_but_visible_to_owner_and_admin(client, session):
    trainer = make_user(session, roles=(Role.TRAINER,))
    admin = make_user(session, roles=(Role.ADMIN,))
    learner = make_user(session)
    draft = make_course(session, title="Geheimer Entwurf", status=CourseStatus.DRAFT, owner=trainer)
    session.commit()
    assert client.get(f"/courses/{draft.slug}").status_code == 404
    assert "Geheimer Entwurf" not in titles(client.get("/courses/?q=Geheimer"))
    login(client, learner.email)
    assert client.get(f"/courses/{draft.slug}").status_code == 404
    assert client.post(f"/courses/{draft.slug}/enrol").status_code == 404
    client.post("/account/logout")
    login(client, trainer.email)
    assert "not published" in titles(client.get(f"/courses/{draft.slug}"))
    client.post("/account/logout")
    login(client, admin.email)
    assert client.get(f"/courses/{draft.slug}").status_code == 200


def test_unknown_course_is_404_without_details(client):
    response = client.get("/courses/does-not-exist")
    assert response.status_code == 404
    assert "Traceback" not in response.get_data(as_text=True)


def test_german_is_the_default_language(client, app):
    app.config["BABEL_DEFAULT_LOCALE"] = "de"
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="de"' in page
    english = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en"' in english
