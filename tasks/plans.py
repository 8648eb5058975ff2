"""What a stage has to do for one county: the enterprises or objections to process."""

from __future__ import annotations

from cycle.checking import latest_accepted
from cycle.intake_stage import county_enterprises
from cycle.objections import pending_rescores
from cycle.reporting import latest_escalation
from cycle.setup import get_cycle, get_season
from cycle.stages import Stage
from storage.db import session_scope


def enterprises_to_check(season: str, county: str) -> list[str]:
    """Credit codes whose latest accepted package the checks stage has not verified."""
    with session_scope() as session:
        season_row = get_season(session, season)
        codes = []
        for enterprise in county_enterprises(session, county):
            latest = latest_accepted(session, season_row, enterprise)
            if latest is not None and latest.verified_at is None:
                codes.append(enterprise.credit_code)
        return codes


def enterprises_to_score(
    season: str, county: str, *, everyone: bool = False
) -> tuple[list[str], str]:
    """Credit codes to score and the reason: all of them, or those the city returned."""
    with session_scope() as session:
        season_row = get_season(session, season)
        cycle = get_cycle(session, season_row, county)
        codes = [e.credit_code for e in county_enterprises(session, county)]
        if everyone or cycle.stage != Stage.RETURNED:
            return codes, "initial"
        escalation = latest_escalation(session, cycle)
        returned = set(escalation.returned_enterprises if escalation else [])
        return [c for c in codes if c in returned], "returned"


def rescores_due(season: str, county: str) -> list[str]:
    """References of upheld objections and appeals still to re-score."""
    with session_scope() as session:
        season_row = get_season(session, season)
        return [o.reference for o in pending_rescores(session, season_row, county)]
