"""All tables, imported here so `Base.metadata` knows every one of them."""

from storage.models.intake import (
    Evidence,
    Finding,
    StoredFile,
    Submission,
    SubmissionFile,
    VerifiedFigures,
)
from storage.models.ledger import LedgerEntry
from storage.models.outbox import Delivery, Notice
from storage.models.procedure import (
    Cycle,
    DecisionAttempt,
    Escalation,
    Objection,
    PublicityEntry,
    PublicityWindow,
)
from storage.models.publication import (
    CreditRecord,
    FollowUp,
    Publication,
    RectificationOrder,
)
from storage.models.reference import (
    County,
    CountySeason,
    Enterprise,
    Person,
    Season,
    SeasonOrder,
)
from storage.models.scoring import Adjustment, Correction, ScoreSheet

__all__ = [
    "Adjustment",
    "Correction",
    "County",
    "CountySeason",
    "CreditRecord",
    "Cycle",
    "DecisionAttempt",
    "Delivery",
    "Enterprise",
    "Escalation",
    "Evidence",
    "Finding",
    "FollowUp",
    "LedgerEntry",
    "Notice",
    "Objection",
    "Person",
    "Publication",
    "PublicityEntry",
    "PublicityWindow",
    "RectificationOrder",
    "ScoreSheet",
    "Season",
    "SeasonOrder",
    "StoredFile",
    "Submission",
    "SubmissionFile",
    "VerifiedFigures",
]
