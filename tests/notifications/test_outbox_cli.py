"""`heateval outbox`: the listing with status and reason, and `retry`."""

from __future__ import annotations

import json
import os
import re
import select
import smtplib
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from notice_support import COUNTY, REPO_ROOT, SEASON
from sqlalchemy import update
from typer.testing import CliRunner

from heateval.commands import outbox_cmd
from heateval.settings import reset_settings
from notifications.capture import CaptureServer
from notifications.outbox import queue_notice
from storage.models import Enterprise


@pytest.fixture
def cli(db, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("HEATEVAL_DATABASE_URL", db.url)
    monkeypatch.setenv("HEATEVAL_SMTP_SECURITY", "plain")
    reset_settings()
    app = typer.Typer()
    outbox_cmd.register(app)
    runner = CliRunner()

    def run(*arguments: str):
        return runner.invoke(app, ["outbox", *arguments])

    yield run
    from storage.db import dispose_engines

    dispose_engines()
    reset_settings()


def queue_two(db) -> None:
    with db.factory() as session, session.begin():
        session.execute(
            update(Enterprise)
            .where(Enterprise.id == db.refused_id)
            .values(contact_email="broken address")
        )
    with db.factory() as session, session.begin():
        for enterprise_id in (db.plain_id, db.refused_id):
            queue_notice(
                session,
                kind="intake_opened",
                season=SEASON,
                county=COUNTY,
                enterprise_id=enterprise_id,
                context={"deadline": "2026-05-16"},
            )


def test_listing_json_before_sending(db, cli):
    queue_two(db)
    result = cli("--json")

    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert [(row["status"], row["recipient"]) for row in rows] == [
        ("queued", "li@heat.example.cn"),
        ("queued", "broken address"),
    ]


def test_retry_sends_and_records_why(db, cli, tmp_path: Path, monkeypatch):
    queue_two(db)
    with CaptureServer(tmp_path / "mail") as server:
        monkeypatch.setenv("HEATEVAL_SMTP_PORT", str(server.port))
        reset_settings()
        result = cli("retry")

    assert result.exit_code == 0
    assert "sent 1, deferred 0, failed 1 over 1 connection(s)" in result.stdout
    listing = cli("--status", "failed")
    assert "why: address 'broken address' contains a space" in listing.stdout
    rows = json.loads(cli("--json", "--season", SEASON).stdout)
    assert [row["status"] for row in rows] == ["sent", "failed"]


def test_retry_unreachable_server_exits_1(db, cli, monkeypatch):
    queue_two(db)
    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("HEATEVAL_SMTP_PORT", str(port))
    reset_settings()
    result = cli("retry")

    assert result.exit_code == 1
    assert f"connecting to SMTP server 127.0.0.1:{port} failed" in result.stderr


def test_retry_rejected_settings_exit_2(db, cli, monkeypatch):
    monkeypatch.setenv("HEATEVAL_SMTP_HOST", "smtp.example.cn")
    reset_settings()
    result = cli("retry")

    assert result.exit_code == 2
    assert "mail settings rejected" in result.stderr


def test_unknown_status_rejected(cli):
    result = cli("--status", "lost")

    assert result.exit_code == 2
    assert "status 'lost' is not one of queued, sent, failed" in result.output


def test_capture_command_stores_and_stops(tmp_path: Path):
    folder = tmp_path / "mail"
    script = (
        "import typer\n"
        "from heateval.commands import outbox_cmd\n"
        "app = typer.Typer()\n"
        "outbox_cmd.register(app)\n"
        f"app(['outbox', 'capture', '--port', '0', '--folder', {str(folder)!r}])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        ready, _, _ = select.select([process.stdout], [], [], 30)
        line = process.stdout.readline() if ready else ""
        port = int(re.search(r"127\.0\.0\.1:(\d+)", line).group(1))
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            client.sendmail(
                "a@example.cn",
                ["b@example.cn"],
                b"Message-ID: <m1@example.cn>\r\n\r\nx\r\n",
            )
    finally:
        process.terminate()
        exit_code = process.wait(timeout=10)

    assert exit_code == 0
    assert [p.name for p in folder.iterdir()] == ["1-m1@example.cn.eml"]


def test_unknown_season_rejected(cli):
    result = cli("--season", "2030-2031")

    assert result.exit_code == 2
    assert "no season data for '2030-2031'" in result.output
