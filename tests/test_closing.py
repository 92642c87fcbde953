"""The closing set (closing/ in every packet): declared signers, the signing order derived from the
documents' own conditions, the closing checklist, signature packets, closing documents, e-signature anchors."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

import formgen
from conftest import EXAMPLES, docx_text, run_cli
from formgen.drafting.closing import (REQUIREMENTS, Step, closing_names, order_violations, signing_steps,
                                      signing_summary)
from formgen.drafting.context import build_context
from formgen.api import build as build_packet
from formgen.folder.packet_folder import PacketFolder
from formgen.inputs.documents import documents_for
from formgen.word.ooxml import read_package

STATES = ["ca_medspa", "tx_medspa", "ny_medspa", "fl_medspa"]
SIGN_LINE = "______________________________"


def signature_blocks(text: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """Each signature block of a document as printed: (the document its legend names, the line above
    its signature line, the lines from the signature line to the date line)."""
    lines = [line.strip() for line in text.splitlines()]
    blocks, pending, sign_at = [], [], None
    for i, line in enumerate(lines):
        if line in (SIGN_LINE, f"By: {SIGN_LINE}"):
            sign_at = i
        elif line == f"Date: {SIGN_LINE}" and sign_at is not None:
            pending.append((lines[sign_at - 1], tuple(lines[sign_at + 1:i])))
            sign_at = None
        elif line.startswith("[Signature page to ") and pending:
            title = line[len("[Signature page to "):-1]
            blocks += [(title, *block) for block in pending]
            pending = []
    # a signed exhibit (a spouse's consent) carries no legend of its own: it belongs to its document
    blocks += [(None, *block) for block in pending]
    return blocks


def checklist_order(folder) -> list[str]:
    """The 'Document or action' column of the closing checklist's signing order, top to bottom."""
    text = docx_text(folder / "closing" / "closing_checklist.docx")
    table = text.split("SIGNING ORDER", 1)[1].split("CONDITIONS PRECEDENT", 1)[0]
    lines = [line for line in table.splitlines() if line.strip()]
    rows = [lines[i + 1] for i in range(5, len(lines) - 1) if lines[i].isdigit() and lines[i + 1][:1].isalpha()]
    return rows


@pytest.mark.parametrize("stem", STATES)
@pytest.mark.slow  # slow tier: reads every example's packet
def test_every_signature_block_is_in_exactly_one_signers_packet_in_checklist_order(packets, stem):
    folder = packets[stem]
    manifest = json.loads((folder / "manifest.json").read_text())
    signed = [folder / entry["file"] for name, entry in manifest["documents"].items()
              if name not in ("compliance_memo", "formation_checklist")]
    signed += sorted(p for p in (folder / "closing").glob("*.docx")
                     if not p.name.startswith(("signature_packet.", "closing_checklist")))
    # a block is its signer's lines under the line (a signed exhibit's page carries no legend naming its document)
    in_documents = Counter(b[1:] for path in signed for b in signature_blocks(docx_text(path)))
    packets_ = sorted((folder / "closing").glob("signature_packet.*.docx"))
    per_packet = {p.name: signature_blocks(docx_text(p)) for p in packets_}
    in_packets = Counter(b[1:] for blocks in per_packet.values() for b in blocks)
    assert in_documents and in_packets == in_documents
    # no block in two packets: each packet's blocks belong to one signer (one name under the line)
    owners = {}
    for name, blocks in per_packet.items():
        for block in blocks:
            owners.setdefault(block[1:], set()).add(name)
    assert all(len(names) == 1 for block, names in owners.items() if in_documents[block] == 1)
    # in checklist order: each packet's cover lists its documents in the order the checklist signs them
    order = checklist_order(folder)
    for path in packets_:
        text = docx_text(path)
        pages = [line[len("Signature page to the "):].rsplit(", dated as of ", 1)[0]
                 for line in text.splitlines() if line.startswith("Signature page to the ")]
        assert len(pages) == len(per_packet[path.name])
        positions = [next(i for i, row in enumerate(order) if row.startswith(page)) for page in pages]
        assert positions == sorted(positions), (path.name, positions)
        cover = text.split("Initials:", 1)[0]
        assert all(page in " ".join(cover.split()) for page in pages)


@pytest.mark.parametrize("stem", STATES)
@pytest.mark.slow  # slow tier: reads every example's packet
def test_closing_set_files_are_in_the_manifest_and_the_folder_reads_back(packets, stem):
    folder = packets[stem]
    outputs = PacketFolder(folder).manifest()["outputs"]  # validated as formgen reads it
    closing = sorted(p.relative_to(folder).as_posix() for p in (folder / "closing").iterdir())
    assert {"closing/closing_checklist.docx", "closing/payment_authorization.docx",
            "closing/fmv_engagement_letter.docx", "closing/officer_certificate.practice.docx",
            "closing/officer_certificate.mso.docx"} <= set(closing)
    assert any(name.startswith("closing/signature_packet.") for name in closing)
    assert set(closing) <= set(outputs)


