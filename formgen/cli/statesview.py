"""Text views of the state rules for `formgen states`."""

from __future__ import annotations

from ..inputs.states import StateRules
from .texttable import text_table

FEE_WORDS = {"forbidden": "removed", "warning": "kept+warn", "allowed": "allowed"}


def _verified_count(rules: StateRules) -> str:
    items = rules.all_rules()
    return f"{sum(r.verified for _, r in items)}/{len(items)}"


def states_table(library) -> str:
    rows = [("Code", "Jurisdiction", "CPOM", "Researched", "Practice forms", "% fee", "Verified")]
    for r in library.all_states():
        rows.append((r.code, r.name, r.cpom, "yes" if r.researched else "no",
                     ", ".join(f.form.value for f in r.entity_forms),
                     FEE_WORDS[r.fee_treatment("percentage_of_revenue")], _verified_count(r)))
    lines = text_table(rows)
    lines.append(f"\n{len(rows) - 1} jurisdictions. '% fee': what happens to a percentage-of-revenue "
                 "management fee. Verified: rules checked at a primary source / all rules.")
    return "\n".join(lines)


def _cite(rule) -> str:
    mark = "verified" if rule.verified else "UNVERIFIED"
    return f"[{rule.citation or 'no citation'}; {mark}]"


def show_state(library, code: str) -> str:
    r = library.state(code)
    out = [f"{r.name} ({r.code}): CPOM {r.cpom}; {'researched' if r.researched else 'NOT researched: conservative default'}",
           f"Files: {', '.join(r.source_files)}", "", r.summary.strip(), "",
           f"CPOM basis {_cite(r.cpom_basis)}", f"  {r.cpom_basis.note.strip()}" if r.cpom_basis.note else "",
           f"Fee splitting {_cite(r.fee_splitting)}", f"  {r.fee_splitting.note.strip()}" if r.fee_splitting.note else "",
           "", "Practice entity forms:"]
    for f in r.entity_forms:
        out.append(f"  {f.form.value}: {f.label}; name ends with {', '.join(f.suffixes)} {_cite(f)}")
    o = r.ownership
    out += ["", f"Ownership {_cite(o)}", f"  {o.describe()}"]
    if o.law_allows is not None:
        out.append(f"  the law allows more (--policy permissive applies it): {o.law_allows.describe()}")
    if o.note:
        out.append(f"  {o.note.strip()}")
    out += ["", "Clause rules:"]
    for c in r.clause_rules:
        target = f" -> {c.replacement}" if c.replacement else ""
        out.append(f"  {c.tag}: {c.action}{target} ({c.severity}) {_cite(c)}")
    if r.required_clauses:
        out += ["", "Required clauses:"] + [f"  {c.id}: {c.reason} {_cite(c)}" for c in r.required_clauses]
    out += ["", "Checklist:"]
    for c in r.checklist:
        when = (f"{c.recurring}{f' by {c.annual_by}' if c.annual_by else ''}" if c.recurring
                else f"day {c.due_days:+d}" if c.due_days is not None else "")
        if c.due_from == "formation":
            when += " from formation"
        out.append(f"  [{c.entity}] {when}: {c.task} {_cite(c) if c.citation else ''}".rstrip())
    if r.notes:
        out += ["", "Notes:"] + [f"  {n.topic}: {n.text.strip()} {_cite(n)}" for n in r.notes]
    return "\n".join(line for line in out if line is not None)
