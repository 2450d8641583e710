# Shared by scripts/serve and scripts/test: make .venv with Python 3.11 and install into it
# exactly what the lock files pin (requirements.txt to run the app, requirements-test.txt to
# test it too), hashes checked, then the project itself, editable. Again only when a lock
# file has changed since the last install (re-lock after changing pyproject.toml's
# dependencies: the command is at the top of each lock file).
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

ensure_venv() {  # $1: "" to run the app, "test" to run the tests too
  local lock="requirements${1:+-$1}.txt" stamp=".venv/.installed-from" digest installed=""
  # The stamp holds the lock file the .venv was installed from and a digest of both locks, by
  # content (not by date: a checkout of an older commit gives old files new dates).
  digest=$(cat requirements.txt requirements-test.txt | sha256sum | cut -c1-64)
  [ -f "$stamp" ] && installed=$(cat "$stamp")
  if [ "$installed" = "requirements-test.txt $digest" ] || [ "$installed" = "$lock $digest" ]; then
    return 0  # the test lock pins the same versions as requirements.txt, and more
  fi
  if [ -d .venv ] && [ "${installed#* }" != "$digest" ]; then
    # Installed from other locks (or before there were any): start again, so that nothing
    # the lock no longer names stays behind.
    echo "The lock files have changed: re-creating .venv"
    rm -rf .venv
  fi
  if [ ! -x .venv/bin/python ]; then
    local python; python=$(find_python)
    echo "Creating .venv with $python"
    "$python" -m venv .venv
  fi
  echo "Installing $lock into .venv"
  local pip=(.venv/bin/python -m pip --quiet --disable-pip-version-check)
  "${pip[@]}" install --require-hashes -r "$lock"
  # The build backend (hatchling) comes from the lock too, so nothing unpinned is fetched.
  "${pip[@]}" install --no-deps --no-build-isolation -e .
  echo "$lock $digest" >"$stamp"
}
