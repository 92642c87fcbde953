"""The persistent converter's far side: run by a Python that can ``import uno`` (Debian's
python3-uno for /usr/bin/python3, or LibreOffice's bundled python), never imported by formgen.

    python3 uno_bridge.py SOFFICE PROFILE_URL PIPE_NAME

Starts ``soffice --headless --accept=pipe,name=PIPE_NAME;urp;`` with its own profile, connects
to it through UNO, prints ``{"ready": true}``, then converts on request: one JSON line in on
stdin ``{"in": "/abs/a.docx", "out": "/abs/a.pdf"}``, one JSON line out ``{"ok": true}`` or
``{"error": "..."}``. With ``"first": "/abs/first.pdf"`` in the request, the first page alone is
exported there as soon as the document is laid out, and ``{"first": true, "pages": N}`` is
answered before the whole document's answer (a preview shows that page meanwhile). Exits (closing LibreOffice) at the end of stdin, which is also what
happens when formgen exits or dies. Standard library and uno only: this file runs under a
different interpreter than formgen.
"""

import json
import os
import signal
import subprocess
import sys
import time

CONNECT_SECONDS = 90.0
NO_UPDATE = 0  # com.sun.star.document.UpdateDocMode.NO_UPDATE: links to other files stay as stored
NEVER_EXECUTE = 0  # com.sun.star.document.MacroExecMode.NEVER_EXECUTE


def prop(name, value):
    from com.sun.star.beans import PropertyValue  # uno's import hook (importing uno installs it)

    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def start_office(soffice, profile_url, pipe):
    cmd = [
        soffice,
        "--headless",
        "--invisible",
        "--norestore",
        "--nolockcheck",
        "--nologo",
        "--nodefault",
        f"-env:UserInstallation={profile_url}",
        f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
    ]
    # Its own process group: formgen (told the pid) and this script can kill LibreOffice whole.
    return subprocess.Popen(
        cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )


def connect(office, pipe):
    import uno  # provided by python3-uno / LibreOffice's own python: imported where used, so that
    # formgen's own interpreter can import this module (its structure tests import every module)

    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + CONNECT_SECONDS
    while True:
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except Exception:  # noqa: BLE001 - NoConnectException until LibreOffice listens
            if office.poll() is not None and office.returncode != 0:
                raise RuntimeError(f"LibreOffice exited with status {office.returncode} while starting") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"LibreOffice did not accept a connection within {CONNECT_SECONDS:.0f} s") from None
            time.sleep(0.1)
    block_outside_links(ctx)
    return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)


def block_outside_links(ctx):
    """Images and objects a file links from elsewhere (file:// or http) are not fetched: an
    uploaded file must not pull other files of this machine into its PDF."""
    provider = ctx.ServiceManager.createInstanceWithContext("com.sun.star.configuration.ConfigurationProvider", ctx)
    node = prop("nodepath", "/org.openoffice.Office.Common/Security/Scripting")
    access = provider.createInstanceWithArguments("com.sun.star.configuration.ConfigurationUpdateAccess", (node,))
    access.setPropertyValue("BlockUntrustedRefererLinks", True)
    access.commitChanges()


def export(doc, dst, *options):
    import uno  # only LibreOffice's own Python has uno

    data = uno.Any("[]com.sun.star.beans.PropertyValue", tuple(prop(name, value) for name, value in options))
    doc.storeToURL(uno.systemPathToFileUrl(dst), (prop("FilterName", "writer_pdf_Export"), prop("FilterData", data)))


def page_count(doc):
    try:
        return int(doc.CurrentController.PageCount)
    except Exception:  # noqa: BLE001 - no view: the count is learnt from the whole PDF
        return 0


def convert(desktop, src, dst, first=None):
    import uno  # only LibreOffice's own Python has uno

    # A file from outside (an uploaded packet or contract) may link to other files or carry
    # macros: neither is followed nor run (UpdateDocMode NO_UPDATE, MacroExecMode NEVER_EXECUTE).
    options = (
        prop("Hidden", True),
        prop("ReadOnly", True),
        prop("UpdateDocMode", NO_UPDATE),
        prop("MacroExecutionMode", NEVER_EXECUTE),
    )
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(src), "_blank", 0, options)
    if doc is None:
        raise RuntimeError("LibreOffice could not open the file")
    try:
        if first:
            export(doc, first, ("PageRange", "1"))
            reply({"first": True, "pages": page_count(doc)})
        export(doc, dst, ("ExportBookmarks", True))
    finally:
        doc.close(True)


def reply(payload):
    sys.stdout.write(json.dumps(payload) + "\n")
    sys.stdout.flush()


def main(soffice, profile_url, pipe):
    office = start_office(soffice, profile_url, pipe)
    try:
        desktop = connect(office, pipe)
        reply({"ready": True, "pid": office.pid})
        for line in sys.stdin:
            request = json.loads(line)
            try:
                convert(desktop, request["in"], request["out"], request.get("first"))
                reply({"ok": True})
            except Exception as exc:  # noqa: BLE001 - reported to formgen, which decides
                reply({"error": f"{type(exc).__name__}: {exc}"})
        try:
            desktop.terminate()
            office.wait(timeout=10)
        except Exception:  # noqa: BLE001 - killed below
            pass
    finally:
        try:
            os.killpg(office.pid, signal.SIGKILL)  # soffice.bin and its launcher, if still there
        except OSError:
            pass


if __name__ == "__main__":
    main(*sys.argv[1:4])
