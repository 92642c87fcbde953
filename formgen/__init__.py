"""formgen: first-pass MSO / medical-practice formation packets from a validated deal file.

The public API; see ``formgen.api``. Stages live in subpackages: inputs, drafting, word, pdf,
scan, folder, lint, cli.
"""

from ._version import __version__
from .api import batch, build, closing, generate, load_deal, mark_executed, regenerate, validate

__all__ = [
    "__version__",
    "batch",
    "build",
    "closing",
    "generate",
    "load_deal",
    "mark_executed",
    "regenerate",
    "validate",
]
