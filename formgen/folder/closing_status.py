"""``formgen closing OUT``: the closing set of a packet folder as data, read from its manifest (the
closing record ``generate`` keeps and the execution records ``mark-executed`` adds)."""

from __future__ import annotations

from typing import Any

from pathlib import Path

from ..errors import InputError, Problem
from .packet_folder import PacketFolder


def closing_status(out_dir: str | Path) -> dict[str, Any]:
    """Every item of the closing in signing order (step, name, title, kind, file, signers, status
    and the date executed) and the signature packets by signer."""
    folder = PacketFolder(out_dir)
    manifest = folder.manifest()
    closing = manifest.get("closing")
    if not closing:
        raise InputError(
            [
                Problem(
                    str(folder.manifest_path),
                    "closing",
                    "is missing: the packet was written "
                    "before formgen recorded its closing set; run `formgen regenerate` on it first",
                )
            ]
        )
    executed = manifest.get("executed") or {}
    steps: list[dict[str, Any]] = []
    for item in closing["items"]:
        record = executed.get(item["name"])
        if not steps or steps[-1]["step"] != item["step"]:
            steps.append({"step": item["step"], "items": []})
        steps[-1]["items"].append(
            {
                "name": item["name"],
                "title": item["title"],
                "kind": item["kind"],
                "file": item["file"],
                "signers": item["signers"],
                "status": "executed" if record else "open",
                "executed_on": record["date"] if record else None,
            }
        )
    return {
        "deal": manifest["deal"].get("validated", {}).get("deal", {}).get("name"),
        "esign": closing["esign"],
        "checklist": closing["checklist"]["file"],
        "steps": steps,
        "signature_packets": [
            {"signer": signer, "file": file} for signer, file in closing["signature_packets"].items()
        ],
    }


def closing_lines(status: dict[str, Any]) -> list[str]:
    """The closing in words, a line per item under its step."""
    lines = [f"closing of {status['deal']}: {status['checklist']}"]
    for step in status["steps"]:
        lines.append(f"step {step['step']}")
        for item in step["items"]:
            state = f"executed {item['executed_on']}" if item["status"] == "executed" else "open"
            who = f" ({', '.join(item['signers'])})" if item["signers"] else ""
            lines.append(f"  [{state}] {item['title']}{who}")
    lines.append("signature packets:")
    lines += [f"  {p['signer']}: {p['file']}" for p in status["signature_packets"]]
    return lines
