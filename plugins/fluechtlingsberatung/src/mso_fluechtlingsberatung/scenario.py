"""Case scenario (Fallszenario): a branching conversation with a synthetic person, walked one choice at a time.

Content document::

    intro: Markdown                       # who the (synthetic) person is, what happens (required)
    start: brief                          # the first node (default: the first node in the list)
    pass_mark: 80                         # per cent of good choices on the path taken
    max_attempts: null
    nodes:
      - key: brief
        text: Markdown                    # the situation at this step (required)
        focus: referral                   # optional: referral | privacy – a step where the learner must see that
        basis: § 6 Abs. 2 RDG             #   legal advice belongs to professionals or data must be protected;
        choices:                          #   `basis` (the legal source) is required there, optional elsewhere
          - {key: a, text: ..., next: beratung, correct: true, feedback: why (required)}
          - {key: b, text: ..., next: ende-schlecht, feedback: ...}
      - {key: ende-gut, end: true, text: Markdown}

The graph is checked on import: every node is reachable from the start, every node that is not an end node has
choices, every choice leads to a known node, and from every node some path reaches an end node (so a cycle is
allowed only if it has an exit). The learner's position is the list of choices made so far; it is kept as a draft
after every choice (so it survives a closed tab) and handed in at an end node. A wrong choice at a `focus` step
fails the attempt whatever the score: a volunteer who misses a referral or a data leak has not passed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mso_academy.plugins.api import (
    ActivityKind,
    AnswerError,
    ContentProblem,
    FormData,
    Grade,
    check_key,
    form_number,
    form_text,
    free_key,
    gettext,
    is_text,
    lazy_gettext,
    row_indices,
    sequence,
    validate_settings,
)

FOCUS = ("referral", "privacy")
MAX_STEPS = 60  # a learner going round a cycle this often has left the exercise; longer paths are refused


@dataclass(frozen=True)
class Step:
    """One choice on the learner's path, with what the content says about it."""

    node: Mapping[str, Any]
    choice: Mapping[str, Any]


@dataclass(frozen=True)
class Walk:
    """Where a learner stands: the choices made so far and the node reached."""

    steps: list[Step]
    current: Mapping[str, Any]

    @property
    def path(self) -> str:
        """The path as the form carries it: ``node.choice`` pairs separated by commas."""
        return ",".join(f"{s.node['key']}.{s.choice['key']}" for s in self.steps)

    @property
    def finished(self) -> bool:
        return bool(self.current.get("end"))


