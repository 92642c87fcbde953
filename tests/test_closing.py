"""The closing set (closing/ in every packet): declared signers, the signing order derived from the
documents' own conditions, the closing checklist, signature packets, closing documents, e-signature anchors."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter

import pytest

import formgen
from conftest import EXAMPLES, docx_text, run_cli, variant
from formgen.drafting.closing import REQUIREMENTS, Step, closing_names, order_violations, signing_steps, signing_summary
from formgen.drafting.context import build_context
from formgen.api import build as build_packet
from formgen.errors import InputError
from formgen.folder.manifest import sha256
from formgen.folder.packet_folder import PacketFolder
from formgen.drafting.plan import documents_for
from formgen.word.ooxml import read_package
from formgen.word.wordml import write_package

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
            pending.append((lines[sign_at - 1], tuple(lines[sign_at + 1 : i])))
            sign_at = None
        elif line.startswith("[Signature page to ") and pending:
            title = line[len("[Signature page to ") : -1]
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


def signer_of(block: tuple[str, ...]) -> str | None:
    """The person a printed block is for: its "Name:" line, or the one name under an individual's
    line; None for a block whose signer is still a blank ("[name of organizer]")."""
    lines = block[-1]
    named = [line[len("Name: ") :] for line in lines if line.startswith("Name: ")]
    person = named[0] if named else (lines[0] if len(lines) == 1 else None)
    return None if person is None or person.startswith("[") else person


def assert_each_block_in_its_signers_packet_in_checklist_order(folder) -> None:
    """Every signature block of every document signed at the closing is in exactly one signature
    packet, the packet of the person it names, and each packet runs in the checklist's order."""
    manifest = json.loads((folder / "manifest.json").read_text())
    signed = [
        folder / entry["file"]
        for name, entry in manifest["documents"].items()
        if name not in ("compliance_memo", "formation_checklist")
    ]
    # the closing documents signed at the closing: those in its signing order (a form signed later is not)
    signed += [folder / item["file"] for item in manifest["closing"]["items"] if item["kind"] == "closing document"]
    assert {p.name for p in signed} >= {"payment_authorization.docx", "officer_certificate.practice.docx"}
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
        pages = [
            line[len("Signature page to the ") :].rsplit(", dated as of ", 1)[0]
            for line in text.splitlines()
            if line.startswith("Signature page to the ")
        ]
        assert len(pages) == len(per_packet[path.name])
        positions = [next(i for i, row in enumerate(order) if row.startswith(page)) for page in pages]
        assert positions == sorted(positions), (path.name, positions)
        cover = text.split("Initials:", 1)[0]
        assert all(page in " ".join(cover.split()) for page in pages)
    # the right packet: a block naming a person is in that person's packet and in no other
    packet_of = {signer: file.split("/")[-1] for signer, file in manifest["closing"]["signature_packets"].items()}
    for name, blocks in per_packet.items():
        for block in blocks:
            person = signer_of(block)
            if person is None:  # only a block whose signer is a blank to fill in goes unchecked
                assert any("[" in line for line in block[-1]), block
            else:
                assert packet_of[person] == name, (block, name)


@pytest.mark.parametrize("stem", STATES)
@pytest.mark.slow  # slow tier: reads every example's packet
def test_every_signature_block_is_in_exactly_one_signers_packet_in_checklist_order(packets, stem):
    assert_each_block_in_its_signers_packet_in_checklist_order(packets[stem])


