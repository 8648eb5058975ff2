"""The county reference list: code, name and the bureau's contact details."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

COUNTIES_FILE = Path(__file__).with_name("counties.yaml")


class CountyInfo(BaseModel):
    """One county-level division and its heating bureau."""

    model_config = ConfigDict(frozen=True)

    code: str = Field(pattern=r"^1504\d\d$")
    name: str
    slug: str = Field(pattern=r"^[a-z]+$")

    @property
    def bureau_name(self) -> str:
        """The bureau's name as it signs notices."""
        return f"{self.name}供热主管部门"

    @property
    def bureau_email(self) -> str:
        """The bureau's mailbox (placeholder domain in the default data)."""
        return f"heating@{self.slug}.chifeng.example.cn"


@cache
def load_counties(path: Path = COUNTIES_FILE) -> tuple[CountyInfo, ...]:
    """Read the county list; codes are unique and sorted."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    counties = tuple(CountyInfo.model_validate(item) for item in raw)
    codes = [c.code for c in counties]
    if len(set(codes)) != len(codes):
        raise ValueError(f"{path}: duplicate county codes in {codes}")
    return tuple(sorted(counties, key=lambda c: c.code))


def county_by_code(code: str) -> CountyInfo:
    """Return the county with `code`, or raise KeyError naming the valid codes."""
    for county in load_counties():
        if county.code == code:
            return county
    valid = ", ".join(c.code for c in load_counties())
    raise KeyError(f"unknown county code {code!r}; valid codes: {valid}")
