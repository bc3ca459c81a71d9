"""`mso-academy assignments …`: reminders before assigned courses are due."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from mso_academy.db import database, transaction
from mso_academy.qualification.reminders import send_reminders


@click.group()
def assignments() -> None:
    """Courses assigned to members by their organisations."""


@assignments.command("remind")
@with_appcontext
def remind_command() -> None:
    """Mail members whose assigned course is due within ASSIGNMENT_REMINDER_DAYS (once per assignment)."""
    with database().session_factory() as session, transaction(session):
        sent = send_reminders(session)
    click.echo(f"{sent} reminder(s) sent.")
