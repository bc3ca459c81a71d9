"""The application builder: content validation, reading the form, and the automatic checks with their reasons."""

from __future__ import annotations

import pytest
from mso_foerderantraege.application import ApplicationBuilder

from mso_academy.plugins.api import AnswerError

from .conftest import good_form

KIND = ApplicationBuilder()


def fields(problems):
    return [p.field for p in problems]


def test_the_shipped_content_is_valid(app, application):
    assert KIND.validate(application) == []
    assert KIND.estimated_minutes(application) == 35


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda c: c.pop("instructions"), "instructions"),
        (lambda c: c.pop("call"), "call"),
        (lambda c: c["call"].update(max_grant="viel"), "call.max_grant"),
        (lambda c: c["call"].update(max_grant="0"), "call.max_grant"),
        (lambda c: c["call"].update(min_own_share_percent=120), "call.min_own_share_percent"),
        (lambda c: c["call"].update(volunteer_work="ja"), "call.volunteer_work"),
        (lambda c: c["call"].update(volunteer_hourly_rate=""), "call.volunteer_hourly_rate"),
        (lambda c: c["call"].update(project_start="März"), "call.project_start"),
        (lambda c: c["call"].update(project_end="2027-01-01"), "call.project_end"),
        (lambda c: c["call"].update(cost_categories=[]), "call.cost_categories"),
        (lambda c: c["call"]["cost_categories"][1].update(key="honorare"), "call.cost_categories.1.key"),
        (lambda c: c["call"]["cost_categories"][0].update(key="Ä B"), "call.cost_categories.0.key"),
        (lambda c: c["call"]["cost_categories"][2].pop("label"), "call.cost_categories.2.label"),
        (lambda c: c["call"]["cost_categories"][4].pop("reason"), "call.cost_categories.4.reason"),
        (lambda c: c["call"]["cost_categories"][0].update(eligible="yes"), "call.cost_categories.0.eligible"),
        (lambda c: c["call"].pop("text"), "call.text"),
        (lambda c: c.update(minutes=0), "minutes"),
    ],
)
def test_each_kind_of_bad_content_names_its_field(app, application, change, field):
    change(application)
    assert field in fields(KIND.validate(application))


def test_a_call_without_any_eligible_category_is_refused(app, application):
    for cat in application["call"]["cost_categories"]:
        cat.update(eligible=False, reason="nein")
    assert fields(KIND.validate(application)) == ["call.cost_categories"]


def test_right_application_passes_every_check_and_goes_to_review(app, application):
    with app.test_request_context():
        answers = KIND.parse_answers(application, good_form())
        grade = KIND.grade(application, answers)
    assert grade.pending_review and not grade.passed
    assert all(c["ok"] for c in grade.feedback["checks"])
    assert grade.feedback["totals"] == {
        "costs": "4650.00",
        "volunteer_value": "600.00",
        "own": "700.00",
        "financing": "4650.00",
    }
    # amounts are exact and normalised; dates are ISO whichever way they were typed
    assert answers["costs"][0]["amount"] == "2400.00"
    assert answers["indicators"][1]["by"] == "2027-11-15"
    # what the trainer reads in the review queue
    assert "Nähen und Sprechen" in answers["text"]
    assert "Honorare – 20 Abende × 3 Std. × 40 €: 2.400,00 €" in answers["text"]
    assert "Volunteer work (40 h): 600,00 €" in answers["text"]


def checks(app, application, **changes):
    with app.test_request_context():
        grade = KIND.grade(application, KIND.parse_answers(application, good_form(**changes)))
    return grade, {c["key"]: c for c in grade.feedback["checks"]}


def test_a_plan_one_cent_off_fails_the_balance_and_says_by_how_much(app, application):
    grade, by_key = checks(app, application, **{"fin-grant": "3949,99"})
    assert not grade.pending_review and not grade.passed
    assert not by_key["balance"]["ok"]
    assert "difference -0,01 €" in by_key["balance"]["message"]
    assert grade.score == pytest.approx(5 / 6)
    assert "5 of 6 checks passed" in grade.summary


