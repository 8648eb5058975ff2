"""Fixtures for the notification tests: seeded databases, certificates, SMTP servers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from notice_support import (
    Certificates,
    SeededDb,
    SmtpServerProcess,
    make_certificates,
    seed,
    start_server_process,
)


@pytest.fixture
def db(sqlite_url: str) -> Iterator[SeededDb]:
    """A seeded SQLite database of this test's own."""
    seeded = seed(sqlite_url)
    yield seeded
    seeded.engine.dispose()


@pytest.fixture
def any_db(db_url: str) -> Iterator[SeededDb]:
    """A seeded database on SQLite and on PostgreSQL in turn."""
    seeded = seed(db_url)
    yield seeded
    seeded.engine.dispose()


@pytest.fixture(scope="session")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    """A CA and a server certificate for 127.0.0.1, made once per test session."""
    return make_certificates(tmp_path_factory.mktemp("certs"))


@pytest.fixture
def start_smtp_server(
    tmp_path: Path, certificates: Certificates
) -> Iterator[Callable[..., SmtpServerProcess]]:
    """Start SMTP server processes, with STARTTLS and AUTH unless switched off."""
    started: list[SmtpServerProcess] = []

    def start(*extra: str, tls: bool = True, auth: bool = True) -> SmtpServerProcess:
        folder = tmp_path / f"smtp-{len(started) + 1}"
        server = start_server_process(folder, certificates, extra, tls=tls, auth=auth)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
