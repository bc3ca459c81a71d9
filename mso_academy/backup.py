"""Backup and restore: the database and the certificate signing keys, as one archive.

SQLite is copied through its online backup API (a consistent snapshot while the app keeps running; a file copy of
a live database in WAL mode can be torn). PostgreSQL goes through `pg_dump --format=custom` and `pg_restore`.
The signing keys travel with the data because certificates already issued can only be verified with their public
keys, and new ones can only be signed with the private key: the archive is therefore as secret as the key folder
(written with mode 0600; keep it encrypted at rest).
"""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
import subprocess  # nosec B404 - runs pg_dump/pg_restore with an argument list, never a shell
import tarfile
import tempfile
from contextlib import closing
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import URL, Engine

from mso_academy.errors import DomainError

FORMAT_VERSION = "1"


class BackupError(DomainError):
    """A backup or restore could not be done; nothing was changed."""


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URL without the password (it goes into the environment, not onto the command line)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str]) -> None:
    tool = shutil.which(command[0])
    if tool is None:
        raise BackupError(f"{command[0]} is not installed; PostgreSQL backups need the PostgreSQL client tools")
    result = subprocess.run([tool, *command[1:]], env=env, capture_output=True, text=True, check=False)  # nosec B603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")


def _dump_database(engine: Engine, target: Path) -> str:
    url = engine.url
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise BackupError("an in-memory SQLite database cannot be backed up")
        with closing(sqlite3.connect(url.database)) as source, closing(sqlite3.connect(target)) as copy:
            source.backup(copy)
        return "sqlite"
    if url.get_backend_name() == "postgresql":
        connection, env = _libpq(url)
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}", connection], env)
        return "postgresql"
    raise BackupError(f"backups of {url.get_backend_name()} databases are not supported")


def create_backup(engine: Engine, keys_folder: Path, archive: Path) -> None:
    """Write `archive` (a tar file) with the database snapshot and the signing keys."""
    with tempfile.TemporaryDirectory() as work:
        dump = Path(work) / "database"
        backend = _dump_database(engine, dump)
        fd = os.open(archive, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle, tarfile.open(fileobj=handle, mode="w:gz") as tar:
            meta = f"format={FORMAT_VERSION}\nbackend={backend}\n".encode()
            info = tarfile.TarInfo("MSO-ACADEMY-BACKUP")
            info.size = len(meta)
            tar.addfile(info, io.BytesIO(meta))
            tar.add(dump, arcname=f"database.{backend}")
            if keys_folder.is_dir():
                for key in sorted(keys_folder.iterdir()):
                    if key.is_file():
                        tar.add(key, arcname=f"keys/{key.name}")


def _read_meta(tar: tarfile.TarFile, archive: Path) -> dict[str, str]:
    try:
        member = tar.extractfile("MSO-ACADEMY-BACKUP")
    except KeyError:
        member = None
    if member is None:
        raise BackupError(f"{archive} is not an MSO Academy backup")
    meta = dict(line.split("=", 1) for line in member.read().decode().splitlines() if "=" in line)
    if meta.get("format") != FORMAT_VERSION:
        raise BackupError(f"{archive}: backup format {meta.get('format')!r} is not supported")
    return meta


def _is_empty(engine: Engine) -> bool:
    tables = set(inspect(engine).get_table_names())
    if "users" not in tables:
        return True
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT COUNT(*) FROM users").scalar() == 0


def restore_backup(engine: Engine, keys_folder: Path, archive: Path, *, force: bool = False) -> None:
    """Restore `archive` into the (empty, unless `force`) database of `engine` and the key folder."""
    if not archive.is_file():
        raise BackupError(f"{archive} does not exist")
    if not tarfile.is_tarfile(archive):
        raise BackupError(f"{archive} is not an MSO Academy backup")
    with tarfile.open(archive, mode="r:*") as tar, tempfile.TemporaryDirectory() as work:
        meta = _read_meta(tar, archive)
        backend = meta.get("backend", "")
        if backend != engine.url.get_backend_name():
            raise BackupError(
                f"{archive} holds a {backend} database; this installation uses {engine.url.get_backend_name()}"
            )
        if not force and not _is_empty(engine):
            raise BackupError("the database is not empty; restore into a fresh database or pass --force")
        tar.extractall(work, filter="data")
        dump = Path(work) / f"database.{backend}"
        engine.dispose()
        if backend == "sqlite":
            with closing(sqlite3.connect(dump)) as source, closing(sqlite3.connect(str(engine.url.database))) as target:
                source.backup(target)
        else:
            connection, env = _libpq(engine.url)
            command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction"]
            _run([*command, f"--dbname={connection}", str(dump)], env)
        _restore_keys(Path(work) / "keys", keys_folder)


def _restore_keys(source: Path, keys_folder: Path) -> None:
    """Add the archived keys to the key folder; a key already there (same id) is kept as it is."""
    if not source.is_dir():
        return
    keys_folder.mkdir(parents=True, exist_ok=True)
    for key in source.iterdir():
        destination = keys_folder / key.name
        if not destination.exists():
            shutil.copyfile(key, destination)
            os.chmod(destination, 0o600 if key.suffix == ".pem" else 0o644)
