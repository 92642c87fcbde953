"""The server's data folder: matters (drafts) and browser sessions, never a user-given path.

``<root>/matters/<matter id>/deal.yaml`` is a matter's draft deal file (the format the CLI reads;
saved on every answer), ``packet/`` the packet last generated from it, ``version`` a counter that
every save raises (a tab that saw an older version is told, not obeyed). The data folder owns the
matters: any browser on the machine lists and opens them. ``<root>/sessions/<id>`` records a
browser session (its CSRF token is derived from the id); sessions are made only when a matter is
started or opened, get a new id each time one is (the old id is refused), expire after
``SESSION_IDLE`` seconds unused and are pruned. A deal file opened
from disk is kept as it was written and edited with ruamel.yaml's round-trip loader, so its
comments survive.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

TOKEN_ID = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
DEAL_FILE = "deal.yaml"
PACKET_DIR = "packet"
VERSION_FILE = "version"
UNDO_FILE = "undo.json"
SESSION_IDLE = 12 * 3600  # a session unused this long is gone
START_TOKEN_AGE = 24 * 3600  # a start page's form works this long


def yaml_rt() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096  # never fold a long line the user wrote on one
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def default_root() -> Path:
    base = os.environ.get("FORMGEN_DRAFTS") or os.path.join(
        os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share"), "formgen", "drafts"
    )
    return Path(base)


@dataclass
class Matter:
    """One line of the matters list."""

    id: str
    name: str
    state: str
    saved: dt.datetime | None
    has_packet: bool
    from_packet: bool


class DraftStore:
    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root is not None else default_root()
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.matters_root = self.root / "matters"
        self.sessions_root = self.root / "sessions"
        self.matters_root.mkdir(exist_ok=True, mode=0o700)
        self.sessions_root.mkdir(exist_ok=True, mode=0o700)
        secret_file = self.root / ".secret"
        if not secret_file.exists():
            fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
        self._secret = secret_file.read_text().strip().encode()
        self._adopt_old_layout()

    def _adopt_old_layout(self) -> None:
        """Drafts of the one-draft-per-browser layout (``<root>/<session id>/``) become matters;
        the empty folders it left behind go."""
        for folder in self.root.iterdir():
            if not folder.is_dir() or not TOKEN_ID.match(folder.name):
                continue
            if (folder / DEAL_FILE).is_file():
                os.replace(folder, self.matters_root / folder.name)
            else:
                shutil.rmtree(folder, ignore_errors=True)

    # ------------------------------------------------------------ sessions
    def new_session(self) -> str:
        self.prune_sessions()
        sid = secrets.token_urlsafe(32)
        (self.sessions_root / sid).write_text(str(int(time.time())))
        return sid

    def rotate_session(self, old: str | None) -> str:
        """A new session in place of ``old``, which is refused from now on (a matter was started or
        opened: an id that was seen before, or planted, is worth nothing after it)."""
        if old and TOKEN_ID.match(old):
            (self.sessions_root / old).unlink(missing_ok=True)
        return self.new_session()

    def session_ok(self, sid: str | None) -> bool:
        """A session this server made and that has not expired; its use keeps it alive."""
        if not sid or not TOKEN_ID.match(sid):
            return False
        path = self.sessions_root / sid
        try:
            idle = time.time() - path.stat().st_mtime
        except OSError:
            return False
        if idle > SESSION_IDLE:
            path.unlink(missing_ok=True)
            return False
        if idle > 60:
            os.utime(path)
        return True

    def prune_sessions(self) -> int:
        now, gone = time.time(), 0
        for path in self.sessions_root.iterdir():
            try:
                if now - path.stat().st_mtime > SESSION_IDLE:
                    path.unlink()
                    gone += 1
            except OSError:
                pass
        return gone

    def session_count(self) -> int:
        return sum(1 for _ in self.sessions_root.iterdir())

    def _mac(self, text: str) -> str:
        return hmac.new(self._secret, text.encode(), hashlib.sha256).hexdigest()

    def csrf_token(self, sid: str | None) -> str:
        """The session's token; without a session, a start token that only starts or opens a
        matter (signed with the server's secret and dated, so no other page can make one)."""
        if sid:
            return self._mac("session:" + sid)
        stamp = str(int(time.time()))
        return f"start-{stamp}-{self._mac('start:' + stamp)}"

    def csrf_ok(self, sid: str | None, token: str | None) -> bool:
        return bool(sid and token) and hmac.compare_digest(self._mac("session:" + sid), token)

    def start_token_ok(self, token: str | None) -> bool:
        parts = (token or "").split("-")
        if (
            len(parts) != 3
            or parts[0] != "start"
            or not parts[1].isascii()
            or not parts[1].isdigit()
            or len(parts[1]) > 12
        ):
            return False
        fresh = 0 <= time.time() - int(parts[1]) <= START_TOKEN_AGE
        return fresh and hmac.compare_digest(self._mac("start:" + parts[1]), parts[2])

    # ------------------------------------------------------------ matters
    def new_matter(self) -> str:
        mid = secrets.token_urlsafe(24)
        (self.matters_root / mid).mkdir(mode=0o700)
        return mid

    def folder(self, mid: str | None) -> Path | None:
        """The matter's folder, or None for an id that is malformed or unknown."""
        if not mid or not TOKEN_ID.match(mid):
            return None
        path = self.matters_root / mid
        return path if path.is_dir() else None

    def matters(self) -> list[Matter]:
        """Every matter, the one saved last first."""
        out = []
        for folder in self.matters_root.iterdir():
            if not folder.is_dir() or not TOKEN_ID.match(folder.name):
                continue
            data = self.load(folder.name)
            deal = data.get("deal") if isinstance(data.get("deal"), dict) else {}
            name = (
                deal.get("name") if isinstance(deal.get("name"), str) and deal.get("name").strip() else "Untitled deal"
            )
            state = deal.get("state") if isinstance(deal.get("state"), str) else ""
            deal_file = folder / DEAL_FILE
            saved = dt.datetime.fromtimestamp(deal_file.stat().st_mtime) if deal_file.is_file() else None
            out.append(
                Matter(
                    folder.name,
                    name,
                    state.upper(),
                    saved,
                    (folder / PACKET_DIR / "manifest.json").is_file(),
                    (folder / "packet-origin").is_file(),
                )
            )
        return sorted(out, key=lambda m: (m.saved or dt.datetime.min, m.id), reverse=True)

    def duplicate(self, mid: str) -> str:
        """A new matter with a copy of the draft (not the packet: it was made from the original)."""
        copy = self.new_matter()
        if self.has_draft(mid):
            shutil.copyfile(self.deal_path(mid), self.deal_path(copy))
        return copy

    def delete(self, mid: str) -> None:
        folder = self.folder(mid)
        if folder is not None:
            shutil.rmtree(folder)

    # ------------------------------------------------------------ the draft
    def deal_path(self, mid: str) -> Path:
        return self.matters_root / mid / DEAL_FILE

    def packet_dir(self, mid: str) -> Path:
        return self.matters_root / mid / PACKET_DIR

    def has_draft(self, mid: str) -> bool:
        return self.deal_path(mid).is_file()

    def load(self, mid: str):
        """The draft as round-trip data (an empty mapping when there is none or it does not parse)."""
        path = self.deal_path(mid)
        if not path.is_file():
            return CommentedMap()
        try:
            data = yaml_rt().load(path.read_text(encoding="utf-8"))
        except Exception:  # noqa: BLE001 - a draft that no longer parses starts over as a mapping
            return CommentedMap()
        return data if isinstance(data, dict) else CommentedMap()

    def version(self, mid: str) -> int:
        try:
            return int((self.matters_root / mid / VERSION_FILE).read_text())
        except (OSError, ValueError):
            return 0

    def save(self, mid: str, data) -> int:
        buffer = io.StringIO()
        yaml_rt().dump(data, buffer)
        return self.save_text(mid, buffer.getvalue())

    def save_text(self, mid: str, text: str) -> int:
        """A deal file exactly as it came (comments and layout kept); returns the new version."""
        self._write(self.deal_path(mid), text)
        version = self.version(mid) + 1
        self._write(self.matters_root / mid / VERSION_FILE, str(version))
        return version

    @staticmethod
    def _write(path: Path, text: str) -> None:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)

    def scratch(self, mid: str, name: str) -> Path:
        """A fixed-name work folder inside the matter (name chosen by the code, never the user)."""
        path = self.matters_root / mid / name
        path.mkdir(exist_ok=True)
        return path

    # ------------------------------------------------------------ undo of a removal
    def keep_undo(self, mid: str, record: dict) -> None:
        self._write(self.matters_root / mid / UNDO_FILE, json.dumps(record, default=str))

    def take_undo(self, mid: str, *, peek: bool = False) -> dict | None:
        path = self.matters_root / mid / UNDO_FILE
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not peek:
            path.unlink(missing_ok=True)
        return record if isinstance(record, dict) else None
