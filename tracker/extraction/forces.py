"""The forces that extraction recognises, from the project's reference data."""

from __future__ import annotations

import json
from pathlib import Path

# The checkout's top-level fixtures/ folder; the wheel carries it as config/fixtures
# (pyproject.toml), as config/settings.py's FIXTURES_DIR knows. No Django here, so look.
_ROOT = Path(__file__).resolve().parents[2]
_PACKAGED = _ROOT / "config" / "fixtures"
ORGANISATIONS = (_PACKAGED if _PACKAGED.is_dir() else _ROOT / "fixtures") / "organisations.json"


def load_known_forces(path: Path | str | None = None) -> list[str]:
    """The 43 territorial forces' names, from fixtures/organisations.json.

    Short names ("West Midlands" for "West Midlands Police") are derived by the extraction
    itself by dropping "Police", "Constabulary" or "Police Service", which gives the same
    short names as the file's `short_name` field.
    """
    data = json.loads(Path(path or ORGANISATIONS).read_text(encoding="utf-8"))
    return [org["name"] for org in data["organisations"] if org.get("kind") == "force"]