@pytest.mark.slow  # slow tier: a whole packet
def test_clinicians_and_supervisors_blocks_land_in_their_own_packets(tmp_path):
    """A staffed deal: each clinician agreement and supervision instrument puts the clinician's
    block in the clinician's packet, the supervising physician's and the Practice's blocks in the
    packets of the people who sign them, after the Medical Director Agreement they depend on."""
    from test_clinical_staffing import staffed

    out = tmp_path / "tx_staffed"
    formgen.generate(staffed(tmp_path, "tx"), out)
    assert_each_block_in_its_signers_packet_in_checklist_order(out)
    manifest = json.loads((out / "manifest.json").read_text())
    packets_ = manifest["closing"]["signature_packets"]
    for clinician, slug in (("Riley Nurse", "rn"), ("Nora Practitioner", "np")):
        text = docx_text(out / packets_[clinician])
        pages = [line for line in text.splitlines() if line.startswith("Signature page to the ")]
        assert [p.split(" (", 1)[0] for p in pages] == [
            "Signature page to the Clinician Agreement",
            "Signature page to the "
            + ("Standing Delegation Orders" if slug == "rn" else "Prescriptive Authority Agreement"),
        ], pages
        for document in (f"clinician_agreement.{slug}.docx", f"supervision_instrument.{slug}.docx"):
            blocks = signature_blocks(docx_text(out / document))
            assert [signer_of(b) for b in blocks if b[1] == "CLINICIAN"] == [clinician]
    supervisor = docx_text(out / packets_["Priya Natarajan, M.D."])
    assert supervisor.count("Signature page to the Prescriptive Authority Agreement") == 2  # supervisor and Practice
    order = checklist_order(out)
    assert order.index(
        "Medical Director Agreement (Lone Star Aesthetic Medicine, PLLC and Priya Natarajan, M.D.)"
    ) < min(i for i, row in enumerate(order) if row.startswith(("Clinician Agreement", "Prescriptive Authority")))


@pytest.mark.parametrize("stem", STATES)
@pytest.mark.slow  # slow tier: reads every example's packet
def test_closing_set_files_are_in_the_manifest_and_the_folder_reads_back(packets, stem):
    folder = packets[stem]
    outputs = PacketFolder(folder).manifest()["outputs"]  # validated as formgen reads it
    closing = sorted(p.relative_to(folder).as_posix() for p in (folder / "closing").iterdir())
    assert {
        "closing/closing_checklist.docx",
        "closing/payment_authorization.docx",
        "closing/fmv_engagement_letter.docx",
        "closing/officer_certificate.practice.docx",
        "closing/officer_certificate.mso.docx",
    } <= set(closing)
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
    specs = documents_for(packet.deal, packet.rules, packet.library.documents)
    steps = signing_steps(closing_names(specs, packet.deal))
    assert order_violations(steps) == []
    step_of = {name: s.number for s in steps for name in s.items}
    assert step_of["continuity_agreement"] <= step_of["practice_consent"] <= step_of["ownership_ledger"]
    assert step_of["fmv_opinion"] < step_of["msa"] and step_of["mso_consent"] < step_of["continuity_agreement"]
    assert all(r.source for r in REQUIREMENTS)
    # the formation checklist prints the same order
    rows = signing_summary(specs, packet.deal, build_context(packet.deal, packet.rules, packet.library))
    text = " ".join(docx_text_of(packet, "formation_checklist").split()).replace("\u2019", "'")
    for row in rows:
        assert " ".join(row["what"].split()).replace("\u2019", "'") in text, row["what"]
    continuity = next(r["step"] for r in rows if "Continuity Agreement" in r["what"])
    consent = next(
        r["step"]
        for r in rows
        if "Action by Unanimous Written Consent of the "
        + ("Members and Managers" if packet.deal.practice.entity_type.is_llc else "Shareholders")
        in r["what"]
    )
    assert continuity <= consent


def docx_text_of(packet, name: str) -> str:
    from formgen.word.ooxml import docx_text

    return docx_text(next(d.data for d in packet.documents if d.spec.name == name))


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
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
        found = re.findall(
            r'<w:color w:val="FFFFFF"/><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr><w:t '
            r'xml:space="preserve"> \\([sdi])(\d+)\\</w:t>',
            xml,
        )
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


