"""Text views of the state rules for `formgen states`: the rules themselves, each with its
citation; the research record behind them (what was read, where) only when asked for."""

from __future__ import annotations

from ..inputs.practice_law import TREATMENT_CLASSES, Covenant
from ..inputs.rule import Rule
from ..inputs.states import StateRules
from .texttable import text_table

FEE_WORDS = {"forbidden": "removed", "warning": "kept+warn", "allowed": "allowed"}
COVENANT_WORDS = {"void": "void", "limited": "limited by statute", "reasonableness": "enforced if reasonable"}
SUPERVISION_WORDS = {"on_site": "on site", "available": "available", "none": "none"}


def _verified_count(rules: StateRules) -> str:
    items = rules.all_rules()
    return f"{sum(r.verified for _, r in items)}/{len(items)}"


def states_table(library) -> str:
    rows = [("Code", "Jurisdiction", "CPOM", "Researched", "Practice forms", "% fee", "Non-compete", "Verified")]
    for r in library.all_states():
        owner = r.noncompete.owner[-1].status if r.noncompete else "-"
        rows.append(
            (
                r.code,
                r.name,
                r.cpom,
                "yes" if r.researched else "no",
                ", ".join(f.form.value for f in r.entity_forms),
                FEE_WORDS[r.fee_treatment("percentage_of_revenue")],
                owner,
                _verified_count(r),
            )
        )
    lines = text_table(rows)
    lines.append(
        f"\n{len(rows) - 1} jurisdictions. '% fee': what happens to a percentage-of-revenue "
        "management fee. Non-compete: the current rule for a covenant binding the practice's owners. "
        "Verified: rules checked at a primary source / all rules."
    )
    return "\n".join(lines)


def _cite(rule: Rule) -> str:
    mark = "verified" if rule.verified else "UNVERIFIED"
    return f"[{rule.citation or 'no citation'}; {mark}]"


def _record(rule: Rule, sources: bool, indent: str = "    ") -> list[str]:
    """The research record of a rule (its note and the source read), shown with --sources."""
    if not sources:
        return []
    out = [f"{indent}research: {' '.join(rule.note.split())}"] if rule.note.strip() else []
    return out + ([f"{indent}source: {rule.source}"] if rule.source else [])


def _dates(rule: Rule) -> str:
    span = [
        f"from {rule.effective.isoformat()}" if rule.effective else "",
        f"until {rule.until.isoformat()}" if rule.until else "",
    ]
    return f" ({' '.join(s for s in span if s)})" if any(span) else ""


def _covenant_lines(kind: str, covenant: Covenant, sources: bool) -> list[str]:
    out = [
        f"  {kind}{_dates(covenant)}: {COVENANT_WORDS[covenant.status]} {_cite(covenant)}",
        f"    {' '.join(covenant.summary.split())}",
    ]
    limits = [
        f"radius at most {covenant.max_radius_miles} miles" if covenant.max_radius_miles else "",
        f"at most {covenant.max_months} months" if covenant.max_months else "",
        f"buyout {covenant.buyout}" if covenant.buyout else "",
        "patient list and records access" if covenant.patient_access else "",
        "signed writing" if covenant.signed_writing else "",
        f"notice: {covenant.notice}" if covenant.notice else "",
    ]
    limits = [x for x in limits if x] + list(covenant.conditions)
    if limits:
        out.append(f"    limits: {'; '.join(limits)}")
    return out + _record(covenant, sources)


def noncompete_lines(rules: StateRules, sources: bool = False) -> list[str]:
    if rules.noncompete is None:
        return ["Non-compete: not researched (the conservative default keeps no special rule)."]
    out = ["Non-compete (owners: the MSA covenant binds them; providers: the practice's clinician agreements):"]
    for kind, covenant in rules.noncompete.entries():
        out += _covenant_lines(kind, covenant, sources)
    return out


