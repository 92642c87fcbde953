"""A cold deal, a warm library: what is derived from the library alone is kept between runs and
gives exactly what reading the library gives; any change of the library is seen by the next run.

* the library's parts (clauses, document specs, catalogue, state rules) kept on disk (WarmLibrary);
* clause conditions' compiled code kept on disk as templates' is (jinja_env);
* the deal models' field descriptions made when a schema is made, as pydantic's
  use_attribute_docstrings makes them;
* the scanner's patterns compiled on first use, the same patterns;
* ``formgen explain DEAL`` answered without typer, the typer command's output.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict, Field
from jinja2 import Environment, StrictUndefined, TemplateSyntaxError

from conftest import EXAMPLES, ROOT, run_cli
from formgen.cli import fast
from formgen.drafting import compiled_cache
from formgen.drafting.jinja_env import CachingSandboxedEnvironment
from formgen.errors import InputError
from formgen.inputs import clauses as clause_module
from formgen.inputs import library_cache
from formgen.inputs.deal import Deal
from formgen.inputs.deal_fields import describe_fields
from formgen.inputs.library import Library
from formgen.scan import patterns
from formgen.settings import Settings, using


@pytest.fixture
def library_copy(tmp_path) -> Path:
    root = tmp_path / "firm"
    shutil.copytree(ROOT / "clauses", root / "clauses")
    shutil.copytree(ROOT / "state_overrides", root / "states")
    shutil.copytree(ROOT / "templates", root / "templates")
    return root


@pytest.fixture
def cache(tmp_path):
    """The running command's cache folder: tmp_path/cache."""
    with using(Settings(cache_dir=tmp_path / "cache")):
        yield tmp_path / "cache"


def read_all(library: Library) -> dict:
    return {
        "clauses": {cid: (c.meta, c.body, c.path, c.body_line) for cid, c in library.clauses.clauses.items()},
        "documents": library.documents,
        "catalog": library.catalog,
        "CA": library.state("CA"),
        "TX": library.state("TX"),
    }


def test_a_warm_library_gives_what_reading_it_gives(library_copy, cache, monkeypatch):
    cold = read_all(Library.at(library_copy))
    kept = sorted(p.name for p in cache.glob("library-*/*/*.pickle"))
    assert kept == ["catalog.pickle", "clauses.pickle", "documents.pickle", "state-CA.pickle", "state-TX.pickle"]

    def unread(*args):
        raise AssertionError("read from the files, not the cache")

    monkeypatch.setattr(clause_module, "read_clause_library", unread)
    warm = read_all(Library.at(library_copy))  # a new object: nothing in memory, all from disk
    assert warm == cold
    assert warm["CA"].model_dump() == cold["CA"].model_dump()


def test_a_changed_clause_or_rule_is_seen_by_the_next_run(library_copy, cache):
    before = Library.at(library_copy)
    clause = before.clauses.get("msa.term")
    assert clause is not None and "the warm library" not in clause.body
    assert before.state("CA").name == "California"

    clause.path.write_text(clause.path.read_text(encoding="utf-8") + "\nSeen through the warm library.\n")
    ca = library_copy / "states" / "CA.yaml"
    ca.write_text(ca.read_text(encoding="utf-8").replace("name: California\n", "name: California (edited)\n", 1))
    after = Library.at(library_copy)
    assert "Seen through the warm library." in after.clauses.clauses["msa.term"].body
    assert after.state("CA").name == "California (edited)"
    assert len({p.parent for p in cache.glob("library-*/*/*.pickle")}) == 2  # one entry per content


def test_the_same_files_elsewhere_are_kept_apart(library_copy, tmp_path, cache):
    """Clause paths appear in messages: a copy of the library at another path has its own entry."""
    other = tmp_path / "other"
    shutil.copytree(library_copy, other)
    assert Library.at(library_copy).clauses.clauses["msa.term"].path.is_relative_to(library_copy)
    assert Library.at(other).clauses.clauses["msa.term"].path.is_relative_to(other)


def test_a_damaged_entry_is_read_afresh_and_no_folder_keeps_nothing(library_copy, cache, tmp_path):
    expected = read_all(Library.at(library_copy))
    for entry in cache.glob("library-*/*/*.pickle"):
        entry.write_bytes(b"not a pickle")
    assert read_all(Library.at(library_copy)) == expected
    with using(Settings(cache_dir=None)):
        assert read_all(Library.at(library_copy)) == expected
    with using(Settings(cache_dir=None)):
        assert library_cache.WarmLibrary.of(Library.at(library_copy)).folder is None


def test_a_bad_library_is_reported_and_not_kept(library_copy, cache):
    clause = next((library_copy / "clauses").rglob("*-term.md"))
    clause.write_text("no front matter\n", encoding="utf-8")
    with pytest.raises(InputError, match="front matter"):
        _ = Library.at(library_copy).clauses
    assert not list(cache.glob("library-*/*/clauses.pickle"))
    with pytest.raises(InputError, match="front matter"):
        _ = Library.at(library_copy).clauses  # still reported on the next run


# ---------------------------------------------------------------- clause conditions


