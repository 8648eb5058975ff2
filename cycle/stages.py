"""The stages of a county's cycle and the order they come in."""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    """Where a county's cycle stands; stored in `cycles.stage`."""

    NOT_OPENED = "not_opened"  # the heating season has not ended yet
    INTAKE = "intake"  # enterprises submit packages
    CHECKING = "checking"  # evidence checks of every enterprise's latest package
    SCORING = "scoring"  # score sheets are computed
    SCORED = "scored"  # results ready, publicity not yet open
    PUBLICITY = "publicity"  # a publicity window is open
    OBJECTIONS = "objections"  # window closed, objections or appeals undecided
    RESCORED = "rescored"  # changed results wait for a new publicity window
    REPORTING = "reporting"  # results go to the city
    CITY_REVIEW = "city_review"  # the city reviews the county's report
    RETURNED = "returned"  # the city sent enterprises back for re-scoring
    CONFIRMED = "confirmed"  # the city confirmed; final publication is due
    FOLLOW_UP = "follow_up"  # published; rectification orders are running
    CLOSED = "closed"  # every follow-up is finished


# Stages whose results count as reported to the city (for the 15 June watch).
REPORTED_STAGES = frozenset(
    {Stage.CITY_REVIEW, Stage.CONFIRMED, Stage.FOLLOW_UP, Stage.CLOSED}
)


class StageFlow(StrEnum):
    """The stage flows, one per step of the procedure; each is a deployment too."""

    OPEN_INTAKE = "open-intake"
    INTAKE_SWEEP = "intake-sweep"
    EVIDENCE_CHECKS = "evidence-checks"
    SCORING = "scoring"
    OPEN_PUBLICITY = "open-publicity"
    CLOSE_PUBLICITY = "close-publicity"
    OBJECTIONS = "objections"
    REPUBLICITY = "republicity"
    ESCALATION = "escalation"
    CITY_REVIEW = "city-review"
    FINAL_PUBLICATION = "final-publication"
    RECTIFICATION = "rectification-follow-up"