def scope_lines(rules: StateRules, sources: bool = False) -> list[str]:
    scope = rules.scope_of_practice
    if scope is None:
        return ["Scope of practice: not researched."]
    rows = [("Treatment", "Who may perform", "Supervision", "Delegated by", "Instrument", "Ratio", "Verified")]
    for key, entry in scope.entries():
        rows.append(
            (
                TREATMENT_CLASSES[key],
                ", ".join(entry.performers),
                SUPERVISION_WORDS[entry.supervision],
                ", ".join(entry.delegated_by) or "-",
                entry.instrument or "-",
                entry.ratio or "-",
                "yes" if entry.verified else "no",
            )
        )
    out = ["Scope of practice (supervision: what the least-qualified performer listed needs):"]
    out += ["  " + line for line in text_table(rows)]
    out.append("  Citations:")
    for key, entry in scope.entries():
        out.append(f"    {TREATMENT_CLASSES[key]}: {_cite(entry)}")
        out += _record(entry, sources, indent="      ")
    out.append(
        "  Supervision instruments (NP, PA, RN, LVN; a role not listed gets formgen's generic delegation protocol):"
    )
    for role, instrument in scope.instruments.items():
        out.append(f"    {role}: {instrument.name} {_cite(instrument)}")
        out += _record(instrument, sources, indent="      ")
    return out


def show_state(library, code: str, sources: bool = False) -> str:
    """One jurisdiction's rules, each with its citation; ``sources`` adds what was read, where."""
    r = library.state(code)
    out = [
        f"{r.name} ({r.code}): CPOM {r.cpom}; {'researched' if r.researched else 'NOT researched: conservative default'}",
        f"Files: {', '.join(r.source_files)}",
        "",
        r.summary.strip(),
        "",
        f"CPOM basis {_cite(r.cpom_basis)}",
        *_record(r.cpom_basis, sources, "  "),
        f"Fee splitting {_cite(r.fee_splitting)}",
        *_record(r.fee_splitting, sources, "  "),
        "",
        "Practice entity forms:",
    ]
    for f in r.entity_forms:
        out.append(f"  {f.form.value}: {f.label}; name ends with {', '.join(f.suffixes)} {_cite(f)}")
        out += _record(f, sources)
    o = r.ownership
    out += ["", f"Ownership {_cite(o)}", f"  {o.describe()}"]
    if o.law_allows is not None:
        out.append(f"  the law allows more (--policy permissive applies it): {o.law_allows.describe()}")
    out += _record(o, sources, "  ")
    out += ["", "Clause rules:"]
    for c in r.clause_rules:
        target = f" -> {c.replacement}" if c.replacement else ""
        out.append(f"  {c.tag}: {c.action}{target} ({c.severity}){_dates(c)} {_cite(c)}")
        out += _record(c, sources)
    if r.required_clauses:
        out += ["", "Required clauses:"]
        for c in r.required_clauses:
            out.append(f"  {c.id}: {' '.join(c.reason.split())}{_dates(c)} {_cite(c)}")
            out += _record(c, sources)
    out += ["", *noncompete_lines(r, sources), "", *scope_lines(r, sources)]
    out += ["", "Checklist:"]
    for c in r.checklist:
        when = (
            f"{c.recurring}{f' by {c.annual_by}' if c.annual_by else ''}"
            if c.recurring
            else f"day {c.due_days:+d}"
            if c.due_days is not None
            else ""
        )
        if c.due_from == "formation":
            when += " from formation"
        out.append(f"  [{c.entity}] {when}: {' '.join(c.task.split())} {_cite(c) if c.citation else ''}".rstrip())
        out += _record(c, sources)
    if r.notes:
        out += ["", "Notes:"]
        for n in r.notes:
            out.append(f"  {n.topic}{_dates(n)}: {' '.join(n.text.split())} {_cite(n)}")
            out += _record(n, sources)
    if not sources:
        out += ["", "Research notes and the sources read: formgen states " + r.code + " --sources"]
    return "\n".join(out)
