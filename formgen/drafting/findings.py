"""Findings: what the compliance checks and the text scanner report."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Finding:
    rule: str  # stable id, e.g. "fee.percentage_of_revenue" or "owners.license_type"
    severity: Severity
    message: str
    citation: str = ""  # the law or guidance relied on; "" only for purely internal checks
    document: str = ""  # the document the finding concerns ("" = the whole deal)
    action: str = ""  # what formgen did: "removed", "replaced", "kept", "flagged", ...
    verified: bool = True  # False when the cited rule is not verified from a primary source
    field: str = ""  # the deal field it concerns, e.g. "practice.owners[0].license.type"
    blocking: bool = False  # the deal's structure is unlawful (or refused by policy): treated as bad input (exit 1)
    law: str = ""  # for a clause rule: what the law says of the term (prohibited, conditional, unsettled, permitted)
    clause: str = ""  # for a clause rule: the clause id acted on (kept out of the message, which reports print)
    replacement: str = ""  # and the clause id put in its place

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.document, f.rule, f.message))
