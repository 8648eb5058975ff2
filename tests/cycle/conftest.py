"""Fixtures of the cycle tests: the synthetic season and a capture SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cycle.support import (
    FOUR,
    THREE,
    SyntheticSeason,
    build_season,
    create_database,
)


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, ...], Path]:
    """Migrated databases with the season and its cast, copied by each test."""
    folder = tmp_path_factory.mktemp("cycle-templates")
    built = {}
    for keys in (THREE, FOUR):
        path = folder / f"{''.join(keys)}.db"
        create_database(path, keys)
        built[keys] = path
    return built


@pytest.fixture
def mail_server(tmp_path: Path) -> Iterator[object]:
    """A capture SMTP server on 127.0.0.1 for this test."""
    from notifications.capture import CaptureServer

    server = CaptureServer(tmp_path / "mail")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _season(
    keys: tuple[str, ...],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    templates: dict[tuple[str, ...], Path],
    mail_server: object,
) -> Iterator[SyntheticSeason]:
    from storage.db import dispose_engines
    from storage.ledger import verify

    built = build_season(
        tmp_path,
        monkeypatch,
        template=templates[keys],
        keys=keys,
        smtp_port=mail_server.port,
    )
    built.mail = mail_server
    yield built
    # Whatever the test did, the audit ledger must still match every record.
    with built.session() as session:
        report = verify(session)
    dispose_engines()
    assert report.intact, (report.chain_problem, report.record_problems)


@pytest.fixture
def season(tmp_path, monkeypatch, templates, mail_server) -> Iterator[SyntheticSeason]:
    """The season with enterprises A (grade A), C and D, nothing delivered yet."""
    yield from _season(THREE, tmp_path, monkeypatch, templates, mail_server)


@pytest.fixture
def four_grades(
    tmp_path, monkeypatch, templates, mail_server
) -> Iterator[SyntheticSeason]:
    """The season with one enterprise of each grade A, B, C and D."""
    yield from _season(FOUR, tmp_path, monkeypatch, templates, mail_server)
