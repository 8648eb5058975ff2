"""heateval on a real Prefect server: deploy prefect.yaml, run a stage on a worker.

The module starts one Prefect server, backed by a PostgreSQL database of its own
and protected by Prefect's basic auth. It runs `prefect --no-prompt deploy --all`
and starts a process worker on the `heateval` pool from the repository root. Stage
runs are created with `prefect deployment run`, as an admin would, and work on a
heateval database of the module's own. The module took 80-100 s on a 2-core
machine, most of it server start-up and the start of each flow run's process.
"""

from __future__ import annotations

import re
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.conftest import TEST_ENV, _pg_unavailable_reason
from tests.integration.prefect_stack import (
    HEATEVAL,
    PREFECT,
    REPO_ROOT,
    Background,
    PgDatabases,
    PrefectStack,
    clean_environment,
    free_port,
)

pytestmark = [pytest.mark.slow, pytest.mark.prefect, pytest.mark.postgres]

SEASON = "2025-2026"
# Every county's heating season ends on 15 April 2026 except 150421 阿鲁科尔沁旗,
# extended to 20 April (rules/seasons): on 16 April intake opens in the other 11.
DAY = "2026-04-16"
EXTENDED_COUNTY = "150421"
UUID_LINE = re.compile(r"UUID: ([0-9a-f-]{36})")


