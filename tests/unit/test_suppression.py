"""Small-cell suppression: the pure function, and random tables that an attacker tries to read.

The attacker of the property tests knows every published figure and the rules: withheld cells are at least 1
(zeros are shown), small ones at most 4, complementary ones at least 5. They try (1) subtraction within a row
or column, (2) the bounds that the other withheld cells of a row or column allow, (3) any combination of rows
and columns (a withheld cell is then determined exactly when it lies on no cycle of withheld cells).
"""

from __future__ import annotations

import random

import pytest

from mso_academy.reports.suppression import THRESHOLD, Group, determined, is_primary, suppress

TOTAL = "T"


def grid(values: list[list[int]]) -> tuple[dict, list[Group]]:
    """A table with row totals, column totals and a grand total; cells are (row, column), "T" the margin."""
    rows, columns = len(values), len(values[0])
    cells: dict = {}
    for r in range(rows):
        for c in range(columns):
            cells[(r, c)] = values[r][c]
        cells[(r, TOTAL)] = sum(values[r])
    for c in range(columns):
        cells[(TOTAL, c)] = sum(values[r][c] for r in range(rows))
    cells[(TOTAL, TOTAL)] = sum(sum(row) for row in values)
    groups = [Group(tuple((r, c) for c in range(columns)), (r, TOTAL)) for r in range(rows)]
    groups += [Group(tuple((r, c) for r in range(rows)), (TOTAL, c)) for c in range(columns)]
    groups.append(Group(tuple((r, TOTAL) for r in range(rows)), (TOTAL, TOTAL)))
    groups.append(Group(tuple((TOTAL, c) for c in range(columns)), (TOTAL, TOTAL)))
    return cells, groups


def run(values: list[list[int]]) -> tuple[dict, list[Group], frozenset]:
    cells, groups = grid(values)
    return cells, groups, suppress(cells, [k for k, v in cells.items() if is_primary(v)], groups)


# --- the attacker -------------------------------------------------------------------------------------------


def by_subtraction(cells, groups, hidden) -> list:
    """Withheld cells worked out as a total minus its published parts (or the parts' sum for a withheld total)."""
    found = []
    for group in groups:
        unknown = [m for m in group.members if m in hidden]
        if len(unknown) != 1:
            continue
        (cell,) = unknown
        if cell == group.total:
            value = sum(cells[p] for p in group.parts)
        else:
            value = cells[group.total] - sum(cells[p] for p in group.parts if p != cell)
        assert value == cells[cell]
        found.append(cell)
    return found


def low_high(value: int) -> tuple[int, float]:
    if value == 0:
        return 0, 0
    return (1, THRESHOLD - 1) if value < THRESHOLD else (THRESHOLD, float("inf"))


def by_bounds(cells, groups, hidden) -> list:
    """Small withheld cells of a group with a published total that cannot be every value from 1 to 4."""
    found = []
    for group in groups:
        if group.total in hidden:
            continue
        unknown = [p for p in group.parts if p in hidden]
        rest = cells[group.total] - sum(cells[p] for p in group.parts if p not in hidden)
        for cell in unknown:
            if not 0 < cells[cell] < THRESHOLD:
                continue
            others = [low_high(cells[o]) for o in unknown if o != cell]
            possible = {
                x for x in range(1, THRESHOLD) if sum(lo for lo, _ in others) <= rest - x <= sum(hi for _, hi in others)
            }
            if possible != set(range(1, THRESHOLD)):
                found.append((cell, sorted(possible)))
    return found


def by_combination(hidden) -> list:
    """Withheld cells of a grid on no cycle of withheld cells (rows and columns as the nodes, cells as edges)."""
    edges = list(hidden)
    found = []
    for cell in edges:
        start, goal = ("r", cell[0]), ("c", cell[1])
        reached, frontier = {start}, [start]
        while frontier:
            kind, node = frontier.pop()
            for other in edges:
                if other == cell:
                    continue
                if kind == "r" and other[0] == node and ("c", other[1]) not in reached:
                    reached.add(("c", other[1]))
                    frontier.append(("c", other[1]))
                if kind == "c" and other[1] == node and ("r", other[0]) not in reached:
                    reached.add(("r", other[0]))
                    frontier.append(("r", other[0]))
        if goal not in reached:
            found.append(cell)
    return found


# --- examples -----------------------------------------------------------------------------------------------


def test_nothing_is_withheld_when_no_figure_is_small():
    *_, hidden = run([[5, 12], [0, 30]])
    assert hidden == frozenset()


def test_zero_is_shown_and_one_to_four_are_withheld():
    assert [is_primary(n) for n in range(7)] == [False, True, True, True, True, False, False]


