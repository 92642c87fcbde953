"""Issue 23, the items a healthcare lawyer still saw in the example packets (defects list, packet4):
each test reads the drafted text of an example packet (or a state variant) and fails on the old wording."""

from __future__ import annotations

import re

from conftest import EXAMPLES
from test_packet_system import drafted


def flat(text: str) -> str:
    return " ".join(text.split())


# ---- 11(d): "Transfer Events." is a numbered section of the MSA, not a run-in paragraph ----


def test_transfer_events_is_a_numbered_msa_section_and_the_restriction_points_at_it():
    texts, _ = drafted(EXAMPLES / "ca_medspa.yaml")
    lines = texts["msa"].splitlines()
    events = next(line for line in lines if "(each, a \"Transfer Event\")" in line)
    assert re.match(r"15\.3 Transfer Events\. If any of the following events", events), events
    assert "after a Transfer Event (Section 15.3)." in texts["msa"]
    assert "Nothing in this Section 15.3 or in Section 15.2 gives MSO" in flat(texts["msa"])