@pytest.mark.parametrize("stem", STATES)
@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_closing_documents_use_typographic_quotes_and_apostrophes(packets, stem):
    """What the closing set prints in its own words is typeset (the typography lint's rule: no
    straight double quote), apostrophes included; the example deals' names have none of their own."""
    for path in sorted((packets[stem] / "closing").glob("*.docx")):
        text = docx_text(path)
        straight = [line for line in text.splitlines() if '"' in line or "'" in line]
        assert not straight, (path.name, straight[:3])
    pay = docx_text(packets[stem] / "closing" / "payment_authorization.docx")
    assert "(the \u201cPractice\u201d)" in pay and "MSO\u2019s" in pay


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_closing_pdfs_are_made_from_the_word_files_on_disk(packets, tmp_path):
    """The closing set's PDFs, like the documents', render what the folder holds (a lawyer's edit
    of a signature packet shows), not a fresh build."""
    from formgen.pdf.packet import write_closing_documents
    from formgen.word.closing_folder import closing_files

    folder = packets["ca_medspa"]
    packet = build_packet(EXAMPLES / "ca_medspa.yaml")
    files = closing_files(packet)
    assert files[0].filename == "closing/closing_checklist.docx"
    assert {f.filename for f in files} == {
        p.relative_to(folder).as_posix() for p in (folder / "closing").glob("*.docx")
    }
    edited = folder / files[-1].filename
    copy = tmp_path / "packet"
    shutil.copytree(folder, copy)
    changed = read_package(edited.read_bytes())
    changed["word/document.xml"] = changed["word/document.xml"].replace(
        b"Signature Packet", b"Signature Packet (edited)", 1
    )
    (copy / files[-1].filename).write_bytes(write_package(changed))
    written = write_closing_documents(packet, files, tmp_path / "docx", copy)
    assert written[-1].read_bytes() == (copy / files[-1].filename).read_bytes()
    assert "Signature Packet (edited)" in docx_text(written[-1])
    built = write_closing_documents(packet, files, tmp_path / "built")
    assert built[-1].read_bytes() == edited.read_bytes()  # from the build: what generate wrote


