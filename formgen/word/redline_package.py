"""Redline plumbing: the WordprocessingML vocabulary the redline uses, the two packages, and the
adoption of old content (relationship ids re-pointed, parts such as images copied over) into the new one."""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from typing import Literal

from lxml import etree

from ..errors import RedlineError
from .ooxml import read_package
from .wordml import CT_NS, MC, PKG_REL_NS, REL_NS, q, write_package


View = Literal["current", "accept", "reject"]
VIEWS = ("current", "accept", "reject")
SIMILARITY_CUTOFF = 0.5  # paragraphs (rows, tables) sharing at least this share of words are diffed word by word
MAX_PAIRINGS = 10_000  # a changed stretch with more candidate pairs is shown as whole paragraphs out and in

OFFICE_DOCUMENT = REL_NS + "/officeDocument"

P, PPR, R, RPR, T, DEL_TEXT = q("p"), q("pPr"), q("r"), q("rPr"), q("t"), q("delText")
INSTR_TEXT, DEL_INSTR_TEXT = q("instrText"), q("delInstrText")
INS, DEL, MOVE_TO, MOVE_FROM = q("ins"), q("del"), q("moveTo"), q("moveFrom")
TBL, TR, TC, TR_PR = q("tbl"), q("tr"), q("tc"), q("trPr")
SDT, SDT_CONTENT, P_STYLE, PPR_CHANGE = q("sdt"), q("sdtContent"), q("pStyle"), q("pPrChange")
SECT_PR = q("sectPr")
HEAD_TAGS = {q("tcPr"), q("tblPr"), q("tblGrid"), q("tblPrEx"), TR_PR}  # properties before a container's blocks
TAIL_TAGS = {SECT_PR}  # properties after them
CHAR_TAGS = {q("tab"): "\t", q("br"): "\n", q("cr"): "\n", q("noBreakHyphen"): "-"}
NOT_TEXT = {PPR, RPR, INSTR_TEXT, DEL_INSTR_TEXT, q("drawing"), q("pict"), q("object"), f"{{{MC}}}AlternateContent"}
ANCHOR_NAMES = ("bookmarkStart", "bookmarkEnd", "commentRangeStart", "commentRangeEnd", "commentReference")
ANCHOR_TAGS = [q(name) for name in ANCHOR_NAMES]
REVISION_TAGS = [INS, DEL, MOVE_TO, MOVE_FROM, q("rPrChange"), PPR_CHANGE, q("trPrChange"), q("tblPrChange")]

# Words keep inner punctuation ("25,000", "3.2(a)" -> "3.2", "(", "a", ")"); spaces and other marks stand alone.
TOKEN_RE = re.compile(r"\w+(?:[.,'’/-]\w+)*|\s+|[^\w\s]")
ELEMENT_KEY = "\x00"  # prefixes the diff key of a non-text piece so it never equals a word


# --- the package -------------------------------------------------------------------------


@dataclass
class RedlineDocument:
    label: str
    parts: dict[str, bytes]
    part_name: str  # the main document part, normally word/document.xml
    root: etree._Element

    @classmethod
    def load(cls, data: bytes, label: str) -> RedlineDocument:
        try:
            parts = read_package(data)
        except (zipfile.BadZipFile, ValueError) as err:
            raise RedlineError(f"the {label} document is not a .docx file ({err})") from None
        part_name = "word/document.xml"
        if "_rels/.rels" in parts:
            for rel in _parse(parts["_rels/.rels"], label):
                if rel.get("Type") == OFFICE_DOCUMENT:
                    part_name = rel.get("Target", part_name).lstrip("/")
        if part_name not in parts or "[Content_Types].xml" not in parts:
            raise RedlineError(f"the {label} document is not a .docx file (no {part_name} or [Content_Types].xml)")
        root = _parse(parts[part_name], label)
        if root.find(q("body")) is None:
            raise RedlineError(f"the {label} document's {part_name} has no w:body")
        return cls(label, parts, part_name, root)

    @property
    def body(self) -> etree._Element:
        return self.root.find(q("body"))

    @property
    def rels_name(self) -> str:
        folder, name = posixpath.split(self.part_name)
        return posixpath.join(folder, "_rels", name + ".rels")

    def save(self) -> bytes:
        self.parts[self.part_name] = _serialize(self.root)
        return write_package(self.parts)


