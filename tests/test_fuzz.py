"""Fuzzing: generated deal files, valid and broken, never crash formgen.

Each generated deal starts from one of examples/*.yaml and is mutated: party names and addresses
get hostile text (template syntax, markup, quotes, right-to-left and zero-width characters, emoji,
control characters, lone surrogates, very long strings), fields get the wrong type or go missing,
numbers get huge, percents stop summing to 100, dates go odd. Every deal must either be refused
with ``InputError`` (and only that) or build a packet whose every .docx opens with python-docx and
holds the MSO's and the practice's names as typed (whitespace runs compared as one space).

CI runs a few hundred examples; ``benchmarks/fuzz.py`` runs thousands with the same generator and
checker (``deals()`` and ``check_deal`` below).
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.slow  # slow tier: hundreds of generated deals

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
BASES = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(EXAMPLES.glob("*.yaml"))]

# ------------------------------------------------------------------ generators

HOSTILE = [
    "{{ 7*7 }}",
    "{% for x in range(3) %}x{% endfor %}",
    "{{ ''.__class__.__mro__ }}",
    "{#",
    "#}",
    "{_{",
    "}_}",
    "{_%",
    "%_}",
    "{%p if 1 %}",
    "{{r x }}",
    "<w:t>",
    "</w:t></w:r>",
    "]]>",
    "<![CDATA[",
    "&amp;",
    "&#123;",
    "&",
    "<",
    ">",
    '"',
    "'",
    "\\",
    "\u202e",
    "\u202d",
    "\u200f",
    "\u200b",
    "\u200d",
    "\ufeff",
    "\u2028",
    "\u2029",
    "\x85",
    "\xa0",
    "😀",
    "👩\u200d⚕️",
    "🇺🇸",
    "مرحبا",
    "שלום",
    "ア",
    "İ",
    "ß",
    "ﬁ",
    "e\u0301",
    "Ω",
    "\x01",
    "\x0b",
    "\x1f",
    "\x7f",
    "\ufffe",
    "\ue000",
    "\ue100",
    "\ud800",
    "| a |",
    "- item",
    "**bold**",
    "[#x]",
    "@sign A | B | C",
    "!!",
    "## ",
    "> ",
    "\n",
    "\n\n",
    "\t",
    "  ",
    "%",
    "$",
    "15% of gross revenue",
    "Section 4.2",
    '"Term" means',
]
PLAIN = ["Glow", "Harbor", "Street", "LLC", "M.D.", ",", " ", "O'Neil", "Smith-Jones", "Care", "1"]
MARKUP_ALPHABET = list("{}%_|*-#[]@!<>&\"' \n\tAbc")


def hostile_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=40),
        st.lists(st.sampled_from(HOSTILE + PLAIN), min_size=1, max_size=8).map("".join),
        st.text(st.sampled_from(MARKUP_ALPHABET), min_size=1, max_size=30),
        st.sampled_from([190, 201, 399, 401, 10_000]).map(lambda n: "Ab" * (n // 2)),
    )


TEXT_PATHS = [
    ("deal", "name"),
    ("mso", "name"),
    ("mso", "address"),
    ("mso", "signatory", "name"),
    ("mso", "signatory", "title"),
    ("mso", "members", 0, "name"),
    ("practice", "name"),
    ("practice", "address"),
    ("practice", "medical_director"),
    ("practice", "signatory", "name"),
    ("practice", "signatory", "title"),
    ("practice", "owners", 0, "name"),
    ("practice", "owners", 0, "license", "number"),
]

WEIRD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([10**40, -(10**40), 0, -1, 2**63]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", " ", "NaN", "1e400", "0x10", "١٢"]),
    hostile_text(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.dates(),
    st.just({"name": "x"}),
    st.just([{}]),
)

ODD_DATES = st.one_of(
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
    st.sampled_from(
        [
            "2027-02-30",
            "2027-13-01",
            "27-01-01",
            "01/02/2027",
            "2027-01-01T10:00:00",
            "yesterday",
            "",
            "2028-02-29",
            "1900-01-01",
            "2199-12-31",
        ]
    ),
    st.sampled_from([20270101, 1.5]),
)


def _get(node, path):
    for key in path:
        node = node[key]
    return node


def _paths(node, prefix=()):
    """Every path (tuple of keys/indexes) in a nested dict/list, parents before children."""
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, prefix + (index,))


def _set(deal, path, value) -> None:
    try:
        parent = _get(deal, path[:-1])
        parent[path[-1]] = value
    except (KeyError, IndexError, TypeError):
        pass


def _text_mutation(draw, deal):
    path = draw(st.sampled_from(TEXT_PATHS))
    try:
        original = _get(deal, path)
    except (KeyError, IndexError, TypeError):
        return
    hostile = draw(hostile_text())
    how = draw(st.sampled_from(["prefix", "prefix", "replace", "middle"]))
    if how == "replace" or not isinstance(original, str):
        value = hostile
    elif how == "prefix":  # keeps a required name ending ("Medical Corporation", ", PLLC")
        value = hostile + " " + original
    else:
        cut = len(original) // 2
        value = original[:cut] + hostile + original[cut:]
    _set(deal, path, value)


def _wrong_type(draw, deal):
    paths = [p for p in _paths(deal) if p]
    _set(deal, draw(st.sampled_from(paths)), draw(WEIRD_VALUES))


def _delete(draw, deal):
    path = draw(st.sampled_from([p for p in _paths(deal) if p]))
    try:
        parent = _get(deal, path[:-1])
        del parent[path[-1]]
    except (KeyError, IndexError, TypeError):
        pass


PERCENTS = st.one_of(
    st.integers(-5, 120),
    st.decimals(min_value=0, max_value=100, places=5).map(str),
    st.floats(min_value=0, max_value=100, allow_nan=False),
    st.sampled_from([33.3333, "50", "100.00001"]),
)


def _percents(draw, deal):
    group = draw(st.sampled_from([("mso", "members"), ("practice", "owners")]))
    people = _get(deal, group)
    if draw(st.booleans()) and people:  # split the first person in two (sum kept or broken)
        first = copy.deepcopy(people[0])
        first["name"] = draw(st.sampled_from(["Second Person", people[0]["name"], "Żaneta Ąbel, M.D.", "🙂 Holdings"]))
        people.append(first)
        total = people[0]["percent"]
        people[0]["percent"], people[-1]["percent"] = draw(
            st.sampled_from([(total / 2, total / 2), (total, total), (total - 1, 2), (draw(PERCENTS), draw(PERCENTS))])
        )
    else:
        _set(deal, group + (0, "percent"), draw(PERCENTS))


def _numbers(draw, deal):
    path = draw(
        st.sampled_from(
            [
                ("mso", "members", 0, "capital_contribution"),
                ("fees", "percent_of_revenue"),
                ("fees", "monthly_amount"),
                ("fees", "hourly_rate"),
                ("fees", "cost_plus_markup_percent"),
                ("fees", "per_procedure_amount"),
                ("fees", "payment_due_day"),
                ("term", "initial_years"),
                ("term", "renewal_years"),
                ("term", "termination_without_cause_days"),
            ]
        )
    )
    value = draw(
        st.one_of(
            st.integers(-10, 10**12),
            st.sampled_from([10**40, 0.1, 1e308, "12.345678", "1_000"]),
            st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
        )
    )
    _set(deal, path, value)


def _fees(draw, deal):
    basis = draw(
        st.sampled_from(
            [
                "fixed_monthly",
                "cost_plus",
                "hourly",
                "percentage_of_revenue",
                "per_procedure",
                "Percentage_Of_Revenue",
                "free",
            ]
        )
    )
    fees = {"basis": basis, "fmv_review": draw(st.sampled_from(["annual", "biennial", "never"]))}
    field = draw(
        st.sampled_from(
            ["monthly_amount", "cost_plus_markup_percent", "hourly_rate", "percent_of_revenue", "per_procedure_amount"]
        )
    )
    fees[field] = draw(st.sampled_from([25000, 10, 150, 15, 95, 0, 100]))
    deal["fees"] = fees


def _codes(draw, deal):
    path = draw(
        st.sampled_from(
            [
                ("deal", "state"),
                ("mso", "formation_state"),
                ("practice", "formation_state"),
                ("practice", "owners", 0, "license", "state"),
                ("practice", "entity_type"),
                ("mso", "entity_type"),
                ("practice", "owners", 0, "license", "type"),
            ]
        )
    )
    _set(
        deal,
        path,
        draw(
            st.sampled_from(
                [
                    "ca",
                    " TX ",
                    "C\u200bA",
                    "XX",
                    "Ca",
                    "pllc",
                    "P.C.",
                    "pa",
                    "llc",
                    "corporation",
                    "MD",
                    "DO",
                    "NP",
                    "RN",
                    "md",
                    "DC",
                    "PR",
                    "",
                ]
            )
        ),
    )


def _dates(draw, deal):
    _set(deal, ("deal", "effective_date"), draw(ODD_DATES))


def _services(draw, deal):
    deal["services"] = draw(
        st.lists(
            st.sampled_from(
                ["administrative", "marketing", "billing_collections", "it_systems", "laser", "Marketing", ""]
            ),
            max_size=5,
        )
    )


def _extra(draw, deal):
    path = draw(st.sampled_from([(), ("deal",), ("mso",), ("practice",), ("fees",), ("mso", "members", 0)]))
    try:
        _get(deal, path)[draw(st.sampled_from(["nmae", "notes", "__class__", "{{x}}"]))] = "extra"
    except (KeyError, IndexError, TypeError):
        pass


MUTATIONS = [_text_mutation] * 4 + [_wrong_type, _delete, _percents, _numbers, _fees, _codes, _dates, _services, _extra]


@st.composite
def deals(draw, mutations=MUTATIONS, max_mutations=3):
    deal = copy.deepcopy(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(0, max_mutations))):
        try:
            draw(st.sampled_from(mutations))(draw, deal)
        except (KeyError, IndexError, TypeError, AttributeError):
            pass  # an earlier mutation removed or retyped what this one edits
    return deal


# ------------------------------------------------------------------ writing and checking


def write_deal(deal, folder: Path, as_json: bool) -> Path:
    """The deal as a file a user could have written: YAML or JSON."""
    if not as_json:
        try:
            text = yaml.safe_dump(deal, allow_unicode=True, sort_keys=False)
            path = folder / "deal.yaml"
            path.write_text(text, encoding="utf-8")
            return path
        except (yaml.YAMLError, UnicodeEncodeError):
            pass  # lone surrogates and the like: JSON can carry them escaped
    path = folder / "deal.json"
    path.write_text(json.dumps(deal, default=str, ensure_ascii=True), encoding="utf-8")
    return path


def docx_text_python_docx(data: bytes) -> str:
    """Open with python-docx (the check that Word-compatible readers accept it) and read every paragraph."""
    from docx import Document
    from docx.oxml.ns import qn

    document = Document(io.BytesIO(data))
    parts = (
        [document.element.body]
        + [s.header._element for s in document.sections]
        + [s.footer._element for s in document.sections]
    )
    lines = []
    for part in parts:
        for para in part.iter(qn("w:p")):
            pieces = []
            for node in para.iter(qn("w:t"), qn("w:tab"), qn("w:br")):
                pieces.append(node.text or "" if node.tag == qn("w:t") else " ")
            lines.append("".join(pieces))
    return "\n".join(lines)


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def classify_deal(deal, folder: Path, as_json: bool = False) -> tuple[str, str | None]:
    """("refused", None), ("built", None) or ("crash", what went wrong in one line)."""
    import formgen
    from formgen.folder.write import packet_outputs
    from formgen.inputs.deal import parse_text
    from formgen.errors import InputError

    path = write_deal(deal, folder, as_json)
    try:
        packet = formgen.build(path)
        packet_outputs(packet, folder / "out")  # compliance.json and manifest.json, in memory
    except InputError as exc:
        text = str(exc)
        if not exc.problems or not text.strip() or "Traceback" in text:
            return "crash", f"InputError without a usable message: {text!r}"
        return "refused", None
    except Exception as exc:  # noqa: BLE001 - exactly what the fuzzer hunts
        return "crash", f"crash: {type(exc).__name__}: {exc}"[:500]
    typed = parse_text(path.read_text(encoding="utf-8"), str(path))
    names = [_normal(typed["mso"]["name"]), _normal(typed["practice"]["name"])]
    for doc in packet.documents:
        named = [_normal(typed[entity]["name"]) for entity in doc.spec.entities]
        try:
            text = _normal(docx_text_python_docx(doc.data))
        except Exception as exc:  # noqa: BLE001
            return "crash", f"{doc.spec.filename} does not open with python-docx: {type(exc).__name__}: {exc}"[:500]
        for name in named:
            if name not in text:
                return "crash", f"{doc.spec.filename} does not hold the name {name!r} as typed"[:500]
        if doc.spec.name == "msa":  # the document properties (File > Info) too
            subject = _normal(_core_subject(doc.data))
            if subject != f"{names[0]} and {names[1]}":
                return "crash", f"msa.docx's subject property is {subject!r}, not the names as typed"[:500]
    return "built", None


def _core_subject(data: bytes) -> str:
    from docx import Document

    return Document(io.BytesIO(data)).core_properties.subject or ""


def check_deal(deal, folder: Path, as_json: bool = False) -> str | None:
    """None when formgen handles the deal properly (refuses it or builds it right), else what went wrong."""
    return classify_deal(deal, folder, as_json)[1]


# ------------------------------------------------------------------ the tests

FUZZ = settings(
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


@settings(FUZZ, max_examples=100)
@given(deal=deals(mutations=[_text_mutation], max_mutations=3), as_json=st.booleans())
def test_hostile_names_render_literally_or_are_refused(deal, as_json, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    problem = check_deal(deal, folder, as_json)
    assert problem is None, problem


@settings(FUZZ, max_examples=200)
@given(deal=deals(), as_json=st.booleans())
def test_broken_deals_are_refused_with_input_error_or_build(deal, as_json, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    problem = check_deal(deal, folder, as_json)
    assert problem is None, problem


@pytest.mark.parametrize("day", ["2028-02-29", "2024-02-29"])
def test_leap_day_effective_date_builds(day, tmp_path):
    deal = copy.deepcopy(BASES[0])
    deal["deal"]["effective_date"] = day
    assert check_deal(deal, tmp_path) is None


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31", "2200-01-01"])
def test_far_dates_are_refused_naming_the_field(day, tmp_path):
    from formgen.inputs.deal import deal_from_data
    from formgen.errors import InputError

    deal = copy.deepcopy(BASES[0])
    deal["deal"]["effective_date"] = day
    with pytest.raises(InputError) as caught:
        deal_from_data(deal, "deal.yaml")
    assert "deal.effective_date" in str(caught.value) and "between 1900-01-01 and 2199-12-31" in str(caught.value)


def test_empty_and_odd_keys_are_refused_not_hung(tmp_path):
    """A key "" made the YAML-line lookup loop forever (found by benchmarks/fuzz.py)."""
    import signal

    deal = copy.deepcopy(BASES[0])
    deal["fees"] = {"": 1, "p": -1}
    deal["deal"]["state"] = {"": 283810, "p": {"name": "x"}}
    deal["mso"][""] = "x"

    def hang(signum, frame):
        raise TimeoutError("formgen hung on an empty key")

    previous = signal.signal(signal.SIGALRM, hang)
    signal.alarm(30)
    try:
        for as_json in (True, False):
            assert classify_deal(deal, tmp_path, as_json) == ("refused", None)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