def test_too_little_own_contribution_fails_and_states_the_minimum(app, application):
    # 0 hours, 0 own money: the grant covers everything → own share 0 %
    _grade, by_key = checks(app, application, **{"fin-own": "0", "fin-hours": "0", "fin-grant": "4050"})
    assert by_key["balance"]["ok"]
    assert not by_key["own_share"]["ok"]
    assert "0,0 % of the total costs; the call asks for at least 10 %" in by_key["own_share"]["message"]


def test_ineligible_costs_are_named_with_the_calls_reason(app, application):
    _grade, by_key = checks(
        app,
        application,
        **{"cost-3-category": "bewirtung", "cost-3-text": "Kaffee und Kuchen"},
    )
    assert not by_key["eligible"]["ok"]
    assert (
        "Kaffee und Kuchen (150,00 €): Bewirtung ist im Quartiersfonds ausgeschlossen." in by_key["eligible"]["message"]
    )


def test_a_grant_above_the_maximum_fails(app, application):
    _grade, by_key = checks(
        app, application, **{"cost-0-amount": "5000", "fin-grant": "6550,00"}
    )  # 7.250 € costs; 700 € own
    assert by_key["balance"]["ok"] and not by_key["max_grant"]["ok"]
    assert "at most 6.000,00 €" in by_key["max_grant"]["message"]


def test_dates_outside_the_project_period_are_listed(app, application):
    _grade, by_key = checks(app, application, **{"step-0-date": "2027-02-15", "ind-0-by": "2027-12-01"})
    assert not by_key["dates"]["ok"]
    assert "15.02.2027, 01.12.2027" in by_key["dates"]["message"]


def test_volunteer_hours_do_not_count_where_the_call_excludes_them(app, application):
    application["call"]["volunteer_work"] = False
    _grade, by_key = checks(app, application)
    assert not by_key["volunteer"]["ok"]
    # volunteer work is then worth nothing on either side: the plan still balances, but 100 € own money is 2,5 %
    assert by_key["balance"]["ok"]
    assert not by_key["own_share"]["ok"] and "2,5 %" in by_key["own_share"]["message"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "Please fill in: Project title."),
        ({"cost-1-amount": "neunhundert"}, "Cost line 2: please enter an amount in euros"),
        ({"cost-1-amount": "900,505"}, "Cost line 2: please enter an amount in euros"),
        ({"cost-1-amount": "-900"}, "Cost line 2: please enter an amount in euros"),
        ({"cost-1-category": "urlaub"}, "Cost line 2: please choose a category."),
        ({"ind-0-target": "viele"}, "Indicator 1: the target must be a whole number above 0."),
        ({"ind-1-by": ""}, "Indicator 2: a SMART indicator needs what is measured, a target and a date."),
        ({"step-1-date": "31.02.2027"}, "Timetable step 2: please enter a date"),
        ({"fin-grant": ""}, "Requested grant: please enter an amount"),
        ({"fin-hours": "vierzig"}, "Volunteer hours: please enter a number"),
        ({"goal": "x" * 4001}, "A field is too long"),
    ],
)
def test_malformed_input_is_refused_with_what_to_fix(app, application, changes, message):
    with app.test_request_context(), pytest.raises(AnswerError, match=message):
        KIND.parse_answers(application, good_form(**changes))


def test_a_draft_keeps_unfinished_and_malformed_input(app, application):
    with app.test_request_context():
        draft = KIND.parse_draft(application, good_form(**{"title": "", "cost-1-amount": "neunhundert"}))
    assert draft["title"] == ""
    assert draft["costs"][1]["amount"] == "neunhundert"
    assert len(draft["costs"]) == 4 and len(draft["indicators"]) == 2
