"""Words a state forbids in a practice's name (#26), as structured state data
(``entity_forms[].forbidden_words``): checked by `formgen validate` with the form's citation, and
by the web interview on the practice step itself, beside the name, before any later step."""

from __future__ import annotations

import html
import re

import pytest

from conftest import EXAMPLES, run_cli

from formgen.drafting.compliance import forbidden_words_in
from formgen.errors import InputError
from formgen.inputs.library import Library
from formgen import api

LIBRARY = Library.shipped()


def form(state: str, kind: str):
    found = LIBRARY.state(state).form(kind)
    assert found is not None
    return found


@pytest.mark.parametrize(
    "state, kind, name, words",
    [
        ("NY", "pllc", "Empire Glow Center, PLLC", ["center"]),
        ("NY", "pllc", "Empire Glow CENTERS PLLC", ["center"]),  # any case, plural
        ("NY", "pllc", "Glow Center's Aesthetic Medicine, PLLC", ["center"]),
        ("NY", "professional_corporation", "Hudson Clinic and Hospital, P.C.", ["clinic", "hospital"]),
        ("NY", "pllc", "Empire Glow Medical, PLLC", []),
        ("NY", "pllc", "Recenter Dermatology, PLLC", []),  # whole words only
        ("NY", "pllc", "Clinical Aesthetics, PLLC", []),
        ("DC", "professional_corporation", "Capitol Glow Professional Corporation", []),  # the designation itself
        ("DC", "professional_corporation", "Capitol Glow Medical Corporation, P.C.", ["corporation"]),
        ("DC", "professional_corporation", "Capitol Glow Corp. Chartered", ["Corp."]),
        ("DE", "professional_corporation", "Brandywine Skin Company, P.A.", ["company"]),
        ("DE", "professional_corporation", "Brandywine Skin, P.A.", []),
        ("CA", "medical_corporation", "Glow Center Medical Corporation", []),  # California's data forbids none
    ],
)
def test_forbidden_words_outside_the_designation(state, kind, name, words):
    assert forbidden_words_in(name, form(state, kind)) == words


def test_the_state_data_carries_the_words_with_the_forms_citation():
    for kind in ("professional_corporation", "pllc"):
        ny = form("NY", kind)
        assert ny.forbidden_words == ["clinic", "center", "hospital"]
        assert not ny.verified and "cogencyglobal.com" in ny.note  # a secondary source, and the file says so
    assert form("DC", "professional_corporation").verified  # read: D.C. Code § 29-103.02(c)


def ny_deal(tmp_path, name: str):
    text = (EXAMPLES / "ny_medspa.yaml").read_text(encoding="utf-8")
    path = tmp_path / "ny.yaml"
    path.write_text(text.replace("name: Hudson Medical Aesthetics, P.C.", f'name: "{name}"'), encoding="utf-8")
    return path


def test_validate_refuses_a_new_york_center_with_the_citation(tmp_path):
    with pytest.raises(InputError) as raised:
        api.validate(ny_deal(tmp_path, "Hudson Center for Aesthetics, P.C."))
    (problem,) = [p for p in raised.value.problems if p.path == "practice.name"]
    assert '"center"' in problem.message and "New York does not allow this word" in problem.message
    assert "secondary source" in problem.message  # the rule is not verified, and the message says so
    assert "[N.Y. Bus. Corp. Law § 1512" in problem.message  # the form's citation
    assert problem.line == 18  # the name's own line
    api.validate(ny_deal(tmp_path, "Hudson Medical Aesthetics, P.C."))  # the example itself is fine
    cli = run_cli("validate", str(ny_deal(tmp_path, "Hudson Center for Aesthetics, P.C.")))
    assert cli.returncode == 1 and "practice.name" in cli.stdout + cli.stderr


def test_the_practice_step_shows_it_beside_the_name_and_blocks_next(tmp_path):
    pytest.importorskip("starlette")
    from test_web import NY_PRACTICE, CA_STEPS, client, post_step, start_matter

    from formgen.web.app import create_app

    c = client(create_app(drafts_dir=tmp_path / "drafts"))
    start_matter(c)
    post_step(c, "deal", {"deal.name": "Empire Glow", "deal.state": "NY", "deal.effective_date": "2027-01-01"})
    post_step(c, "mso", {**CA_STEPS["mso"], "mso.formation_state": "NY"})
    md_owner = {**NY_PRACTICE, "practice.owners[0].license.type": "MD", "practice.owners[0].name": "Lee Park, M.D."}
    r = post_step(c, "practice", {**md_owner, "practice.name": "Empire Glow Center, PLLC"})
    assert r.url.path.endswith("/step/practice")  # Next is blocked, on this step
    block = re.search(r'data-error-for="practice.name"[^>]*>(.*?)</div>', r.text, re.S).group(1)
    assert '"center"' in html.unescape(block) and "N.Y. Ltd. Liab. Co. Law § 1212" in html.unescape(block)
    assert re.search(r'<input[^>]*id="f-practice-name"[^>]*aria-invalid="true"', r.text)
    live = c.post(
        c.path("/api/check/practice"),
        data={**md_owner, "practice.name": "Empire Glow Center, PLLC"},
        headers={"X-CSRF-Token": c.token()},
    ).json()
    assert "center" in html.unescape(live["live_html"]) and 'id="live-name" class="finding error"' in live["live_html"]
    assert post_step(c, "practice", md_owner).url.path.endswith("/step/services")