def test_conditions_compiled_from_the_disk_cache_evaluate_as_jinja_does(tmp_path, monkeypatch):
    monkeypatch.setattr(compiled_cache, "_folder", lambda: tmp_path / "jinja")
    plain = Environment(undefined=StrictUndefined)
    names = {"a": True, "b": False, "n": 3, "state": "CA"}
    sources = ["a and not b", "n > 2 and state in ['CA', 'TX']", "state == 'NY' or n == 3", "b"]
    for run in ("cold", "warm"):
        env = CachingSandboxedEnvironment(undefined=StrictUndefined)
        for source in sources:
            ours = env.compile_expression(source, undefined_to_none=False)
            assert ours(**names) == plain.compile_expression(source, undefined_to_none=False)(**names), (run, source)
        if run == "cold":
            assert len(list((tmp_path / "jinja").glob("*/*.code"))) == len(sources)
    for bad in ("a and (", "a b"):
        with pytest.raises(TemplateSyntaxError) as ours_error:
            CachingSandboxedEnvironment().compile_expression(bad)
        with pytest.raises(TemplateSyntaxError) as jinja_error:
            Environment().compile_expression(bad)
        assert str(ours_error.value) == str(jinja_error.value)
    # an expression and a template of the same text are different code
    env = CachingSandboxedEnvironment()
    assert env.from_string("a and b").render(a=1, b=2) == "a and b"
    assert env.compile_expression("a and b")(a=1, b=2) == 2


# ---------------------------------------------------------------- field descriptions


class Part(BaseModel):
    """A nested section."""

    model_config = ConfigDict(json_schema_extra=describe_fields)
    code: str
    """The part's code."""


class Whole(BaseModel):
    """A model with every kind of field."""

    model_config = ConfigDict(json_schema_extra=describe_fields)
    name: str
    """The name,
    on two lines."""
    count: int = 3
    """How many."""
    part: Part
    """The nested part (a $ref)."""
    parts: list[Part] = []
    """Several."""
    given: str = Field("x", description="Given outright.")
    """Not this one."""
    plain: str = ""
    "A second form of docstring."

    def method(self) -> None:
        """Not a field's."""


class Derived(Whole):
    extra: bool = False
    """Added by the subclass."""


def test_field_descriptions_are_the_ones_pydantic_reads_from_docstrings():
    class Part(BaseModel):
        """A nested section."""

        model_config = ConfigDict(use_attribute_docstrings=True)
        code: str
        """The part's code."""

    class Whole(BaseModel):
        """A model with every kind of field."""

        model_config = ConfigDict(use_attribute_docstrings=True)
        name: str
        """The name,
        on two lines."""
        count: int = 3
        """How many."""
        part: Part
        """The nested part (a $ref)."""
        parts: list[Part] = []
        """Several."""
        given: str = Field("x", description="Given outright.")
        """Not this one."""
        plain: str = ""
        "A second form of docstring."

        def method(self) -> None:
            """Not a field's."""

    class Derived(Whole):
        extra: bool = False
        """Added by the subclass."""

    assert globals()["Derived"].model_json_schema() == Derived.model_json_schema()
    assert globals()["Whole"].model_json_schema() == Whole.model_json_schema()


def test_the_deal_schema_describes_its_fields():
    schema = Deal.model_json_schema()
    signatory = schema["$defs"]["Signatory"]["properties"]
    assert signatory["name"]["description"] == "The signer's full name as it should appear under the signature line."
    described = [p for d in schema["$defs"].values() for p in d.get("properties", {}).values() if "description" in p]
    assert len(described) > 80


# ---------------------------------------------------------------- scanner patterns


def test_lazy_patterns_match_as_the_compiled_ones():
    text = (
        "MSO shall receive five percent (5%) of Net Collections. Practice shall pay $50 per patient "
        "referred. In no event shall the fee be based on revenue. The parties share equally all profits."
    )
    lazy = {name: value for name, value in vars(patterns).items() if isinstance(value, patterns.Lazy)}
    assert len(lazy) > 20
    for name, pattern in lazy.items():
        compiled = re.compile(pattern.pattern, pattern.flags)
        ours = [m.span() for m in pattern.finditer(text)]
        assert ours == [m.span() for m in compiled.finditer(text)], name
        assert pattern.groupindex == compiled.groupindex
    fresh = patterns.Lazy(r"\bfee\b", re.IGNORECASE)
    assert fresh.compiled is None
    assert fresh.search("A FEE.").group() == "FEE" and fresh.compiled is not None


# ---------------------------------------------------------------- explain without typer


@pytest.mark.parametrize("name", ["ca_medspa", "or_medspa"])
def test_explain_answered_without_typer_prints_what_the_typer_app_prints(name, monkeypatch, capsys):
    """``formgen explain DEAL`` is computed in cli/fast.py (no typer) when it succeeds; its output
    is the typer command's, byte for byte (the answer cache off: both compute)."""
    monkeypatch.setenv("FORMGEN_NO_CACHE", "1")
    deal = str(EXAMPLES / f"{name}.yaml")
    typer_output = run_cli("explain", deal)
    assert typer_output.returncode == 0, typer_output.stderr
    assert fast._quick_explain(["explain", deal]) == typer_output.stdout
    assert fast._quick_explain(["explain", str(EXAMPLES / "missing.yaml")]) is None  # the typer app reports it
    assert fast._quick_explain(["explain", "--json", deal]) is None
