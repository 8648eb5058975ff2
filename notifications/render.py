"""Render a notice's subject, plain-text part and HTML part from its templates.

Two jinja2 environments share one template folder. Every HTML part goes
through the one built with `autoescape=True`, so escaping does not depend on
a template's file name. The text environment renders only subjects and
plain-text parts (`*.subject.j2`, `*.txt.j2`). Both use StrictUndefined, so a
context key that a template needs and the caller left out fails at queue time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from notifications.catalog import get_kind
from notifications.headers import MAX_SUBJECT_CHARS, single_line

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"

GRADE_LABELS = {
    "A": "A级（绿牌）",
    "B": "B级（蓝牌）",
    "C": "C级（黄牌）",
    "D": "D级（红牌）",
}
FOLLOW_UP_LABELS = {
    "priority_support": "在项目安排、资金支持和新增供热区域方面予以优先考虑",
    "closer_supervision": "加强日常监管",
    "warning": "给予警告，责令限期改正，整改期间重点监管，不允许新接管或者扩展供热区域",
    "key_supervision": "列入重点监管范围，责令限期整改",
    "licence_revocation": "依法清退并吊销供热经营许可证",
    "emergency_takeover": "实行应急接管，保障供热区域内热用户安全、稳定用热",
}
VERDICT_LABELS = {
    "upheld": "经核查属实",
    "rejected": "经核查不属实，维持原评价结果",
    "late": "超出公示期提出，不予受理",
}
OBJECTION_KIND_LABELS = {"objection": "复核申请", "appeal": "申诉"}
CAUSE_LABELS = {
    "objection": "复核申请经核查属实",
    "appeal": "申诉经核实成立",
    "returned": "市住房和城乡建设局复核退回后重新核查",
}
SEVERITY_LABELS = {"blocking": "须修改后重新提交", "review": "提请评审委员会复核"}
SAFE_URL_SCHEMES = frozenset({"http", "https", "mailto"})


class RenderError(ValueError):
    """A notice whose templates could not be rendered with its context."""


@dataclass(frozen=True)
class RenderedNotice:
    """The three texts of one notice: a one-line subject and two body parts."""

    subject: str
    text: str
    html: str


def _label(mapping: dict[str, str]):
    def lookup(value: Any) -> str:
        return mapping.get(str(value), str(value))

    return lookup


def _parse_moment(value: Any) -> date | datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, (date, datetime)):
        return value
    text = str(value)
    if len(text) == 10:
        return date.fromisoformat(text)
    return datetime.fromisoformat(text)


def _cn_date(value: Any) -> str:
    moment = _parse_moment(value)
    if moment is None:
        return ""
    return f"{moment.year}年{moment.month}月{moment.day}日"


def _safe_url(value: Any) -> str:
    """Return the URL if it is http, https or mailto, else an inert '#'."""
    text = single_line(str(value), 2000)
    return text if urlsplit(text).scheme.lower() in SAFE_URL_SCHEMES else "#"


def _make_environment(autoescape: bool, timezone: str) -> Environment:
    zone = ZoneInfo(timezone)

    def cn_datetime(value: Any) -> str:
        moment = _parse_moment(value)
        if moment is None:
            return ""
        if not isinstance(moment, datetime):
            return _cn_date(moment)
        if moment.tzinfo is not None:
            moment = moment.astimezone(zone)
        return f"{_cn_date(moment)} {moment:%H:%M}"

    # autoescape=False only for subjects and text parts, which are not HTML.
    environment = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=autoescape,  # noqa: S701
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(
        cn_date=_cn_date,
        cn_datetime=cn_datetime,
        grade_label=_label(GRADE_LABELS),
        follow_up_label=_label(FOLLOW_UP_LABELS),
        verdict_label=_label(VERDICT_LABELS),
        objection_kind_label=_label(OBJECTION_KIND_LABELS),
        cause_label=_label(CAUSE_LABELS),
        severity_label=_label(SEVERITY_LABELS),
        safe_url=_safe_url,
    )
    return environment


@lru_cache(maxsize=4)
def _environments(timezone: str) -> tuple[Environment, Environment]:
    """Return the (HTML, text) environments for one display time zone."""
    return _make_environment(True, timezone), _make_environment(False, timezone)


def render_notice(
    kind: str, context: dict[str, Any], *, timezone: str = "Asia/Shanghai"
) -> RenderedNotice:
    """Render the subject, text part and HTML part of one notice.

    Raises RenderError naming the kind, the template and the problem (most often
    a context key the template needs that the caller did not give).
    """
    template = get_kind(kind).template
    html_env, text_env = _environments(timezone)
    parts = {}
    for part, environment, name in (
        ("subject", text_env, f"{template}.subject.j2"),
        ("text", text_env, f"{template}.txt.j2"),
        ("html", html_env, f"{template}.html.j2"),
    ):
        try:
            parts[part] = environment.get_template(name).render(context)
        except Exception as error:  # jinja2 raises many types; all mean "cannot render"
            reason = f"{type(error).__name__}: {error}"
            raise RenderError(
                f"notice {kind!r}: template {name} failed: {reason}"
            ) from error
    subject = single_line(parts["subject"], MAX_SUBJECT_CHARS)
    if not subject:
        raise RenderError(f"notice {kind!r}: template {template}.subject.j2 is empty")
    return RenderedNotice(subject=subject, text=parts["text"], html=parts["html"])
