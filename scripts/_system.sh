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

# Scanned PDFs (no text layer) are read by text recognition: Debian's Tesseract and its
# English data (tracker/extraction/ocr.py). Installed with apt-get when missing and we are
# root; otherwise say plainly what to install. TESSERACT_CMD names another tesseract.
OCR_PACKAGES="tesseract-ocr tesseract-ocr-eng"

ensure_ocr() {
  local tesseract="${TESSERACT_CMD:-tesseract}"
  if command -v "$tesseract" >/dev/null 2>&1 &&
    "$tesseract" --list-langs 2>/dev/null | grep -qx eng; then
    return 0
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Tesseract (text recognition) for scanned PDFs: $OCR_PACKAGES"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $OCR_PACKAGES >/dev/null 2>&1 ||
      { apt-get update -q >/dev/null 2>&1 &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q $OCR_PACKAGES >/dev/null 2>&1; } ||
      echo "Could not install $OCR_PACKAGES: scanned PDFs will fail until they are installed." >&2
  elif command -v apt-get >/dev/null 2>&1; then
    echo "Scanned PDFs need text recognition: sudo apt-get install $OCR_PACKAGES" >&2
  else
    echo "Scanned PDFs need Tesseract with its English data (e.g. brew install tesseract)." >&2
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
