"""The README and the docs a newcomer follows say what formgen does: the document table and the
count of verified rules match the library, the field reference matches the model, the sample
packet matches the documents, the tutorial's outputs are what the commands print, and the
two-command contract stands."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re

import pytest

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def docs_module(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "docs" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_document_table_is_the_registry():
    tables = docs_module("readme_tables")
    assert tables.readme_block(README) == tables.documents_table(), "run: python docs/readme_tables.py"
    from formgen.inputs.library import Library

    listed = re.findall(r"^\| `(\w+\.docx)` \|", tables.readme_block(README), re.M)
    assert listed == [spec.filename for spec in Library.shipped().documents]


def test_the_count_of_verified_rules_is_current():
    tables = docs_module("readme_tables")
    shown = tables.readme_block(README, tables.RULES_BEGIN, tables.RULES_END)
    assert shown == tables.verified_rules_sentence(), "run: python docs/readme_tables.py"


def test_the_two_command_contract():
    # (1) one command installs formgen and drafts a real packet from an example deal
    install = re.search(
        r"^python3 -m venv \.venv && \.venv/bin/pip install \. && \.venv/bin/formgen generate "
        r"(examples/\w+\.yaml) -o \S+$",
        README,
        re.M,
    )
    assert install and (ROOT / install.group(1)).exists()
    # (2) one command installs what the tests need and runs them all; CI runs exactly it
    assert "```bash\nbash tests/run.sh\n```" in README
    assert "bash tests/run.sh" in (ROOT / ".ci" / "run").read_text()
    assert "pip install -e" not in README  # the web extra installs without editable mode


def test_the_readme_starts_a_newcomer_and_every_link_resolves():
    first_screen = "\n".join(README.splitlines()[:40])
    assert "draft for attorney review" in first_screen and "formgen generate" in first_screen
    for section in ("## The web intake", "## The documents", "## What formgen does not do", "## Where next"):
        assert section in README
    links = re.findall(r"\]\(([^)#]+)\)", README)
    assert "docs/tutorial.md" in links and "CONTRIBUTING.md" in links and "docs/deal-fields.md" in links
    assert [link for link in links if not (ROOT / link).exists()] == []


def test_the_field_reference_is_current():
    from formgen.cli.schemaview import schema_markdown
    from formgen.inputs.deal_schema import deal_json_schema

    shown = (ROOT / "docs" / "deal-fields.md").read_text(encoding="utf-8")
    assert shown == schema_markdown(deal_json_schema()), "run: formgen schema --markdown > docs/deal-fields.md"


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_the_sample_packet_is_current():
    """docs/sample/ is made by docs/make_sample.py; the documents it shows must be today's."""
    import formgen

    recorded = json.loads((ROOT / "docs" / "sample" / "documents.json").read_text())
    packet = formgen.build(ROOT / recorded["deal"])
    now = {doc.spec.filename: hashlib.sha256(doc.data).hexdigest() for doc in packet.documents}
    assert recorded["documents"] == now, "the documents changed: run .venv/bin/python docs/make_sample.py"
    for name in ("lone-star-aesthetics-packet.pdf", "msa-page1.png", "web-intake.png"):
        assert (ROOT / "docs" / "sample" / name).stat().st_size > 10_000


@pytest.mark.slow
def test_the_tutorial_shows_what_each_command_prints(tmp_path):
    tutorial = docs_module("tutorial_run")
    _, results = tutorial.run_tutorial((ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8"), tmp_path)
    assert [c for c, _, _ in results][:2] == [
        "formgen init deals/lonestar.yaml",
        "formgen validate deals/lonestar.yaml",
    ]
    assert any(c.startswith("formgen regenerate") for c, _, _ in results)
    for command, shown, printed in results:
        assert printed == shown, f"$ {command}: run python docs/tutorial_run.py --write"
    assert (tmp_path / "out" / "lone-star-glow" / "redlines" / "msa.redline.docx").exists()
