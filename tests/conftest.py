"""Shared fixtures: an isolated heateval home per test and databases on both backends.

PostgreSQL tests create a database of their own on the server at
HEATEVAL_TEST_PG_URL and drop it afterwards. Where no server answers they are
skipped, and the run ends with a plain list of what was skipped, unless
HEATEVAL_TEST_REQUIRE_PG=1 (as in CI), which turns a missing server into failures.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pydantic_settings import BaseSettings, SettingsConfigDict


class TestEnvironment(BaseSettings):
    """Test-only settings, read from `HEATEVAL_TEST_*` variables."""

    __test__ = False  # not a test class, despite its name
    model_config = SettingsConfigDict(env_prefix="HEATEVAL_TEST_", extra="ignore")

    pg_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    require_pg: bool = False


TEST_ENV = TestEnvironment()
_pg_skipped: list[str] = []
_pg_state: dict[str, str | None] = {}


def _pg_unavailable_reason() -> str | None:
    if "reason" not in _pg_state:
        from sqlalchemy import create_engine, text

        try:
            engine = create_engine(TEST_ENV.pg_url, connect_args={"connect_timeout": 3})
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            engine.dispose()
            _pg_state["reason"] = None
        except Exception as error:
            first_line = str(error).strip().splitlines()[0] if str(error) else ""
            _pg_state["reason"] = (
                f"PostgreSQL at {TEST_ENV.pg_url} did not answer: {first_line}"
            )
    return _pg_state["reason"]


@pytest.fixture(autouse=True)
def heateval_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point HEATEVAL_HOME at a fresh folder so no test touches the user's data."""
    from heateval.settings import reset_settings

    home = tmp_path / "heateval-home"
    monkeypatch.setenv("HEATEVAL_HOME", str(home))
    monkeypatch.delenv("HEATEVAL_DATABASE_URL", raising=False)
    reset_settings()
    yield home
    reset_settings()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """URL of a SQLite file of this test's own."""
    return f"sqlite:///{tmp_path / 'test.db'}"


@contextmanager
def fresh_pg_database(request: pytest.FixtureRequest) -> Iterator[str]:
    """Create a PostgreSQL database for `request`'s test or module; drop it after.

    Skips (or fails under HEATEVAL_TEST_REQUIRE_PG=1) where no server responds.
    """
    reason = _pg_unavailable_reason()
    if reason is not None:
        if TEST_ENV.require_pg:
            pytest.fail(f"{reason}; HEATEVAL_TEST_REQUIRE_PG=1 forbids skipping")
        _pg_skipped.append(request.node.nodeid)
        pytest.skip(reason)

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"heateval_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(TEST_ENV.pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(TEST_ENV.pg_url).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        from storage.db import dispose_engines

        dispose_engines()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """URL of a PostgreSQL database created for this test and dropped after it."""
    with fresh_pg_database(request) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """A fresh database URL on each backend in turn."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_url")


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Say plainly which PostgreSQL tests did not run."""
    if _pg_skipped:
        terminalreporter.write_sep("=", "PostgreSQL tests skipped", yellow=True)
        terminalreporter.write_line(_pg_state.get("reason") or "")
        terminalreporter.write_line(
            f"{len(_pg_skipped)} tests did not run; start PostgreSQL on 127.0.0.1:5432 "
            "or set HEATEVAL_TEST_PG_URL to run them:"
        )
        for nodeid in _pg_skipped:
            terminalreporter.write_line(f"  {nodeid}")
