"""Look up who receives a notice: addresses come from the database and the settings."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from heateval.settings import Settings
from notifications.catalog import Audience
from notifications.headers import (
    InvalidAddressError,
    parse_address,
    parse_named_address,
)
from storage.models import County, Enterprise, Objection, Person

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    """One mailbox a notice goes to, and the audience it was found through."""

    name: str
    address: str
    audience: str


@dataclass(frozen=True)
class MissingRecipient:
    """An audience that resolved to no address: what is missing and how to fix it."""

    audience: str
    what: str
    fix: str


@dataclass(frozen=True)
class AudienceLookup:
    """The result of resolving one audience: recipients, or what is missing."""

    recipients: list[Recipient]
    missing: MissingRecipient | None = None


def _people(session: Session, role: str, county: str | None) -> list[Person]:
    query = select(Person).where(Person.role == role, Person.active.is_(True))
    if county is not None:
        query = query.where(Person.county_code == county)
    people = session.scalars(query.order_by(Person.id)).all()
    return [person for person in people if person.email.strip()]


def _from_settings_entry(entry: str, audience: Audience) -> Recipient:
    try:
        name, address = parse_named_address(entry)
    except InvalidAddressError:
        # Queued as written; the sender records it as an invalid address.
        logger.warning(
            "setting entry %r for %s is not a valid address", entry, audience
        )
        return Recipient(name="", address=entry.strip(), audience=audience)
    return Recipient(name=name, address=address, audience=audience)


def _enterprise(session: Session, enterprise_id: int | None) -> AudienceLookup:
    enterprise = session.get(Enterprise, enterprise_id) if enterprise_id else None
    if enterprise is None:
        raise ValueError(f"enterprise id {enterprise_id!r} not found")
    if not enterprise.contact_email.strip():
        return AudienceLookup(
            [],
            MissingRecipient(
                Audience.ENTERPRISE,
                f"企业 {enterprise.name}（{enterprise.credit_code}）没有联系人邮箱"
                " (Enterprise.contact_email is empty)",
                "在企业登记信息中补充联系人邮箱",
            ),
        )
    return AudienceLookup(
        [
            Recipient(
                enterprise.contact_name,
                enterprise.contact_email.strip(),
                Audience.ENTERPRISE,
            )
        ]
    )


def _county_bureau(session: Session, county_code: str | None) -> AudienceLookup:
    county = session.get(County, county_code) if county_code else None
    if county is None:
        raise ValueError(f"county {county_code!r} not found")
    if not county.bureau_email.strip():
        return AudienceLookup(
            [],
            MissingRecipient(
                Audience.COUNTY_BUREAU,
                f"{county.name}（{county.code}）供热主管部门没有邮箱"
                " (County.bureau_email is empty)",
                "在旗县区登记信息中补充供热主管部门邮箱",
            ),
        )
    recipient = Recipient(
        county.bureau_name, county.bureau_email.strip(), Audience.COUNTY_BUREAU
    )
    return AudienceLookup([recipient])


def _committee(session: Session, county_code: str | None) -> AudienceLookup:
    if county_code is None:
        raise ValueError("the committee audience needs a county")
    members = _people(session, "committee", county_code)
    if not members:
        return AudienceLookup(
            [],
            MissingRecipient(
                Audience.COMMITTEE,
                f"旗县区 {county_code} 没有登记邮箱的在任评审委员会成员"
                " (no active Person with role committee and an e-mail)",
                "登记评审委员会成员及其邮箱",
            ),
        )
    return AudienceLookup(
        [Recipient(p.name, p.email.strip(), Audience.COMMITTEE) for p in members]
    )


def _city_bureau(session: Session, settings: Settings) -> AudienceLookup:
    found = []
    if settings.city_bureau_email.strip():
        found.append(
            Recipient(
                settings.city_bureau_name,
                settings.city_bureau_email.strip(),
                Audience.CITY_BUREAU,
            )
        )
    for person in _people(session, "city_reviewer", None):
        found.append(Recipient(person.name, person.email.strip(), Audience.CITY_BUREAU))
    if not found:
        return AudienceLookup(
            [],
            MissingRecipient(
                Audience.CITY_BUREAU,
                "市住房和城乡建设局没有邮箱 (HEATEVAL_CITY_BUREAU_EMAIL is empty"
                " and no active city reviewer has an e-mail)",
                "设置 HEATEVAL_CITY_BUREAU_EMAIL，或登记市级复核人员邮箱",
            ),
        )
    return AudienceLookup(found)


def _other_departments(settings: Settings) -> AudienceLookup:
    found = [
        _from_settings_entry(entry, Audience.OTHER_DEPARTMENTS)
        for entry in settings.other_departments
        if entry.strip()
    ]
    if not found:
        return AudienceLookup(
            [],
            MissingRecipient(
                Audience.OTHER_DEPARTMENTS,
                "没有配置通报结果的其他部门 (HEATEVAL_OTHER_DEPARTMENTS is empty)",
                "设置 HEATEVAL_OTHER_DEPARTMENTS，例如"
                ' ["赤峰市发展和改革委员会 <fgw@example.cn>"]',
            ),
        )
    return AudienceLookup(found)


def _operators(session: Session, settings: Settings) -> AudienceLookup:
    found = [
        _from_settings_entry(entry, Audience.OPERATORS)
        for entry in settings.operator_emails
        if entry.strip()
    ]
    for person in _people(session, "operator", None):
        found.append(Recipient(person.name, person.email.strip(), Audience.OPERATORS))
    if not found:
        return AudienceLookup(
            [],
            MissingRecipient(
                Audience.OPERATORS,
                "没有平台运维人员邮箱 (HEATEVAL_OPERATOR_EMAILS is empty"
                " and no active operator has an e-mail)",
                "设置 HEATEVAL_OPERATOR_EMAILS",
            ),
        )
    return AudienceLookup(found)


def _objector(session: Session, context: dict[str, Any]) -> AudienceLookup:
    """Find who filed an objection, when the contact they gave is an e-mail address."""
    reference = context.get("reference")
    objection = session.scalars(
        select(Objection).where(Objection.reference == str(reference))
    ).one_or_none()
    if objection is None or objection.kind != "objection":
        return AudienceLookup([])
    contact = objection.contact.strip()
    try:
        parse_address(contact)
    except InvalidAddressError:
        return AudienceLookup([])  # a postal address or phone gets a written reply
    return AudienceLookup([Recipient(objection.filed_by, contact, Audience.OBJECTOR)])


def resolve_audience(
    session: Session,
    audience: Audience,
    *,
    county: str | None,
    enterprise_id: int | None,
    context: dict[str, Any],
    settings: Settings,
) -> AudienceLookup:
    """Find the recipients of one audience for one event."""
    match audience:
        case Audience.ENTERPRISE:
            return _enterprise(session, enterprise_id)
        case Audience.COUNTY_BUREAU:
            return _county_bureau(session, county)
        case Audience.COMMITTEE:
            return _committee(session, county)
        case Audience.CITY_BUREAU:
            return _city_bureau(session, settings)
        case Audience.OTHER_DEPARTMENTS:
            return _other_departments(settings)
        case Audience.OPERATORS:
            return _operators(session, settings)
        case Audience.OBJECTOR:
            return _objector(session, context)
    raise ValueError(f"unknown audience {audience!r}")
