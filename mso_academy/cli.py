"""The ``mso-academy`` console script: db, users, courses, demo (and ``run`` from Flask).

Each command runs in one transaction: it commits when it succeeds and leaves nothing behind when it fails.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from mso_academy import create_app
from mso_academy.db import database, transaction
from mso_academy.errors import DomainError
from mso_academy.plugins.manager import PluginManager, plugins


def _session():  # type: ignore[no-untyped-def]
    return database().session_factory()


@click.group(cls=FlaskGroup, create_app=lambda: create_app(), add_version_option=False)
def main() -> None:
    """MSO Academy: learning for the volunteers of migrant self-organisations."""


CORE_COMMANDS = (
    "db",
    "users",
    "courses",
    "certificates",
    "assignments",
    "demo",
    "backup",
    "restore",
    "mail",
    "worker",
)


def register_commands(app: Flask, manager: PluginManager) -> None:
    """The core's commands and every plugin's, on `app.cli` (so `mso-academy`, `flask` and tests see them)."""
    from mso_academy.certificates.cli import certificates
    from mso_academy.mail.cli import mail, worker
    from mso_academy.qualification.cli import assignments

    core = (db, users, courses, certificates, assignments, demo, backup, restore, mail, worker)
    for command in (*core, *manager.cli_commands):
        app.cli.add_command(command)


# --- db -----------------------------------------------------------------------------------------------------


@click.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


def alembic_config():  # type: ignore[no-untyped-def]
    from alembic.config import Config

    root = Path(__file__).resolve().parent.parent / "migrations"
    cfg = Config()
    cfg.set_main_option("script_location", str(root))
    cfg.set_main_option("sqlalchemy.url", current_app.config["DATABASE_URL"].replace("%", "%%"))
    cfg.attributes["engine"] = database().engine
    return cfg


@db.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Create or upgrade the schema to REVISION (default: the newest)."""
    from alembic import command

    command.upgrade(alembic_config(), revision)
    click.echo(f"Database is at {revision}.")


@db.command("current")
@with_appcontext
def db_current() -> None:
    """Show the schema revision of the database."""
    from alembic import command

    command.current(alembic_config())


# --- users --------------------------------------------------------------------------------------------------


