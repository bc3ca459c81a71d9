"""Alembic environment: the app's engine (passed in by the CLI) or the URL from the configuration."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from mso_academy.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine") or create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds a table (copy, drop, rename); with foreign keys enforced, dropping `users` would
            # fail while other tables point at it. The pragma only takes effect outside a transaction, so it is set
            # on the driver connection before Alembic begins; the keys are checked again afterwards.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
        if sqlite:
            problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
            if problems:
                raise RuntimeError(f"the migration left rows that break foreign keys: {problems[:5]}")


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
