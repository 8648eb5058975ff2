"""Committee corrections of verified figures: values read as packages are read."""

from __future__ import annotations

import pytest

from cycle.errors import CycleError
from tests.cycle.support import CODES, COMMITTEE, SEASON, drive_to_scored


def _correct(field: str, value: str) -> dict:
    from cycle import actions

    return actions.correct_figure(
        season=SEASON,
        credit_code=CODES["A"],
        field=field,
        value=value,
        reason="现场核查",
        member=COMMITTEE[0],
    )


@pytest.mark.parametrize(
    ("field", "typed", "stored"),
    [
        ("satisfaction_rate", "95%", "0.95"),
        ("satisfaction_rate", "0.9", "0.9"),
        ("falsified_materials", "是", "true"),
        ("falsified_materials", "False", "false"),
    ],
)
def test_value_read_as_in_packages(season, field, typed, stored):
    drive_to_scored(season)

    assert _correct(field, typed)["value"] == stored


@pytest.mark.parametrize(
    ("field", "typed"),
    [("falsified_materials", "maybe"), ("satisfaction_rate", "120%")],
)
def test_unreadable_value_named_plainly(season, field, typed):
    drive_to_scored(season)

    with pytest.raises(CycleError) as raised:
        _correct(field, typed)

    message = str(raised.value)
    assert message.startswith(f"--value {typed!r}")
    assert field in message
    assert "pydantic" not in message