@click.group()
def users() -> None:
    """User accounts and roles."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", default=None, help="Display name (default: the part of the e-mail before @).")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice(["learner", "trainer", "admin", "funder"]),
    help="May be given more than once; everyone is a learner.",
)
@click.password_option("--password", prompt="Password", help="Prompted for when not given.")
@with_appcontext
def users_create(email: str, name: str | None, roles: tuple[str, ...], password: str) -> None:
    """Create a confirmed account."""
    from mso_academy.accounts import services
    from mso_academy.accounts.models import Role

    granted = tuple(Role(r) for r in roles if r != "learner")
    with _session() as session, transaction(session):
        try:
            user = services.create_user(
                session, email=email, name=name or email.split("@")[0], password=password, roles=granted, confirmed=True
            )
        except DomainError as exc:
            raise click.ClickException(exc.message) from None
        click.echo(f"Created user {user.email} (roles: {', '.join(['learner', *map(str, granted)])}).")


def _change_role(email: str, role: str, grant: bool) -> None:
    from mso_academy.accounts import services
    from mso_academy.accounts.models import Role

    with _session() as session, transaction(session):
        user = services.find_by_email(session, email)
        if user is None:
            raise click.ClickException(f"No user with the e-mail address {email}.")
        try:
            changed = (services.grant_role if grant else services.revoke_role)(session, user, Role(role))
        except DomainError as exc:
            raise click.ClickException(exc.message) from None
        click.echo(
            f"{'Granted' if grant else 'Revoked'} {role} {'to' if grant else 'from'} {user.email}."
            if changed
            else "Nothing changed."
        )


@users.command("grant")
@click.argument("email")
@click.argument("role", type=click.Choice(["trainer", "admin", "funder"]))
@with_appcontext
def users_grant(email: str, role: str) -> None:
    """Grant ROLE (trainer or admin) to the user with EMAIL."""
    _change_role(email, role, grant=True)


@users.command("revoke")
@click.argument("email")
@click.argument("role", type=click.Choice(["trainer", "admin", "funder"]))
@with_appcontext
def users_revoke(email: str, role: str) -> None:
    """Take ROLE away from the user with EMAIL."""
    _change_role(email, role, grant=False)


# --- courses ------------------------------------------------------------------------------------------------


@click.group()
def courses() -> None:
    """Course packages (folders with course.yaml)."""


def _load_all(path: Path) -> tuple[list, list]:  # type: ignore[type-arg]
    """Every package at PATH, checked together (a slug used twice is a problem too)."""
    from mso_academy.catalog.packages import load_packages

    return load_packages(path, plugins())


def _report(problems: list) -> None:  # type: ignore[type-arg]
    for problem in problems:
        click.echo(str(problem), err=True)


@courses.command("validate")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@with_appcontext
def courses_validate(path: Path) -> None:
    """Check the package(s) at PATH; every problem is listed with file and line."""
    specs, problems = _load_all(path)
    _report(problems)
    if problems:
        click.echo(f"{len(problems)} problem(s) found.", err=True)
        sys.exit(1)
    click.echo(f"{len(specs)} course package(s) valid.")


@courses.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--draft", is_flag=True, help="Import new courses as drafts instead of publishing them.")
@with_appcontext
def courses_import(path: Path, draft: bool) -> None:
    """Import the package(s) at PATH; nothing is imported if any package has a problem.

    The same version again changes nothing; a new version updates the course and keeps every learner's
    enrolment, attempts, progress and certificates (see docs/course-packages.md).
    """
    from mso_academy.catalog.packages import import_course

    specs, problems = _load_all(path)
    if problems:
        _report(problems)
        raise click.ClickException(f"{len(problems)} problem(s) found; nothing imported.")
    outcomes = []
    with _session() as session, transaction(session):
        for spec in specs:
            try:
                outcome = import_course(session, spec, publish=not draft)
            except DomainError as exc:
                raise click.ClickException(f"{spec.slug} {spec.version}: {exc.message} Nothing imported.") from None
            outcomes.append(f"{spec.slug} {spec.version}: {outcome}")
    for line in outcomes:
        click.echo(line)


@courses.command("export")
@click.argument("slug")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Write into OUT/SLUG even if it is not empty (its other files stay).")
@with_appcontext
def courses_export(slug: str, out: Path, force: bool) -> None:
    """Write the course SLUG from the database as a package folder OUT/SLUG/."""
    from mso_academy.catalog.packages import course_spec, export_files, write_package
    from mso_academy.errors import NotFound

    with _session() as session, transaction(session):
        try:
            spec = course_spec(session, slug)
        except NotFound:
            raise click.ClickException(f"No course with the slug {slug!r}.") from None
    files = export_files(spec)
    target = out / spec.slug
    if target.exists() and not target.is_dir():
        raise click.ClickException(f"{target} exists and is not a folder.")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise click.ClickException(f"{target} is not empty; nothing written. Use --force to write into it.")
    others = write_package(files, target)
    click.echo(f"Exported {spec.slug} {spec.version} to {target} ({len(files)} files).")
    if others:
        click.echo(f"Other files in {target}, not part of the package, were left as they are: {', '.join(others)}")


# --- demo ---------------------------------------------------------------------------------------------------


@click.command("demo")
@click.option(
    "--courses-dir",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="Course packages to import (default: the shipped courses/).",
)
@with_appcontext
def demo(courses_dir: Path | None) -> None:
    """Load demo users for each role, a demo organisation and the shipped courses (safe to run again)."""
    from mso_academy.demo import DEMO_PASSWORD, load_demo

    folder = courses_dir or Path(current_app.config["COURSES_DIR"])
    with _session() as session, transaction(session):
        try:
            lines = load_demo(session, plugins(), folder)
        except DomainError as exc:
            raise click.ClickException(exc.message) from None
    for line in lines:
        click.echo(line)
    click.echo(f"Demo users share the password: {DEMO_PASSWORD}")


# --- backup and restore -------------------------------------------------------------------------------------


@click.command("backup")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup(archive: Path) -> None:
    """Write ARCHIVE (.tar.gz): a consistent snapshot of the database and the certificate signing keys."""
    from mso_academy.backup import BackupError, create_backup
    from mso_academy.certificates.keys import keys_dir

    try:
        create_backup(database().engine, keys_dir(), archive)
    except BackupError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Backup written to {archive} (contains the signing keys: keep it secret)")


@click.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Restore even though the database already holds data (replaces it).")
@with_appcontext
def restore(archive: Path, force: bool) -> None:
    """Restore ARCHIVE into this installation's database (empty unless --force) and key folder."""
    from mso_academy.backup import BackupError, restore_backup
    from mso_academy.certificates.keys import keys_dir

    try:
        restore_backup(database().engine, keys_dir(), archive, force=force)
    except BackupError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Restored {archive}; run `mso-academy db upgrade` if the backup came from an older version")
