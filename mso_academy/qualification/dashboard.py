"""The manager's dashboard of an organisation: status per area, the certificate matrix, assigned courses."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from mso_academy.organisations.models import Organisation
from mso_academy.qualification import assignments, matrix, status


@dataclass(frozen=True)
class Dashboard:
    organisation: Organisation
    snapshot: matrix.Snapshot
    matrix: matrix.Matrix
    areas: list[status.AreaStatus]
    assigned: list[matrix.AssignedItem]
    courses: list[tuple[int, str]]  # what may be assigned: published courses (id, title)


def dashboard(session: Session, organisation: Organisation, function_id: int | None = None) -> Dashboard:
    """Everything the dashboard shows, in eleven queries whatever the organisation's size."""
    snapshot = matrix.load(session, organisation)
    return Dashboard(
        organisation=organisation,
        snapshot=snapshot,
        matrix=matrix.matrix(snapshot, function_id),
        areas=status.areas(snapshot),
        assigned=matrix.assigned(snapshot),
        courses=assignments.assignable_courses(session),
    )
