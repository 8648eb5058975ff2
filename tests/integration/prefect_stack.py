"""A real Prefect server, a process worker and PostgreSQL databases for one test module.

Everything listens on 127.0.0.1. Each process is started in a process group of its
own and stopped through its handle, so the children of the server and the worker
stop with it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PREFECT = str(BIN / "prefect")
HEATEVAL = str(BIN / "heateval")
FINAL_STATES = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without PREFECT_* and HEATEVAL_*, plus `extra`."""
    kept = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PREFECT_", "HEATEVAL_"))
    }
    return kept | extra


def tail(path: Path, lines: int = 80) -> str:
    """The last `lines` lines of a log file, or a note that it is missing."""
    if not path.exists():
        return f"({path} does not exist)"
    text = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(text[-lines:])


@dataclass
class Background:
    """A long-running command started in its own process group, logging to a file."""

    name: str
    args: list[str]
    env: dict[str, str]
    log: Path
    cwd: Path = REPO_ROOT
    process: subprocess.Popen[bytes] | None = None
    _log_file: IO[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        """Start the command, writing its output to the log file."""
        self._log_file = self.log.open("wb")
        self.process = subprocess.Popen(
            self.args,
            cwd=self.cwd,
            env=self.env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def running(self) -> bool:
        """Whether the process is still alive."""
        return self.process is not None and self.process.poll() is None

    def stop(self, grace: float = 15.0) -> None:
        """Send SIGTERM to the process group, then SIGKILL after `grace` seconds."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self._signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
                self.process.wait(timeout=grace)
        # Children left behind in the group (a flow run of the worker) go too.
        self._signal(signal.SIGKILL)
        if self._log_file is not None:
            self._log_file.close()

    def _signal(self, signum: int) -> None:
        assert self.process is not None
        try:
            os.killpg(self.process.pid, signum)
        except ProcessLookupError:
            pass

    def report(self) -> str:
        """Exit status and the end of the log, for failure messages."""
        status = "running" if self.running() else f"exited {self.process.returncode}"
        return f"--- {self.name} ({status}), {self.log} ---\n{tail(self.log)}"


class PgDatabases:
    """Create PostgreSQL databases on the test server and drop them all at the end."""

    def __init__(self, admin_url: str) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        self.base = make_url(admin_url)
        self.admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        self.names: list[str] = []

    def create(self, prefix: str) -> str:
        """Create an empty database and return its name."""
        from sqlalchemy import text

        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        self.names.append(name)
        return name

    def url(self, name: str, driver: str) -> str:
        """The URL of database `name` with the SQLAlchemy driver `driver`."""
        return self.base.set(drivername=driver, database=name).render_as_string(
            hide_password=False
        )

    def drop_all(self) -> None:
        """Drop every database this object created, closing their connections."""
        from sqlalchemy import text

        with self.admin.connect() as connection:
            for name in self.names:
                drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
                connection.execute(text(drop))
        self.admin.dispose()


@dataclass
class PrefectStack:
    """The server, the worker and how to reach them."""

    api_url: str
    auth_string: str
    client_env: dict[str, str]
    server: Background
    worker: Background | None = None
    deploy_output: str = ""

    def http(self, auth: bool = True) -> httpx.Client:
        """An HTTP client of the API, with the basic-auth header unless auth=False."""
        if not auth:
            return httpx.Client(base_url=self.api_url, timeout=30)
        user, _, password = self.auth_string.partition(":")
        return httpx.Client(
            base_url=self.api_url, timeout=30, auth=httpx.BasicAuth(user, password)
        )

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run `prefect ARGS` from the repository root as a client of the server."""
        done = subprocess.run(
            [PREFECT, *args],
            cwd=REPO_ROOT,
            env=self.client_env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check and done.returncode != 0:
            raise AssertionError(
                f"`prefect {' '.join(args)}` exited {done.returncode}\n"
                f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}\n{self.diagnostics()}"
            )
        return done

    def wait_healthy(self, timeout: float = 120.0) -> None:
        """Wait until GET /api/health returns 200, or fail with the server log."""
        deadline = time.monotonic() + timeout
        with self.http(auth=False) as client:
            while time.monotonic() < deadline:
                if not self.server.running():
                    raise AssertionError(f"server exited early\n{self.server.report()}")
                try:
                    if client.get("/health").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.5)
        raise AssertionError(
            f"no healthy server after {timeout} s\n{self.server.report()}"
        )

    def wait_final(self, flow_run_id: str, timeout: float = 240.0) -> dict[str, Any]:
        """Poll a flow run until it reaches a final state, and return the run."""
        deadline = time.monotonic() + timeout
        with self.http() as client:
            while time.monotonic() < deadline:
                run = client.get(f"/flow_runs/{flow_run_id}").raise_for_status().json()
                if run["state_type"] in FINAL_STATES:
                    return run
                time.sleep(1)
        raise AssertionError(
            f"flow run {flow_run_id} not final after {timeout} s\n"
            f"{self.diagnostics(flow_run_id)}"
        )

    def flow_run_logs(self, flow_run_id: str) -> str:
        """The flow run's log lines as stored by the server."""
        with self.http() as client:
            response = client.post(
                "/logs/filter",
                json={
                    "logs": {"flow_run_id": {"any_": [flow_run_id]}},
                    "sort": "TIMESTAMP_ASC",
                    "limit": 200,
                },
            )
        if response.status_code != 200:
            return f"(logs not readable: HTTP {response.status_code})"
        return "\n".join(
            f"{entry['timestamp']} {entry['level']} {entry['message']}"
            for entry in response.json()
        )

    def diagnostics(self, flow_run_id: str | None = None) -> str:
        """Server and worker logs, and the flow run's own logs when given."""
        parts = [self.server.report()]
        if self.worker is not None:
            parts.append(self.worker.report())
        if flow_run_id is not None:
            try:
                parts.append(
                    f"--- flow run {flow_run_id} ---\n{self.flow_run_logs(flow_run_id)}"
                )
            except httpx.HTTPError as error:
                parts.append(f"(flow run logs not readable: {error})")
        return "\n".join(parts)