def _parse(data: bytes, label: str) -> etree._Element:
    try:
        return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    except etree.XMLSyntaxError as err:
        raise RedlineError(f"the {label} document has malformed XML ({err})") from None


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


class PackageRelationships:
    """Re-points relationship ids (hyperlinks, images) in content copied from the old document.

    Copied content names relationships of the old main part; the new part may number them
    differently or lack them, so each is matched to, or added to, the new part's
    relationships, copying the target part (an image) over when the new package lacks it.
    """

    def __init__(self, old: RedlineDocument, new: RedlineDocument):
        self.old, self.new = old, new
        empty = b'<Relationships xmlns="%s"/>' % PKG_REL_NS.encode()
        self.old_rels = {rel.get("Id"): rel for rel in _parse(old.parts.get(old.rels_name, empty), "old")}
        self.rels = _parse(new.parts.get(new.rels_name, empty), "new")
        self.content_types = _parse(new.parts["[Content_Types].xml"], "new")
        self.adopted: dict[str, str] = {}
        self.changed = False

    def adopt(self, old_id: str) -> str:
        if old_id not in self.adopted:
            self.adopted[old_id] = self._adopt(old_id)
        return self.adopted[old_id]

    def _adopt(self, old_id: str) -> str:
        old_rel = self.old_rels.get(old_id)
        if old_rel is None:
            return old_id  # dangling in the old document already
        rel_type, target, mode = old_rel.get("Type"), old_rel.get("Target", ""), old_rel.get("TargetMode")
        if mode != "External":
            target = self._adopt_part(target)
        for rel in self.rels:
            if (rel.get("Type"), rel.get("Target"), rel.get("TargetMode")) == (rel_type, target, mode):
                return rel.get("Id")
        taken = {rel.get("Id") for rel in self.rels}
        number = len(taken) + 1
        while f"rId{number}" in taken:
            number += 1
        new_id = f"rId{number}"
        rel = etree.SubElement(self.rels, f"{{{PKG_REL_NS}}}Relationship", Id=new_id, Type=rel_type, Target=target)
        if mode:
            rel.set("TargetMode", mode)
        self.changed = True
        return new_id

    def _adopt_part(self, target: str) -> str:
        """``target`` (relative to the main part) in the new package, copying the old part when needed."""
        folder = posixpath.dirname(self.old.part_name)
        name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        data = self.old.parts.get(name)
        if data is None or self.new.parts.get(name) == data:
            return target
        stem, ext = posixpath.splitext(name)
        number = 1
        while f"{stem}-old{number}{ext}" in self.new.parts:
            number += 1
        copy_name = f"{stem}-old{number}{ext}"
        self.new.parts[copy_name] = data
        content_type = self._old_content_type(name, ext)
        etree.SubElement(self.content_types, f"{{{CT_NS}}}Override", PartName="/" + copy_name, ContentType=content_type)
        self.changed = True
        return posixpath.relpath(copy_name, posixpath.dirname(self.new.part_name))

    def _old_content_type(self, name: str, ext: str) -> str:
        types = _parse(self.old.parts["[Content_Types].xml"], "old")
        by_part = {e.get("PartName", "").lstrip("/"): e.get("ContentType") for e in types if e.get("PartName")}
        by_ext = {e.get("Extension", "").lower(): e.get("ContentType") for e in types if e.get("Extension")}
        return by_part.get(name) or by_ext.get(ext[1:].lower()) or "application/octet-stream"

    def save(self) -> None:
        if self.changed:
            self.new.parts[self.new.rels_name] = _serialize(self.rels)
            self.new.parts["[Content_Types].xml"] = _serialize(self.content_types)
