"""Small-cell suppression: which figures of a set of linked tables must be withheld. Pure: no database, no Flask.

A figure is a *cell*; cells are named by any hashable key. A `Group` says that some cells (the parts) add up to
another cell (the total): the rows of a table and its total row, the courses of one course type and that type's
row, the months and the overall total. The same cell may be a part in one group and the total of another, which
is how tables that share totals are kept consistent.

`suppress` starts from the *primary* cells (figures about 1–4 people) and the *forced* ones (withheld elsewhere,
e.g. in the unfiltered report) and adds *complementary* cells until no withheld cell can be worked out:

1. By subtraction: every group has no withheld cell or at least two. A group with exactly one gets its smallest
   published non-zero part withheld as well (failing that its total, failing that a zero part).
2. By bounds: the reader may assume the worst, that they know which withheld cells are small (1–4) and which
   are complementary (at least 5, since published non-zero figures are). In a group whose total is published, each
   small withheld part must still be able to take every value from 1 to 4 given those bounds on the others (two
   cells adding up to 2 would both be 1). Otherwise the smallest part that makes the group safe is withheld too.
3. By combining groups: a withheld cell whose value follows from all the equations together (exact linear
   algebra over the rationals, e.g. a chain of groups each with two withheld cells) gets a further cell withheld.

Each step only adds cells, so the loop ends; in the worst case everything is withheld.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)

THRESHOLD = 5  # figures about fewer people than this are withheld


@dataclass(frozen=True)
class Group(Generic[K]):
    """`parts` add up to `total` (or, for counts of distinct people, at least cover it)."""

    parts: tuple[K, ...]
    total: K

    @property
    def members(self) -> tuple[K, ...]:
        return (*self.parts, self.total)


def is_primary(people: int) -> bool:
    """A figure about 1–4 people is withheld; 0 is shown (nobody is described by it)."""
    return 0 < people < THRESHOLD


def suppress(
    values: Mapping[K, int],
    primary: Iterable[K],
    groups: Sequence[Group[K]],
    forced: Iterable[K] = (),
) -> frozenset[K]:
    """The cells to withhold: `primary` and `forced` plus the complementary cells that protect them.

    `values` holds every cell's true value (used only to choose the complementary cells: smallest first).
    """
    order = {key: i for i, key in enumerate(values)}
    hidden = set(primary) | set(forced)
    usable = [g for g in groups if g.parts and g.total not in g.parts]
    while True:
        if _protect_groups(values, order, hidden, usable):
            continue
        if _protect_combinations(values, order, hidden, usable):
            continue
        return frozenset(hidden)


def _candidates(values: Mapping[K, int], order: Mapping[K, int], hidden: set[K], group: Group[K]) -> list[K]:
    """The group's published cells in the order they are withheld: non-zero parts (smallest first), total, zeros."""
    parts = [p for p in group.parts if p not in hidden]
    nonzero = sorted((p for p in parts if values[p] > 0), key=lambda p: (values[p], order[p]))
    zeros = sorted((p for p in parts if values[p] <= 0), key=lambda p: order[p])
    total = [] if group.total in hidden else [group.total]
    return [*nonzero, *total, *zeros]


def bounds(value: int) -> tuple[int, float]:
    """What a reader who knows the rules can tell about a withheld cell of this value: its lowest and highest value."""
    if value <= 0:
        return 0, 0
    if value < THRESHOLD:
        return 1, THRESHOLD - 1
    return THRESHOLD, math.inf


def group_is_safe(values: Mapping[K, int], hidden: set[K] | frozenset[K], group: Group[K]) -> bool:
    """Rules 1 and 2 for one group (the tests use it as the attacker's view as well)."""
    withheld = [m for m in group.members if m in hidden]
    if not withheld:
        return True
    if len(withheld) == 1:
        return False
    if group.total in hidden:
        return True
    parts = [p for p in group.parts if p in hidden]
    total = sum(values[p] for p in parts)  # what the reader gets: published total minus published parts
    low = sum(bounds(values[p])[0] for p in parts)
    high = sum(bounds(values[p])[1] for p in parts)
    for part in parts:
        if not 0 < values[part] < THRESHOLD:
            continue
        part_low, part_high = bounds(values[part])
        # The part's feasible range: total minus the others at their highest … at their lowest.
        if total - (high - part_high) > 1 or total - (low - part_low) < THRESHOLD - 1:
            return False
    return True


def _protect_groups(
    values: Mapping[K, int], order: Mapping[K, int], hidden: set[K], groups: Sequence[Group[K]]
) -> bool:
    changed = False
    for group in groups:
        while not group_is_safe(values, hidden, group):
            candidates = _candidates(values, order, hidden, group)
            if not candidates:
                break
            enough = next((c for c in candidates if group_is_safe(values, hidden | {c}, group)), candidates[0])
            hidden.add(enough)
            changed = True
    return changed


def _protect_combinations(
    values: Mapping[K, int], order: Mapping[K, int], hidden: set[K], groups: Sequence[Group[K]]
) -> bool:
    for key in sorted(determined(hidden, groups), key=lambda k: order.get(k, len(order))):
        for group in groups:
            if key in group.members:
                candidates = _candidates(values, order, hidden, group)
                if candidates:
                    hidden.add(candidates[0])
                    return True
    return False


def determined(hidden: set[K] | frozenset[K], groups: Sequence[Group[K]]) -> set[K]:
    """Withheld cells whose value follows from the published cells and all the groups' equations together.

    Each group is an equation sum(parts) - total = 0; published cells move to the right-hand side. A withheld cell
    is determined when every solution of the homogeneous system has 0 in its place, i.e. it is a pivot column of
    the reduced row echelon form whose row has no entry in a free column.
    """
    columns = sorted({m for g in groups for m in g.members if m in hidden}, key=repr)
    if not columns:
        return set()
    index = {key: i for i, key in enumerate(columns)}
    rows: list[list[Fraction]] = []
    for group in groups:
        row = [Fraction(0)] * len(columns)
        for part in group.parts:
            if part in index:
                row[index[part]] += 1
        if group.total in index:
            row[index[group.total]] -= 1
        if any(row):
            rows.append(row)
    pivots = _reduce(rows, len(columns))
    free = set(range(len(columns))) - set(pivots)
    return {columns[column] for column, row in pivots.items() if all(rows[row][f] == 0 for f in free)}


def _reduce(rows: list[list[Fraction]], width: int) -> dict[int, int]:
    """Reduced row echelon form in place; returns pivot column → row."""
    pivots: dict[int, int] = {}
    r = 0
    for c in range(width):
        pivot = next((i for i in range(r, len(rows)) if rows[i][c] != 0), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        lead = rows[r][c]
        rows[r] = [v / lead for v in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][c] != 0:
                factor = rows[i][c]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[r], strict=True)]
        pivots[c] = r
        r += 1
        if r == len(rows):
            break
    return pivots
