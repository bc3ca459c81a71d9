"""Composing and queueing mail: both parts in the recipient's language, escaped, one outbox row per transaction."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from mso_academy import mail
from mso_academy.accounts import services
from mso_academy.mail import outbox
from mso_academy.mail.models import MailMessage, MailStatus

PASSWORD = "ein sehr gutes passwort"


def _rows(session):
    return session.scalars(select(MailMessage).order_by(MailMessage.id)).all()


def test_a_mail_is_queued_in_the_transaction_that_causes_it(app, session):
    with app.test_request_context():
        services.register(session, email="queued@example.org", name="Queued", password=PASSWORD, language="en")
    session.commit()
    [row] = _rows(session)
    assert (row.to_address, row.subject, row.status, row.attempts) == (
        "queued@example.org",
        "Confirm your e-mail address",
        MailStatus.PENDING,
        0,
    )
    assert "/account/confirm/" in row.text_body and "/account/confirm/" in row.html_body


def test_a_rollback_leaves_no_mail(app, session):
    with app.test_request_context():
        services.register(session, email="gone@example.org", name="Gone", password=PASSWORD, language="en")
    session.rollback()
    assert session.scalar(select(func.count()).select_from(MailMessage)) == 0


def test_compose_renders_text_and_html_in_the_recipients_language(app):
    user = SimpleNamespace(name="Ayşe")
    with app.test_request_context():
        german = mail.compose(
            "a@example.org", "de", "Subject", "mail/confirm_email.txt", user=user, link="https://x.test/c", hours=72
        )
        english = mail.compose(
            "a@example.org", "en", "Subject", "mail/confirm_email.txt", user=user, link="https://x.test/c", hours=72
        )
    assert "Hallo Ayşe," in german.text and "Hallo Ayşe," in german.html
    assert "Hello Ayşe," in english.text and "Hello Ayşe," in english.html
    assert german.language == "de" and '<html lang="de" dir="ltr">' in german.html
    assert 'href="https://x.test/c"' in english.html


def test_arabic_mail_is_right_to_left(app):
    with app.test_request_context():
        message = mail.compose(
            "a@example.org", "ar", "S", "mail/confirm_email.txt", user=SimpleNamespace(name="N"), link="l", hours=1
        )
    assert '<html lang="ar" dir="rtl">' in message.html


def test_user_values_are_escaped_in_html_but_readable_in_text(app):
    evil = '<script>alert("x")</script>'
    with app.test_request_context():
        message = mail.compose(
            "a@example.org", "en", "S", "mail/confirm_email.txt", user=SimpleNamespace(name=evil), link="l", hours=1
        )
    assert evil in message.text
    assert "<script>" not in message.html and "&lt;script&gt;" in message.html


def test_the_message_has_both_parts_and_the_headers(app, session):
    with app.test_request_context():
        services.register(session, email="parts@example.org", name="Parts", password=PASSWORD, language="en")
    [row] = _rows(session)
    message = mail.build_message(app, row)
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["Message-ID"] == row.message_id and message["Content-Language"] == "en"
    assert message["Auto-Submitted"] == "auto-generated"
    assert "List-Unsubscribe" not in message  # account mail is not a reminder


def test_back_off_grows_fivefold_and_is_capped(app):
    assert [outbox.backoff(app, n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (1, 5, 25)]
    assert outbox.backoff(app, 20) == timedelta(seconds=app.config["MAIL_RETRY_MAX_SECONDS"])


def test_error_texts_keep_the_smtp_answer_and_never_the_password():
    url = "smtp://user:s3cr%21t@mail.example.org:587"
    refused = smtplib.SMTPDataError(451, b"4.3.0 try again later")
    assert outbox.describe(refused, url) == "SMTP 451 4.3.0 try again later"
    assert outbox.describe(smtplib.SMTPAuthenticationError(535, b"bad s3cr!t"), url) == "SMTP 535 bad ***"
    assert "s3cr" not in outbox.describe(OSError("s3cr%21t s3cr!t"), url)
    rejected = smtplib.SMTPDataError(550, b"5.1.1 <ayse.oeztuerk@example.org>: Recipient address rejected")
    assert outbox.describe(rejected, url) == "SMTP 550 5.1.1 <a***@example.org>: Recipient address rejected"


def test_unknown_mail_url_scheme_is_refused():
    with pytest.raises(ValueError, match="smtp://"):
        mail.smtp_client("http://example.org")
