"""Rendering the publicity notices and final announcements as the cycle reaches them.

The documents' hashes are recorded as publications, each with its ledger entry
(`publication.notices.record_publication`).
PDFs are left to `heateval publish`, which renders everything again from the
database with the same hashes for the same data.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cycle.notify import notify
from cycle.stages import Stage
from heateval.settings import get_settings
from publication.query import final_url, public_link
from storage.models import (
    County,
    CreditRecord,
    Cycle,
    Enterprise,
    Season,
)


def render_publicity(session: Session, season: Season, county: str, round_: int) -> str:
    """Render publicity round `round_` of a county and record its hash."""
    from publication.notices import render_publicity_notice

    document = render_publicity_notice(session, season.label, county, round_, pdf=False)
    return document.content_hash


def render_final(session: Session, season: Season, cycle: Cycle, today: date) -> dict:
    """Render the county's final announcement and record its hash."""
    from publication.notices import render_final_announcement

    document = render_final_announcement(
        session, season.label, cycle.county_code, pdf=False
    )
    return {"county": cycle.county_code, "content_hash": document.content_hash}


def publish_city(session: Session, season: Season, today: date) -> dict:
    """Once every county is published: the city-wide announcement and the report
    to other departments."""
    from publication.notices import render_final_announcement

    stages = set(
        session.scalars(select(Cycle.stage).where(Cycle.season_id == season.id))
    )
    if not stages <= {Stage.FOLLOW_UP, Stage.CLOSED}:
        return {"published": False}
    document = render_final_announcement(session, season.label, None, pdf=False)
    grades: dict[str, int] = {}
    for grade in session.scalars(
        select(CreditRecord.grade).where(CreditRecord.season_id == season.id)
    ):
        grades[grade] = grades.get(grade, 0) + 1
    counties = [
        {"name": name, "enterprises": count}
        for name, count in session.execute(
            select(County.name, func.count(CreditRecord.id))
            .join(Enterprise, Enterprise.county_code == County.code)
            .join(CreditRecord, CreditRecord.enterprise_id == Enterprise.id)
            .where(CreditRecord.season_id == season.id)
            .group_by(County.code, County.name)
            .order_by(County.code)
        )
    ]
    notify(
        session,
        "results_reported",
        season=season.label,
        county=None,
        context={
            "published_on": today,
            "grade_counts": {g: grades.get(g, 0) for g in "ABCD"},
            "counties": counties,
            "result_link": public_link(
                final_url(season.label, None), get_settings().public_site_url
            ),
        },
    )
    return {"published": True, "content_hash": document.content_hash}
