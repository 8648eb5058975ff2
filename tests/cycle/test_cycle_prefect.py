"""The scoring stage as a real Prefect flow run, on Prefect's test API server.

The stages before scoring run in direct mode. Scoring then runs as a flow whose
steps are task runs, so the test reads back from the API the run and task names
that an operator sees.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cycle.stages import StageFlow
from tests.cycle.support import (
    COUNTY,
    INTAKE_CLOSED,
    INTAKE_OPENS,
    PACKAGES_ARRIVE,
    SEASON,
    run_stage,
)

pytestmark = [pytest.mark.prefect, pytest.mark.slow]


@pytest.fixture(scope="session")
def prefect_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Prefect's temporary API server for the session, which takes 15-20 s to start.

    PREFECT_HOME points at a temporary folder, so the user's Prefect home is
    left alone.
    """
    from prefect.settings import PREFECT_HOME, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    home = tmp_path_factory.mktemp("prefect-home")
    with (
        temporary_settings(updates={PREFECT_HOME: home}),
        prefect_test_harness(server_startup_timeout=120),
    ):
        yield


@pytest.fixture
def scored_on_prefect(prefect_api, season):
    """Run the scoring flow on Prefect for the county and return its final state."""
    from flows.stages import STAGE_FLOWS

    run_stage(StageFlow.OPEN_INTAKE, INTAKE_OPENS)
    for key in season.keys:
        season.deliver(key, PACKAGES_ARRIVE)
    run_stage(StageFlow.INTAKE_SWEEP, INTAKE_CLOSED)
    run_stage(StageFlow.EVIDENCE_CHECKS, INTAKE_CLOSED)

    return STAGE_FLOWS[StageFlow.SCORING](
        season=SEASON, county=COUNTY, today=INTAKE_CLOSED, return_state=True
    )


def _task_run_names(flow_run_id) -> list[str]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        )
    return sorted(run.name for run in runs)


def test_scoring_flow_completed(scored_on_prefect, season):
    assert scored_on_prefect.is_completed(), scored_on_prefect.message
    assert season.cycle_stage() == "scored"


def test_flow_run_named_by_stage(scored_on_prefect):
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        run = client.read_flow_run(scored_on_prefect.state_details.flow_run_id)

    assert run.name == "scoring 2025-2026 150402 2026-05-16"


def test_task_runs_named_by_enterprise(scored_on_prefect, season):
    names = _task_run_names(scored_on_prefect.state_details.flow_run_id)

    assert names == sorted(
        [f"score 2025-2026 150402 {code}" for code in season.codes.values()]
        + ["finish-scoring 2025-2026 150402"]
    )


def test_prefect_run_stores_one_version(scored_on_prefect, season):
    for key in season.keys:
        assert [s.version for s in season.sheets(key)] == [1]
