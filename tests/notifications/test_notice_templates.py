"""Every notice kind: templates exist, render Chinese, escape HTML, match the docs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from notice_support import (
    COUNTY_CONTEXT,
    ENTERPRISE_CONTEXT,
    HOSTILE,
    REPO_ROOT,
    SAMPLES,
)

from notifications.catalog import CATALOG, COMMON_OPTIONAL
from notifications.render import (
    TEMPLATE_DIR,
    RenderError,
    _environments,
    render_notice,
)

AUDIENCE_OF = {kind: spec.audiences[0].value for kind, spec in CATALOG.items()}


def full_context(kind: str, **overrides) -> dict:
    spec = CATALOG[kind]
    context = {
        "season": "2025-2026",
        "platform": "赤峰市供热企业综合评价平台",
        "city_bureau_name": "赤峰市住房和城乡建设局",
        "county": dict(COUNTY_CONTEXT),
        "enterprise": dict(ENTERPRISE_CONTEXT),
        "recipient": {
            "name": "李四",
            "address": "li@heat.example.cn",
            "audience": AUDIENCE_OF[kind],
        },
    }
    for key in (*spec.optional, *COMMON_OPTIONAL):
        context[key] = None
    context.update(SAMPLES[kind])
    context.update(overrides)
    return context


def test_samples_cover_catalog():
    assert set(SAMPLES) == set(CATALOG)


@pytest.mark.parametrize("kind", sorted(CATALOG))
def test_three_templates_per_kind(kind):
    for suffix in ("subject.j2", "txt.j2", "html.j2"):
        assert (TEMPLATE_DIR / f"{kind}.{suffix}").is_file()


@pytest.mark.parametrize("kind", sorted(CATALOG))
def test_required_keys_are_enough(kind):
    rendered = render_notice(kind, full_context(kind))

    assert rendered.subject
    assert "\n" not in rendered.subject
    assert re.search(r"[\u4e00-\u9fff]", rendered.subject)
    assert "本邮件由赤峰市供热企业综合评价平台自动发送" in rendered.text
    assert rendered.html.startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("kind", sorted(CATALOG))
def test_each_required_key_is_used(kind):
    """Some audience's version of the notice fails without each required key."""
    for key in CATALOG[kind].required:
        errors = []
        for audience in CATALOG[kind].audiences:
            context = full_context(kind)
            context["recipient"]["audience"] = audience.value
            del context[key]
            try:
                render_notice(kind, context)
            except RenderError as error:
                errors.append(str(error))
        assert any(f"'{key}' is undefined" in error for error in errors), key


@pytest.mark.parametrize("kind", sorted(CATALOG))
def test_hostile_text_escaped_everywhere(kind):
    def poison(value):
        if isinstance(value, str) and not re.fullmatch(r"[\d\-:T+.]+|[A-D]", value):
            return HOSTILE
        if isinstance(value, dict):
            return {k: poison(v) for k, v in value.items()}
        if isinstance(value, list):
            return [poison(v) for v in value]
        return value

    context = full_context(kind)
    for key in ("enterprise", "county"):
        context[key] = poison(context[key])
    for key in SAMPLES[kind]:
        if key not in {"objection_kind", "verdict", "cause", "outcome"}:
            context[key] = poison(context[key])
    context["recipient"] = {**context["recipient"], "name": HOSTILE}
    rendered = render_notice(kind, context)

    assert "<script>" not in rendered.html
    assert "\r" not in rendered.subject
    assert "\n" not in rendered.subject


def test_html_escaped_despite_j2_suffix():
    html_environment, text_environment = _environments("Asia/Shanghai")

    assert html_environment.autoescape is True
    assert text_environment.autoescape is False


def test_objection_filer_hidden_from_enterprise():
    context = full_context("objection_received")
    context["filed_by"] = "热用户 孙七"
    to_enterprise = render_notice("objection_received", context)
    context["recipient"] = {**context["recipient"], "audience": "committee"}
    to_committee = render_notice("objection_received", context)

    assert "孙七" not in to_enterprise.text
    assert "提出人：热用户 孙七" in to_committee.text


def test_unsafe_link_made_inert():
    context = full_context(
        "intake_opened", links=[{"title": "模板", "url": "javascript:alert(1)"}]
    )
    rendered = render_notice("intake_opened", context)

    assert '<a href="#">模板</a>' in rendered.html
    assert "javascript:" not in rendered.html


def test_dates_and_grades_in_chinese():
    rendered = render_notice("final_result", full_context("final_result"))

    assert rendered.subject == (
        "【供热企业综合评价】松山热力有限公司2025-2026年度综合评价最终结果："
        "68.00分，D级（红牌）"
    )
    assert "已于2026年7月1日公布" in rendered.text
    assert "整改期限：2026年8月30日" in rendered.text
    assert "- 列入重点监管范围，责令限期整改" in rendered.text


def test_times_shown_in_local_zone():
    rendered = render_notice("submission_received", full_context("submission_received"))

    assert "接收时间：2026年5月10日 10:30" in rendered.text


def test_docs_table_lists_every_kind():
    text = Path(REPO_ROOT / "docs" / "notifications.md").read_text("utf-8")
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", text, flags=re.MULTILINE))

    assert documented == set(CATALOG)
