"""Fictitious identities of the sample season: well-formed credit codes and contacts."""

from __future__ import annotations

import random
import re

from stdnum.cn import uscc

from samples import names


def test_org_check_of_digits():
    # 1·3 + 2·7 + 3·9 + 4·10 + 5·5 + 6·8 + 7·4 + 8·2 = 201; 201 mod 11 = 3; 11 - 3 = 8
    assert names.org_check_character("12345678") == "8"


def test_org_check_with_letters():
    # M=22, A=10, B=11: 66 + 70 + 0 + 100 + 55 + 8 + 8 + 6 = 313; mod 11 = 5; 11 - 5 = 6
    assert names.org_check_character("MA0AB123") == "6"


def test_org_check_ten_is_x():
    # Only the last digit counts: 6·2 = 12; 12 mod 11 = 1; 11 - 1 = 10, written X.
    assert names.org_check_character("00000006") == "X"


def test_org_check_eleven_is_zero():
    # The sum is 0; 11 - 0 = 11, written 0.
    assert names.org_check_character("00000000") == "0"


def test_credit_codes_are_valid_for_the_county():
    rng = random.Random(7)
    for county in ("150402", "150425", "150430"):
        for _ in range(50):
            code = names.credit_code(rng, county)
            assert uscc.is_valid(code), code
            assert code[:2] == "91"
            assert code[2:8] == county
            assert names.org_check_character(code[8:16]) == code[16]


def test_broken_check_character_is_invalid():
    code = names.credit_code(random.Random(1), "150402")
    broken = names.break_check_character(code)
    assert broken[:17] == code[:17]
    assert broken[17] != code[17]
    assert not uscc.is_valid(broken)


def test_landline_format():
    number = names.landline(random.Random(3))
    assert re.fullmatch(r"0476-[3568]\d{6}", number)


def test_unique_people_skip_taken_names():
    rng = random.Random(11)
    taken: set[str] = set()
    people = names.unique_people(rng, 40, taken)
    assert len({p.name for p in people}) == 40
    assert len({p.handle for p in people}) == 40
    assert all(re.fullmatch(r"[a-z]+", p.handle) for p in people)
