"""Runs docs/tutorial.md as a reader would, in an empty folder: writes each file it shows, applies
each edit, runs each `$ formgen ...` command and compares what it prints with what the tutorial
shows. `python docs/tutorial_run.py --write` puts the real output into the tutorial;
tests/test_readme.py fails when the two differ.

In the tutorial, a file is a ```yaml block after `<!-- file: PATH -->`; an edit is a ```diff block
after `<!-- edit: PATH -->` (each `-` line replaced by the `+` line after it); a command is a
```console block: `$ command`, then its output.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "docs" / "tutorial.md"
BLOCK = re.compile(r"(?:<!-- (file|edit): (\S+) -->\n)?```(yaml|diff|console)\n(.*?)```\n", re.S)


def _run(command: str, folder: Path) -> str:
    args = shlex.split(command)
    assert args[0] == "formgen", f"the tutorial runs only formgen commands: {command}"
    env = {**os.environ, "FORMGEN_NO_CACHE": "1", "COLUMNS": "100"}
    result = subprocess.run(
        [sys.executable, "-m", "formgen", *args[1:]], cwd=folder, capture_output=True, text=True, env=env, timeout=600
    )
    return result.stdout + result.stderr


def _edit(path: Path, diff: str) -> None:
    text = path.read_text(encoding="utf-8")
    lines = diff.rstrip("\n").split("\n")
    for old, new in zip(lines[0::2], lines[1::2]):
        assert old.startswith("-") and new.startswith("+"), f"an edit is '-' then '+' lines: {old!r}, {new!r}"
        assert text.count(old[1:] + "\n") == 1, f"{path}: '{old[1:]}' is not there exactly once"
        text = text.replace(old[1:] + "\n", new[1:] + "\n")
    path.write_text(text, encoding="utf-8")


def run_tutorial(text: str, folder: Path) -> tuple[str, list[tuple[str, str, str]]]:
    """(the tutorial with the real outputs, [(command, shown, printed)] for each command)."""
    results = []

    def block(match: re.Match) -> str:
        kind, path, lang, body = match.groups()
        if kind == "file":
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_text(body, encoding="utf-8")
        elif kind == "edit":
            _edit(folder / path, body)
        elif lang == "console":
            command, _, shown = body.partition("\n")
            assert command.startswith("$ "), f"a console block starts with '$ ': {command}"
            printed = _run(command[2:], folder)
            results.append((command[2:], shown, printed))
            return f"```console\n{command}\n{printed}```\n"
        return match.group(0)

    return BLOCK.sub(block, text), results


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        updated, results = run_tutorial(TUTORIAL.read_text(encoding="utf-8"), Path(tmp))
    if "--write" in sys.argv:
        TUTORIAL.write_text(updated, encoding="utf-8")
    for command, shown, printed in results:
        print(("same     " if shown == printed else "DIFFERENT") + f"  $ {command}")


if __name__ == "__main__":
    main()
