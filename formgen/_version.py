"""The one place formgen's version is defined (pyproject.toml reads it from here)."""

__version__ = "0.2.0"
