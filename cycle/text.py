"""Free text that people type into decisions and registers, checked before it is kept.

Such text ends up in published HTML, CSV, PDF and in e-mail, so one set of rules
applies everywhere. Control characters go. So do the invisible format characters
that reorder or hide text: a right-to-left override makes 司公 display as 公司.
Names, contacts and other one-line fields also lose their line breaks, so that a
name cannot add lines of its own to a notice.
"""

from __future__ import annotations

import re

from cycle.errors import CycleError
from intake.cells import INVISIBLE

# C0 controls except TAB, LF and CR, and DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# CR and LF, next line (NEL), and the Unicode line and paragraph separators.
_LINE_BREAKS = re.compile("[\r\n\u0085\u2028\u2029]+")
_OTHER_BREAKS = re.compile("\r\n?|[\u0085\u2028\u2029]")


def clean_text(value: str, label: str, limit: int, *, one_line: bool = False) -> str:
    """Strip control and invisible format characters and outer space.

    With `one_line`, line breaks become single spaces. Raises CycleError naming
    `label` when nothing is left or the text is longer than `limit` characters.
    """
    text = _without_hidden(value)
    if one_line:
        text = " ".join(_LINE_BREAKS.sub(" ", text).split())
    else:
        text = _OTHER_BREAKS.sub("\n", text)
    text = text.strip()
    if not text:
        raise CycleError(f"{label} is missing; write it out, it is kept on record")
    if len(text) > limit:
        raise CycleError(f"{label} is {len(text)} characters; the limit is {limit}")
    return text


def optional_text(value: str, label: str, limit: int, *, one_line: bool = False) -> str:
    """Like `clean_text`, but blank text gives an empty string."""
    if not has_text(value):
        return ""
    return clean_text(value, label, limit, one_line=one_line)


def has_text(value: str | None) -> bool:
    """Return whether `value` has anything left once cleaned (False for None)."""
    if value is None:
        return False
    return bool(_without_hidden(value).strip())


def _without_hidden(value: str) -> str:
    return INVISIBLE.sub("", _CONTROL.sub("", value))
