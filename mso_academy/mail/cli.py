"""`mso-academy mail …` (deliver the outbox) and `mso-academy worker` (mail and the daily jobs, in a loop)."""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from mso_academy.db import database, transaction
from mso_academy.mail import outbox

log = logging.getLogger(__name__)


@click.group()
def mail() -> None:
    """The mail outbox: send what is due, see counts, requeue failed mail."""


@mail.command("send")
@with_appcontext
def send_command() -> None:
    """Send every message that is due (one pass) and print what happened."""
    result = outbox.send_due(current_app._get_current_object())  # type: ignore[attr-defined]
    click.echo(f"{result.sent} sent, {result.retrying} to retry later, {result.failed} failed.")


@mail.command("status")
@with_appcontext
def status_command() -> None:
    """How many messages are pending, being sent, sent and failed."""
    with database().session_factory() as session:
        for status, count in outbox.counts(session).items():
            click.echo(f"{status}\t{count}")


@mail.command("requeue")
@with_appcontext
def requeue_command() -> None:
    """Try failed messages again (with a fresh set of attempts), e.g. after fixing MAIL_URL."""
    with database().session_factory() as session, transaction(session):
        count = outbox.requeue_failed(session)
    click.echo(f"{count} failed message(s) queued again.")


def daily_jobs() -> list[tuple[str, Callable[..., int]]]:
    """The reminder senders; each remembers whom it reminded, so running them more often than daily is safe."""
    from mso_academy.certificates.services import send_reminders as certificate_reminders
    from mso_academy.qualification.reminders import send_reminders as assignment_reminders

    return [("assignment reminders", assignment_reminders), ("certificate expiry reminders", certificate_reminders)]


def run_jobs(app: Flask) -> None:
    """Each job in its own transaction; one failing job is logged and does not stop the others."""
    for name, job in daily_jobs():
        try:
            with database(app).session_factory() as session, transaction(session):
                count = job(session)
            log.info("%s: %d mail(s) queued", name, count)
        except Exception:
            log.exception("%s failed; trying again on the next round", name)


def run_worker(app: Flask, *, interval: float, jobs_every: float, stop: threading.Event) -> int:
    """Loop until `stop` is set: the jobs when they are due, then a mail pass, then wait. Returns the passes."""
    passes = 0
    last_jobs: float | None = None
    while not stop.is_set():
        if jobs_every > 0 and (last_jobs is None or time.monotonic() - last_jobs >= jobs_every):
            last_jobs = time.monotonic()
            run_jobs(app)
        try:
            result = outbox.send_due(app)
            if result.sent or result.retrying or result.failed:
                log.info("mail: %d sent, %d to retry, %d failed", result.sent, result.retrying, result.failed)
        except Exception:
            log.exception("The mail pass failed; trying again in %s seconds", interval)
        passes += 1
        stop.wait(interval)
    return passes


@click.command("worker")
@click.option("--interval", default=30.0, show_default=True, help="Seconds between two mail passes.")
@click.option(
    "--jobs-every",
    default=3600.0,
    show_default=True,
    help="Seconds between two runs of the reminder jobs (0: never; run them from cron instead).",
)
@with_appcontext
def worker(interval: float, jobs_every: float) -> None:
    """Send mail and run the reminder jobs in a loop; SIGTERM or Ctrl-C stop it after the current step."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    stop = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        click.echo(f"Stopping after the current step ({signal.Signals(signum).name}).")
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    click.echo(f"Worker started: mail every {interval:g} s, reminder jobs every {jobs_every:g} s.")
    try:
        passes = run_worker(app, interval=interval, jobs_every=jobs_every, stop=stop)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo(f"Worker stopped after {passes} pass(es).")