def test_contradictory_order_fails_naming_the_documents_own_condition():
    """The consent issues shares only to owners who signed the Continuity Agreement: signing the
    consent a step before the Continuity Agreement (the old formation checklist) contradicts it."""
    bad = [Step(1, ("practice_consent",)), Step(2, ("continuity_agreement",))]
    problems = order_violations(bad)
    assert len(problems) == 1 and "practice_consent.ownership" in problems[0]
    assert order_violations([Step(1, ("continuity_agreement", "practice_consent"))]) == []
    # a strict condition: the MSA only after the fair-market-value opinion, never at the same sitting
    assert order_violations([Step(1, ("fmv_opinion", "msa"))])
    assert not order_violations([Step(1, ("fmv_opinion",)), Step(2, ("msa",))])


@pytest.mark.parametrize("stem", STATES)
@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_derived_order_meets_every_condition(stem):
    deal_path = EXAMPLES / f"{stem}.yaml"
    packet = build_packet(deal_path)
    specs = documents_for(packet.deal)
    steps = signing_steps(closing_names(specs, packet.deal))
    assert order_violations(steps) == []
    step_of = {name: s.number for s in steps for name in s.items}
    assert step_of["continuity_agreement"] <= step_of["practice_consent"] <= step_of["ownership_ledger"]
    assert step_of["fmv_opinion"] < step_of["msa"] and step_of["mso_consent"] < step_of["continuity_agreement"]
    assert all(r.source for r in REQUIREMENTS)
    # the formation checklist prints the same order
    rows = signing_summary(specs, packet.deal, build_context(packet.deal, packet.rules, packet.library.catalog))
    text = " ".join(docx_text_of(packet, "formation_checklist").split()).replace("\u2019", "'")
    for row in rows:
        assert " ".join(row["what"].split()).replace("\u2019", "'") in text, row["what"]
    continuity = next(r["step"] for r in rows if "Continuity Agreement" in r["what"])
    consent = next(r["step"] for r in rows if "Action by Unanimous Written Consent of the "
                   + ("Members and Managers" if packet.deal.practice.entity_type.is_llc else "Shareholders")
                   in r["what"])
    assert continuity <= consent


def docx_text_of(packet, name: str) -> str:
    from formgen.word.ooxml import docx_text

    return docx_text(next(d.data for d in packet.documents if d.spec.name == name))


def test_closing_documents_say_what_they_must(packets):
    folder = packets["ca_medspa"] / "closing"
    pay = " ".join(docx_text(folder / "payment_authorization.docx").split())
    assert "any signature authority over the Account" in pay and "may change or revoke this instruction" in pay
    assert "The Practice initiates each payment" in pay and "Glow Medical Corporation" in pay
    officer = " ".join(docx_text(folder / "officer_certificate.practice.docx").split())
    assert "A123456" in officer and "Articles of Incorporation" in officer and "Specimen signature" in officer
    assert "Bylaws" in officer and "Action by Unanimous Written Consent" in officer
    fmv = " ".join(docx_text(folder / "fmv_engagement_letter.docx").split())
    assert "fair market value" in fmv and "before either signs the Management Services Agreement" in fmv
    checklist = " ".join(docx_text(folder / "closing_checklist.docx").split())
    for heading in ("SIGNING ORDER", "CONDITIONS PRECEDENT", "FILINGS", "DELIVERABLES", "Status"):
        assert heading in checklist


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_closing_set_is_deterministic(packets, tmp_path):
    again = tmp_path / "again"
    formgen.generate(EXAMPLES / "ca_medspa.yaml", again)
    first = {p.name: p.read_bytes() for p in (packets["ca_medspa"] / "closing").iterdir()}
    second = {p.name: p.read_bytes() for p in (again / "closing").iterdir()}
    assert first == second


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_esign_anchors_are_white_one_point_and_one_per_field_consistent_per_signer(tmp_path):
    out = tmp_path / "docusign"
    formgen.generate(EXAMPLES / "ny_medspa.yaml", out, esign="docusign")
    numbers = set()
    for path in sorted((out / "closing").glob("signature_packet.*.docx")):
        xml = read_package(path.read_bytes())["word/document.xml"].decode()
        blocks = len(signature_blocks(re.sub(r" \\[sdi]\d+\\", "", docx_text(path))))
        found = re.findall(r'<w:color w:val="FFFFFF"/><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr><w:t '
                           r'xml:space="preserve"> \\([sdi])(\d+)\\</w:t>', xml)
        kinds = Counter(kind for kind, _ in found)
        assert kinds == {"s": blocks, "d": blocks, "i": 1}, path.name
        signer_numbers = {n for _, n in found}
        assert len(signer_numbers) == 1 and not signer_numbers & numbers  # one number per signer, never reused
        numbers |= signer_numbers
    plain = tmp_path / "plain"
    formgen.generate(EXAMPLES / "ny_medspa.yaml", plain)
    assert not any("\\s1\\" in docx_text(p) for p in (plain / "closing").glob("*.docx"))


def test_cli_refuses_an_unknown_esign_service(tmp_path):
    result = run_cli("generate", str(EXAMPLES / "ca_medspa.yaml"), "-o", str(tmp_path / "x"), "--esign", "wetink")
    assert result.returncode != 0 and "docusign" in result.stderr and not (tmp_path / "x").exists()


def test_requirements_that_contradict_one_another_are_refused(monkeypatch):
    import formgen.drafting.closing as closing

    cycle = (closing.Requirement("msa", "baa", True, "x", "a"), closing.Requirement("baa", "msa", True, "y", "b"))
    monkeypatch.setattr(closing, "REQUIREMENTS", cycle)
    with pytest.raises(closing.ClosingOrderError, match="contradict"):
        closing.signing_steps(["msa", "baa"])
