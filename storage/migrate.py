"""Create or migrate the database with Alembic, and load the reference data."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from rules.counties import load_counties
from storage.models import County

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    """Build an Alembic config that runs on `engine` without an ini file."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def _run(engine: Engine, action) -> None:
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        action(config)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the schema to `revision` (the latest by default)."""
    _run(engine, lambda config: command.upgrade(config, revision))


def load_reference_data(session: Session) -> int:
    """Insert or update the 12 Chifeng counties; return how many were added."""
    existing = {c.code: c for c in session.scalars(select(County))}
    added = 0
    for info in load_counties():
        county = existing.get(info.code)
        if county is None:
            session.add(
                County(
                    code=info.code,
                    name=info.name,
                    bureau_name=info.bureau_name,
                    bureau_email=info.bureau_email,
                )
            )
            added += 1
        else:
            county.name = info.name
    return added


def upgrade_database(engine: Engine) -> int:
    """Migrate to the latest schema and load the counties; return counties added."""
    upgrade(engine)
    with Session(engine) as session, session.begin():
        return load_reference_data(session)
