"""`mso-academy certificates …`: list, export, verify a downloaded credential, send expiry reminders, rotate keys."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from mso_academy.certificates import keys, pdf, services
from mso_academy.certificates.credential import envelope, verify
from mso_academy.db import database, transaction, utcnow


def _session():  # type: ignore[no-untyped-def]
    return database().session_factory()


@click.group()
def certificates() -> None:
    """Certificates: list, export, verify, remind, rotate the signing key."""


@certificates.command("list")
@with_appcontext
def list_command() -> None:
    """Code, holder, course and state of every certificate."""
    with _session() as session:
        for c in services.list_all(session, limit=100000):
            click.echo(f"{c.code}\t{c.holder_name}\t{c.course_title} {c.course_version}\t{c.state()}")


@certificates.command("export")
@click.argument("code")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def export_command(code: str, directory: Path) -> None:
    """Write the PDF and the signed credential (JSON) of certificate CODE into DIRECTORY."""
    with _session() as session:
        certificate = services.by_code(session, code)
        if certificate is None:
            raise click.ClickException(f"No certificate has the code {code!r}.")
        directory.mkdir(parents=True, exist_ok=True)
        pdf_path = directory / f"certificate-{certificate.code}.pdf"
        json_path = directory / f"certificate-{certificate.code}.json"
        pdf_path.write_bytes(pdf.render(certificate, services.verify_url(certificate.code)))
        json_path.write_text(json.dumps(envelope(certificate.credential_jwt), indent=2))
    click.echo(f"Wrote {pdf_path} and {json_path}")


@certificates.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--keys",
    "keys_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The issuer's JWKS (from /.well-known/jwks.json); default: this installation's keys.",
)
@click.option("--offline", is_flag=True, help="Do not ask the database whether the certificate was revoked.")
@with_appcontext
def verify_command(file: Path, keys_file: Path | None, offline: bool) -> None:
    """Verify a downloaded credential: signature, key id, dates and (unless --offline) its status.

    Exit status 0 only for a valid credential.
    """
    jwks = json.loads(keys_file.read_text()) if keys_file else keys.public_jwks()
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        text = ""
    if offline:
        result = verify(text, jwks, utcnow())
    else:
        with _session() as session:

            def status_of(code: str) -> str | None:
                certificate = services.by_code(session, code)
                return certificate.state() if certificate else None

            result = verify(text, jwks, utcnow(), status_of)
    if result.valid:
        subject = result.credential or {}
        click.echo(f"VALID: {subject.get('name')} (code {result.code}, key {result.kid})")
        return
    click.echo(f"INVALID: {file}", err=True)
    for problem in result.problems:
        click.echo(f"  - {problem}", err=True)
    sys.exit(1)


@certificates.command("remind")
@with_appcontext
def remind_command() -> None:
    """Mail holders whose certificates expire within CERTIFICATE_REMINDER_DAYS (once per certificate)."""
    with _session() as session, transaction(session):
        sent = services.send_reminders(session)
    click.echo(f"{sent} reminder(s) sent.")


@certificates.command("rotate-key")
@with_appcontext
def rotate_key_command() -> None:
    """Create a new signing key; older keys stay published so their certificates still verify."""
    key = keys.create_key()
    click.echo(f"New signing key {key.kid}; {len(keys.public_jwks()['keys'])} key(s) published.")
