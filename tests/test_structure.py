"""The package's shape: stage subpackages in layers (an import-linter contract), no import cycle
back into formgen/__init__.py, and every module importable on its own in a fresh interpreter."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "formgen"
# Run by LibreOffice's own Python (it imports uno), never imported by formgen.
OTHER_INTERPRETER = {"formgen.pdf.uno_bridge"}


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def dotted(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_no_module_imports_the_package_back():
    """Submodules import each other, never `formgen` itself (whose __init__ only re-exports)."""
    offenders = []
    for path in modules():
        if path == PACKAGE / "__init__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "formgen" and node.level == 0:
                offenders.append(f"{path}: from formgen import ...")
            if isinstance(node, ast.ImportFrom) and node.level and node.module is None:
                package = ".".join(
                    dotted(path).split(".")[: -node.level + (1 if path.name == "__init__.py" else 0)] or ["formgen"]
                )
                if package == "formgen":
                    offenders.append(f"{path}: from {'.' * node.level} import ... (the formgen package)")
            if isinstance(node, ast.Import) and any(alias.name == "formgen" for alias in node.names):
                offenders.append(f"{path}: import formgen")
    assert offenders == []


def test_no_underscore_name_is_imported_from_another_module():
    """A leading underscore means "this module's own": another module that needs the name gets a
    public one (an alias made on import, ``import x as _x``, is the importer's own business)."""
    offenders = []
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("formgen")):
                offenders += [
                    f"{path.relative_to(PACKAGE.parent)}: {alias.name} from {'.' * node.level}{node.module or ''}"
                    for alias in node.names
                    if alias.name.startswith("_") and not alias.name.startswith("__")
                ]
    assert offenders == []


def test_every_import_inside_a_function_says_why():
    """Imports belong at the top of a module; one made inside a function (measured lazy loading, an
    import cycle, an optional dependency) carries a comment on its line or above its group."""
    bare = []
    for path in modules():
        lines = path.read_text().splitlines()
        for function in ast.walk(ast.parse(path.read_text())):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(function):
                if not isinstance(node, (ast.Import, ast.ImportFrom)):
                    continue
                if "#" in "".join(lines[node.lineno - 1 : node.end_lineno]):
                    continue
                above = node.lineno - 2
                while above >= 0 and (
                    lines[above].strip().startswith(("import ", "from ")) or not lines[above].strip()
                ):
                    above -= 1
                if above < 0 or not lines[above].strip().startswith("#"):
                    bare.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert bare == []


def test_init_holds_only_the_public_api():
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    kinds = {type(node).__name__ for node in tree.body}
    assert kinds <= {"Expr", "ImportFrom", "Assign"}, kinds  # docstring, re-exports, __all__
    names = [t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets]
    assert names == ["__all__"]


def test_every_module_imports_alone_in_a_fresh_interpreter(starts_processes):
    names = [dotted(p) for p in modules() if p.name != "__main__.py" and dotted(p) not in OTHER_INTERPRETER]
    code = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    for name in names:  # one interpreter per module: an import cycle shows as an ImportError
        result = subprocess.run([sys.executable, "-c", code, name], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"{name}: {result.stderr[-500:]}"


def test_the_layers_contract_holds(starts_processes):
    """Each layer imports only from the layers below it (pyproject.toml [tool.importlinter], with
    no ignored imports): cli, web > api > folder > lint > pdf > scan > word > drafting > inputs >
    library > markup, errors > counts, _version. Modules are cut by concept, not by size."""
    linter = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(linter), "--no-cache"], capture_output=True, text=True, cwd=PACKAGE.parent, timeout=300
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_no_merge_conflict_markers_are_committed():
    root = PACKAGE.parent
    files = [
        root / "README.md",
        *root.glob("*.toml"),
        *PACKAGE.rglob("*.py"),
        *(root / "clauses").rglob("*.md"),
        *(root / "state_overrides").glob("*.yaml"),
        *(root / "tests").glob("*.py"),
        *(root / "examples").glob("*"),
    ]
    marked = [
        str(f.relative_to(root))
        for f in files
        if f.is_file()
        and any(line.startswith(("<<<<<<< ", ">>>>>>> ")) for line in f.read_text(errors="replace").splitlines())
    ]
    assert marked == []


def test_ruff_finds_nothing(starts_processes):
    """The lint rules of pyproject.toml ([tool.ruff]) hold over the code, tests, docs scripts and benchmarks."""
    root = PACKAGE.parent
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "formgen", "tests", "docs", "benchmarks"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_code_is_formatted_as_ruff_formats_it(starts_processes):
    """`ruff format` ([tool.ruff] in pyproject.toml) leaves every file as it is: run it before committing."""
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--no-cache", "formgen", "tests", "docs", "benchmarks"],
        cwd=PACKAGE.parent,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_strict_and_clean_on_the_model_and_packet_layers(starts_processes):
    """[tool.mypy] in pyproject.toml: strict on the packages it lists (inputs, library, folder, lint, the
    lowest modules)."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental"], cwd=PACKAGE.parent, capture_output=True, text=True
    )
    assert result.returncode == 0 and "Success" in result.stdout, result.stdout + result.stderr
