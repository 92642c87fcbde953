"""`formgen schema`: generated from the deal model, usable by editors, and true to what formgen accepts."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest

from conftest import EXAMPLE_FILES, EXAMPLES, run_cli

MODELINE = "# yaml-language-server: $schema=deal.schema.json"


@pytest.fixture(scope="module")
def schema() -> dict:
    result = run_cli("schema")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(data)
    return data


def validator(schema):
    return jsonschema.Draft202012Validator(schema)


def load(path):
    from formgen.inputs.deal_loader import parse_text

    return parse_text(path.read_text(), str(path))


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.name)
def test_every_example_is_valid_under_the_schema_and_carries_the_modeline(schema, example):
    errors = [e.message for e in validator(schema).iter_errors(load(example))]
    assert errors == []
    assert example.read_text().splitlines()[0] == MODELINE


def test_the_shipped_schema_file_is_current(schema):
    assert json.loads((EXAMPLES / "deal.schema.json").read_text()) == schema


def test_dialect_and_id(schema):
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].startswith("urn:formgen:deal-schema:")


def test_every_field_has_a_description(schema):
    missing = [
        f"{name}.{field}"
        for name, model in schema["$defs"].items()
        for field, prop in model.get("properties", {}).items()
        if not prop.get("description")
    ]
    missing += [field for field, prop in schema["properties"].items() if not prop.get("description")]
    assert missing == []


def test_states_and_aliases_are_enumerated(schema):
    from formgen.inputs.deal import JURISDICTIONS

    assert schema["$defs"]["DealInfo"]["properties"]["state"]["$ref"] == "#/$defs/StateCode"
    state = schema["$defs"]["StateCode"]
    assert {c for c in state["enum"] if c.isupper() and len(c) == 2} == set(JURISDICTIONS) and len(JURISDICTIONS) == 51
    assert {"Texas", "texas", "TEXAS", "District of Columbia"} <= set(state["enum"])  # names, as formgen accepts
    entity = schema["$defs"]["PracticeEntityType"]["enum"]
    assert {"pa", "pc", "p.c.", "PLLC".lower(), "professional_corporation"} <= set(entity)


def test_what_formgen_accepts_the_schema_accepts_and_the_reverse(schema, tmp_path):
    """Short forms, lowercase state codes, numeric license numbers, amounts as text: both accept;
    a word for an amount, an unknown state and an unknown field: both reject."""
    from formgen.errors import InputError
    from formgen.inputs.deal_loader import deal_from_data

    base = load(EXAMPLES / "ny_medspa.yaml")
    accepted = [("practice", "entity_type", "PC"), ("deal", "state", "ny"), ("mso", "formation_state", "ny")]
    for section, field, value in accepted:
        data = copy.deepcopy(base)
        data[section][field] = value
        assert list(validator(schema).iter_errors(data)) == [], (field, value)
        deal_from_data(copy.deepcopy(data), "deal.yaml")
    data = copy.deepcopy(base)
    data["practice"]["owners"][0]["license"]["number"] = 301234
    data["mso"]["members"][0]["capital_contribution"] = "150000.00"
    assert list(validator(schema).iter_errors(data)) == []
    deal_from_data(copy.deepcopy(data), "deal.yaml")
    for section, field, value in [
        ("mso", "members", [{"name": "A", "percent": "sixty"}]),
        ("deal", "state", "ZZ"),
        ("deal", "color", "red"),
    ]:
        data = copy.deepcopy(base)
        data[section][field] = value
        assert list(validator(schema).iter_errors(data)), (field, value)
        with pytest.raises(InputError):
            deal_from_data(copy.deepcopy(data), "deal.yaml")


def test_starter_deal_is_valid_under_the_schema(schema, tmp_path):
    result = run_cli("init", str(tmp_path / "new.yaml"))
    assert result.returncode == 0, result.stderr
    assert list(validator(schema).iter_errors(load(tmp_path / "new.yaml"))) == []
    assert json.loads((tmp_path / "schema" / "deal.schema.json").read_text()) == schema


@pytest.mark.slow  # hundreds of generated deals
def test_every_deal_formgen_accepts_the_schema_accepts(schema, tmp_path_factory):
    """The fuzzer's deals (the examples with hostile text and wrong values): whatever formgen's
    loader accepts, the schema accepts too, so an editor never flags a file formgen would build."""
    from hypothesis import HealthCheck, given, settings

    import test_fuzz as fz
    from formgen.errors import InputError
    from formgen.inputs.deal_loader import load_deal, parse_text

    check = validator(schema)

    @settings(max_examples=60, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(deal=fz.deals())
    def one(deal):
        folder = tmp_path_factory.mktemp("deal")
        path = fz.write_deal(deal, folder, as_json=False)
        try:
            load_deal(path)
        except InputError:
            return
        data = parse_text(path.read_text(encoding="utf-8"), str(path))
        assert [e.message for e in check.iter_errors(data)] == []

    one()
