"""Wording changes reviewed as diffs (issue 23 item 9): the text of every agreement of every example
packet is kept in tests/cases/<example>/<document>.txt, with Word's numbering written out (sections
"3.1", lettered items "(a)", tables as "cell | cell" rows, drafting notes as "[Drafting note: ...]"),
and this test compares the drafts with it. A clause edit then shows up in review as a plain text diff.

After a deliberate wording change, rewrite the files and review the diff:
    FORMGEN_UPDATE_GOLDENS=1 python -m pytest tests/test_goldens.py
"""

from __future__ import annotations

import os
import string
from pathlib import Path

import pytest

from conftest import EXAMPLE_FILES
from formgen.inputs.library import Library
from formgen.drafting.drafts import draft_agreements, start_drafting
from formgen.markup import NOTE_PREFIX, strip_word_markers
from formgen.drafting.validation import check

CASES = Path(__file__).parent / "cases"
UPDATE = os.environ.get("FORMGEN_UPDATE_GOLDENS") == "1"


def golden_text(blocks: list[dict]) -> str:
    """A draft as a lawyer reads it in Word: numbers and letters written out, one paragraph a line."""
    lines, letter = [], 0
    for block in blocks:
        kind = block["kind"]
        letter = letter + 1 if kind == "item" else 0
        if kind == "item":
            lines.append(f"    ({string.ascii_lowercase[(letter - 1) % 26]}) {block['text']}")
        elif kind == "note":
            lines.append(f"{NOTE_PREFIX}{block['text']}]")
        elif kind == "table":
            lines += [" | ".join(row) for row in [block["header"], *block["rows"]]]
        elif kind == "signatures":
            lines += ["SIGNED: " + " / ".join(str(v) for v in signer.values() if v) for signer in block["signers"]]
        elif kind == "exhibit":
            lines.append(f"{block['text']} {block['title']}".upper())
        elif kind == "heading":
            lines.append(f"{block.get('number', '')} {block['text']}".strip().upper())
        elif kind == "toc":
            continue
        else:
            lines.append(" ".join(str(block[k]) for k in ("number", "caption", "text") if block.get(k)))
    return "\n".join(strip_word_markers(line).rstrip() for line in lines) + "\n"


def example_texts(deal_path: Path) -> dict[str, str]:
    deal, rules, _ = check(deal_path, "conservative", Library.shipped())
    return {
        draft.spec.name: golden_text(draft.blocks)
        for draft in draft_agreements(start_drafting(deal, rules, Library.shipped()))
    }


@pytest.mark.parametrize("deal_path", EXAMPLE_FILES, ids=lambda p: p.stem)
@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_agreement_wording_matches_the_reviewed_text(deal_path):
    folder = CASES / deal_path.stem
    texts = example_texts(deal_path)
    if UPDATE:
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.txt"):
            if stale.stem not in texts:
                stale.unlink()
        for name, text in texts.items():
            (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    kept = {path.stem: path.read_text(encoding="utf-8") for path in folder.glob("*.txt")}
    assert sorted(kept) == sorted(texts), "documents added or removed: rerun with FORMGEN_UPDATE_GOLDENS=1"
    changed = [name for name in texts if texts[name] != kept[name]]
    assert changed == [], (
        f"{deal_path.stem}: the wording of {', '.join(changed)} changed; if intended, rerun with "
        "FORMGEN_UPDATE_GOLDENS=1 and review the diff of tests/cases/"
    )


def test_the_golden_text_writes_out_words_numbering():
    blocks = [
        {"kind": "section", "number": "3.1", "caption": "Notice.", "text": "Each Owner shall notify."},
        {"kind": "item", "text": "death;"},
        {"kind": "item", "text": "disability."},
        {"kind": "para", "text": "Then."},
        {"kind": "item", "text": "again"},
    ]
    assert golden_text(blocks).splitlines() == [
        "3.1 Notice. Each Owner shall notify.",
        "    (a) death;",
        "    (b) disability.",
        "Then.",
        "    (a) again",
    ]
