"""Settings of the machine formgen runs on (not of the deal or the library): where LibreOffice is,
how long a conversion may take, the reproducible-build date, formgen's cache folder.

Only the entry points read the environment: the CLI and the web server call
``Settings.from_environment(os.environ)`` and run their work ``using(settings)``; everything
below asks ``current()``. Library callers get the defaults (no environment read) unless they pass
their own, so a program embedding formgen decides what applies to it, per call, per thread.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from .errors import FormgenError

OFF = ("0", "no", "false", "off")
# The environment variables ``from_environment`` reads, by setting (the README lists them).
VARIABLES = {
    "source_date_epoch": "SOURCE_DATE_EPOCH",
    "soffice": "FORMGEN_SOFFICE",
    "pdf_timeout": "FORMGEN_PDF_TIMEOUT",
    "profile_cache": "FORMGEN_LO_PROFILE_CACHE",
    "persistent_pdf": "FORMGEN_PDF_PERSISTENT",
    "uno_python": "FORMGEN_UNO_PYTHON",
    "converters": "FORMGEN_PDF_CONVERTERS",
    "cache_dir": "FORMGEN_CACHE_DIR",
}


@dataclass(frozen=True)
class Settings:
    source_date_epoch: int | None = None  # reproducible builds: zip and revision timestamps (None: fixed/now)
    soffice: str = ""  # the LibreOffice program ("" = soffice or libreoffice on PATH)
    pdf_timeout: float | None = None  # seconds one conversion may take (None: formgen's default)
    profile_cache: bool = True  # copy a ready LibreOffice profile instead of making one each run
    persistent_pdf: bool = True  # keep LibreOffice running between documents (needs a Python with uno)
    uno_python: str = ""  # that Python ("" = the first of the usual ones that imports uno)
    converters: int | None = None  # LibreOffice processes side by side (None: one per core up to two)
    cache_dir: Path | None = None  # formgen's cache folder (None: no cache)
    # what LibreOffice's child processes inherit (HOME at least, so a profile can be written)
    child_environment: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Settings:
        """The settings the variables of ``environ`` give; a malformed value is a FormgenError naming it."""

        def text(name: str) -> str:
            return environ.get(VARIABLES[name], "").strip()

        epoch = text("source_date_epoch")
        timeout = text("pdf_timeout")
        try:
            seconds = float(timeout) if timeout else None
        except ValueError:
            raise FormgenError(f"formgen: FORMGEN_PDF_TIMEOUT={timeout!r} is not a number of seconds") from None
        converters = text("converters")
        return cls(
            source_date_epoch=int(epoch) if epoch.isdigit() else None,
            soffice=text("soffice"),
            pdf_timeout=seconds if seconds and seconds > 0 else None,
            profile_cache=text("profile_cache").lower() not in OFF,
            persistent_pdf=text("persistent_pdf").lower() not in OFF,
            uno_python=text("uno_python"),
            converters=min(int(converters), 8) if converters.isdigit() and int(converters) > 0 else None,
            cache_dir=default_cache_dir(environ),
            child_environment=dict(environ),
        )

    def source_time(self) -> time.struct_time | None:
        """SOURCE_DATE_EPOCH as UTC time, or None when unset or out of range."""
        if self.source_date_epoch is None:
            return None
        try:
            return time.gmtime(self.source_date_epoch)
        except (OverflowError, OSError, ValueError):
            return None


def default_cache_dir(environ: Mapping[str, str]) -> Path | None:
    """FORMGEN_CACHE_DIR, else $XDG_CACHE_HOME/formgen, else ~/.cache/formgen; None without a home."""
    if environ.get(VARIABLES["cache_dir"]):
        return Path(environ[VARIABLES["cache_dir"]])
    if environ.get("XDG_CACHE_HOME"):
        return Path(environ["XDG_CACHE_HOME"]) / "formgen"
    if environ.get("HOME"):
        return Path(environ["HOME"]) / ".cache" / "formgen"
    return None


_CURRENT: ContextVar[Settings] = ContextVar("formgen_settings", default=Settings())  # noqa: B039 - frozen


def current() -> Settings:
    """The settings the running command or request uses."""
    return _CURRENT.get()


@contextmanager
def using(settings: Settings) -> Iterator[Settings]:
    """Run the block with ``settings`` (in this thread or task; restored afterwards)."""
    token = _CURRENT.set(settings)
    try:
        yield settings
    finally:
        _CURRENT.reset(token)


def install(settings: Settings) -> None:
    """Use ``settings`` from now on in this context: a process's entry point (a CLI run, a batch
    worker) that has nothing to restore."""
    _CURRENT.set(settings)
