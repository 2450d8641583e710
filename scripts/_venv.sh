# Shared by scripts/serve and scripts/test: make .venv with Python 3.11 and install the
# project into it, again only when pyproject.toml has changed since the last install.
set -euo pipefail

find_python() {
  for candidate in "${PYTHON:-}" python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "Python 3.11 is needed (Django 5.2 LTS). Install it, or set PYTHON to its path." >&2
  return 1
}

ensure_venv() {  # $1: the pip extra to install ("" or "test")
  local extra="$1" stamp=".venv/.installed${1:+-$1}"
  if [ ! -x .venv/bin/python ]; then
    local python; python=$(find_python)
    echo "Creating .venv with $python"
    "$python" -m venv .venv
  fi
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "Installing dependencies into .venv"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extra:+[$extra]}"
    touch "$stamp"
  fi
}
