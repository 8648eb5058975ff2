"""The cast of the sample season: which enterprises exist and what each one's story is.

An enterprise has a county, a type, a size, contact details, the grade it should end
with, and roles: the parts it plays in the scripted season (a defective package, an
objection, the falsified evidence, ...). Roles are dealt before the ordinary grades,
so every scripted case exists whatever the seed, as long as there are at least
`MIN_ENTERPRISES` enterprises.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from rules.counties import CountyInfo, load_counties
from samples import names

MIN_ENTERPRISES = 36
DISTRICTS = ("150402", "150403", "150404")  # 红山区, 元宝山区, 松山区: urban, larger
# Relative weights of the county share of enterprises; 60 enterprises give
# 红山区 10, 松山区 8, 元宝山区 and 宁城县 5, every other county 4.
COUNTY_WEIGHTS = {"150402": 10, "150404": 8, "150403": 5, "150429": 5}
DEFAULT_WEIGHT = 4
# Share of each final grade among enterprises without a scripted grade, in order.
GRADE_SHARES = (("A", 0.25), ("B", 0.37), ("C", 0.23), ("D", 0.15))


class Role(StrEnum):
    """A part an enterprise plays in the scripted season."""

    MAJOR_ACCIDENT = "major_accident"  # a 重大 incident in its incidents table
    FALSIFIER = "falsifier"  # files a copy of EVIDENCE_OWNER's award certificate
    EVIDENCE_OWNER = "evidence_owner"  # the real holder of that certificate
    OBJECTION_UPHELD = "objection_upheld"
    OBJECTION_REJECTED = "objection_rejected"
    OBJECTION_LATE = "objection_late"
    APPEAL_UPHELD = "appeal_upheld"
    CITY_RETURNED_DOWN = "city_returned_down"  # named by the city, loses its grade
    CITY_RETURNED_KEPT = "city_returned_kept"  # named by the city, keeps its grade
    RECTIFIED = "rectified"  # grade C, rectified before the deadline
    NOT_RECTIFIED = "not_rectified"  # grade D, not rectified: revocation, takeover
    HOTLINE_MISMATCH = "hotline_mismatch"  # a valid hotline ticket missing from ledger
    LATE_AFTER_REMINDERS = "late_after_reminders"  # nothing by the deadline
    LATE = "late"
    DEFECT_FUTURE_COMPLAINT = "defect_future_complaint"
    DEFECT_MISSING_EVIDENCE = "defect_missing_evidence"
    DEFECT_CREDIT_CODE = "defect_credit_code"
    DEFECT_FORMULA = "defect_formula"
    DEFECT_TEMPERATURE = "defect_temperature"
    DEFECT_DISGUISED_IMAGE = "defect_disguised_image"
    DEFECT_LATE_CORRECTION = "defect_late_correction"


DEFECT_ROLES = frozenset(r for r in Role if r.value.startswith("defect_"))


@dataclass(frozen=True)
class RoleSpec:
    """Eligibility for a role and the grades it implies (at intake and final)."""

    role: Role
    heating_only: bool = True
    county: str | None = None
    intake_grade: str | None = None
    final_grade: str | None = None
    exclusive: bool = True  # False: may share the enterprise with other roles


# Dealt in this order; the first enterprise that fits and has no exclusive role
# yet gets the role. Intake grade None means "same as final".
ROLE_SPECS = (
    RoleSpec(Role.EVIDENCE_OWNER, county="150402", final_grade="A"),
    RoleSpec(Role.FALSIFIER, county="150402", intake_grade="B", final_grade="D"),
    RoleSpec(Role.MAJOR_ACCIDENT, county="150426", final_grade="D"),
    RoleSpec(Role.OBJECTION_UPHELD, county="150403", intake_grade="A", final_grade="B"),
    RoleSpec(Role.OBJECTION_REJECTED, county="150402", final_grade="B"),
    RoleSpec(Role.OBJECTION_LATE, county="150429", final_grade="C"),
    RoleSpec(Role.APPEAL_UPHELD, county="150422", intake_grade="C", final_grade="B"),
    RoleSpec(
        Role.CITY_RETURNED_DOWN, county="150404", intake_grade="B", final_grade="C"
    ),
    RoleSpec(Role.CITY_RETURNED_KEPT, county="150404", final_grade="A"),
    RoleSpec(Role.RECTIFIED, county="150424", final_grade="C"),
    RoleSpec(Role.NOT_RECTIFIED, county="150430", final_grade="D"),
    RoleSpec(Role.HOTLINE_MISMATCH, county="150402", final_grade="B"),
    RoleSpec(Role.LATE_AFTER_REMINDERS, heating_only=False, county="150425"),
    RoleSpec(Role.LATE, heating_only=False, county="150428"),
    RoleSpec(Role.DEFECT_FUTURE_COMPLAINT, county="150404"),
    RoleSpec(Role.DEFECT_MISSING_EVIDENCE, heating_only=False, county="150402"),
    RoleSpec(Role.DEFECT_CREDIT_CODE, heating_only=False, county="150421"),
    RoleSpec(Role.DEFECT_FORMULA, heating_only=False, county="150423"),
    RoleSpec(Role.DEFECT_TEMPERATURE, county="150403"),
    RoleSpec(Role.DEFECT_DISGUISED_IMAGE, heating_only=False, county="150429"),
    RoleSpec(Role.DEFECT_LATE_CORRECTION, heating_only=False, county="150425"),
)
ROLE_SPEC = {spec.role: spec for spec in ROLE_SPECS}


class Packaging(StrEnum):
    """The form in which an enterprise sends its package."""

    FOLDER = "folder"
    ZIP = "zip"  # zip with UTF-8 names
    ZIP_GBK_NAMES = "zip_gbk_names"  # zip from an old Chinese Windows tool


@dataclass
class Enterprise:
    """One sample enterprise and everything the generator decides about it."""

    seq: int
    county: CountyInfo
    credit_code: str
    name: str
    brand_pinyin: str
    kind: str  # EnterpriseType value: heat_source or heating
    households: int
    contact: names.Person
    phone: str
    email: str
    final_grade: str = ""
    intake_grade: str = ""
    roles: set[Role] = field(default_factory=set)
    table_encoding: str = "utf-8-sig"
    xlsx_tables: tuple[str, ...] = ()
    packaging: Packaging = Packaging.FOLDER

    @property
    def is_heating(self) -> bool:
        """True for a heating unit (供热单位), which serves households directly."""
        return self.kind == "heating"


def county_counts(total: int) -> dict[str, int]:
    """Split `total` enterprises over the counties by weight, at least 3 each."""
    if total < MIN_ENTERPRISES:
        raise ValueError(
            f"at least {MIN_ENTERPRISES} enterprises are needed for every scripted "
            f"case and 3 per county, got {total}"
        )
    counties = [c.code for c in load_counties()]
    weights = {c: COUNTY_WEIGHTS.get(c, DEFAULT_WEIGHT) for c in counties}
    weight_sum = sum(weights.values())
    exact = {c: total * w / weight_sum for c, w in weights.items()}
    counts = {c: max(3, math.floor(v)) for c, v in exact.items()}
    # Largest remainder first; ties go to the lower county code.
    by_remainder = sorted(
        counties, key=lambda c: (-(exact[c] - math.floor(exact[c])), c)
    )
    index = 0
    while sum(counts.values()) < total:
        counts[by_remainder[index % len(counties)]] += 1
        index += 1
    while sum(counts.values()) > total:
        largest = max(counties, key=lambda c: (counts[c], c))
        counts[largest] -= 1
    return counts


def _households(rng: random.Random, code: str, heat_source: bool, small: bool) -> int:
    """Draw households served, log-uniform; urban districts have the larger ones."""
    if small:
        low, high = 800, 2500
    elif code in DISTRICTS:
        low, high = (6000, 40000) if heat_source else (2000, 30000)
    else:
        low, high = (3000, 15000) if heat_source else (1000, 12000)
    value = math.exp(rng.uniform(math.log(low), math.log(high)))
    return int(round(value, -1 if value < 10000 else -2))


def build_enterprises(rng: random.Random, total: int) -> list[Enterprise]:
    """Create `total` enterprises with names, codes, sizes and contacts."""
    counts = county_counts(total)
    brands = list(names.BRANDS)
    rng.shuffle(brands)
    taken_people: set[str] = set()
    codes: set[str] = set()
    enterprises: list[Enterprise] = []
    for county in load_counties():
        count = counts[county.code]
        heat_sources = max(1, round(count * 0.27))
        prefix = "赤峰市" if county.code in DISTRICTS else county.name
        for index in range(count):
            heat_source = index < heat_sources
            small = not heat_source and rng.random() < 0.22
            if not brands:
                brands = [
                    (f"{b}{n}", f"{p}{n}")
                    for n in range(2, 2 + total // len(names.BRANDS) + 1)
                    for b, p in names.BRANDS
                ]
            brand, pinyin = brands.pop()
            if heat_source:
                suffix = rng.choice(names.HEAT_SOURCE_SUFFIXES)
            elif small:
                suffix = names.SMALL_HEATING_SUFFIX
            else:
                suffix = rng.choice(names.HEATING_SUFFIXES)
            code = names.credit_code(rng, county.code)
            while code in codes:
                code = names.credit_code(rng, county.code)
            codes.add(code)
            (contact,) = names.unique_people(rng, 1, taken_people)
            enterprises.append(
                Enterprise(
                    seq=len(enterprises) + 1,
                    county=county,
                    credit_code=code,
                    name=f"{prefix}{brand}{suffix}",
                    brand_pinyin=pinyin,
                    kind="heat_source" if heat_source else "heating",
                    households=_households(rng, county.code, heat_source, small),
                    contact=contact,
                    phone=names.landline(rng),
                    email=f"{contact.handle}@{pinyin}.example.cn",
                )
            )
    _make_one_very_large(enterprises)
    return enterprises


def _make_one_very_large(enterprises: list[Enterprise]) -> None:
    """Give the largest 红山区 heating unit about 60,000 households."""
    candidates = [e for e in enterprises if e.county.code == "150402" and e.is_heating]
    largest = max(candidates, key=lambda e: (e.households, e.seq))
    largest.households = 59800


def deal_roles(rng: random.Random, enterprises: list[Enterprise]) -> None:
    """Give every scripted role to one enterprise and fix the implied grades."""
    order = list(enterprises)
    rng.shuffle(order)
    for spec in ROLE_SPECS:
        fits = _role_filter(spec)
        holder = next((e for e in order if fits(e) and not _has_exclusive(e)), None)
        if holder is None:
            # Fall back to any county: small custom seasons may lack a candidate.
            relaxed = RoleSpec(spec.role, spec.heating_only)
            fits = _role_filter(relaxed)
            holder = next((e for e in order if fits(e) and not _has_exclusive(e)), None)
        if holder is None:
            raise ValueError(f"no enterprise left to play role {spec.role}")
        holder.roles.add(spec.role)
        if spec.final_grade:
            holder.final_grade = spec.final_grade
            holder.intake_grade = spec.intake_grade or spec.final_grade


def _has_exclusive(enterprise: Enterprise) -> bool:
    return any(ROLE_SPEC[r].exclusive for r in enterprise.roles)


def _role_filter(spec: RoleSpec) -> Callable[[Enterprise], bool]:
    def fits(enterprise: Enterprise) -> bool:
        if spec.heating_only and not enterprise.is_heating:
            return False
        if spec.county and enterprise.county.code != spec.county:
            return False
        # The falsifier copies a certificate, and a huge enterprise's package
        # makes a poor demo of a defect: keep scripted roles to ordinary sizes.
        return enterprise.households <= 40000

    return fits


def deal_grades(rng: random.Random, enterprises: list[Enterprise]) -> None:
    """Give the enterprises without a scripted grade grades in `GRADE_SHARES`."""
    total = len(enterprises)
    quota = {grade: round(total * share) for grade, share in GRADE_SHARES}
    quota["D"] = total - quota["A"] - quota["B"] - quota["C"]
    for enterprise in enterprises:
        if enterprise.final_grade:
            quota[enterprise.final_grade] -= 1
    pool = [g for g, n in quota.items() for _ in range(max(n, 0))]
    free = [e for e in enterprises if not e.final_grade]
    while len(pool) < len(free):
        pool.append("B")
    rng.shuffle(pool)
    for enterprise, grade in zip(free, pool, strict=False):
        enterprise.final_grade = grade
        enterprise.intake_grade = grade


def deal_formats(rng: random.Random, enterprises: list[Enterprise]) -> None:
    """Choose table encodings, tables sent as xlsx, and zip or folder packaging."""
    order = list(enterprises)
    rng.shuffle(order)
    rural = [e for e in order if e.county.code not in DISTRICTS]
    for enterprise in rural[:6]:
        enterprise.table_encoding = "gbk"
    plain = [e for e in order if e.table_encoding == "utf-8-sig"]
    for enterprise in plain[:2]:
        enterprise.table_encoding = "utf-8"
    for enterprise in plain[2:4]:
        enterprise.xlsx_tables = ("complaints", "trainings")
    unscripted = [e for e in order if not e.roles]
    for enterprise in unscripted[:3]:
        enterprise.packaging = Packaging.ZIP
    gbk_zip = next(e for e in unscripted[3:] if e.county.code not in DISTRICTS)
    gbk_zip.packaging = Packaging.ZIP_GBK_NAMES
    gbk_zip.table_encoding = "gbk"
    # The disguised image arrives in a zip: the case intake must catch inside one.
    for enterprise in enterprises:
        if Role.DEFECT_DISGUISED_IMAGE in enterprise.roles:
            enterprise.packaging = Packaging.ZIP


def build_roster(rng: random.Random, total: int) -> list[Enterprise]:
    """Create the enterprises and deal their roles, grades and formats."""
    enterprises = build_enterprises(rng, total)
    deal_roles(rng, enterprises)
    deal_grades(rng, enterprises)
    deal_formats(rng, enterprises)
    return enterprises
