"""Fixtures of the publication tests: the small database, published sites, Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from publication.publish import PublishOptions, PublishReport, publish_all
from tests.publication.builders import Archive, build_archive


class BrowserTestEnvironment(BaseSettings):
    """Whether a missing Chromium fails the browser tests (CI) or skips them."""

    __test__ = False
    model_config = SettingsConfigDict(env_prefix="HEATEVAL_TEST_", extra="ignore")

    require_browser: bool = False
    ci: bool = Field(False, validation_alias="CI")


@pytest.fixture(scope="session")
def browser_required() -> bool:
    """True under CI or with HEATEVAL_TEST_REQUIRE_BROWSER=1."""
    environment = BrowserTestEnvironment()
    return environment.require_browser or environment.ci


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    """A fresh fixture database for one test."""
    built = build_archive(tmp_path / "archive.db")
    yield built
    built.sessions.kw["bind"].dispose()


@pytest.fixture(scope="session")
def shared_archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    """One fixture database for read-only tests of a session."""
    return build_archive(tmp_path_factory.mktemp("shared") / "archive.db")


@pytest.fixture(scope="session")
def published(
    shared_archive: Archive, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, PublishReport]:
    """The fixture database published once for the session (without recording)."""
    out = tmp_path_factory.mktemp("published")
    with shared_archive.session() as session:
        report = publish_all(
            session, "2025-2026", out, record=False, options=PublishOptions()
        )
    return out, report
