"""Word comments: the ``word/comments.xml`` part, its relationship and content type, and the
anchors (range start, range end, reference run) that attach a comment to a paragraph."""

from __future__ import annotations

import posixpath

from lxml import etree

from .wordml import CT_NS, PKG_REL_NS, REL_NS, W, q

COMMENTS_TYPE = REL_NS + "/comments"
COMMENTS_CONTENT = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"


def _parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))


def _dump(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


class Comments:
    """The comments of one package: existing ones kept, new ones appended on ``save``."""

    def __init__(self, parts: dict[str, bytes], main_part: str = "word/document.xml"):
        self.parts, self.main_part = parts, main_part
        folder = posixpath.dirname(main_part)
        self.rels_name = posixpath.join(folder, "_rels", posixpath.basename(main_part) + ".rels")
        rels = _parse(parts.get(self.rels_name, b'<Relationships xmlns="%s"/>' % PKG_REL_NS.encode()))
        existing = next((r for r in rels if r.get("Type") == COMMENTS_TYPE), None)
        target = existing.get("Target") if existing is not None else "comments.xml"
        self.part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        self.rels, self.has_rel = rels, existing is not None
        self.root = _parse(parts[self.part]) if self.part in parts else etree.Element(q("comments"), nsmap={"w": W})
        self.added = 0

    def add(self, comment_id: str, author: str, date: str, text: str) -> None:
        comment = etree.SubElement(self.root, q("comment"))
        comment.set(q("id"), comment_id)
        comment.set(q("author"), author)
        comment.set(q("date"), date)
        comment.set(q("initials"), author[:2].upper())
        for line in text.split("\n"):
            run = etree.SubElement(etree.SubElement(comment, q("p")), q("r"))
            t = etree.SubElement(run, q("t"))
            t.text = line
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        self.added += 1

    def save(self) -> None:
        if not self.added:
            return
        self.parts[self.part] = _dump(self.root)
        if not self.has_rel:
            taken = {r.get("Id") for r in self.rels}
            number = len(taken) + 1
            while f"rId{number}" in taken:
                number += 1
            etree.SubElement(
                self.rels,
                f"{{{PKG_REL_NS}}}Relationship",
                Id=f"rId{number}",
                Type=COMMENTS_TYPE,
                Target=posixpath.relpath(self.part, posixpath.dirname(self.main_part)),
            )
            self.parts[self.rels_name] = _dump(self.rels)
        types = _parse(self.parts["[Content_Types].xml"])
        if not any(o.get("PartName") == "/" + self.part for o in types):
            etree.SubElement(types, f"{{{CT_NS}}}Override", PartName="/" + self.part, ContentType=COMMENTS_CONTENT)
            self.parts["[Content_Types].xml"] = _dump(types)


def anchor_comment(paragraph: etree._Element, comment_id: str) -> None:
    """Attach comment ``comment_id`` to the whole of ``paragraph``."""
    start = etree.Element(q("commentRangeStart"))
    start.set(q("id"), comment_id)
    ppr = paragraph.find(q("pPr"))
    paragraph.insert(0 if ppr is None else paragraph.index(ppr) + 1, start)
    range_end = etree.SubElement(paragraph, q("commentRangeEnd"))
    range_end.set(q("id"), comment_id)
    run = etree.SubElement(paragraph, q("r"))
    reference = etree.SubElement(run, q("commentReference"))
    reference.set(q("id"), comment_id)


def comment_texts(parts: dict[str, bytes]) -> list[str]:
    """The text of every comment in a package (for tests and reports)."""
    if "word/comments.xml" not in parts:
        return []
    root = _parse(parts["word/comments.xml"])
    return [
        "\n".join("".join(t.text or "" for t in p.iter(q("t"))) for p in c.iter(q("p")))
        for c in root.iter(q("comment"))
    ]
