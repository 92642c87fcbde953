"""The clause library, state rules and templates formgen uses; see ``paths``."""

from .paths import clause_dir, library_dir, shipped_dir, state_dir, template_dir, use_library

__all__ = ["clause_dir", "library_dir", "shipped_dir", "state_dir", "template_dir", "use_library"]