def signing_rows(path) -> dict[str, str]:
    """'Document or action' -> Status, from the closing checklist's signing-order table."""
    from formgen.word.ooxml import read_package as package
    from lxml import etree

    W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    root = etree.fromstring(package(path.read_bytes())["word/document.xml"])
    table = next(root.iter(f"{W}tbl"))
    rows = [["".join(cell.itertext()) for cell in row.iter(f"{W}tc")] for row in table.iter(f"{W}tr")]
    return {row[1]: row[-1] for row in rows[1:]}


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_mark_executed_records_signers_and_date_and_the_checklist_shows_them(tmp_path):
    out = tmp_path / "ny"
    formgen.generate(EXAMPLES / "ny_medspa.yaml", out)
    checklist = out / "closing" / "closing_checklist.docx"
    assert set(signing_rows(checklist).values()) == {"Open"}
    records = formgen.mark_executed(out, ["msa", "continuity_agreement"], date="2027-01-15")
    manifest = PacketFolder(out).manifest()
    items = {i["name"]: i for i in manifest["closing"]["items"]}
    for record in records:
        assert record["date"] == "2027-01-15" and record["signers"] == items[record["document"]]["signers"]
    assert records[0]["signers"] == ["Rachel Stein", "Daniel Okafor, M.D."]
    rows = signing_rows(checklist)
    executed = {what for what, status in rows.items() if status == "Executed January 15, 2027"}
    assert executed == {items["msa"]["title"], items["continuity_agreement"]["title"]}
    assert all(status == "Open" for what, status in rows.items() if what not in executed)
    # the checklist is formgen's file still: its hash and base follow, and regenerate draws the same bytes
    assert manifest["outputs"]["closing/closing_checklist.docx"] == sha256(checklist.read_bytes())
    assert (out / ".formgen/base/closing/closing_checklist.docx").read_bytes() == checklist.read_bytes()
    before = checklist.read_bytes()
    formgen.regenerate(out)
    assert checklist.read_bytes() == before
    # the listing agrees
    status = formgen.closing(out)
    listed = {i["name"]: i for step in status["steps"] for i in step["items"]}
    assert listed["msa"]["status"] == "executed" and listed["msa"]["executed_on"] == "2027-01-15"
    assert listed["baa"]["status"] == "open" and listed["baa"]["executed_on"] is None
    assert [s["step"] for s in status["steps"]] == list(range(1, len(status["steps"]) + 1))
    assert {p["file"] for p in status["signature_packets"]} == {
        p.relative_to(out).as_posix() for p in (out / "closing").glob("signature_packet.*.docx")
    }


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_mark_executed_leaves_a_hand_edited_checklist_alone(tmp_path):
    out = tmp_path / "ca"
    formgen.generate(EXAMPLES / "ca_medspa.yaml", out)
    checklist = out / "closing" / "closing_checklist.docx"
    parts = read_package(checklist.read_bytes())
    parts["word/document.xml"] = parts["word/document.xml"].replace(b">Open<", b">Done<", 1)
    checklist.write_bytes(write_package(parts))
    edited = checklist.read_bytes()
    [record] = formgen.mark_executed(out, ["msa"], date="2027-02-01")
    assert record["date"] == "2027-02-01" and checklist.read_bytes() == edited


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_closing_listing_as_json_from_the_command_line(packets):
    result = run_cli("closing", str(packets["tx_medspa"]), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["format"] == 1 and data["ok"] and data["esign"] == "none"
    names = [i["name"] for step in data["steps"] for i in step["items"]]
    assert names.index("continuity_agreement") < names.index("ownership_ledger") and "msa" in names
    msa = next(i for step in data["steps"] for i in step["items"] if i["name"] == "msa")
    assert msa["file"] == "msa.docx" and msa["status"] == "open" and len(msa["signers"]) == 2
    text = run_cli("closing", str(packets["tx_medspa"]))
    assert text.returncode == 0 and "[open] Management Services Agreement" in text.stdout


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_a_manifest_whose_closing_checklist_holds_other_blocks_is_refused(tmp_path):
    out = tmp_path / "fl"
    formgen.generate(EXAMPLES / "fl_medspa.yaml", out)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["closing"]["checklist"]["blocks"].append({"kind": "signatures", "signers": []})
    (out / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(InputError, match="closing.checklist.blocks"):
        formgen.mark_executed(out, ["msa"])


@pytest.mark.parametrize(
    "stem, expected",
    [("ny_medspa", True), ("fl_medspa", True), ("oh_medspa", True), ("ca_medspa", False), ("tx_medspa", False)],
)
@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_owner_covenant_agreement_only_where_the_state_leaves_one_signed_by_each_owner(packets, stem, expected):
    """The MSA covenant binds the Practice only; each owner's own covenant is a separate agreement the
    owner signs, drafted where the deal asks for a non-compete and the state's law keeps one (CA
    voids owner covenants; TX's rule takes the MSA covenant out), named in the integration clause,
    approved by both consents and signed no later than the MSA."""
    folder = packets[stem]
    path = folder / "owner_covenant.docx"
    assert path.is_file() == expected
    msa = " ".join(docx_text(folder / "msa.docx").split())
    assert ("Owner Covenant Agreement" in msa) == expected
    if not expected:
        return
    packet = build_packet(EXAMPLES / f"{stem}.yaml")
    from formgen.drafting.covenants import covenant_terms

    terms = covenant_terms(packet.rules)
    text = " ".join(docx_text(path).split())
    period = "one (1) year" if terms.months == 12 else f"{terms.months} months"
    assert f"ends {period} after the earlier of" in text and "miles of the Premises" in text
    owners = [o.name for o in packet.deal.practice.owners]
    blocks = signature_blocks(docx_text(path))
    assert [name for _, _, lines in blocks for name in lines if name in owners] == owners
    for consent in ("practice_consent", "mso_consent"):
        assert "Owner Covenant Agreement" in docx_text(folder / f"{consent}.docx")
    status = formgen.closing(folder)
    step = {i["name"]: s["step"] for s in status["steps"] for i in s["items"]}
    assert step["owner_covenant"] <= step["msa"]


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_no_owner_covenant_when_the_deal_asks_for_no_non_compete(tmp_path):
    import yaml

    data = yaml.safe_load((EXAMPLES / "ny_medspa.yaml").read_text())
    deal = tmp_path / "ny.yaml"
    deal.write_text(yaml.safe_dump(variant(data, **{"deal.provider_non_compete": False})))
    packet = build_packet(deal)
    names = [d.spec.name for d in packet.documents]
    assert "owner_covenant" not in names and "msa" in names


@pytest.mark.parametrize("stem", STATES)
@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_a_form_of_joinder_for_later_owners_that_no_one_signs_at_the_closing(packets, stem):
    """Owners at the closing sign the Continuity Agreement (and the owner covenant) themselves; a
    person who becomes an owner later joins them by the form, which is listed as a deliverable and is
    in no signature packet."""
    folder = packets[stem]
    text = " ".join(docx_text(folder / "closing" / "owner_joinder_form.docx").split())
    covenant = (folder / "owner_covenant.docx").is_file()
    assert "becomes a party to, and an \u201cOwner\u201d under, the Continuity Agreement" in text
    assert ("Owner Covenant Agreement" in text) == covenant and "Exhibit A" in text
    packets_text = " ".join(docx_text(p) for p in (folder / "closing").glob("signature_packet.*.docx"))
    assert "Form of Joinder" not in packets_text and "name of new owner" not in packets_text
    checklist = " ".join(docx_text(folder / "closing" / "closing_checklist.docx").split())
    assert "closing/owner_joinder_form.docx Form only" in checklist
    signed = "Continuity Agreement and the Owner Covenant Agreement" if covenant else "Continuity Agreement"
    assert f"The owners at the closing sign the {signed} themselves" in checklist
    assert "and sign no joinder" in checklist
    assert "The Form of Joinder is for a person who becomes an owner later" in checklist
    # the agreements say the same: the owners who sign need no joinder; everyone later signs one
    continuity = " ".join(docx_text(folder / "continuity_agreement.docx").split())
    assert "Each Owner named in the preamble is a party by signing this Agreement and needs no joinder." in continuity
    assert "Every other person who becomes an owner of Practice signs a joinder" in continuity


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_regenerate_keeps_the_e_signature_anchors_the_packet_was_generated_with(tmp_path):
    out = tmp_path / "tx"
    formgen.generate(EXAMPLES / "tx_medspa.yaml", out, esign="dropbox-sign")
    before = {p.name: p.read_bytes() for p in (out / "closing").glob("signature_packet.*.docx")}
    assert any("[sig|req|signer1]" in docx_text(out / "closing" / name) for name in before)
    assert PacketFolder(out).manifest()["closing"]["esign"] == "dropbox-sign"
    formgen.regenerate(out)
    assert {p.name: p.read_bytes() for p in (out / "closing").glob("signature_packet.*.docx")} == before


def deliverable_rows(path) -> dict[str, str]:
    """File -> Status, from the closing checklist's deliverables table."""
    from lxml import etree

    W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    root = etree.fromstring(read_package(path.read_bytes())["word/document.xml"])
    table = list(root.iter(f"{W}tbl"))[-1]
    rows = [["".join(cell.itertext()) for cell in row.iter(f"{W}tc")] for row in table.iter(f"{W}tr")]
    assert rows[0] == ["Deliverable", "File", "Status"]
    return {row[1]: row[-1] for row in rows[1:]}


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_closing_documents_signed_at_the_closing_are_marked_executed(tmp_path):
    """An officer's certificate, the payment authorization and the engagement letter are signed too:
    mark-executed records them (by name or by file), the listing and the redrawn checklist show them
    as executed, and a later change of their text leaves the signed copy alone (a certificate speaks
    as of the day it is signed: no amendment)."""
    deal = tmp_path / "ny.yaml"
    deal.write_text((EXAMPLES / "ny_medspa.yaml").read_text())
    out = tmp_path / "ny"
    formgen.generate(deal, out)
    certificate = out / "closing" / "officer_certificate.practice.docx"
    signed = certificate.read_bytes()
    records = formgen.mark_executed(
        out, ["officer_certificate.practice", "closing/payment_authorization.docx"], date="2027-01-10"
    )
    assert [r["file"] for r in records] == [
        "closing/officer_certificate.practice.docx",
        "closing/payment_authorization.docx",
    ]
    assert all(r["signers"] == ["Daniel Okafor, M.D."] and r["date"] == "2027-01-10" for r in records)
    manifest = PacketFolder(out).manifest()  # validated as formgen reads it
    assert (out / manifest["executed"]["officer_certificate.practice"]["signed_copy"]).read_bytes() == signed
    listed = {i["name"]: i for step in formgen.closing(out)["steps"] for i in step["items"]}
    assert listed["officer_certificate.practice"]["status"] == "executed"
    assert listed["payment_authorization"]["executed_on"] == "2027-01-10"
    assert listed["officer_certificate.mso"]["status"] == "open"
    checklist = out / "closing" / "closing_checklist.docx"
    rows = signing_rows(checklist)
    items = {i["name"]: i["title"] for i in manifest["closing"]["items"]}
    assert rows[items["officer_certificate.practice"]] == "Executed January 10, 2027"
    assert rows[items["payment_authorization"]] == "Executed January 10, 2027"
    assert rows[items["officer_certificate.mso"]] == "Open"
    deliverables = deliverable_rows(checklist)
    assert deliverables["closing/officer_certificate.practice.docx"] == "Executed January 10, 2027"
    assert deliverables["closing/officer_certificate.mso.docx"] == "Open"
    text = run_cli("closing", str(out))
    assert "[executed 2027-01-10] Officer\u2019s Certificate of Hudson Medical Aesthetics" in text.stdout, text.stdout
    assert formgen.regenerate(out).status == "unchanged"
    # the owner's license number changes after the certificate was signed: the signed copy stays
    deal.write_text(deal.read_text().replace('"301234"', '"301299"'))
    result = formgen.regenerate(out)
    assert certificate.read_bytes() == signed
    kept = next(d for d in result.documents if d.file == "closing/officer_certificate.practice.docx")
    assert kept.status == "kept" and "sign a new one" in kept.note and kept.amendment is None
    assert signing_rows(checklist)[items["officer_certificate.practice"]] == "Executed January 10, 2027"


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_mark_executed_names_what_may_be_marked(tmp_path):
    out = tmp_path / "tx"
    formgen.generate(EXAMPLES / "tx_medspa.yaml", out)
    for given, why in [
        ("fmv_opinion", "'fmv_opinion' is a condition of the closing"),
        ("bank_account", "'bank_account' is a deliverable of the closing"),
        ("owner_joinder_form", "is not signed at the closing (a form"),
        ("compliance_memo", "is written for the lawyer; nobody signs it"),
        ("lease", "'lease' is not a document of this packet"),
    ]:
        result = run_cli("mark-executed", str(out), given)
        assert result.returncode == 1 and why in result.stderr, result.stderr
        assert "officer_certificate.practice" in result.stderr and "msa" in result.stderr
        assert "payment_authorization" in result.stderr and "owner_joinder_form," not in result.stderr
    assert "executed" not in json.loads((out / "manifest.json").read_text())


@pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None, reason="poppler-utils is not installed"
)
def test_esign_anchors_are_invisible_on_the_rendered_page_and_in_its_text_layer(
    tmp_path, libreoffice, libreoffice_profile
):
    """A signature packet with DocuSign anchors renders, page for page and pixel for pixel, as the
    plain one does, while its text layer (where the service looks) holds one anchor per field."""
    pdfs = tmp_path / "pdf"
    pdfs.mkdir()
    for esign in ("none", "docusign"):
        out = tmp_path / esign
        formgen.generate(EXAMPLES / "ny_medspa.yaml", out, esign=esign)
        packet = out / PacketFolder(out).manifest()["closing"]["signature_packets"]["Daniel Okafor, M.D."]
        shutil.copyfile(packet, pdfs / f"{esign}.docx")
    assert (pdfs / "none.docx").read_bytes() != (pdfs / "docusign.docx").read_bytes()
    subprocess.run(
        [libreoffice, libreoffice_profile, "--headless", "--convert-to", "pdf", "--outdir", str(pdfs)]
        + [str(pdfs / "none.docx"), str(pdfs / "docusign.docx")],
        capture_output=True,
        timeout=300,
    )
    blocks = len(signature_blocks(docx_text(pdfs / "none.docx")))
    text = {
        esign: subprocess.run(["pdftotext", str(pdfs / f"{esign}.pdf"), "-"], capture_output=True, text=True).stdout
        for esign in ("none", "docusign")
    }
    anchors = Counter(re.findall(r"\\([sdi])\d+\\", text["docusign"]))
    assert anchors == {"s": blocks, "d": blocks, "i": 1} and blocks > 5
    assert not re.findall(r"\\[sdi]\d+\\", text["none"])
    pages = {}
    for esign in ("none", "docusign"):
        subprocess.run(
            ["pdftoppm", "-gray", "-r", "60", str(pdfs / f"{esign}.pdf"), str(pdfs / esign)], check=True, timeout=120
        )
        pages[esign] = [p.read_bytes() for p in sorted(pdfs.glob(f"{esign}-*.pgm"))]
    assert len(pages["none"]) == len(pages["docusign"]) >= blocks
    different = [i + 1 for i, (a, b) in enumerate(zip(pages["none"], pages["docusign"])) if a != b]
    assert not different, f"pages that render differently with the anchors: {different}"
    assert all(min(page[page.index(b"255\n") + 4 :]) < 100 for page in pages["none"])  # each page prints something
