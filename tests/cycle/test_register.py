"""The register of enterprises and people: cleaned text, audit entries, refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from cycle.errors import CycleError
from tests.cycle.support import COUNTY, credit_code

CODE = credit_code("91150402MA0N00009")


def _register(session, **changes):
    from cycle.setup import register_enterprise

    details = {
        "credit_code": CODE,
        "name": "红山区新登记热力有限公司",
        "county": COUNTY,
        "type": "heating",
        "contact_name": "王经理",
        "contact_email": "new@enterprise.example.cn",
    }
    return register_enterprise(session, **(details | changes))


def _entries(session) -> list[tuple[str, str]]:
    from storage.models import Enterprise, LedgerEntry

    enterprise = session.scalar(
        select(Enterprise).where(Enterprise.credit_code == CODE)
    )
    return [
        (entry.action, entry.detail)
        for entry in session.scalars(
            select(LedgerEntry)
            .where(
                LedgerEntry.entity == "enterprise",
                LedgerEntry.entity_id == str(enterprise.id),
            )
            .order_by(LedgerEntry.seq)
        )
    ]


def test_new_enterprise_recorded_in_ledger(season):
    with season.session() as session:
        _register(session)
        assert _entries(session) == [("enterprise.registered", "")]


def test_same_details_again_record_nothing(season):
    with season.session() as session:
        _register(session)
        _register(session, name=" 红山区新登记热力有限公司 ")
        assert _entries(session) == [("enterprise.registered", "")]


def test_changed_details_recorded(season):
    with season.session() as session:
        _register(session)
        _register(session, name="红山区改名热力有限公司", contact_phone="0476-8888888")
        assert _entries(session)[-1] == (
            "enterprise.updated",
            "contact_phone, name",
        )


def test_register_edited_behind_ledger_found(season):
    from storage.ledger import verify

    with season.session() as session:
        enterprise = _register(session)
        number = enterprise.id
    with season.session() as session:
        session.execute(
            text("UPDATE enterprises SET name = :name WHERE id = :id"),
            {"name": "冒名热力", "id": number},
        )
    with season.session() as session:
        problems = verify(session).record_problems
    assert f"enterprise {number} no longer matches" in " ".join(problems)
    # The fixture checks the ledger at the end; put the row back as recorded.
    with season.session() as session:
        session.execute(
            text("UPDATE enterprises SET name = :name WHERE id = :id"),
            {"name": "红山区新登记热力有限公司", "id": number},
        )


def test_names_lose_invisible_characters_and_line_breaks(season):
    with season.session() as session:
        enterprise = _register(
            session,
            name="红山\u202e司公\u202c热力\u200b",
            contact_name="赵秀平\r\nBcc: evil@attacker.example",
        )
        assert enterprise.name == "红山司公热力"
        assert enterprise.contact_name == "赵秀平 Bcc: evil@attacker.example"


def test_invisible_only_name_refused(season):
    with season.session() as session, pytest.raises(CycleError, match="name"):
        _register(session, name="\u200b\u202e ")


def test_unusable_email_refused(season):
    with season.session() as session, pytest.raises(CycleError, match="e-mail"):
        _register(session, contact_email="王经理 <new@enterprise")


def test_unknown_county_named_without_quotes(season):
    with season.session() as session, pytest.raises(CycleError) as raised:
        _register(session, county="999999")
    assert str(raised.value).startswith(f"enterprise {CODE}: unknown county code")


def test_person_name_lookalike_cleaned(season):
    from cycle.setup import register_person

    with season.session() as session:
        person = register_person(
            session, name="于磊文\u200b", role="committee", county=COUNTY
        )
        assert person.name == "于磊文"


def test_city_reviewer_with_county_refused(season):
    from cycle.setup import register_person

    with season.session() as session, pytest.raises(CycleError, match="--county"):
        register_person(session, name="周宇兰", role="city_reviewer", county=COUNTY)


def test_unknown_county_cycle_is_a_cycle_error(season):
    from cycle.setup import get_cycle, get_season

    with season.session() as session, pytest.raises(CycleError) as raised:
        get_cycle(session, get_season(session, "2025-2026"), "999999")
    assert str(raised.value).startswith("unknown county code '999999'")


def _import(path):
    from typer.testing import CliRunner

    from heateval.cli import app

    return CliRunner().invoke(app, ["enterprises", "import", str(path)])


HEADER = "credit_code,name,county,type,contact_name,contact_email,contact_phone\n"


def test_register_import_reads_gbk(season, tmp_path):
    from cycle.objections import find_enterprise

    path = tmp_path / "register.csv"
    path.write_bytes(
        (
            HEADER + f"{CODE},红山区新登记热力有限公司,{COUNTY},heating,王经理,,\n"
        ).encode("gbk")
    )

    result = _import(path)

    assert result.exit_code == 0, result.output
    with season.session() as session:
        assert find_enterprise(session, CODE).name == "红山区新登记热力有限公司"


def test_register_import_names_bad_row_and_stores_nothing(season, tmp_path):
    from storage.models import Enterprise

    other = credit_code("91150402MA0N00008")
    path = tmp_path / "register.csv"
    path.write_text(
        HEADER
        + f"{other},红山区另一热力有限公司,{COUNTY},heating,,,\n"
        + f"{CODE},红山区新登记热力有限公司,{COUNTY},heating,,not-an-address,\n",
        encoding="utf-8",
    )

    result = _import(path)

    assert result.exit_code == 2
    assert f"{path}: row 3: e-mail 'not-an-address' is invalid" in result.output
    with season.session() as session:
        codes = set(session.scalars(select(Enterprise.credit_code)))
    assert other not in codes
    assert CODE not in codes


def test_person_email_change_is_announced(season):
    from typer.testing import CliRunner

    from heateval.cli import app

    command = ["people", "add", "--role", "committee", "--county", COUNTY]
    first = CliRunner().invoke(app, [*command, "--name", "周新", "--email", "a@x.cn"])
    again = CliRunner().invoke(
        app, [*command, "--name", "周新\u200b", "--email", "b@x.cn"]
    )

    assert first.exit_code == 0, first.output
    assert "note:" not in first.output
    assert again.exit_code == 0, again.output
    assert "note: e-mail of 周新 changed from a@x.cn to b@x.cn" in again.output


def test_blank_contact_keeps_the_one_on_record(season):
    with season.session() as session:
        _register(session)
        enterprise = _register(session, contact_email="", contact_name=" ")
        assert enterprise.contact_email == "new@enterprise.example.cn"
        assert enterprise.contact_name == "王经理"
        assert _entries(session) == [("enterprise.registered", "")]
