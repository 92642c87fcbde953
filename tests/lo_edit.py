"""Run by tests/test_word_native.py under the system Python (which has LibreOffice's uno module):
open a .docx in headless LibreOffice, insert a paragraph in the Section style before the paragraph
starting with ARGV[3], update every field, and save as PDF to ARGV[2].

usage: python3 lo_edit.py IN.docx OUT.pdf "Paragraph start"
"""

import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def main(source, target, start):
    profile = tempfile.mkdtemp(prefix="lo-profile-")
    pipe = "formgen" + str(int(time.time() * 1000))
    office = subprocess.Popen(
        [
            "soffice",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            f"-env:UserInstallation=file://{profile}",
            f"--accept=pipe,name={pipe};urp;",
        ]
    )
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        for _ in range(120):
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except NoConnectException:
                time.sleep(0.5)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(source), "_blank", 0, (prop("Hidden", True),))
        text = doc.getText()
        for paragraph in text.createEnumeration():
            if paragraph.supportsService("com.sun.star.text.Paragraph") and paragraph.getString().startswith(start):
                cursor = text.createTextCursorByRange(paragraph.getStart())
                text.insertString(cursor, "Inserted Section. A paragraph a lawyer added.", False)
                text.insertControlCharacter(cursor, 0, False)  # PARAGRAPH_BREAK: the new text is its own paragraph
                break
        else:
            raise SystemExit(f"no paragraph starts with {start!r}")
        doc.getTextFields().refresh()
        doc.refresh()
        doc.storeToURL(uno.systemPathToFileUrl(target), (prop("FilterName", "writer_pdf_Export"),))
        doc.close(True)
    finally:
        try:
            desktop.terminate()
        except Exception:  # noqa: BLE001 - already gone
            pass
        office.wait(timeout=60)


if __name__ == "__main__":
    main(*sys.argv[1:4])
