"""The California interview's answers, step by step, as form fields (shared by the HTTP and the
browser tests). They describe the same deal as examples/ca_medspa.yaml."""

CA_STEPS = {
    "deal": {"deal.name": "Glow Aesthetics", "deal.state": "CA", "deal.effective_date": "2027-01-01"},
    "mso": {
        "mso.name": "Glow Management, LLC",
        "mso.entity_type": "llc",
        "mso.formation_state": "CA",
        "mso.address": "100 Main Street, Suite 200, San Diego, CA 92101",
        "mso.members[0].name": "Dana Ruiz",
        "mso.members[0].percent": "60",
        "mso.members[0].capital_contribution": "150000",
        "mso.members[1].name": "Harbor Street Capital, LLC",
        "mso.members[1].percent": "40",
        "mso.members[1].capital_contribution": "100000",
        "mso.signatory.name": "Dana Ruiz",
        "mso.signatory.title": "Chief Executive Officer",
    },
    "practice": {
        "practice.name": "Glow Medical Corporation",
        "practice.entity_type": "professional_corporation",
        "practice.formation_state": "CA",
        "practice.address": "100 Main Street, Suite 210, San Diego, CA 92101",
        "practice.owners[0].name": "Maya Chen, M.D.",
        "practice.owners[0].license.type": "MD",
        "practice.owners[0].license.state": "CA",
        "practice.owners[0].license.number": "A123456",
        "practice.owners[0].percent": "100",
        "practice.owners[0].spouse": "Daniel Chen",
        "practice.medical_director": "Maya Chen, M.D.",
        "practice.signatory.name": "Maya Chen, M.D.",
        "practice.signatory.title": "President",
    },
    "services": {
        "services": [
            "administrative",
            "payroll_hr",
            "marketing",
            "office_space_equipment",
            "scheduling_front_desk",
            "billing_collections",
            "vendor_supply",
            "it_systems",
            "bookkeeping_reporting",
            "staff_training",
        ]
    },
    "fees": {"fees.basis": "percentage_of_revenue", "fees.percent_of_revenue": "15", "fees.fmv_review": "annual"},
    "term": {
        "term.initial_years": "5",
        "term.renewal_years": "1",
        "term.termination_without_cause_days": "180",
        "dispute_resolution.method": "arbitration",
    },
    "brand": {"brand": "Glow Aesthetics"},
}


def _ca_packet_files() -> set[str]:
    """What `formgen generate` writes for the CA example beside its .formgen/ records: every document, the
    closing set (closing/) and the records."""
    from pathlib import Path

    from formgen.drafting.plan import documents_for
    from formgen.drafting.validation import check
    from formgen.inputs.library import Library

    example = Path(__file__).resolve().parent.parent / "examples" / "ca_medspa.yaml"
    library = Library.shipped()  # the deal's checks only (no drafting): this runs as the tests are collected
    names = [spec.filename for spec in documents_for(*check(example, "conservative", library)[:2], library.documents)]
    closing = [
        "closing_checklist",
        "fmv_engagement_letter",
        "officer_certificate.mso",
        "officer_certificate.practice",
        "owner_joinder_form",
        "payment_authorization",
        *(
            f"signature_packet.{signer}"
            for signer in (
                "dana-ruiz",
                "daniel-chen",
                "harbor-street-capital-llc",
                "maya-chen-m-d",
                "incorporator-articles-of-incorporation-of-glow-medical-corporation",
                "organizer-articles-of-organization-of-glow-management-llc",
            )
        ),
    ]
    return {*names, *(f"closing/{name}.docx" for name in closing), "compliance.json", "manifest.json"}


PACKET_FILES = _ca_packet_files()
# What the manifest records about where the deal file was: differs between the browser's and the CLI's run.
DOCUMENTS = sorted(n for n in PACKET_FILES if n != "manifest.json")
