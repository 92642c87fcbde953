"""What every state rule carries: where it comes from, whether that was checked at a primary
source, and the dates it is in force."""

from __future__ import annotations

import datetime as dt
from typing import Self

from pydantic import BaseModel, ConfigDict, model_validator


class Rule(BaseModel):
    """Every rule says where it comes from and whether that was checked at a primary source."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    citation: str = ""
    verified: bool = False
    note: str = ""
    source: str = ""  # the primary text read to verify it: what, and where (address or stored file)
    read_on: dt.date | None = None  # the day that text was read
    effective: dt.date | None = None  # in force from this date (None: long-standing)
    until: dt.date | None = None  # no longer in force from this date
    transition: dt.date | None = None  # arrangements made before `effective` must comply by this date

    @model_validator(mode="after")
    def _verified_needs_citation(self) -> Self:
        if self.verified and not self.citation.strip():
            raise ValueError("a rule marked verified: true needs a citation")
        return self


def rule_status(rule: Rule, on: dt.date) -> tuple[bool, str] | None:
    """None for an undated rule; else (in force on ``on``, why in words)."""
    if rule.effective is None and rule.until is None:
        return None
    if rule.effective is not None and on < rule.effective:
        return False, f"in force from {rule.effective.isoformat()}, after {on.isoformat()}"
    if rule.until is not None and on >= rule.until:
        return False, f"no longer in force from {rule.until.isoformat()}"
    since = f"in force since {rule.effective.isoformat()}" if rule.effective else "in force"
    return True, since + (f" until {rule.until.isoformat()}" if rule.until else "")
