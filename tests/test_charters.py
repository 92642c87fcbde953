"""Filing documents that follow their state's content rules (issue 23 item 6): a Texas certificate of
formation of a limited liability company says whether it will have managers and names the initial
managers or, if none, each initial member with an address (Tex. Bus. Orgs. Code § 3.010); a New York PLLC's
articles of organization state its profession, county and original members with their residence addresses
and carry the licensing certificate (N.Y. Ltd. Liab. Co. Law §§ 203(e), 1203), not a P.C.'s statements."""

from __future__ import annotations

import pytest
import yaml

from conftest import EXAMPLES
from test_packet_system import drafted


def deal_file(tmp_path, stem: str, edit) -> object:
    data = yaml.safe_load((EXAMPLES / f"{stem}.yaml").read_text())
    edit(data)
    path = tmp_path / f"{stem}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_a_member_managed_texas_llc_certificate_names_each_member_with_an_address():
    texts, _ = drafted(EXAMPLES / "tx_medspa.yaml")  # a member-managed MSO formed in Texas
    certificate = one_line(texts["mso_articles"])
    assert "The company will not have managers" in certificate
    assert (
        "Carlos Vega, 2100 West Loop South, Suite 500, Houston, TX 77027; and Bayou Ventures, LLC, "
        "700 Louisiana Street, Suite 3900, Houston, TX 77002"
    ) in certificate
    assert "managed by its members." not in certificate


def test_a_texas_members_missing_address_is_a_named_blank(tmp_path):
    def drop_address(data):
        del data["mso"]["members"][1]["address"]

    texts, _ = drafted(deal_file(tmp_path, "tx_medspa", drop_address))
    assert "Bayou Ventures, LLC, [mailing address of Bayou Ventures, LLC]" in one_line(texts["mso_articles"])


def test_a_manager_managed_texas_llc_certificate_names_its_manager(tmp_path):
    def managed(data):
        data["mso"]["manager_managed"] = True

    certificate = one_line(drafted(deal_file(tmp_path, "tx_medspa", managed))[0]["mso_articles"])
    assert (
        "The company will have managers. The name and address of its initial manager are Carlos Vega, "
        "2100 West Loop South, Suite 500, Houston, TX 77027."
    ) in certificate
    assert "700 Louisiana Street" not in certificate


def test_outside_texas_a_member_managed_certificate_lists_no_members(tmp_path):
    def in_delaware(data):
        data["mso"]["formation_state"] = "DE"

    certificate = one_line(drafted(deal_file(tmp_path, "tx_medspa", in_delaware))[0]["mso_articles"])
    assert "The company is managed by its members." in certificate and "700 Louisiana Street" not in certificate


def test_a_new_york_pllcs_articles_of_organization_follow_llc_law_1203(tmp_path):
    def as_pllc(data):
        practice = data["practice"]
        practice.update(entity_type="pllc", name="Hudson Medical Aesthetics, PLLC")
        practice["owners"][0]["address"] = "12 Grove Street, New York, NY 10014"
        data.setdefault("formation", {}).setdefault("practice", {})["county"] = "New York"

    articles = one_line(drafted(deal_file(tmp_path, "ny_medspa", as_pllc))[0]["practice_articles"])
    assert "Articles of Organization" in articles
    assert "professional service limited liability company formed under Article 12" in articles
    assert "licensed under Article 131 of the New York Education Law" in articles
    assert "The office of the company is to be located in the County of New York, New York." in articles
    assert (
        "original members and original managers are: Daniel Okafor, M.D., 12 Grove Street, New York, NY 10014."
        in articles
    )
    assert "section 1203(b)" in articles and "The Secretary of State is designated as agent" in articles
    assert "Business Corporation Law" not in articles and "shareholders, directors and officers" not in articles


def test_a_new_york_pc_keeps_its_business_corporation_law_statements():
    articles = one_line(drafted(EXAMPLES / "ny_medspa.yaml")[0]["practice_articles"])
    assert "Article 15 of the New York Business Corporation Law" in articles and "section 1503(b)" in articles
    assert "Limited Liability Company Law" not in articles
