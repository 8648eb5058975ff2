"""The notice kinds: when each is sent, to which audiences, with which context.

`docs/notifications.md` shows the same catalogue as one table; a test checks
that both list the same kinds.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Audience(StrEnum):
    """A group of recipients that `recipients.resolve_audience` looks up."""

    ENTERPRISE = "enterprise"  # Enterprise.contact_email
    COUNTY_BUREAU = "county_bureau"  # County.bureau_email
    COMMITTEE = "committee"  # Person(role="committee", county_code=county)
    CITY_BUREAU = "city_bureau"  # settings.city_bureau_email and city reviewers
    OTHER_DEPARTMENTS = "other_departments"  # settings.other_departments
    OPERATORS = "operators"  # settings.operator_emails and Person(role="operator")
    OBJECTOR = "objector"  # Objection.contact, when it is an e-mail address


class Scope(StrEnum):
    """What one notice is about, which decides the identifiers it needs."""

    ENTERPRISE = "enterprise"  # one enterprise in one county
    COUNTY = "county"  # one county's cycle
    SEASON = "season"  # the whole city for one season (county is optional)


# Audiences that may resolve to no address without a recipient_missing notice,
# because an objector who gave a postal address or phone gets a written reply.
OPTIONAL_AUDIENCES = frozenset({Audience.OBJECTOR})

# Context keys every kind accepts; absent ones are stored as None.
COMMON_OPTIONAL = ("links", "attachments")


@dataclass(frozen=True)
class NoticeKind:
    """One kind of notice and its contract with the caller of `queue_notice`.

    `required` keys must be present in the caller's context, `optional` keys
    may be left out. `repeatable` kinds happen more than once for the same
    season, county and enterprise, so the caller must give an `event_key`.
    """

    name: str
    trigger: str
    scope: Scope
    audiences: tuple[Audience, ...]
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    repeatable: bool = False

    @property
    def template(self) -> str:
        """Base name of the templates: `<name>.subject.j2`, `.txt.j2`, `.html.j2`."""
        return self.name


E, C, S = Scope.ENTERPRISE, Scope.COUNTY, Scope.SEASON
A = Audience

_KINDS = (
    NoticeKind(
        "intake_opened",
        "intake opens for the season",
        E,
        (A.ENTERPRISE,),
        required=("deadline",),
        optional=("template_link",),
    ),
    NoticeKind(
        "intake_reminder",
        "a reminder day before the intake deadline, enterprise has not submitted",
        E,
        (A.ENTERPRISE,),
        required=("deadline", "days_left"),
        optional=("template_link",),
        repeatable=True,
    ),
    NoticeKind(
        "submission_received",
        "a package version is received and kept",
        E,
        (A.ENTERPRISE,),
        required=("version", "package_name", "received_at", "late"),
        repeatable=True,
    ),
    NoticeKind(
        "defects_found",
        "evidence checks find defects in a package version",
        E,
        (A.ENTERPRISE,),
        required=("version", "defects", "resubmit_by"),
        repeatable=True,
    ),
    NoticeKind(
        "draft_result",
        "the committee's draft score is publicised (first round)",
        E,
        (A.ENTERPRISE,),
        required=(
            "base",
            "bonus",
            "deduction",
            "total",
            "grade",
            "window_opens",
            "window_closes",
        ),
        optional=("score_sheet_link",),
    ),
    NoticeKind(
        "publicity_opened",
        "a publicity window opens for a county's results",
        C,
        (A.COUNTY_BUREAU, A.COMMITTEE, A.CITY_BUREAU),
        required=("round", "window_opens", "window_closes", "enterprise_count"),
        optional=("notice_link",),
        repeatable=True,
    ),
    NoticeKind(
        "objection_received",
        "a written objection or an appeal is filed",
        E,
        (A.ENTERPRISE, A.COMMITTEE),
        required=(
            "objection_kind",
            "reference",
            "filed_on",
            "filed_by",
            "grounds",
            "reply_due",
        ),
        repeatable=True,
    ),
    NoticeKind(
        "objection_verdict",
        "the committee decides an objection",
        E,
        (A.ENTERPRISE, A.COMMITTEE, A.OBJECTOR),
        required=("reference", "verdict", "reason", "decided_on"),
        optional=("new_total", "new_grade"),
        repeatable=True,
    ),
    NoticeKind(
        "republicity_opened",
        "a changed result is publicised again",
        E,
        (A.ENTERPRISE, A.COUNTY_BUREAU),
        required=(
            "round",
            "cause",
            "previous_total",
            "previous_grade",
            "total",
            "grade",
            "window_opens",
            "window_closes",
        ),
        optional=("notice_link",),
        repeatable=True,
    ),
    NoticeKind(
        "appeal_reply",
        "the committee replies to an enterprise's appeal",
        E,
        (A.ENTERPRISE, A.COMMITTEE),
        required=("reference", "verdict", "reason", "decided_on"),
        optional=("new_total", "new_grade"),
        repeatable=True,
    ),
    NoticeKind(
        "county_report_due",
        "a reminder day before the county's report to the city is due",
        C,
        (A.COUNTY_BUREAU,),
        required=("report_due", "days_left"),
        repeatable=True,
    ),
    NoticeKind(
        "county_report_overdue",
        "the county's report to the city is past due",
        C,
        (A.COUNTY_BUREAU, A.CITY_BUREAU),
        required=("report_due", "days_overdue"),
        repeatable=True,
    ),
    NoticeKind(
        "county_reported",
        "a county sends its results and work summary to the city",
        C,
        (A.CITY_BUREAU, A.COUNTY_BUREAU),
        required=("attempt", "submitted_on", "summary"),
        optional=("report_due", "report_link"),
        repeatable=True,
    ),
    NoticeKind(
        "county_returned",
        "the city returns a county's results for another look",
        C,
        (A.COUNTY_BUREAU, A.COMMITTEE),
        required=("attempt", "reasons", "returned_enterprises"),
        optional=("resubmit_by",),
        repeatable=True,
    ),
    NoticeKind(
        "final_result",
        "the final result is published and written to the credit archive",
        E,
        (A.ENTERPRISE,),
        required=("total", "grade", "published_on", "follow_ups"),
        optional=("rectification_deadline", "archive_link"),
    ),
    NoticeKind(
        "results_reported",
        "the season's final results are reported to other departments",
        S,
        (A.OTHER_DEPARTMENTS, A.CITY_BUREAU),
        required=("published_on", "grade_counts", "counties"),
        optional=("result_link",),
    ),
    NoticeKind(
        "rectification_order",
        "a C or D enterprise is ordered to rectify by a deadline",
        E,
        (A.ENTERPRISE, A.COUNTY_BUREAU),
        required=("grade", "issued_on", "deadline"),
        optional=("requirements",),
    ),
    NoticeKind(
        "rectification_reminder",
        "a reminder day before the rectification deadline",
        E,
        (A.ENTERPRISE,),
        required=("deadline", "days_left"),
        repeatable=True,
    ),
    NoticeKind(
        "rectification_check_due",
        "a rectification deadline has passed and no check result is recorded",
        E,
        (A.COUNTY_BUREAU, A.COMMITTEE),
        required=("deadline", "days_overdue"),
        repeatable=True,
    ),
    NoticeKind(
        "rectification_outcome",
        "the bureau records whether the rectification passed",
        E,
        (A.ENTERPRISE, A.COUNTY_BUREAU, A.CITY_BUREAU),
        required=("outcome", "checked_on", "note"),
        optional=("measures",),
    ),
    NoticeKind(
        "run_failed",
        "a stage run fails or leaves enterprises unprocessed",
        S,
        (A.OPERATORS,),
        required=("stage", "run_name", "error", "occurred_at"),
        optional=("run_link",),
        repeatable=True,
    ),
    NoticeKind(
        "recipient_missing",
        "a notice's audience has no usable address in the database",
        S,
        (A.OPERATORS,),
        required=("notice_kind", "audience", "what", "fix"),
        repeatable=True,
    ),
)

CATALOG: dict[str, NoticeKind] = {kind.name: kind for kind in _KINDS}


def get_kind(name: str) -> NoticeKind:
    """Return the catalogue entry `name`, or raise ValueError listing the kinds."""
    try:
        return CATALOG[name]
    except KeyError:
        known = ", ".join(sorted(CATALOG))
        raise ValueError(
            f"unknown notice kind {name!r}; known kinds: {known}"
        ) from None