def _nodes(content: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {n["key"]: n for n in sequence(content.get("nodes")) if isinstance(n, Mapping) and "key" in n}


def _start(content: Mapping[str, Any]) -> str | None:
    start = content.get("start")
    if isinstance(start, str) and start:
        return start
    nodes = [n for n in sequence(content.get("nodes")) if isinstance(n, Mapping)]
    return nodes[0].get("key") if nodes else None


class CaseScenario(ActivityKind):
    key = "case_scenario"
    name = lazy_gettext("Case scenario")
    description = lazy_gettext(
        "A branching conversation with a synthetic person: each choice has consequences and feedback; some steps "
        "ask you to refer to professional advice or to protect confidential data."
    )
    template = "fluechtlingsberatung/scenario.html"
    editor_template = "fluechtlingsberatung/scenario_editor.html"
    saves_drafts = True

    # --- content -----------------------------------------------------------------------------------------

    def validate(self, content: Mapping[str, Any]) -> list[ContentProblem]:
        problems = validate_settings(content)
        if not is_text(content.get("intro")):
            problems.append(ContentProblem("intro", "introduce the (synthetic) person and the situation"))
        nodes = content.get("nodes")
        if not isinstance(nodes, list) or len(nodes) < 2:
            problems.append(ContentProblem("nodes", "a scenario needs at least two nodes (a start and an end)"))
            return problems
        seen: set[str] = set()
        for index, node in enumerate(nodes):
            problems.extend(_validate_node(f"nodes.{index}", node, seen))
        if problems:
            return problems  # the graph checks need well-formed nodes
        return _validate_graph(content)

    def max_attempts(self, content: Mapping[str, Any]) -> int | None:
        return content.get("max_attempts")

    def estimated_minutes(self, content: Mapping[str, Any]) -> int:
        """Reading the introduction (2 minutes) and about 2 minutes per decision on a typical path."""
        if isinstance(content.get("minutes"), int):
            return content["minutes"]
        deciding = [n for n in sequence(content.get("nodes")) if isinstance(n, Mapping) and not n.get("end")]
        return 2 + 2 * max(1, round(len(deciding) * 0.7))

    # --- walking the graph -------------------------------------------------------------------------------

    def walk(self, content: Mapping[str, Any], path: Any) -> Walk:
        """Replay a path (``node.choice,…`` or a list of such pairs) from the start; `AnswerError` if it misfits."""
        nodes = _nodes(content)
        pairs = [p for p in (path.split(",") if isinstance(path, str) else sequence(path)) if p]
        if len(pairs) > MAX_STEPS:
            raise AnswerError(gettext("This path is too long. Please start the scenario again."))
        current = nodes[_start(content) or ""]
        steps = []
        for pair in pairs:
            node_key, _sep, choice_key = str(pair).partition(".")
            choice = next((c for c in current.get("choices", []) if c["key"] == choice_key), None)
            if node_key != current["key"] or choice is None:
                raise AnswerError(gettext("Your answers do not match this scenario. Please reload the page."))
            steps.append(Step(current, choice))
            current = nodes[choice["next"]]
        return Walk(steps, current)

    def current_walk(self, content: Mapping[str, Any], draft: Mapping[str, Any] | None) -> Walk:
        """The walk a learner's page shows: the saved draft, or a fresh start (also when the draft no longer fits
        because a trainer changed the scenario)."""
        try:
            return self.walk(content, (draft or {}).get("path", []))
        except AnswerError:
            return self.walk(content, [])

    def parse_draft(self, content: Mapping[str, Any], form: FormData) -> dict[str, Any]:
        """One step: the path so far plus the choice just made (or ``restart``); the new path is the draft."""
        if form.get("restart"):
            return {"path": []}
        walk = self.walk(content, form_text(form, "path"))
        choice = form_text(form, "choice")
        if choice:
            if walk.finished:
                raise AnswerError(gettext("The scenario has ended. Hand in your path or start again."))
            walk = self.walk(content, [*walk.path.split(","), f"{walk.current['key']}.{choice}"])
        return {"path": [p for p in walk.path.split(",") if p]}

    def parse_answers(self, content: Mapping[str, Any], form: FormData) -> dict[str, Any]:
        walk = self.walk(content, form_text(form, "path"))
        if not walk.finished:
            raise AnswerError(gettext("The scenario is not finished yet. Make your choices up to the end."))
        return {"path": [p for p in walk.path.split(",") if p]}

    def grade(self, content: Mapping[str, Any], answers: Mapping[str, Any]) -> Grade:
        walk = self.walk(content, answers.get("path", []))
        steps = []
        for step in walk.steps:
            right = [c["text"] for c in step.node["choices"] if c.get("correct")]
            steps.append(
                {
                    "node": step.node["key"],
                    "choice": step.choice["text"],
                    "correct": bool(step.choice.get("correct")),
                    "feedback": step.choice.get("feedback", ""),
                    "basis": step.node.get("basis", ""),
                    "focus": step.node.get("focus", ""),
                    "better": "" if step.choice.get("correct") else (right[0] if right else ""),
                }
            )
        good = sum(s["correct"] for s in steps)
        score = good / len(steps) if steps else 0.0
        missed = [s["focus"] for s in steps if s["focus"] and not s["correct"]]
        passed = round(score * 100) >= content.get("pass_mark", 80) and not missed
        summary = gettext(
            "%(good)d of %(total)d choices were good (%(percent)d %%).",
            good=good,
            total=len(steps),
            percent=round(score * 100),
        )
        if "referral" in missed:
            summary += " " + gettext("You missed a point where the person needed professional legal advice.")
        if "privacy" in missed:
            summary += " " + gettext("You missed a point where confidential data needed protection.")
        return Grade(
            score=score,
            passed=passed,
            feedback={"steps": steps, "end": walk.current.get("text", "")},
            summary=summary,
        )

    # --- the web editor ----------------------------------------------------------------------------------

    def default_content(self) -> dict[str, Any]:
        return {"intro": "", "start": "", "pass_mark": 80, "max_attempts": None, "nodes": []}

    def content_from_form(self, form: FormData, previous: Mapping[str, Any]) -> dict[str, Any]:
        """Settings and the nodes (minus "delete", plus the new node if filled in); node keys are the trainer's."""
        managed = ("intro", "start", "pass_mark", "max_attempts", "nodes")
        content: dict[str, Any] = {k: v for k, v in previous.items() if k not in managed}
        content["intro"] = form_text(form, "intro")
        content["pass_mark"] = form_number(form.get("pass_mark"), default=80, whole=True)
        content["max_attempts"] = form_number(form.get("max_attempts"), default=None, whole=True)
        nodes = []
        for index in row_indices(form, "nodes"):
            at = f"nodes-{index}-"
            if not form.get(at + "delete"):
                node = _node_from_form(form, at)
                if node is not None:
                    nodes.append(node)
        content["nodes"] = nodes
        start = form_text(form, "start")
        if start:
            content["start"] = start
        return content


def _validate_node(where: str, node: Any, seen: set[str]) -> list[ContentProblem]:
    if not isinstance(node, Mapping):
        return [ContentProblem(where, "each node must be a mapping with key, text and choices (or end: true)")]
    problems = check_key(where, node, seen, "nodes")
    name = node.get("key", where)
    if not is_text(node.get("text")):
        problems.append(ContentProblem(f"{where}.text", f"node {name!r} needs a text (the situation)"))
    if not isinstance(node.get("end", False), bool):
        problems.append(ContentProblem(f"{where}.end", f"node {name!r}: end must be true or false"))
    focus = node.get("focus")
    if focus is not None and focus not in FOCUS:
        problems.append(ContentProblem(f"{where}.focus", f"node {name!r}: focus must be one of {', '.join(FOCUS)}"))
    if "basis" in node and not isinstance(node["basis"], str):
        problems.append(ContentProblem(f"{where}.basis", f"node {name!r}: basis must be text"))
    if focus in FOCUS and not is_text(node.get("basis")):
        problems.append(ContentProblem(f"{where}.basis", f"node {name!r}: name the legal basis of this {focus} step"))
    choices = node.get("choices")
    if node.get("end") is True:
        if choices:
            problems.append(ContentProblem(f"{where}.choices", f"end node {name!r} must not have choices"))
        if focus:
            problems.append(ContentProblem(f"{where}.focus", f"end node {name!r} has nothing to decide"))
        return problems
    if not isinstance(choices, list) or not choices:
        problems.append(
            ContentProblem(f"{where}.choices", f"dead end: node {name!r} has no choices and is not an end node")
        )
        return problems
    keys: set[str] = set()
    for index, choice in enumerate(choices):
        at = f"{where}.choices.{index}"
        if not isinstance(choice, Mapping):
            problems.append(ContentProblem(at, "each choice must be a mapping with key, text, next and feedback"))
            continue
        problems.extend(check_key(at, choice, keys, f"choices of node {name!r}"))
        for field, message in (
            ("text", "the choice needs a text"),
            ("next", "name the node this choice leads to"),
            ("feedback", "explain the consequence of this choice (the feedback the learner sees)"),
        ):
            if not is_text(choice.get(field)):
                problems.append(ContentProblem(f"{at}.{field}", f"node {name!r}: {message}"))
        if not isinstance(choice.get("correct", False), bool):
            problems.append(ContentProblem(f"{at}.correct", f"node {name!r}: correct must be true or false"))
    if not any(isinstance(c, Mapping) and c.get("correct") is True for c in choices):
        problems.append(ContentProblem(f"{where}.choices", f"node {name!r} needs at least one good choice"))
    return problems


def _validate_graph(content: Mapping[str, Any]) -> list[ContentProblem]:
    """Known targets, a start, every node reachable, an end reachable from every node (cycles need an exit)."""
    nodes = content["nodes"]
    index_of = {n["key"]: i for i, n in enumerate(nodes)}
    problems = []
    for i, node in enumerate(nodes):
        for j, choice in enumerate(node.get("choices", [])):
            if choice["next"] not in index_of:
                problems.append(
                    ContentProblem(
                        f"nodes.{i}.choices.{j}.next",
                        f"node {node['key']!r}, choice {choice['key']!r}: unknown target node {choice['next']!r}",
                    )
                )
    start = _start(content)
    if start not in index_of:
        problems.append(ContentProblem("start", f"the start node {start!r} does not exist"))
    if problems:
        return problems
    if not any(n.get("end") for n in nodes):
        return [ContentProblem("nodes", "the scenario needs at least one end node (end: true)")]
    edges = {n["key"]: [c["next"] for c in n.get("choices", [])] for n in nodes}
    reachable = _closure([start], edges)
    for key in index_of:
        if key not in reachable:
            problems.append(ContentProblem(f"nodes.{index_of[key]}", f"node {key!r} cannot be reached from the start"))
    backwards: dict[str, list[str]] = {k: [] for k in edges}
    for source, targets in edges.items():
        for target in targets:
            backwards[target].append(source)
    can_end = _closure([n["key"] for n in nodes if n.get("end")], backwards)
    for key in index_of:
        if key in reachable and key not in can_end:
            problems.append(
                ContentProblem(
                    f"nodes.{index_of[key]}",
                    f"no path from node {key!r} reaches an end node (a cycle without exit)",
                )
            )
    return problems


def _closure(roots: list[str], edges: Mapping[str, list[str]]) -> set[str]:
    seen = set(roots)
    todo = list(roots)
    while todo:
        for target in edges.get(todo.pop(), []):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _node_from_form(form: FormData, at: str) -> dict[str, Any] | None:
    node: dict[str, Any] = {"key": form_text(form, at + "key"), "text": form_text(form, at + "text")}
    if form.get(at + "end"):
        node["end"] = True
    for name in ("focus", "basis"):
        if form_text(form, at + name):
            node[name] = form_text(form, at + name)
    choices = []
    for index in row_indices(form, at + "choices"):
        cat = f"{at}choices-{index}-"
        text = form_text(form, cat + "text")
        if not text:
            continue  # a spare row, or a choice the trainer emptied to remove it
        choice: dict[str, Any] = {
            "key": form_text(form, cat + "key"),
            "text": text,
            "next": form_text(form, cat + "next"),
            "feedback": form_text(form, cat + "feedback"),
        }
        if form.get(cat + "correct"):
            choice["correct"] = True
        choices.append(choice)
    if not (node["key"] or node["text"] or choices):
        return None  # the empty "new node" fieldset
    taken = {c["key"] for c in choices if c["key"]}
    for choice in choices:
        choice["key"] = choice["key"] or free_key("c", taken)
    if not node.get("end"):
        node["choices"] = choices
    return node
