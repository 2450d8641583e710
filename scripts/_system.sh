# Shared by scripts/serve and scripts/test: the system libraries WeasyPrint needs to write
# PDFs (Pango, HarfBuzz) and a font. Installed with apt-get when missing and we are root;
# otherwise say plainly what to install.
PDF_PACKAGES="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"

ensure_pdf_libraries() {
  local missing=""
  for pkg in $PDF_PACKAGES; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
  done
  [ -z "$missing" ] && return 0
  if ! command -v dpkg >/dev/null 2>&1; then
    # Not Debian: check the library itself can be found.
    ldconfig -p 2>/dev/null | grep -q libpango-1.0 && return 0
    echo "PDF documents need Pango and HarfBuzz (e.g. brew install pango, or your package manager)." >&2
    return 0
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing the system libraries for PDF documents:$missing"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >/dev/null 2>&1 ||
      { apt-get update -q >/dev/null 2>&1 &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >/dev/null 2>&1; } ||
      echo "Could not install$missing: PDF documents will fail until they are installed." >&2
  else
    echo "PDF documents need these Debian packages:$missing (sudo apt-get install$missing)" >&2
  fi
}

# The spreadsheet and Word tests open the exports in LibreOffice headless (no GUI, no
# browser): installed for the test command as Chromium is, when missing and we are root.
# LIBREOFFICE names another soffice; the tests fail (never skip) without one.
OFFICE_PACKAGES="libreoffice-calc-nogui libreoffice-writer-nogui python3-uno"

ensure_libreoffice() {
  local office="${LIBREOFFICE:-soffice}"
  command -v "$office" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing LibreOffice (headless) for the spreadsheet and Word tests"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $OFFICE_PACKAGES >/dev/null 2>&1 ||
      { apt-get update -q >/dev/null 2>&1 &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q $OFFICE_PACKAGES >/dev/null 2>&1; } ||
      echo "Could not install LibreOffice: the export tests will fail." >&2
  else
    echo "The export tests need LibreOffice: sudo apt-get install $OFFICE_PACKAGES" >&2
  fi
}
