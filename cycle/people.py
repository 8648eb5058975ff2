"""Authorisation of decisions: registered people, checked per county and role."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from cycle.errors import NotAuthorisedError
from storage.models import DecisionAttempt, Person

logger = logging.getLogger(__name__)


def authorise(
    session: Session, *, actor: str, role: str, county: str | None, action: str
) -> Person:
    """Return the registered person `actor` for `role` in `county`, or raise.

    A committee member acts for one county; a city reviewer for every county.
    The accepted attempt is recorded in the caller's transaction; a rejected one
    must be recorded by the caller after its rollback (`record_rejection`).
    """
    wanted_county = county if role == "committee" else None
    person = session.scalar(
        select(Person).where(
            Person.name == actor.strip(),
            Person.role == role,
            Person.county_code.is_(None)
            if wanted_county is None
            else Person.county_code == wanted_county,
            Person.active.is_(True),
        )
    )
    if person is None:
        where = f"county {county}" if role == "committee" else "the city"
        raise NotAuthorisedError(
            f"{actor!r} is not registered as {role} for {where}, so may not {action}; "
            "ask the bureau to register them with `heateval people add`"
        )
    session.add(
        DecisionAttempt(
            action=action[:255],
            actor_name=person.name,
            county_code=county,
            accepted=True,
            detail=f"{role} {person.name}",
        )
    )
    return person


def record_rejection(
    session: Session, *, actor: str, county: str | None, action: str, reason: str
) -> None:
    """Keep a rejected attempt on file, in a transaction of its own.

    The reason can quote anything typed; it is kept to its first 2,000 characters.
    """
    reason = reason if len(reason) <= 2000 else reason[:1999] + "…"
    logger.warning("rejected %s by %r for county %s: %s", action, actor, county, reason)
    session.add(
        DecisionAttempt(
            action=action[:255],
            actor_name=actor[:64],
            # The county as typed may be any text; the reason names it in full.
            county_code=county[:6] if county else None,
            accepted=False,
            detail=reason,
        )
    )
