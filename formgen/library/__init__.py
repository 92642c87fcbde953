"""The library shipped with formgen (its clauses, state rules, templates and examples are package
data under this package in a wheel) and where it lives on disk."""

from .paths import shipped_dir

__all__ = ["shipped_dir"]
