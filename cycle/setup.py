"""Season, cycle, enterprise and people records that the stages work on."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.cn import uscc

from cycle.errors import CycleError
from cycle.stages import Stage
from cycle.text import clean_text, has_text, optional_text
from rules.counties import county_by_code, load_counties
from rules.legal_calendar import county_calendar
from storage import ledger
from storage.models import County, CountySeason, Cycle, Enterprise, Person, Season

ROLES = ("committee", "city_reviewer", "operator")
ENTERPRISE_TYPES = ("heat_source", "heating")


def ensure_season(session: Session, label: str, rulebook_version: str) -> Season:
    """Create the season, each county's dates and each county's cycle, once."""
    season = session.scalar(select(Season).where(Season.label == label))
    calendars = [county_calendar(label, c.code) for c in load_counties()]
    if season is None:
        season = Season(
            label=label,
            default_start=min(c.planned_start for c in calendars),
            default_end=max(c.planned_end for c in calendars),
            rulebook_version=rulebook_version,
        )
        session.add(season)
        session.flush()
    known = set(
        session.scalars(
            select(CountySeason.county_code).where(CountySeason.season_id == season.id)
        )
    )
    for calendar in calendars:
        if calendar.county_code in known:
            continue
        session.add(
            CountySeason(
                season_id=season.id,
                county_code=calendar.county_code,
                season_start=calendar.season_start,
                season_end=calendar.season_end,
                temp_threshold=calendar.temperature_threshold_c,
            )
        )
        session.add(
            Cycle(
                season_id=season.id,
                county_code=calendar.county_code,
                stage=Stage.NOT_OPENED,
                stage_since=calendar.season_start,
                intake_deadline=calendar.intake_deadline,
                report_due=calendar.county_report_due,
            )
        )
    session.flush()
    return season


def get_season(session: Session, label: str) -> Season:
    """Return the season `label`, or raise naming how to create it."""
    from rules.seasons import UnknownSeasonError, load_season

    season = session.scalar(select(Season).where(Season.label == label))
    if season is None:
        try:
            load_season(label)
        except UnknownSeasonError as error:
            raise CycleError(str(error)) from None
        raise CycleError(
            f"season {label} is not set up; "
            f"run `heateval cycle advance --season {label}` first"
        )
    return season


def check_county(code: str, prefix: str = "") -> None:
    """Raise CycleError naming an unknown county code and the valid ones.

    `prefix` goes before the message, to say whose county it is.
    """
    try:
        county_by_code(code)
    except KeyError as error:
        raise CycleError(prefix + error.args[0]) from None


def get_cycle(session: Session, season: Season, county: str) -> Cycle:
    """Return `county`'s cycle of `season`."""
    check_county(county)
    cycle = session.scalar(
        select(Cycle).where(Cycle.season_id == season.id, Cycle.county_code == county)
    )
    if cycle is None:
        raise CycleError(f"no cycle for county {county} in season {season.label}")
    return cycle


def register_enterprise(
    session: Session,
    *,
    credit_code: str,
    name: str,
    county: str,
    type: str,
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    actor: str = "operator:register",
) -> Enterprise:
    """Add an enterprise to the register, or update its name and contact.

    Names and contacts lose control characters, invisible format characters and
    line breaks; an e-mail must be one that can receive mail. A blank contact
    keeps the one on record. Each change is written to the audit ledger, and
    registering the same details again writes nothing.
    """
    code = credit_code.strip().upper()
    if not uscc.is_valid(code):
        raise CycleError(
            f"credit code {credit_code!r} is invalid (18 characters with a GB 32100 "
            "check character); correct it in the register"
        )
    check_county(county, f"enterprise {code}: ")
    if type not in ENTERPRISE_TYPES:
        raise CycleError(
            f"enterprise type {type!r} is invalid; use heat_source or heating"
        )
    email = _checked_email(contact_email) if has_text(contact_email) else ""
    details = {
        "name": clean_text(name, f"the name of enterprise {code}", 255, one_line=True),
        "type": type,
        "contact_name": optional_text(
            contact_name, f"the contact name of {code}", 64, one_line=True
        ),
        "contact_email": email,
        "contact_phone": optional_text(
            contact_phone, f"the contact phone of {code}", 32, one_line=True
        ),
    }
    enterprise = session.scalar(
        select(Enterprise).where(Enterprise.credit_code == code)
    )
    if enterprise is None:
        enterprise = Enterprise(credit_code=code, county_code=county, **details)
        session.add(enterprise)
        ledger.record(session, enterprise, actor=actor, action="enterprise.registered")
        return enterprise
    if enterprise.county_code != county:
        raise CycleError(
            f"enterprise {code} is registered in county {enterprise.county_code}, "
            f"not {county}; a move between counties needs the bureaus' approval"
        )
    # A blank contact cell keeps the contact on record: erasing an address would
    # silently stop the enterprise's notices.
    details = {
        key: value
        for key, value in details.items()
        if value or not key.startswith("contact_")
    }
    changed = sorted(k for k, v in details.items() if getattr(enterprise, k) != v)
    if changed:
        for key in changed:
            setattr(enterprise, key, details[key])
        ledger.record(
            session,
            enterprise,
            actor=actor,
            action="enterprise.updated",
            detail=", ".join(changed),
        )
    return enterprise


def _checked_email(email: str) -> str:
    """Return `email` stripped, or raise naming it when it cannot receive mail."""
    from notifications.headers import InvalidAddressError, parse_address

    email = email.strip()
    try:
        parse_address(email)
    except InvalidAddressError as error:
        raise CycleError(f"e-mail {email!r} is invalid: {error}; correct it") from None
    return email


def register_person(
    session: Session,
    *,
    name: str,
    role: str,
    county: str | None,
    email: str | None = None,
    changes: list[str] | None = None,
) -> Person:
    """Register someone who may record decisions for a county (or the city).

    Registering a person again updates their e-mail when one is given and keeps
    it otherwise; `changes`, when given, receives a line for each change made to
    a person already registered.
    """
    name = clean_text(name, "the person's name (--name)", 64, one_line=True)
    if role not in ROLES:
        raise CycleError(f"role {role!r} is invalid; use one of {', '.join(ROLES)}")
    if role == "committee" and county is None:
        raise CycleError("a committee member belongs to a county; pass --county")
    if role != "committee" and county is not None:
        raise CycleError(
            f"a {role} acts for the whole city and belongs to no county; "
            "leave out --county"
        )
    if county is not None:
        check_county(county)
    if email is not None:
        email = _checked_email(email)
    person = session.scalar(
        select(Person).where(
            Person.name == name, Person.role == role, Person.county_code == county
        )
    )
    if person is None:
        person = Person(name=name, role=role, county_code=county, email=email or "")
        session.add(person)
    elif email is not None and email != person.email:
        if changes is not None:
            changes.append(
                f"e-mail of {person.name} changed from "
                f"{person.email or '(none)'} to {email}"
            )
        person.email = email
    person.active = True
    session.flush()
    return person


def county_names(session: Session) -> dict[str, str]:
    """Return county code → name."""
    return {c.code: c.name for c in session.scalars(select(County))}
