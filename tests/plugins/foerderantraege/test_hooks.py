"""Registration, privacy, certificate lines and the PDF route of the funding-applications plugin."""

from __future__ import annotations

from hashlib import sha256
from pathlib import Path

from mso_academy.accounts import services as accounts
from mso_academy.plugins.manager import plugins
from tests.conftest import login

from .conftest import good_form


def test_course_type_and_kinds_are_registered(app):
    course_type = plugins().course_type("foerderantraege")
    assert course_type is not None and course_type.icon == "💶"
    assert str(course_type.name) == "Funding applications"
    assert plugins().kind("funding_application").saves_drafts is True
    assert plugins().kind("spending_report") is not None


def test_the_plugin_stores_nothing_of_its_own(app, session, learner):
    # drafts and hand-ins are the core's rows (in the core's export and deletion); the PDF is never stored
    assert accounts.export_user_data(session, plugins(), learner)["plugins"] == {}
    assert plugins().hook.delete_user_data(session=session, user_id=learner.id) == []


def test_certificate_lines_name_the_legal_basis_in_the_course_language(app):
    german = [
        line
        for lines in plugins().hook.certificate_contributions(
            course_slug="x", course_type="foerderantraege", language="de"
        )
        if lines
        for line in lines
    ]
    assert german[0]["label"] == "Rechtsgrundlagen" and "ANBest-P" in german[0]["text"]
    english = [
        line
        for lines in plugins().hook.certificate_contributions(
            course_slug="x", course_type="foerderantraege", language="en"
        )
        if lines
        for line in lines
    ]
    assert english[0]["label"] == "Legal basis"
    assert not any(plugins().hook.certificate_contributions(course_slug="x", course_type="general", language="de"))


def test_the_pdf_needs_a_login_and_refuses_overlong_input(app, client, session, learner):
    assert client.post("/foerderantraege/antrag.pdf", data=good_form()).status_code in (302, 401)
    session.commit()
    login(client, learner.email)
    response = client.post("/foerderantraege/antrag.pdf", data=good_form(goal="x" * 5000))
    assert response.status_code == 400 and "too long" in response.get_data(as_text=True)
    assert client.post("/foerderantraege/antrag.pdf", data=good_form()).data.startswith(b"%PDF")


def test_the_stylesheet_is_served_and_cached_by_version(app, client):
    import mso_foerderantraege

    css = Path(mso_foerderantraege.__file__).parent / "static" / "foerderantraege.css"
    version = sha256(css.read_bytes()).hexdigest()[:12]
    response = client.get(f"/foerderantraege/foerderantraege.css?v={version}")
    assert response.status_code == 200 and b".fa-row" in response.data and response.mimetype == "text/css"
    assert "immutable" in response.headers["Cache-Control"]
    assert "immutable" not in client.get("/foerderantraege/foerderantraege.css").headers["Cache-Control"]


def test_the_pdf_keeps_turkish_and_arabic_names_and_wraps_long_words(app, client, session, learner, tmp_path):
    import subprocess

    session.commit()
    login(client, learner.email)
    form = good_form(title="Köprü Derneği – جمعية الجسر", goal="x" * 3000)
    pdf = client.post("/foerderantraege/antrag.pdf", data=form)
    (tmp_path / "a.pdf").write_bytes(pdf.data)
    text = subprocess.run(["pdftotext", str(tmp_path / "a.pdf"), "-"], capture_output=True, text=True, check=True)
    assert "Köprü Derneği" in text.stdout and "جمعية الجسر" in text.stdout
    # the 3000-letter word is wrapped onto lines within the page, none of it lost
    assert text.stdout.count("x") >= 3000 and max(len(line) for line in text.stdout.splitlines()) < 150