def _declared_deployments() -> list[dict]:
    with (REPO_ROOT / "prefect.yaml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)["deployments"]


@pytest.fixture(scope="module")
def databases() -> Iterator[PgDatabases]:
    """The test suite's PostgreSQL server, which drops the databases made here."""
    reason = _pg_unavailable_reason()
    if reason is not None:
        if TEST_ENV.require_pg:
            pytest.fail(f"{reason}; HEATEVAL_TEST_REQUIRE_PG=1 forbids skipping")
        pytest.skip(reason)
    pg = PgDatabases(TEST_ENV.pg_url)
    try:
        yield pg
    finally:
        pg.drop_all()


@pytest.fixture(scope="module")
def heateval_db(
    databases: PgDatabases, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """A heateval database migrated by `heateval db upgrade`, with season 2025-2026.

    Yields its URL and the HEATEVAL_HOME the worker uses.
    """
    from sqlalchemy.orm import Session

    from cycle.scoring import rulebook
    from cycle.setup import ensure_season
    from storage.db import make_engine

    url = databases.url(databases.create("heateval_itest"), "postgresql+psycopg")
    home = tmp_path_factory.mktemp("heateval-home")
    env = clean_environment(HEATEVAL_DATABASE_URL=url, HEATEVAL_HOME=str(home))
    done = subprocess.run(
        [HEATEVAL, "db", "upgrade"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, f"heateval db upgrade:\n{done.stdout}\n{done.stderr}"
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        ensure_season(session, SEASON, rulebook().version)
    engine.dispose()
    yield url, home


@pytest.fixture(scope="module")
def stack(
    databases: PgDatabases,
    heateval_db: tuple[str, Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[PrefectStack]:
    """Start the server, create the pool, deploy and start a worker; stop both after."""
    root = tmp_path_factory.mktemp("prefect")
    port = free_port()
    auth_string = f"heateval-ops:{secrets.token_urlsafe(16)}"
    server_db = databases.url(databases.create("prefect_itest"), "postgresql+asyncpg")
    server = Background(
        "prefect server",
        # No scheduler: the daily deployment's 06:00 runs must not reach the worker.
        [
            PREFECT,
            "server",
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-scheduler",
            "--no-ui",
            "--analytics-off",
        ],
        clean_environment(
            PREFECT_HOME=str(root / "server-home"),
            PREFECT_SERVER_DATABASE_CONNECTION_URL=server_db,
            PREFECT_SERVER_API_AUTH_STRING=auth_string,
        ),
        root / "server.log",
    )
    client_env = clean_environment(
        PREFECT_HOME=str(root / "client-home"),
        PREFECT_API_URL=f"http://127.0.0.1:{port}/api",
        PREFECT_API_AUTH_STRING=auth_string,
    )
    started = PrefectStack(
        api_url=f"http://127.0.0.1:{port}/api",
        auth_string=auth_string,
        client_env=client_env,
        server=server,
    )
    database_url, heateval_home = heateval_db
    worker = Background(
        "prefect worker",
        [PREFECT, "worker", "start", "--pool", "heateval"],
        client_env
        | {
            "HEATEVAL_DATABASE_URL": database_url,
            "HEATEVAL_HOME": str(heateval_home),
            "PREFECT_WORKER_QUERY_SECONDS": "1",
        },
        root / "worker.log",
    )
    try:
        server.start()
        started.wait_healthy()
        started.cli("work-pool", "create", "heateval", "--type", "process")
        started.deploy_output = started.cli("--no-prompt", "deploy", "--all").stdout
        started.worker = worker
        worker.start()
        yield started
    finally:
        worker.stop()
        server.stop()


def _deployments(stack: PrefectStack) -> dict[str, dict]:
    """Every deployment on the server by "<flow name>/<deployment name>"."""
    with stack.http() as client:
        flows = client.post("/flows/filter", json={}).raise_for_status().json()
        names = {flow["id"]: flow["name"] for flow in flows}
        found = client.post("/deployments/filter", json={}).raise_for_status().json()
    return {f"{names[d['flow_id']]}/{d['name']}": d for d in found}


def _run_stage(stack: PrefectStack, *params: str) -> dict:
    """Run `prefect deployment run open-intake/open-intake`; return the final run."""
    args = ["deployment", "run", "open-intake/open-intake"]
    for param in params:
        args += ["--param", param]
    output = stack.cli(*args).stdout
    match = UUID_LINE.search(output)
    assert match is not None, f"no flow run id in:\n{output}"
    return stack.wait_final(match.group(1))


def _stages(database_url: str) -> dict[str, str]:
    """Each county's cycle stage in season 2025-2026."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from storage.db import make_engine
    from storage.models import Cycle, Season

    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            rows = session.execute(
                select(Cycle.county_code, Cycle.stage)
                .join(Season, Season.id == Cycle.season_id)
                .where(Season.label == SEASON)
            )
            return {county: str(stage) for county, stage in rows}
    finally:
        engine.dispose()


def test_deploy_creates_every_deployment(stack: PrefectStack) -> None:
    # Stage and decision flows have their deployment's name. The cycle's is "daily".
    expected = {
        "evaluation-cycle/daily" if d["name"] == "daily" else f"{d['name']}/{d['name']}"
        for d in _declared_deployments()
    }
    assert set(_deployments(stack)) == expected, stack.deploy_output


def test_prefect_yaml_declares_twenty_deployments() -> None:
    # 1 daily cycle + 12 stages + 7 decisions, as listed in docs/operations.md.
    assert len(_declared_deployments()) == 20


def test_deployments_keep_yaml_entrypoints(stack: PrefectStack) -> None:
    declared = {d["name"]: d["entrypoint"] for d in _declared_deployments()}
    deployed = {d["name"]: d["entrypoint"] for d in _deployments(stack).values()}
    assert deployed == declared


def test_deploy_records_repository_root(stack: PrefectStack) -> None:
    # prefect.yaml has no pull section, so `prefect deploy` adds one for its folder.
    expected = [
        {
            "prefect.deployments.steps.set_working_directory": {
                "directory": str(REPO_ROOT)
            }
        }
    ]
    pulls = {name: d["pull_steps"] for name, d in _deployments(stack).items()}
    assert pulls == dict.fromkeys(pulls, expected)


def test_daily_cycle_cron(stack: PrefectStack) -> None:
    schedules = _deployments(stack)["evaluation-cycle/daily"]["schedules"]
    assert [s["schedule"]["cron"] for s in schedules] == ["0 6 * * *"]


def test_daily_cycle_timezone(stack: PrefectStack) -> None:
    schedules = _deployments(stack)["evaluation-cycle/daily"]["schedules"]
    assert [s["schedule"]["timezone"] for s in schedules] == ["Asia/Shanghai"]


def test_only_daily_cycle_is_scheduled(stack: PrefectStack) -> None:
    scheduled = [name for name, d in _deployments(stack).items() if d["schedules"]]
    assert scheduled == ["evaluation-cycle/daily"]


def test_worker_runs_open_intake(
    stack: PrefectStack, heateval_db: tuple[str, Path]
) -> None:
    database_url, _ = heateval_db
    # An admin's re-run of one county. The code is quoted so that it stays a string.
    one = _run_stage(stack, f"season={SEASON}", 'county="150403"', f"today={DAY}")
    assert one["state_type"] == "COMPLETED", stack.diagnostics(one["id"])
    assert one["name"] == f"open-intake {SEASON} 150403 {DAY}"
    after_one = _stages(database_url)
    assert [c for c, stage in after_one.items() if stage == "intake"] == ["150403"]

    every = _run_stage(stack, f"season={SEASON}", f"today={DAY}")
    assert every["state_type"] == "COMPLETED", stack.diagnostics(every["id"])
    assert every["name"] == f"open-intake {SEASON} all counties {DAY}"
    after_all = _stages(database_url)
    assert after_all == {
        county: "not_opened" if county == EXTENDED_COUNTY else "intake"
        for county in (
            "150402",
            "150403",
            "150404",
            "150421",
            "150422",
            "150423",
            "150424",
            "150425",
            "150426",
            "150428",
            "150429",
            "150430",
        )
    }


def test_unquoted_county_code_rejected(stack: PrefectStack) -> None:
    # `--param` reads values as JSON, so county=150402 is the number 150402, which
    # the deployment's parameter schema (a string) rejects.
    done = stack.cli(
        "deployment",
        "run",
        "open-intake/open-intake",
        "--param",
        f"season={SEASON}",
        "--param",
        "county=150402",
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Validation failed for field 'county'" in done.stdout + done.stderr


def test_api_rejects_missing_auth_string(stack: PrefectStack) -> None:
    with stack.http(auth=False) as client:
        assert client.post("/deployments/count", json={}).status_code == 401


def test_api_rejects_wrong_auth_string(stack: PrefectStack) -> None:
    with stack.http(auth=False) as client:
        response = client.post(
            "/deployments/count", json={}, auth=("heateval-ops", "wrong")
        )
    assert response.status_code == 401


def test_api_accepts_auth_string(stack: PrefectStack) -> None:
    with stack.http() as client:
        assert client.post("/deployments/count", json={}).json() == 20


def test_health_check_skips_auth(stack: PrefectStack) -> None:
    # Load balancers and `wait_healthy` probe /api/health without credentials.
    with stack.http(auth=False) as client:
        assert client.get("/health").status_code == 200
