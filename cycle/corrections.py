"""Committee corrections of verified figures, alone or as part of a verdict.

The committee corrects the figure that a computed sub-item comes from (a
complaint count, the satisfaction rate), never the sub-item itself. The next
scoring reads the correction. An upheld objection about such a sub-item carries
its corrections.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy.orm import Session

from cycle.errors import CycleError
from cycle.text import clean_text
from rules.figures import Figures
from storage import ledger
from storage.models import Correction, Enterprise, Person, Season


@dataclass(frozen=True)
class FigureChange:
    """A corrected figure, as stored: the field and its value as the engine reads it."""

    field: str
    value: str


def figure_change(field: str, value: str, option: str = "--value") -> FigureChange:
    """Read a corrected figure as a package's cell is read.

    So `95%` is a share of 0.95, and 是 or yes is true. The value is checked the
    way the engine will read it; a problem is named with `option`.
    """
    from intake.cells import CellError, read_cell
    from intake.schema import figure_kind

    field = field.strip()
    if field not in Figures.model_fields or field == "enterprise_type":
        raise CycleError(f"{field!r} is not a figure that can be corrected")
    try:
        parsed = read_cell(value, figure_kind(field))
    except CellError as error:
        raise CycleError(
            f"{option} {value!r} cannot be read for {field}: {error.message}"
        ) from None
    if parsed is None:
        raise CycleError(f"{option} is blank; give the corrected {field}")
    text = str(parsed).lower() if isinstance(parsed, bool) else str(parsed)
    probe = {"enterprise_type": "heating", "households_served": 1, field: text}
    try:
        Figures.model_validate(probe)
    except ValidationError as error:
        reasons = "; ".join(e["msg"] for e in error.errors())
        raise CycleError(
            f"{option} {value!r} is invalid for {field}: {reasons}"
        ) from None
    return FigureChange(field, text)


def parse_corrections(pairs: list[str]) -> list[FigureChange]:
    """Read `satisfaction_rate=95%` pairs, as typed in a command or a run form."""
    changes = []
    for pair in pairs:
        field, sep, value = pair.partition("=")
        if not sep:
            raise CycleError(
                f"{pair!r} is not FIELD=VALUE, e.g. satisfaction_rate=0.95"
            )
        changes.append(figure_change(field, value, option=f"--correct {field}"))
    seen = [change.field for change in changes]
    repeated = sorted({field for field in seen if seen.count(field) > 1})
    if repeated:
        raise CycleError(f"{', '.join(repeated)} corrected twice; give each once")
    return changes


def add_correction(
    session: Session,
    season: Season,
    enterprise: Enterprise,
    change: FigureChange,
    *,
    reason: str,
    person: Person,
) -> Correction:
    """Record a correction with its reason and ledger entry, in the caller's session."""
    row = Correction(
        enterprise_id=enterprise.id,
        season_id=season.id,
        field=change.field,
        value=change.value,
        reason=clean_text(reason, "the reason", 2000),
        member_id=person.id,
    )
    session.add(row)
    ledger.record(
        session,
        row,
        actor=f"committee:{person.name}",
        action="correction.created",
        detail=f"{enterprise.credit_code} {change.field}={change.value}",
    )
    return row
