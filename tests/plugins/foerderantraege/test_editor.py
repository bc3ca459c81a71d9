"""A trainer writes both kinds in the web editor; wrong values are shown next to their field; the course publishes
(publishing reads the draft back as a package, so the editor's content is also valid as a package)."""

from __future__ import annotations

from mso_academy.accounts.models import Role
from tests.conftest import login
from tests.factories import make_user
from tests.functional.test_authoring import add_activity, create_course, draft, text

CALL = {
    "title": "Förderantrag Sommerfest",
    "required": "y",
    "module": "module-1",
    "instructions": "Schreiben Sie einen Antrag für das Sommerfest.",
    "minutes": "40",
    "call-title": "Kulturfonds 2027",
    "call-funder": "Bürgerstiftung Musterstadt",
    "call-text": "Die Stiftung fördert Feste im Viertel.",
    "call-max_grant": "2.500",
    "call-min_own_share_percent": "20",
    "call-volunteer_work": "1",
    "call-volunteer_hourly_rate": "12,50",
    "call-project_start": "2027-05-01",
    "call-project_end": "2027-09-30",
    "cat-0-key": "",
    "cat-0-label": "Honorare für Musik",
    "cat-0-eligible": "1",
    "cat-1-key": "",
    "cat-1-label": "Getränke",
    "cat-1-reason": "Die Stiftung bezahlt keine Bewirtung.",
    "cat-2-key": "",
    "cat-2-label": "",
}

REPORT = {
    "title": "Nachweis Sommerfest",
    "required": "y",
    "module": "module-1",
    "instructions": "Vergleichen Sie Plan und Belege.",
    "minutes": "20",
    "tolerance_percent": "20",
    "pass_mark": "100",
    "line-0-key": "",
    "line-0-label": "Musik",
    "line-0-planned": "800",
    "line-0-receipts": "2027-07-01; Band; 450,00\n2027-07-01; Technik; 390.00",
    "line-1-key": "",
    "line-1-label": "",
}


def as_trainer(client, session):
    trainer = make_user(session, name="Tamar Trainer", roles=(Role.TRAINER,))
    session.commit()
    login(client, trainer.email)
    return client


def test_a_trainer_writes_both_kinds_in_the_web_editor_and_publishes(client, session):
    client = as_trainer(client, session)
    slug = create_course(client, "Förderanträge kompakt", course_type="foerderantraege")
    application = add_activity(client, slug, "module-1", "funding_application", "Förderantrag Sommerfest")
    editor = text(client.get(f"/trainer/courses/{slug}/activities/{application}"))
    assert 'name="call-max_grant"' in editor and "Cost categories" in editor  # the default content is shown
    response = client.post(f"/trainer/courses/{slug}/activities/{application}", data=CALL)
    assert response.status_code == 303, text(response)
    report = add_activity(client, slug, "module-1", "spending_report", "Nachweis Sommerfest")
    response = client.post(f"/trainer/courses/{slug}/activities/{report}", data=REPORT)
    assert response.status_code == 303, text(response)

    saved = {a.key: a.content for a in draft(session, slug).modules[0].activities}
    call = saved[application]["call"]
    assert call["max_grant"] == "2500.00" and call["volunteer_hourly_rate"] == "12.50"
    assert call["min_own_share_percent"] == 20 and call["volunteer_work"] is True
    assert call["cost_categories"] == [
        {"key": "honorare-fur-musik", "label": "Honorare für Musik", "eligible": True},
        {"key": "getranke", "label": "Getränke", "eligible": False, "reason": "Die Stiftung bezahlt keine Bewirtung."},
    ]
    assert saved[report]["lines"] == [
        {
            "key": "musik",
            "label": "Musik",
            "planned": "800.00",
            "receipts": [
                {"date": "2027-07-01", "text": "Band", "amount": "450.00"},
                {"date": "2027-07-01", "text": "Technik", "amount": "390.00"},
            ],
        }
    ]
    # editing again keeps the category keys (learners' answers refer to them)
    again = text(client.get(f"/trainer/courses/{slug}/activities/{application}"))
    assert 'name="cat-0-key" value="honorare-fur-musik"' in again
    # the learner's view in the preview shows the call
    preview = text(client.get(f"/trainer/courses/{slug}/activities/{application}/preview"))
    assert "Kulturfonds 2027" in preview and "2.500,00 €" in preview
    preview = text(client.get(f"/trainer/courses/{slug}/activities/{report}/preview"))
    assert "Technik" in preview and "390,00 €" in preview and "planned: 800,00 €" in preview

    response = client.post(f"/trainer/courses/{slug}/publish")
    assert response.status_code == 303
    assert "learners now see version" in text(client.get(response.location))


def test_wrong_values_are_shown_next_to_their_field_and_nothing_is_saved(client, session):
    client = as_trainer(client, session)
    slug = create_course(client, "Förderanträge kompakt", course_type="foerderantraege")
    application = add_activity(client, slug, "module-1", "funding_application", "Förderantrag Sommerfest")
    bad = {**CALL, "call-max_grant": "viel", "call-project_end": "2027-01-01", "cat-1-reason": ""}
    response = client.post(f"/trainer/courses/{slug}/activities/{application}", data=bad)
    page = text(response)
    assert response.status_code == 422, page
    assert 'id="call-max_grant-error"' in page and "max_grant must be an amount above 0" in page
    assert "project_end must be after project_start" in page
    assert 'id="call-cost_categories-1-reason-error"' in page
    assert 'value="viel"' in page  # kept as typed
    assert draft(session, slug).modules[0].activities[0].content["call"]["max_grant"] == "5000.00"

    report = add_activity(client, slug, "module-1", "spending_report", "Nachweis")
    response = client.post(
        f"/trainer/courses/{slug}/activities/{report}",
        data={**REPORT, "line-0-receipts": "2027-07-01; Band ohne Betrag"},
    )
    assert response.status_code == 422
    assert "lines.0.receipts.0: a receipt is written as: date; text; amount" in text(response)
