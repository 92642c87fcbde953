"""Per-session drafts on the server: one folder per random session id, never a user-given path.

``<root>/<session id>/deal.yaml`` is the draft deal file (the format the CLI reads; saved on every
answer), ``packet/`` the packet last generated from it. A deal file opened from disk is kept as
it was written and edited with ruamel.yaml's round-trip loader, so its comments survive.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import re
import secrets
import shutil
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
DEAL_FILE = "deal.yaml"
PACKET_DIR = "packet"


def yaml_rt() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096  # never fold a long line the user wrote on one
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def default_root() -> Path:
    base = os.environ.get("FORMGEN_DRAFTS") or os.path.join(
        os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share"), "formgen", "drafts")
    return Path(base)


class DraftStore:
    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root is not None else default_root()
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        secret_file = self.root / ".secret"
        if not secret_file.exists():
            fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
        self._secret = secret_file.read_text().strip().encode()

    # ------------------------------------------------------------ sessions
    def new_session(self) -> str:
        sid = secrets.token_urlsafe(32)
        (self.root / sid).mkdir(mode=0o700)
        return sid

    def folder(self, sid: str | None) -> Path | None:
        """The session's folder, or None for an id that is malformed or unknown."""
        if not sid or not SESSION_ID.match(sid):
            return None
        path = self.root / sid
        return path if path.is_dir() else None

    def csrf_token(self, sid: str) -> str:
        return hmac.new(self._secret, sid.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, sid: str, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf_token(sid), token)

    # ------------------------------------------------------------ the draft
    def deal_path(self, sid: str) -> Path:
        return self.root / sid / DEAL_FILE

    def packet_dir(self, sid: str) -> Path:
        return self.root / sid / PACKET_DIR

    def has_draft(self, sid: str) -> bool:
        return self.deal_path(sid).is_file()

    def load(self, sid: str):
        """The draft as round-trip data (an empty mapping when there is none or it does not parse)."""
        path = self.deal_path(sid)
        if not path.is_file():
            return CommentedMap()
        try:
            data = yaml_rt().load(path.read_text(encoding="utf-8"))
        except Exception:  # noqa: BLE001 - a draft that no longer parses starts over as a mapping
            return CommentedMap()
        return data if isinstance(data, dict) else CommentedMap()

    def save(self, sid: str, data) -> None:
        buffer = io.StringIO()
        yaml_rt().dump(data, buffer)
        self._write(self.deal_path(sid), buffer.getvalue())

    def save_text(self, sid: str, text: str) -> None:
        """A deal file exactly as it came (comments and layout kept)."""
        self._write(self.deal_path(sid), text)

    def reset(self, sid: str) -> None:
        self.deal_path(sid).unlink(missing_ok=True)
        shutil.rmtree(self.packet_dir(sid), ignore_errors=True)

    @staticmethod
    def _write(path: Path, text: str) -> None:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)

    def scratch(self, sid: str, name: str) -> Path:
        """A fixed-name work folder inside the session (name chosen by the code, never the user)."""
        path = self.root / sid / name
        path.mkdir(exist_ok=True)
        return path