def test_one_small_cell_takes_the_next_smallest_of_its_row_and_column():
    cells, groups, hidden = run([[3, 12, 40], [20, 25, 30]])
    assert (0, 0) in hidden
    assert (0, 1) in hidden  # the smallest other cell of its row, large enough to hide a value from 1 to 4
    assert (1, 0) in hidden  # and of its column
    assert (1, 1) in hidden  # which makes a rectangle: every row and column has two
    assert by_subtraction(cells, groups, hidden) == []
    assert by_combination(hidden) == []


def test_two_small_cells_that_add_up_to_two_are_both_one_so_a_third_is_withheld():
    values = {"a": 1, "b": 1, "c": 50, "d": 60, "t": 112}
    hidden = suppress(values, ["a", "b"], [Group(("a", "b", "c", "d"), "t")])
    assert hidden == {"a", "b", "c"}


def test_a_complementary_cell_too_close_to_five_does_not_hide_a_one():
    # 1 + 5 = 6: if the reader knows the 5 is at least 5, the 1 is 1. The 9 hides it (1 + 9: 1 … 4 all possible).
    values = {"a": 1, "b": 5, "c": 9, "t": 15}
    hidden = suppress(values, ["a"], [Group(("a", "b", "c"), "t")])
    assert hidden == {"a", "c"}


def test_the_total_is_withheld_when_no_part_can_hide_the_small_one():
    values = {"a": 2, "b": 0, "t": 2, "v": 10, "g": 12}
    hidden = suppress(values, ["a", "t"], [Group(("a", "b"), "t"), Group(("t", "v"), "g")])
    assert {"a", "t"} <= hidden and by_subtraction(
        values, [Group(("a", "b"), "t"), Group(("t", "v"), "g")], hidden
    ) == []


def test_forced_cells_are_withheld_and_protected():
    values = {"a": 40, "b": 50, "c": 60, "t": 150}
    hidden = suppress(values, [], [Group(("a", "b", "c"), "t")], forced=["t"])
    assert hidden == {"t", "a"}  # a withheld total alone would be the sum of its parts


def test_nested_tables_share_their_totals():
    """Courses within course types within the overall total: a withheld course type row is a total too."""
    values = {"c1": 3, "c2": 20, "c3": 30, "c4": 40, "A": 23, "B": 70, "T": 93}
    groups = [Group(("c1", "c2"), "A"), Group(("c3", "c4"), "B"), Group(("A", "B"), "T")]
    hidden = suppress(values, ["c1"], groups)
    assert {"c1", "c2"} <= hidden
    assert by_subtraction(values, groups, hidden) == []
    assert by_bounds(values, groups, hidden) == []


def test_a_cell_that_follows_from_several_equations_together_is_found_and_protected():
    # a + b = 10, b + c = 12, a + c = 8: two withheld cells in every equation, yet a = 3, b = 7, c = 5.
    values = {"a": 3, "b": 7, "c": 5, "x": 10, "y": 12, "z": 8}
    groups = [Group(("a", "b"), "x"), Group(("b", "c"), "y"), Group(("a", "c"), "z")]
    assert by_subtraction(values, groups, {"a", "b", "c"}) == []
    assert determined({"a", "b", "c"}, groups) == {"a", "b", "c"}
    hidden = suppress(values, ["a"], groups)
    assert determined(hidden, groups) == set()
    assert by_subtraction(values, groups, hidden) == []


# --- random tables ------------------------------------------------------------------------------------------


def random_table(rng: random.Random) -> list[list[int]]:
    rows, columns = rng.randint(2, 6), rng.randint(2, 6)

    def value() -> int:
        roll = rng.random()
        if roll < 0.15:
            return 0
        if roll < 0.45:
            return rng.randint(1, 4)
        return rng.randint(5, 60)

    return [[value() for _ in range(columns)] for _ in range(rows)]


@pytest.mark.parametrize("seed", range(300))
def test_random_tables_cannot_be_read_back(seed):
    rng = random.Random(seed)
    values = random_table(rng)
    cells, groups, hidden = run(values)
    small = {k for k, v in cells.items() if is_primary(v)}
    assert small <= hidden
    assert by_subtraction(cells, groups, hidden) == [], values
    assert by_bounds(cells, groups, hidden) == [], values
    assert by_combination(hidden) == [], values
    assert determined(hidden, groups) == set()


def test_the_attackers_would_find_what_primary_suppression_alone_leaves_open():
    """The checks above have teeth: without complementary cells they recover the small ones."""
    leaks = {"subtraction": 0, "bounds": 0, "combination": 0}
    for seed in range(100):
        cells, groups = grid(random_table(random.Random(seed)))
        hidden = frozenset(k for k, v in cells.items() if is_primary(v))
        leaks["subtraction"] += bool(by_subtraction(cells, groups, hidden))
        leaks["bounds"] += bool(by_bounds(cells, groups, hidden))
        leaks["combination"] += bool(by_combination(hidden))
    assert all(leaks.values()), leaks
