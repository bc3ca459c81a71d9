"""A trainer writes a cash book and a donation case in the web editor (errors named at their fields, nothing saved
until valid), previews them, publishes, and a learner books the cash book; the draft exports as a package."""

from __future__ import annotations

import io
import re
import zipfile

from tests.conftest import login
from tests.factories import make_user
from tests.functional.test_authoring import add_activity, create_course, draft, text


def cashbook_form(**changes: str) -> dict[str, str]:
    data = {
        "title": "Kassenbuch April",
        "required": "y",
        "module": "module-1",
        "association": "Nachbarschaftsverein e.V.",
        "period": "April 2026",
        "opening_balance": "50.00",
        "cash_count": "62.50",
        "intro": "Buchen Sie die Belege.",
        "pass_mark": "100",
        # an empty editor shows one empty receipt fieldset; the trainer fills it and saves, twice
        "receipts-0-key": "",
        "receipts-0-number": "K-1",
        "receipts-0-date": "2026-04-03",
        "receipts-0-description": "Spendendose Frühlingsfest",
        "receipts-0-direction": "in",
        "receipts-0-amount": "12,50",
        "receipts-0-sphere": "ideell",
        "receipts-0-explanation": "Spenden gehören zum ideellen Bereich.",
        "receipts-1-key": "",
        "receipts-1-number": "",
        "receipts-1-description": "",
        "receipts-1-amount": "",
    }
    data.update(changes)
    return data


def test_a_trainer_builds_a_cash_book_and_a_learner_books_it(as_trainer, session, client, app):
    slug = create_course(as_trainer, course_type="kassenfuehrung")
    activity = add_activity(as_trainer, slug, "module-1", "kassenbuch", "Kassenbuch April")
    url = f"/trainer/courses/{slug}/activities/{activity}"
    editor = text(as_trainer.get(url))
    assert 'id="receipts-0-amount"' in editor and 'id="opening_balance"' in editor

    bad = as_trainer.post(url, data=cashbook_form(**{"receipts-0-sphere": "", "opening_balance": "fünfzig"}))
    assert bad.status_code == 422
    page = text(bad)
    assert "Nothing was saved." in page
    assert 'id="opening_balance" name="opening_balance" value="fünfzig" aria-invalid="true"' in page
    assert "sphere must be one of" in page
    assert 'id="receipts-0-sphere" name="receipts-0-sphere" aria-invalid="true"' in page

    assert as_trainer.post(url, data=cashbook_form()).status_code == 303
    [saved] = draft(session, slug).modules[0].activities
    assert saved.content["receipts"][0]["key"] == "b1" and saved.content["receipts"][0]["amount"] == "12,50"
    assert saved.content["receipts"][0]["in_cash_book"] is True

    preview = text(as_trainer.get(f"{url}/preview"))
    assert "Spendendose Frühlingsfest" in preview and "12,50 €" in preview

    assert as_trainer.post(f"/trainer/courses/{slug}/publish").status_code == 303
    exported = as_trainer.get(f"/trainer/courses/{slug}/export.zip")  # the same course as a package
    assert exported.status_code == 200
    with zipfile.ZipFile(io.BytesIO(exported.data)) as package:
        written = "\n".join(package.read(name).decode() for name in package.namelist())
    assert "kind: kassenbuch" in written and "Spendendose Frühlingsfest" in written

    learner = make_user(session, name="Lena Learner")
    session.commit()
    as_trainer.post("/account/logout")
    login(client, learner.email)
    location = client.get(client.post(f"/courses/{slug}/enrol").location).location
    page = text(client.get(location))
    tok = re.search(r'name="submission_token" value="([^"]+)"', page).group(1)
    response = client.post(
        location,
        data={
            "submission_token": tok,
            "lines-0-receipt": "K-1",
            "lines-0-date": "2026-04-03",
            "lines-0-text": "Spendendose",
            "lines-0-direction": "in",
            "lines-0-amount": "12,50",
            "lines-0-sphere": "ideell",
            "lines-0-balance": "62,50",
            "closing_balance": "62,50",
            "difference": "0",
        },
    )
    assert response.status_code == 303 and response.location.endswith(f"/courses/{slug}")  # the only activity
    assert "Congratulations! You have completed the course." in text(client.get(response.location))


def test_a_trainer_writes_a_donation_case(as_trainer, session):
    slug = create_course(as_trainer, course_type="kassenfuehrung")
    activity = add_activity(as_trainer, slug, "module-1", "zuwendungsbestaetigung", "Eine Spende")
    url = f"/trainer/courses/{slug}/activities/{activity}"
    form = {
        "title": "Eine Spende",
        "required": "y",
        "module": "module-1",
        "case": "Frau A. überweist 500 € Spende.",
        "decision-correct": "geld",
        "decision-explanation": "Geldzuwendung (§ 10b EStG).",
        "pass_mark": "80",
        "fields-0-key": "",
        "fields-0-label": "Betrag",
        "fields-0-type": "money",
        "fields-0-answer": "500,00",
        "fields-0-explanation": "Betrag in Ziffern (Muster).",
        "fields-1-key": "",
        "fields-1-label": "Verzicht auf Erstattung?",
        "fields-1-type": "choice",
        "fields-1-answer": "Nein",
        "fields-1-options": "Ja\r\nNein",
        "fields-1-explanation": "Keine Aufwandsspende.",
    }
    bad = as_trainer.post(url, data={**form, "fields-1-answer": "Vielleicht"})
    assert bad.status_code == 422 and "the answer must be one of the options" in text(bad)
    assert as_trainer.post(url, data=form).status_code == 303
    [saved] = draft(session, slug).modules[0].activities
    assert saved.content["fields"][1] == {
        "key": "f2",
        "label": "Verzicht auf Erstattung?",
        "type": "choice",
        "answer": "Nein",
        "options": ["Ja", "Nein"],
        "explanation": "Keine Aufwandsspende.",
    }
    preview = text(as_trainer.get(f"{url}/preview"))
    assert "Frau A. überweist 500 € Spende." in preview and "Verzicht auf Erstattung?" in preview
