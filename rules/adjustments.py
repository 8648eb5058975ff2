"""Committee adjustments: which judgement items they may set, and to what."""

from __future__ import annotations

from collections.abc import Sequence

from rules.figures import EnterpriseType
from rules.measure import ENTERPRISE_TYPE_NAMES
from rules.rulebook import Rulebook
from rules.sheet import Adjustment


class AdjustmentError(ValueError):
    """Adjustments that the rulebook does not allow; `problems` lists each one."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(
            "invalid committee adjustment(s):\n"
            + "\n".join(f"  - {problem}" for problem in self.problems)
        )


def _judgement_ids(rulebook: Rulebook, enterprise_type: EnterpriseType) -> str:
    ids = [
        item.id
        for category, item in rulebook.sub_items()
        if item.judgement and enterprise_type in category.applies_to
    ]
    ids += [
        item.id
        for item in rulebook.bonus
        if item.judgement and enterprise_type in item.applies_to
    ]
    return ", ".join(ids)


def check_adjustments(
    adjustments: Sequence[Adjustment],
    rulebook: Rulebook,
    enterprise_type: EnterpriseType,
) -> dict[str, Adjustment]:
    """Return adjustments by rule id, or raise AdjustmentError listing every problem.

    An adjustment may set a judgement-based sub-item or bonus item that applies to
    the enterprise type, to between 0 and the item's full points, once per item.
    """
    problems: list[str] = []
    chosen: dict[str, Adjustment] = {}
    type_name = f"{ENTERPRISE_TYPE_NAMES[enterprise_type]} ({enterprise_type})"
    for adjustment in adjustments:
        if not isinstance(adjustment, Adjustment):
            kind = type(adjustment).__name__
            raise TypeError(f"adjustments must be rules.sheet.Adjustment, not {kind}")
        rule_id = adjustment.sub_item
        subject = f"adjustment of {rule_id} by {adjustment.member}"
        found = rulebook.find_sub_item(rule_id)
        bonus = rulebook.find_bonus(rule_id)
        if found is not None:
            category, item = found
            full, judgement = item.points, item.judgement
            applies = enterprise_type in category.applies_to
        elif bonus is not None:
            full, judgement = bonus.points, bonus.judgement
            applies = enterprise_type in bonus.applies_to
        else:
            allowed = _judgement_ids(rulebook, enterprise_type)
            problems.append(
                f"{subject}: {rule_id!r} is not a sub-item of rulebook "
                f"{rulebook.version[:12]}; judgement items are {allowed}"
            )
            continue
        if not judgement:
            problems.append(
                f"{subject}: {rule_id} is computed from the figures, not judged by the "
                "committee; correct the figure it comes from instead (heateval "
                "correct, or --correct FIELD=VALUE with an objection's verdict)"
            )
        elif not applies:
            problems.append(f"{subject}: {rule_id} does not apply to a {type_name}")
        elif adjustment.points > full:
            problems.append(
                f"{subject}: {adjustment.points} points are outside 0 to {full}, the "
                f"item's full points; enter a value in that range"
            )
        elif rule_id in chosen:
            problems.append(
                f"{subject}: {rule_id} is adjusted twice; "
                "pass only the latest adjustment"
            )
        else:
            chosen[rule_id] = adjustment
    if problems:
        raise AdjustmentError(problems)
    return chosen
