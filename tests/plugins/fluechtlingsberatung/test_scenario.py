"""Case scenario: graph validation (every error names the node), walking a path, grading with feedback."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from mso_fluechtlingsberatung.scenario import MAX_STEPS, CaseScenario

from mso_academy.plugins.api import AnswerError
from tests.plugins.fluechtlingsberatung.conftest import good_path, shipped
from tests.plugins.support import Form

KIND = CaseScenario()


def small() -> dict[str, Any]:
    """start → (good) mitte → (good) gut | (bad) schlecht; start → (bad) umweg → back to start (a cycle with exit)."""
    return {
        "intro": "Eine erfundene Person.",
        "pass_mark": 75,
        "nodes": [
            {
                "key": "start",
                "text": "Ein Brief.",
                "focus": "privacy",
                "basis": "Art. 9 DSGVO",
                "choices": [
                    {"key": "a", "text": "Zusammen lesen", "next": "mitte", "correct": True, "feedback": "Gut."},
                    {"key": "b", "text": "Foto in die Gruppe", "next": "umweg", "feedback": "Daten!"},
                ],
            },
            {
                "key": "umweg",
                "text": "Alle sehen das Foto.",
                "choices": [{"key": "z", "text": "Löschen", "next": "start", "correct": True, "feedback": "Ok."}],
            },
            {
                "key": "mitte",
                "text": "Eine Frist.",
                "focus": "referral",
                "basis": "§ 6 Abs. 2 RDG",
                "choices": [
                    {"key": "a", "text": "Zur Beratung", "next": "gut", "correct": True, "feedback": "Richtig."},
                    {"key": "b", "text": "Selbst beraten", "next": "schlecht", "feedback": "RDG!"},
                ],
            },
            {"key": "gut", "end": True, "text": "Gut ausgegangen."},
            {"key": "schlecht", "end": True, "text": "Schlecht ausgegangen."},
        ],
    }


@pytest.mark.parametrize(
    "path",
    [
        "01-rolle/fall-brief.yaml",
        "02-verfahren/fall-ankunft.yaml",
        "03-bescheid/fall-bescheid.yaml",
        "04-leben/fall-familie.yaml",
    ],
)
def test_the_shipped_scenarios_are_valid_and_have_a_referral_or_privacy_step(path: str) -> None:
    content = shipped(path)
    assert KIND.validate(content) == []
    assert {n.get("focus") for n in content["nodes"]} & {"referral", "privacy"}
    assert "erfunden" in content["intro"]


def test_a_small_scenario_with_a_cycle_that_has_an_exit_is_valid() -> None:
    assert KIND.validate(small()) == []


def problems_of(content: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p.field, p.message) for p in KIND.validate(content)]


def test_a_node_nobody_can_reach_is_named() -> None:
    content = small()
    content["nodes"].append({"key": "insel", "end": True, "text": "Niemand kommt hierher."})
    assert problems_of(content) == [("nodes.5", "node 'insel' cannot be reached from the start")]


def test_an_unknown_target_names_node_and_choice() -> None:
    content = small()
    content["nodes"][2]["choices"][1]["next"] = "nirgendwo"
    assert problems_of(content) == [
        ("nodes.2.choices.1.next", "node 'mitte', choice 'b': unknown target node 'nirgendwo'")
    ]


def test_a_dead_end_is_a_node_without_choices_that_is_not_an_end() -> None:
    content = small()
    del content["nodes"][3]["end"]
    assert problems_of(content) == [("nodes.3.choices", "dead end: node 'gut' has no choices and is not an end node")]


def test_a_cycle_without_exit_is_refused_and_each_trapped_node_named() -> None:
    content = small()
    # umweg now leads to a loop of its own that never reaches an end.
    content["nodes"][1]["choices"][0]["next"] = "schleife"
    content["nodes"].append(
        {
            "key": "schleife",
            "text": "Immer wieder.",
            "choices": [{"key": "x", "text": "Nochmal", "next": "umweg", "correct": True, "feedback": "Hm."}],
        }
    )
    assert problems_of(content) == [
        ("nodes.1", "no path from node 'umweg' reaches an end node (a cycle without exit)"),
        ("nodes.5", "no path from node 'schleife' reaches an end node (a cycle without exit)"),
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda c: c.update(start="fehlt"), ("start", "the start node 'fehlt' does not exist")),
        (
            lambda c: c["nodes"][3].update(choices=[{"key": "a"}]),
            ("nodes.3.choices", "end node 'gut' must not have choices"),
        ),
        (
            lambda c: c["nodes"][2].pop("basis"),
            ("nodes.2.basis", "node 'mitte': name the legal basis of this referral step"),
        ),
        (
            lambda c: c["nodes"][2].update(focus="tax"),
            ("nodes.2.focus", "node 'mitte': focus must be one of referral, privacy"),
        ),
        (
            lambda c: c["nodes"][2]["choices"][0].pop("correct"),
            ("nodes.2.choices", "node 'mitte' needs at least one good choice"),
        ),
        (
            lambda c: c["nodes"][2]["choices"][1].pop("feedback"),
            (
                "nodes.2.choices.1.feedback",
                "node 'mitte': explain the consequence of this choice (the feedback the learner sees)",
            ),
        ),
        (lambda c: c["nodes"][1].update(key="start"), ("nodes.1.key", "key 'start' is used by two nodes")),
        (lambda c: c.update(intro=""), ("intro", "introduce the (synthetic) person and the situation")),
        (lambda c: c.update(pass_mark=120), ("pass_mark", "pass_mark must be a whole number from 0 to 100")),
    ],
)
def test_each_kind_of_bad_content_is_named(change: Any, expected: tuple[str, str]) -> None:
    content = small()
    change(content)
    assert expected in problems_of(content)


def test_a_scenario_without_any_end_node_is_refused() -> None:
    content = small()
    content["nodes"] = content["nodes"][:3]
    content["nodes"][2]["choices"] = [
        {"key": "a", "text": "Zurück", "next": "start", "correct": True, "feedback": "Rundlauf."}
    ]
    assert problems_of(content) == [("nodes", "the scenario needs at least one end node (end: true)")]


def test_the_right_path_scores_full_marks_with_the_legal_basis_in_the_feedback() -> None:
    content = small()
    answers = KIND.parse_answers(content, Form(path="start.a,mitte.a"))
    grade = KIND.grade(content, answers)
    assert grade.passed and grade.score == 1.0
    assert grade.summary == "2 of 2 choices were good (100 %)."
    assert [s["basis"] for s in grade.feedback["steps"]] == ["Art. 9 DSGVO", "§ 6 Abs. 2 RDG"]
    assert grade.feedback["end"] == "Gut ausgegangen."


def test_a_wrong_referral_step_fails_and_shows_the_better_choice() -> None:
    grade = KIND.grade(small(), {"path": ["start.a", "mitte.b"]})
    assert not grade.passed and grade.score == 0.5
    step = grade.feedback["steps"][1]
    assert step == {
        "node": "mitte",
        "choice": "Selbst beraten",
        "correct": False,
        "feedback": "RDG!",
        "basis": "§ 6 Abs. 2 RDG",
        "focus": "referral",
        "better": "Zur Beratung",
    }
    assert "professional legal advice" in grade.summary


def test_a_detour_counts_partially_and_a_missed_privacy_step_fails_even_at_the_pass_mark() -> None:
    content = small()
    content["pass_mark"] = 50
    grade = KIND.grade(content, {"path": ["start.b", "umweg.z", "start.a", "mitte.a"]})
    assert grade.score == 0.75 and not grade.passed  # 3 of 4 good, but the privacy step was missed once
    assert "confidential data" in grade.summary
    content["nodes"][0].pop("focus")
    assert KIND.grade(content, {"path": ["start.b", "umweg.z", "start.a", "mitte.a"]}).passed


@pytest.mark.parametrize(
    "path",
    ["mitte.a", "start.x", "start.a,mitte.a,gut.a", "start", "start.a,start.a"],
)
def test_a_path_that_does_not_fit_the_graph_is_malformed(path: str) -> None:
    with pytest.raises(AnswerError):
        KIND.parse_answers(small(), Form(path=path))


def test_an_unfinished_path_cannot_be_handed_in_but_is_kept_as_a_draft() -> None:
    content = small()
    with pytest.raises(AnswerError, match="not finished"):
        KIND.parse_answers(content, Form(path="start.a"))
    assert KIND.parse_draft(content, Form(path="start.a", choice="a")) == {"path": ["start.a", "mitte.a"]}
    assert KIND.parse_draft(content, Form(path="start.a", choice="")) == {"path": ["start.a"]}
    assert KIND.parse_draft(content, Form(path="start.a", restart="1")) == {"path": []}
    with pytest.raises(AnswerError):
        KIND.parse_draft(content, Form(path="start.a", choice="zz"))
    with pytest.raises(AnswerError, match="ended"):
        KIND.parse_draft(content, Form(path="start.a,mitte.a", choice="a"))


def test_going_round_a_cycle_forever_is_refused() -> None:
    loop = ",".join(["start.b", "umweg.z"] * (MAX_STEPS // 2 + 1))
    with pytest.raises(AnswerError, match="too long"):
        KIND.parse_draft(small(), Form(path=loop))


def test_a_draft_that_no_longer_fits_a_changed_scenario_starts_again() -> None:
    content = small()
    walk = KIND.current_walk(content, {"path": ["start.a"]})
    assert walk.current["key"] == "mitte" and walk.path == "start.a"
    changed = copy.deepcopy(content)
    changed["nodes"][0]["choices"][0]["key"] = "neu"
    assert KIND.current_walk(changed, {"path": ["start.a"]}).current["key"] == "start"


def test_the_shipped_good_paths_pass() -> None:
    for path in ("01-rolle/fall-brief.yaml", "04-leben/fall-familie.yaml"):
        content = shipped(path)
        grade = KIND.grade(content, KIND.parse_answers(content, Form(path=",".join(good_path(content)))))
        assert grade.passed and grade.score == 1.0
