"""Fields and bookmarks of a finished document, read and repaired: a paragraph's text with each
refreshed field's result replaced by its instruction (what Word and LibreOffice update on their
own is no edit), and bookmark names and ids made unique again after content was combined."""

from __future__ import annotations

from lxml import etree

from .wordml import q

FIELD_RESULTS_REFRESHED = ("REF", "PAGE", "NUMPAGES", "TOC", "PAGEREF", "SEQ")
NAMED_BY_THEIR_ARGUMENT = ("REF", "PAGEREF", "SEQ")  # the bookmark or sequence they show; TOC's switches
# are no part of what it is (LibreOffice writes "TOC \z \o ..." for formgen's "TOC \o ... \z")


def _field_key(words: list[str]) -> str:
    return " ".join(words[:2] if words[0].upper() in NAMED_BY_THEIR_ARGUMENT else words[:1])


def text_with_field_codes(paragraph: etree._Element) -> str:
    """The paragraph's text with each REF / PAGE / TOC field's result replaced by its instruction:
    what Word and LibreOffice refresh on their own (a renumbered cross-reference) is no edit."""
    out: list[str] = []
    depth_in_result = 0  # inside a refreshed field's result: its text is skipped
    stack: list[list[str]] = []  # per open field: [instruction, state]
    skipped: set[etree._Element] = set()  # the result text of a simple field
    for node in paragraph.iter(q("t"), q("tab"), q("fldChar"), q("instrText"), q("fldSimple")):
        tag = etree.QName(node).localname
        if tag == "fldSimple":
            instr = (node.get(q("instr")) or "").split()
            if instr and instr[0].upper() in FIELD_RESULTS_REFRESHED:
                out.append(f"\u27e6{_field_key(instr)}\u27e7")
                skipped.update(node.iter(q("t")))
            continue
        if tag == "fldChar":
            kind = node.get(q("fldCharType"))
            if kind == "begin":
                stack.append(["", "code"])
            elif kind == "separate" and stack:
                stack[-1][1] = "result"
                words = stack[-1][0].split()
                if words and words[0].upper() in FIELD_RESULTS_REFRESHED:
                    out.append(f"\u27e6{_field_key(words)}\u27e7")
                    depth_in_result += 1
                    stack[-1][1] = "skipped"
            elif kind == "end" and stack:
                if stack.pop()[1] == "skipped":
                    depth_in_result -= 1
            continue
        if tag == "instrText":
            if stack:
                stack[-1][0] += node.text or ""
            continue
        if depth_in_result or node in skipped:
            continue
        out.append("\t" if tag == "tab" else node.text or "")
    return "".join(out)


def unique_bookmarks(body: etree._Element) -> None:
    """Each bookmark name and id once: a repeated name keeps its first start (a REF finds that one)
    and loses the later start and its end; a reused id is renumbered on both ends."""
    names: set[str] = set()
    ids: dict[str, str] = {}  # an open bookmark's id as written -> its id now
    used = {mark.get(q("id")) for mark in body.iter(q("bookmarkStart"))}
    next_id = max((int(i) for i in used if i and i.isdigit()), default=0) + 1
    seen_ids: set[str] = set()
    dropped: set[str] = set()
    for mark in list(body.iter(q("bookmarkStart"), q("bookmarkEnd"))):
        mark_id = mark.get(q("id"), "")
        if mark.tag == q("bookmarkStart"):
            name = mark.get(q("name"), "")
            if name in names:
                dropped.add(mark_id)
                mark.getparent().remove(mark)
                continue
            names.add(name)
            if mark_id in seen_ids:
                ids[mark_id], next_id = str(next_id), next_id + 1
                mark.set(q("id"), ids[mark_id])
            seen_ids.add(mark_id)
        elif mark_id in dropped:
            dropped.discard(mark_id)
            mark.getparent().remove(mark)
        elif mark_id in ids:
            mark.set(q("id"), ids.pop(mark_id))
