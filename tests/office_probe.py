"""Open a spreadsheet in LibreOffice, as a person would, and say what it shows, as JSON.

Run by tests/test_export_libreoffice.py with the system Python, which has LibreOffice's `uno`
bridge (Debian's python3-uno; the project's venv has no access to it):

    python3 tests/office_probe.py SOFFICE PROFILE_DIR FILE.xlsx OUT.pdf

A conversion (`soffice --convert-to`) has no view, so it neither reads nor keeps frozen panes;
this opens the file in a (hidden) window instead, reads what its view and page style say, and
prints it as LibreOffice prints it (to OUT.pdf: the page header and footer are read from
there). Uses only the standard library and `uno`.
"""

import contextlib
import json
import os
import subprocess
import sys
import time
import uuid


def main(soffice: str, profile: str, path: str, pdf: str) -> dict:
    import uno  # the system Python's LibreOffice bridge
    from com.sun.star.beans import PropertyValue
    from com.sun.star.connection import NoConnectException

    def prop(name, value):
        p = PropertyValue()
        p.Name, p.Value = name, value
        return p

    pipe = f"probe-{uuid.uuid4().hex}"
    office = subprocess.Popen(
        [
            soffice,
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            f"-env:UserInstallation=file://{profile}",
            f"--accept=pipe,name={pipe};urp;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        deadline = time.monotonic() + 90
        while True:
            try:
                context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except NoConnectException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        desktop = context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", context
        )
        document = desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(os.path.abspath(path)), "_blank", 0, (prop("Hidden", True),)
        )
        found = {"sheets": list(document.Sheets.ElementNames)}
        controller = document.getCurrentController()
        sheet = document.Sheets.getByIndex(0)
        controller.setActiveSheet(sheet)
        found["frozen"] = bool(controller.hasFrozenPanes())
        found["split_row"] = controller.getSplitRow()
        found["split_column"] = controller.getSplitColumn()
        titles = sheet.getTitleRows()
        found["print_titles"] = {
            "on": bool(sheet.getPrintTitleRows()),
            "start_row": titles.StartRow,
            "end_row": titles.EndRow,
        }
        # The sheet's filter is its unnamed database range (how .xlsx autoFilter is read).
        found["autofilter"] = None
        unnamed = document.getPropertyValue("UnnamedDatabaseRanges")
        if unnamed.hasByTable(0):
            database = unnamed.getByTable(0)
            area = database.DataArea
            if database.AutoFilter:
                found["autofilter"] = [area.StartRow, area.EndRow, area.EndColumn]
        style = document.StyleFamilies.getByName("PageStyles").getByName(sheet.PageStyle)
        found["page"] = {
            "landscape": bool(style.IsLandscape),
            "width": style.Width,
            "height": style.Height,
            "pages_wide": style.ScaleToPagesX,
            "pages_high": style.ScaleToPagesY,
            "header_on": bool(style.HeaderIsOn),
            "footer_on": bool(style.FooterIsOn),
        }
        cell = sheet.getCellByPosition(0, 0)
        found["a1"] = cell.getString()
        document.storeToURL(
            uno.systemPathToFileUrl(os.path.abspath(pdf)),
            (prop("FilterName", "calc_pdf_Export"),),
        )
        document.close(True)
        with contextlib.suppress(Exception):  # the bridge drops as LibreOffice quits
            desktop.terminate()
        return found
    finally:
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()
            office.wait()


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:5])))
