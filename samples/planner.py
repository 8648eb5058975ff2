"""Plan each enterprise's season so that the scoring engine gives it its intended grade.

`plan_enterprise` starts from a season without faults, applies seeded faults one by
one while the real engine (`rules.engine.score`) keeps the final score inside the
target band, then fine-tunes the clean-heat share. The grade is therefore checked by
the engine, not estimated.
"""

from __future__ import annotations

import copy
import random
from decimal import Decimal

from rules.engine import score
from rules.rulebook import Rulebook
from rules.sheet import ScoreSheet
from samples.faults import ALL_FAULTS, COMMON_FAULTS
from samples.plan import Plan, add_bonus_claims, perfect_plan
from samples.roster import Enterprise, Role

# Final-score bands (rounded final, inclusive) aimed at for each intended grade.
GRADE_BANDS = {
    "A": (Decimal("91.00"), Decimal("98.50")),
    "B": (Decimal("81.50"), Decimal("88.50")),
    "C": (Decimal("71.50"), Decimal("78.50")),
    "D": (Decimal("50.00"), Decimal("67.50")),
}
# Narrow bands for enterprises whose scripted decision must move them across a grade
# boundary; the comments give the decision and where it lands.
ROLE_BANDS = {
    # C8.2 set from 3 to 0.75 (-2.25): A -> B
    Role.OBJECTION_UPHELD: (Decimal("90.40"), Decimal("91.60")),
    # C7.2 set from 1 to 2 (+1): C -> B
    Role.APPEAL_UPHELD: (Decimal("79.15"), Decimal("79.85")),
    # C6.4 set from 2 to 0 (-2): B -> C
    Role.CITY_RETURNED_DOWN: (Decimal("80.40"), Decimal("81.60")),
    # A 重大 incident deducts 10 and caps the grade at D: the score alone reads C.
    Role.MAJOR_ACCIDENT: (Decimal("72.00"), Decimal("78.50")),
}
# Faults that would touch the sub-item a role's decision is about.
PROTECTED = {
    Role.OBJECTION_UPHELD: {"convenience"},
    Role.APPEAL_UPHELD: {"drills"},
    Role.CITY_RETURNED_DOWN: {"equipment"},
    Role.CITY_RETURNED_KEPT: {"plan_not_filed"},
    Role.MAJOR_ACCIDENT: {"incident"},
    # Defect designs that need the sub-item claimed: C6.4 evidence, C7.2 photo.
    Role.DEFECT_MISSING_EVIDENCE: {"equipment"},
    Role.DEFECT_DISGUISED_IMAGE: {"drills"},
}
STEP = Decimal("0.01")


class PlanError(RuntimeError):
    """No combination of faults put an enterprise inside its target band."""


def score_plan(plan: Plan, rulebook: Rulebook) -> ScoreSheet:
    """Score the figures of `plan` with the engine, without committee decisions."""
    return score(plan.figures(), rulebook)


def target_band(enterprise: Enterprise) -> tuple[Decimal, Decimal]:
    """Return the band of rounded final scores the enterprise is planned into."""
    for role, band in ROLE_BANDS.items():
        if role in enterprise.roles:
            return band
    return GRADE_BANDS[enterprise.intake_grade]


def _apply_role_facts(plan: Plan, enterprise: Enterprise) -> None:
    """Set the facts a role's story needs before any fault is drawn."""
    roles = enterprise.roles
    if Role.MAJOR_ACCIDENT in roles:
        plan.major_accidents = 1
        plan.outages_24h = 1  # the accident cut the heat of a whole district
    if Role.EVIDENCE_OWNER in roles or Role.FALSIFIER in roles:
        plan.key["city_award"] = True
    if Role.APPEAL_UPHELD in roles:
        plan.drills = 1  # the joint drill with the bureau is missing from the table


def plan_enterprise(
    enterprise: Enterprise,
    rng: random.Random,
    rulebook: Rulebook,
    per_household: int,
) -> Plan:
    """Plan the enterprise's season into its band; raise PlanError if impossible."""
    plan = perfect_plan(enterprise, rng, per_household)
    add_bonus_claims(plan, enterprise.intake_grade, rng)
    _apply_role_facts(plan, enterprise)
    low, band_high = target_band(enterprise)
    # Stop at a random point of the band, so scores spread over it.
    span = int((band_high - low) / STEP)
    high = low + STEP * rng.randint(span // 4, span)

    protected: set[str] = set()
    for role in enterprise.roles:
        protected |= PROTECTED.get(role, set())
    faults = COMMON_FAULTS if not enterprise.is_heating else ALL_FAULTS
    names = [name for name in faults if name not in protected]
    rng.shuffle(names)

    final = score_plan(plan, rulebook).final
    for name in names:
        if final <= high:
            break
        for _attempt in range(3):  # a milder draw may fit where a harsh one did not
            trial = copy.deepcopy(plan)
            faults[name](trial, rng)
            trial_final = score_plan(trial, rulebook).final
            if low <= trial_final < final:
                plan, final = trial, trial_final
                plan.faults.append(name)
                break
    if final > high:
        plan, final = _tune_clean_heat(plan, rulebook, high)
    if not low <= final <= high:
        raise PlanError(
            f"{enterprise.name} ({enterprise.credit_code}): planned final {final} is "
            f"outside {low}..{high} for grade {enterprise.intake_grade}; faults tried: "
            f"{', '.join(names)}"
        )
    return plan


def _tune_clean_heat(
    plan: Plan, rulebook: Rulebook, high: Decimal
) -> tuple[Plan, Decimal]:
    """Lower the clean-heat share in 0.01 steps until the final is at most `high`."""
    share = plan.key["clean_heat_share"]
    final = score_plan(plan, rulebook).final
    while final > high and share > 0:
        share -= STEP
        trial = copy.deepcopy(plan)
        trial.key["clean_heat_share"] = share
        final = score_plan(trial, rulebook).final
        plan = trial
    if "clean_heat" not in plan.faults:
        plan.faults.append("clean_heat")
    return plan, final
