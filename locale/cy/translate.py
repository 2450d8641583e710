"""Fill the Welsh catalogue and compile it, without GNU gettext (polib is in the test
requirements). Run after `manage.py makemessages -l cy` (see docs/welsh.md):

    .venv/bin/python locale/cy/translate.py

1. Sets the catalogue's header (Welsh, six plural forms as in CLDR).
2. Gives each message in cy_terms.TRANSLATIONS (and cy_terms_lineage.TRANSLATIONS, issue 18's) its
   Welsh, where the .po has none yet (a
   translator's edit in the .po is never overwritten); a plural message takes a list of its
   six forms (n = 0, 1, 2, 3, 6, other).
3. Merges the .po fragments other work leaves in /work/notes (welsh-*-msgids.po) the same way,
   when that folder exists.
4. Drops msgmerge's fuzzy guesses (they are another message's Welsh), then compiles
   django.mo from django.po; untranslated messages are left out, so their English shows.
"""

import sys
from pathlib import Path

import polib

HERE = Path(__file__).resolve().parent
PO = HERE / "LC_MESSAGES" / "django.po"
MO = HERE / "LC_MESSAGES" / "django.mo"
FRAGMENTS = Path("/work/notes")

HEADER = {
    "Project-Id-Version": "inspection-tracker",
    "Report-Msgid-Bugs-To": "",
    "PO-Revision-Date": "2026-12-04 21:00+0000",
    "Last-Translator": "Draft (not yet checked by a translator)",
    "Language-Team": "Welsh (machine-assisted draft: to be checked by a translator)",
    "Language": "cy",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    # CLDR's Welsh plural rules: zero, one, two, few (3), many (6), other.
    "Plural-Forms": (
        "nplurals=6; plural=(n==0) ? 0 : (n==1) ? 1 : (n==2) ? 2 : (n==3) ? 3 : (n==6) ? 4 : 5;"
    ),
}


def fill(entry: polib.POEntry, welsh: str | list[str]) -> bool:
    """Give an entry its Welsh if it has none. Returns whether it changed."""
    if entry.msgid_plural:
        if any(entry.msgstr_plural.values()):
            return False
        forms = welsh if isinstance(welsh, list) else [welsh] * 6
        if len(forms) != 6:
            raise ValueError(f"{entry.msgid!r}: a plural needs six forms")
        entry.msgstr_plural = dict(enumerate(forms))
    else:
        if entry.msgstr:
            return False
        if isinstance(welsh, list):
            raise ValueError(f"{entry.msgid!r} is not a plural")
        entry.msgstr = welsh
    if "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")
    return True


def main() -> int:
    sys.path.insert(0, str(HERE))
    from cy_terms import TRANSLATIONS  # noqa: PLC0415 - beside this script
    from cy_terms_lineage import TRANSLATIONS as LINEAGE  # noqa: PLC0415 - issue 18's

    terms = {**TRANSLATIONS, **LINEAGE}

    po = polib.pofile(str(PO))
    po.header = (
        "Welsh translation of the inspection tracker (issue 22).\n"
        "A machine-assisted draft using TermCymru for fixed phrases: TO BE CHECKED BY A WELSH\n"
        "TRANSLATOR BEFORE LIVE USE. Corrections go here; see docs/welsh.md."
    )
    po.metadata.update(HEADER)
    po.metadata_is_fuzzy = False
    # msgmerge's fuzzy guesses (another message's Welsh, for text that looks alike) are
    # nearly always wrong: drop them, so the message shows English until it is translated.
    for entry in po:
        if "fuzzy" in entry.flags and not entry.obsolete:
            entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
            entry.msgstr = ""
            entry.msgstr_plural = dict.fromkeys(entry.msgstr_plural, "")
    changed = 0
    by_id = {e.msgid: e for e in po if not e.obsolete}
    for msgid, welsh in terms.items():
        entry = by_id.get(msgid)
        if entry is not None:
            changed += fill(entry, welsh)
    if FRAGMENTS.is_dir():
        for fragment in sorted(FRAGMENTS.glob("welsh-*msgids*.po")):
            for other in polib.pofile(str(fragment)):
                entry = by_id.get(other.msgid)
                if entry is None or other.obsolete or "fuzzy" in other.flags:
                    continue
                if other.msgid_plural and any(other.msgstr_plural.values()):
                    forms = [other.msgstr_plural.get(i, "") for i in range(6)]
                    if all(forms):
                        changed += fill(entry, forms)
                elif other.msgstr and not other.msgid_plural:
                    changed += fill(entry, other.msgstr)
    po.save(str(PO))
    po.save_as_mofile(str(MO))
    done = sum(1 for e in po if not e.obsolete and "fuzzy" not in e.flags and e.translated())
    print(f"{changed} filled; {done} of {len(po)} messages have Welsh; {MO.name} compiled")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
