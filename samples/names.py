"""Fictitious but well-formed identities: people, companies, credit codes, contacts.

Every name is assembled from common syllables and brand words, so no output is meant
to be a real person or company; any resemblance is coincidence. Credit codes follow
GB 32100 with a Chifeng region code and both check characters (the organisation code
check of GB 11714 and the final one), so they pass `stdnum.cn.uscc.is_valid`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from stdnum.cn import uscc

SURNAMES = (
    ("王", "wang"),
    ("李", "li"),
    ("张", "zhang"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("赵", "zhao"),
    ("黄", "huang"),
    ("周", "zhou"),
    ("吴", "wu"),
    ("徐", "xu"),
    ("孙", "sun"),
    ("马", "ma"),
    ("朱", "zhu"),
    ("胡", "hu"),
    ("郭", "guo"),
    ("高", "gao"),
    ("林", "lin"),
    ("郑", "zheng"),
    ("梁", "liang"),
    ("宋", "song"),
    ("韩", "han"),
    ("冯", "feng"),
    ("于", "yu"),
    ("董", "dong"),
    ("白", "bai"),
    ("包", "bao"),
    ("邢", "xing"),
    ("尹", "yin"),
    ("田", "tian"),
)
GIVEN_SYLLABLES = (
    ("建", "jian"),
    ("国", "guo"),
    ("志", "zhi"),
    ("明", "ming"),
    ("海", "hai"),
    ("军", "jun"),
    ("伟", "wei"),
    ("芳", "fang"),
    ("丽", "li"),
    ("红", "hong"),
    ("平", "ping"),
    ("华", "hua"),
    ("东", "dong"),
    ("文", "wen"),
    ("静", "jing"),
    ("强", "qiang"),
    ("磊", "lei"),
    ("娜", "na"),
    ("敏", "min"),
    ("霞", "xia"),
    ("刚", "gang"),
    ("勇", "yong"),
    ("鹏", "peng"),
    ("宇", "yu"),
    ("晓", "xiao"),
    ("慧", "hui"),
    ("春", "chun"),
    ("秀", "xiu"),
    ("英", "ying"),
    ("兰", "lan"),
    ("峰", "feng"),
    ("斌", "bin"),
    ("涛", "tao"),
    ("浩", "hao"),
    ("雪", "xue"),
)
# Mongolian given names, common in Chifeng, written in Chinese characters.
MONGOLIAN_NAMES = (
    ("巴特尔", "bateer"),
    ("其其格", "qiqige"),
    ("乌云", "wuyun"),
    ("苏日娜", "surina"),
    ("额尔敦", "eerdun"),
    ("斯琴", "siqin"),
    ("那仁", "naren"),
    ("萨仁", "saren"),
)
BRANDS = (
    ("恒信", "hengxin"),
    ("瑞丰", "ruifeng"),
    ("鑫源", "xinyuan"),
    ("天和", "tianhe"),
    ("宏达", "hongda"),
    ("德润", "derun"),
    ("嘉禾", "jiahe"),
    ("北辰", "beichen"),
    ("泰和", "taihe"),
    ("安泰", "antai"),
    ("永盛", "yongsheng"),
    ("金泉", "jinquan"),
    ("暖阳", "nuanyang"),
    ("众诚", "zhongcheng"),
    ("广厦", "guangsha"),
    ("昌盛", "changsheng"),
    ("祥和", "xianghe"),
    ("利民", "limin"),
    ("惠民", "huimin"),
    ("金河", "jinhe"),
    ("锦源", "jinyuan"),
    ("万家", "wanjia"),
    ("东升", "dongsheng"),
    ("西岭", "xiling"),
    ("宏泰", "hongtai"),
    ("瑞祥", "ruixiang"),
    ("和顺", "heshun"),
    ("晟达", "shengda"),
    ("融盛", "rongsheng"),
    ("鼎盛", "dingsheng"),
    ("博远", "boyuan"),
    ("星海", "xinghai"),
    ("聚源", "juyuan"),
    ("康泰", "kangtai"),
    ("益民", "yimin"),
    ("福源", "fuyuan"),
    ("佳润", "jiarun"),
    ("金辉", "jinhui"),
    ("润泽", "runze"),
    ("温源", "wenyuan"),
    ("暖心", "nuanxin"),
    ("恒温", "hengwen"),
    ("春晖", "chunhui"),
    ("正阳", "zhengyang"),
    ("沁园", "qinyuan"),
    ("晨曦", "chenxi"),
    ("长青", "changqing"),
    ("兴旺", "xingwang"),
    ("乾元", "qianyuan"),
    ("坤泰", "kuntai"),
    ("德信", "dexin"),
    ("宏源", "hongyuan"),
    ("华晟", "huasheng"),
    ("恒昌", "hengchang"),
    ("丰泽", "fengze"),
    ("安和", "anhe"),
    ("瑞德", "ruide"),
    ("泰丰", "taifeng"),
    ("盛泉", "shengquan"),
    ("金穗", "jinsui"),
    ("沃土", "wotu"),
    ("远航", "yuanhang"),
    ("鸿运", "hongyun"),
    ("通达", "tongda"),
    ("明珠", "mingzhu"),
    ("天润", "tianrun"),
    ("瑞泉", "ruiquan"),
    ("祥瑞", "xiangrui"),
    ("凯达", "kaida"),
    ("瑞雪", "ruixue"),
    ("松岭", "songling"),
    ("红日", "hongri"),
    ("银河", "yinhe"),
    ("锦山", "jinshan"),
    ("玉龙", "yulong"),
    ("河源", "heyuan"),
    ("草原", "caoyuan"),
    ("青松", "qingsong"),
)
HEATING_SUFFIXES = ("热力有限责任公司", "供热有限公司", "热力有限公司")
SMALL_HEATING_SUFFIX = "物业服务有限公司"
HEAT_SOURCE_SUFFIXES = ("热电有限公司", "热源有限责任公司", "能源有限公司")
# Code characters of GB 32100 positions 9-17 (no I, O, S, V, Z) and their values
# in the GB 11714 organisation code check, where letters count from A = 10.
ORG_CODE_LETTERS = "ABCDEFGHJKLMNPQRTUWXY"
ORG_CHECK_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True)
class Person:
    """A fictitious person: Chinese name and the ASCII handle used in e-mail."""

    name: str
    handle: str


def person(rng: random.Random) -> Person:
    """Draw a person: mostly Han names, some Mongolian given names."""
    surname, surname_pinyin = rng.choice(SURNAMES)
    if rng.random() < 0.12:
        given, given_pinyin = rng.choice(MONGOLIAN_NAMES)
    else:
        parts = rng.sample(GIVEN_SYLLABLES, rng.choice((1, 2, 2, 2)))
        given = "".join(p[0] for p in parts)
        given_pinyin = "".join(p[1] for p in parts)
    return Person(surname + given, surname_pinyin + given_pinyin)


def unique_people(rng: random.Random, count: int, taken: set[str]) -> list[Person]:
    """Draw `count` people whose names and handles are not in `taken`; updates it."""
    people: list[Person] = []
    while len(people) < count:
        candidate = person(rng)
        if candidate.name in taken or candidate.handle in taken:
            continue
        taken.update((candidate.name, candidate.handle))
        people.append(candidate)
    return people


def org_check_character(body: str) -> str:
    """Return the GB 11714 check character of an 8-character organisation code body."""
    total = 0
    for char, weight in zip(body, ORG_CHECK_WEIGHTS, strict=True):
        value = int(char) if char.isdigit() else ord(char) - ord("A") + 10
        total += value * weight
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def credit_code(rng: random.Random, county_code: str) -> str:
    """Draw a valid unified social credit code of a company registered in the county.

    Position 1-2 is 91 (registered by market regulation, an enterprise), 3-8 the
    county code, 9-17 the organisation code with its own check, 18 the GB 32100
    check. Newer codes start the organisation part with MA, older ones are digits.
    """
    if rng.random() < 0.6:
        body = "MA0" + "".join(
            rng.choice("0123456789" + ORG_CODE_LETTERS) for _ in "12345"
        )
    else:
        body = "".join(rng.choice("0123456789") for _ in range(8))
    first17 = "91" + county_code + body + org_check_character(body)
    code = first17 + uscc.calc_check_digit(first17)
    if not uscc.is_valid(code):
        raise AssertionError(f"generated credit code {code} fails its own check")
    return code


def break_check_character(code: str) -> str:
    """Return `code` with a wrong final check character, as a typing slip makes it."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    wrong = alphabet[(alphabet.index(code[-1]) + 7) % len(alphabet)]
    return code[:-1] + wrong


def landline(rng: random.Random) -> str:
    """Draw a Chifeng landline number (area code 0476, seven digits)."""
    return f"0476-{rng.choice('3568')}{rng.randrange(10**6):06d}"
