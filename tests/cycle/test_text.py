"""Free text from decisions and registers: what is kept and what is refused."""

from __future__ import annotations

import pytest

from cycle.errors import CycleError
from cycle.text import clean_text, optional_text


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("经现场核查\r\n属实", "经现场核查\n属实"),
        ("第一行\r第二行\u2028第三行", "第一行\n第二行\n第三行"),
        ("  \x1b[31m红\x07色\x00  ", "[31m红色"),
        ("司公\u202e热力\u200b\ufeff", "司公热力"),
        ("制表\t保留", "制表\t保留"),
    ],
)
def test_multi_line_text_kept_readable(raw, kept):
    assert clean_text(raw, "the reason", 100) == kept


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("张某\r\nBcc: x@example.cn", "张某 Bcc: x@example.cn"),
        ("张\u0085某\u2029先生", "张 某 先生"),
        ("  多个   空格\t制表 ", "多个 空格 制表"),
    ],
)
def test_one_line_text_loses_breaks(raw, kept):
    assert clean_text(raw, "the name", 100, one_line=True) == kept


def test_invisible_only_text_is_missing():
    with pytest.raises(CycleError, match="the name is missing"):
        clean_text("\u200b\u202e \x07", "the name", 100)


def test_limit_counts_kept_characters():
    assert clean_text("长" * 10 + "\u200b" * 5, "the grounds", 10) == "长" * 10
    with pytest.raises(CycleError, match="the grounds is 11 characters"):
        clean_text("长" * 11, "the grounds", 10)


def test_optional_text_blank_is_empty():
    assert optional_text(" \u200b ", "the remarks", 10) == ""
    assert optional_text(" 备注 ", "the remarks", 10) == "备注"
