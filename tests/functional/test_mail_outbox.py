"""Mail that arrives: the outbox delivered through a real SMTP server, retried, never twice, never lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import create_engine, select

from mso_academy import mail
from mso_academy.accounts import services
from mso_academy.db import database, transaction, utcnow
from mso_academy.mail import outbox as delivery
from mso_academy.mail.models import MailMessage, MailStatus
from mso_academy.models import Base
from tests.mailserver import smtp_fixture  # noqa: F401 (the `smtp` fixture)

PASSWORD = "ein sehr gutes passwort"


def register(app, session, email, language="en"):
    with app.test_request_context():
        services.register(session, email=email, name="Ayşe Öztürk", password=PASSWORD, language=language)
    session.commit()


def rows(session):
    session.expire_all()
    return session.scalars(select(MailMessage).order_by(MailMessage.id)).all()


def run(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_mail_arrives_with_both_parts_in_the_recipients_language(app, session, smtp):
    app.config["MAIL_URL"] = smtp.url
    register(app, session, "deutsch@example.org", language="de")
    register(app, session, "english@example.org", language="en")
    assert smtp.messages == []  # queued, not sent: delivery is the worker's
    assert run(app, "mail", "send") == "2 sent, 0 to retry later, 0 failed.\n"
    german, english = sorted(smtp.messages, key=lambda m: m["To"] != "deutsch@example.org")
    assert german["Subject"] == "Bitte bestätigen Sie Ihre E-Mail-Adresse"
    assert english["Subject"] == "Confirm your e-mail address"
    assert german["From"] == app.config["MAIL_FROM"] and german["Content-Language"] == "de"
    assert german.get_content_type() == "multipart/alternative"
    text = german.get_body(("plain",)).get_content()
    html = german.get_body(("html",)).get_content()
    assert "Hallo Ayşe Öztürk," in text and "/account/confirm/" in text
    assert '<html lang="de" dir="ltr">' in html and "Hallo Ayşe Öztürk," in html and "/account/confirm/" in html
    assert "Hello Ayşe Öztürk," in english.get_body(("plain",)).get_content()
    stored = rows(session)
    assert {m["Message-ID"] for m in smtp.messages} == {row.message_id for row in stored}
    assert all(row.status == MailStatus.SENT and row.sent_at and row.attempts == 1 for row in stored)
    assert all(row.text_body == "" and row.html_body is None for row in stored)  # no link stays behind
    assert run(app, "mail", "send") == "0 sent, 0 to retry later, 0 failed.\n"
    assert len(smtp.messages) == 2


@pytest.mark.parametrize(("language", "direction"), [("tr", "ltr"), ("ar", "rtl")])
def test_turkish_and_arabic_recipients_read_their_own_language(app, session, smtp, language, direction):
    app.config["MAIL_URL"] = smtp.url
    register(app, session, f"{language}@example.org", language=language)
    assert delivery.send_due(app).sent == 1
    [message] = smtp.messages
    with app.test_request_context(), force_locale(language):
        subject = gettext("Confirm your e-mail address")
        hello = gettext("Hello %(name)s,", name="Ayşe Öztürk")
    assert message["Subject"] == subject != "Confirm your e-mail address"
    assert hello in message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert f'<html lang="{language}" dir="{direction}">' in html and hello in html


def test_a_refusing_server_is_tried_again_after_the_back_off(app, session, smtp):
    app.config["MAIL_URL"] = smtp.url
    smtp.refuse = 1
    register(app, session, "later@example.org")
    now = utcnow()
    assert delivery.send_due(app, now=now) == delivery.PassResult(sent=0, retrying=1, failed=0)
    [row] = rows(session)
    assert (row.status, row.attempts, row.next_attempt_at) == (MailStatus.PENDING, 1, now + timedelta(minutes=1))
    assert row.last_error == "SMTP 451 4.3.0 Please try again later"
    assert "/account/confirm/" in row.text_body  # kept until it has gone
    assert delivery.send_due(app, now=now + timedelta(seconds=59)).sent == 0  # not due yet
    assert delivery.send_due(app, now=now + timedelta(seconds=61)).sent == 1
    [message] = smtp.messages
    assert message["To"] == "later@example.org"
    [row] = rows(session)
    assert (row.status, row.attempts) == (MailStatus.SENT, 2)


def test_after_the_last_attempt_the_mail_is_failed_and_kept_until_requeued(app, session, smtp):
    app.config.update(MAIL_URL=smtp.url, MAIL_MAX_ATTEMPTS=3)
    smtp.refuse = 100
    register(app, session, "never@example.org")
    now = utcnow()
    results = [delivery.send_due(app, now=now + timedelta(days=day)) for day in range(4)]
    assert [(r.retrying, r.failed) for r in results] == [(1, 0), (1, 0), (0, 1), (0, 0)]
    [row] = rows(session)
    assert (row.status, row.attempts) == (MailStatus.FAILED, 3)
    assert "451" in row.last_error and "/account/confirm/" in row.text_body
    assert "failed\t1" in run(app, "mail", "status")
    smtp.refuse = 0
    assert run(app, "mail", "requeue") == "1 failed message(s) queued again.\n"
    assert run(app, "mail", "send") == "1 sent, 0 to retry later, 0 failed.\n"
    assert [m["To"] for m in smtp.messages] == ["never@example.org"]


def test_a_rolled_back_change_sends_nothing(app, session, smtp):
    app.config.update(MAIL_URL=smtp.url, MAIL_SEND_AFTER_COMMIT=True)
    with app.test_request_context():
        services.register(session, email="undone@example.org", name="Undone", password=PASSWORD, language="en")
    session.rollback()
    assert delivery.send_due(app) == delivery.PassResult()
    assert smtp.messages == [] and rows(session) == []


def test_after_commit_the_request_sends_at_once(app, client, session, smtp):
    app.config.update(MAIL_URL=smtp.url, MAIL_SEND_AFTER_COMMIT=True)
    response = client.post(
        "/account/register",
        data={"name": "Nur", "email": "now@example.org", "password": PASSWORD, "language": "en"},
    )
    assert response.status_code in (302, 303)
    [message] = smtp.messages  # no worker pass ran
    assert message["To"] == "now@example.org"
    [row] = rows(session)
    assert row.status == MailStatus.SENT


def test_a_failure_after_commit_is_left_to_the_worker(app, client, session, smtp):
    app.config.update(MAIL_URL=smtp.url, MAIL_SEND_AFTER_COMMIT=True)
    smtp.refuse = 1
    response = client.post(
        "/account/register",
        data={"name": "Nur", "email": "retry@example.org", "password": PASSWORD, "language": "en"},
    )
    assert response.status_code in (302, 303)  # the user is not bothered by the mail server's mood
    assert smtp.messages == []
    [row] = rows(session)
    assert (row.status, row.attempts) == (MailStatus.PENDING, 1)
    assert delivery.send_due(app, now=row.next_attempt_at).sent == 1
    assert [m["To"] for m in smtp.messages] == ["retry@example.org"]


def test_without_mail_url_mail_is_written_to_the_outbox_folder(app, session, outbox):
    register(app, session, "folder@example.org")
    assert delivery.send_due(app).sent == 1
    [path] = Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml")
    assert "folder@example.org" in path.read_text()
    [message] = outbox.messages()  # the fixture finds a sent mail in the folder
    assert message["To"] == "folder@example.org" and "/account/confirm/" in message.get_content()


def test_a_crashed_workers_claim_expires_and_is_retried_once(app, session, smtp):
    app.config["MAIL_URL"] = smtp.url
    register(app, session, "crash@example.org")
    now = utcnow()
    claimed = delivery.claim(app, now=now, limit=10)  # ... and the worker dies before sending
    assert len(claimed.ids) == 1
    assert delivery.send_due(app, now=now + timedelta(minutes=5)).sent == 0  # the claim still holds
    assert delivery.send_due(app, now=claimed.lease_until + timedelta(seconds=1)).sent == 1
    assert delivery.deliver(app, claimed, now) == delivery.PassResult()  # the old claim can no longer send
    assert len(smtp.messages) == 1
    [row] = rows(session)
    assert (row.status, row.attempts) == (MailStatus.SENT, 2)


def test_a_claim_that_expires_on_the_last_attempt_is_given_up(app, session, smtp):
    app.config.update(MAIL_URL=smtp.url, MAIL_MAX_ATTEMPTS=1)
    register(app, session, "gone@example.org")
    claimed = delivery.claim(app, now=utcnow(), limit=10)
    assert delivery.send_due(app, now=claimed.lease_until + timedelta(seconds=1)) == delivery.PassResult()
    [row] = rows(session)
    assert row.status == MailStatus.FAILED and "did not finish" in row.last_error
    assert smtp.messages == []


# --- two workers on one database (no test transaction: real connections, real locks) -----------------------


def queue(app, count):
    app.config["MAIL_SEND_AFTER_COMMIT"] = False
    with app.app_context(), database(app).session_factory() as session, transaction(session):
        for n in range(count):
            mail.send(
                session, mail.Mail(to=f"person{n}@example.org", subject=f"Message {n}", text="Hallo", language="de")
            )


def stored(app):
    with database(app).session_factory() as session:
        return session.scalars(select(MailMessage).order_by(MailMessage.id)).all()


def test_a_claimed_batch_is_not_sent_by_another_worker(live_app, smtp):
    live_app.config["MAIL_URL"] = smtp.url
    queue(live_app, 3)
    now = utcnow()
    with live_app.app_context():
        first = delivery.claim(live_app, now=now, limit=10)
        assert delivery.send_due(live_app) == delivery.PassResult()  # the second worker finds nothing to do
        assert delivery.deliver(live_app, first, now).sent == 3
    assert sorted(m["To"] for m in smtp.messages) == [f"person{n}@example.org" for n in range(3)]


def test_concurrent_passes_send_every_message_exactly_once(live_app, smtp):
    live_app.config.update(MAIL_URL=smtp.url, MAIL_BATCH_SIZE=3)
    queue(live_app, 30)
    start = threading.Barrier(3)
    results: list[delivery.PassResult] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with live_app.app_context():
                start.wait()
                results.append(delivery.send_due(live_app))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sum(r.sent for r in results) == 30 and sum(r.retrying + r.failed for r in results) == 0
    ids = [m["Message-ID"] for m in smtp.messages]
    assert len(ids) == 30 and set(ids) == {row.message_id for row in stored(live_app)}
    assert all(row.status == MailStatus.SENT and row.attempts == 1 for row in stored(live_app))


def test_the_worker_stops_cleanly_on_sigterm(fresh_database_url, tmp_path, smtp):
    url = fresh_database_url()
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    env = {
        **os.environ,
        "MSO_ACADEMY_DATABASE_URL": url,
        "MSO_ACADEMY_INSTANCE_PATH": str(tmp_path / "instance"),
        "MSO_ACADEMY_SECRET_KEY": "x",
        "MSO_ACADEMY_MAIL_URL": smtp.url,
        "MSO_ACADEMY_PLUGINS_AUTOLOAD": "0",
    }
    script = Path(sys.executable).with_name("mso-academy")
    worker = subprocess.Popen(
        [str(script), "worker", "--interval", "0.2", "--jobs-every", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        started = ""
        while "Worker started" not in started:
            line = worker.stdout.readline()
            assert line, f"the worker ended before it started:\n{started}"
            started += line
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=60)[0]
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, output
    assert "Stopping after the current step (SIGTERM)" in output and "Worker stopped after" in output
