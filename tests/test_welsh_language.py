"""Welsh (issue 22): each person's language, the pages and emails it gives them, and the
Welsh catalogue (locale/cy/LC_MESSAGES).

The catalogue tests read the sources the way `makemessages` does (Django's own templatize for
templates, the gettext keywords for Python) but without GNU gettext, so they run anywhere:
the compiled .mo must say what the .po says, every message of the public pages, the published
response documents and the emails must have a Welsh translation, and no translation may lose
or invent a placeholder (which would break the page or email at run time).
"""

import ast
import io
import re
import tokenize
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation.template import templatize

from accounts.models import Language, User
from tracker import services
from tracker.models import AuditEvent
from tracker.reminders.sweeps import sweep

LOCALE = Path(settings.BASE_DIR) / "locale" / "cy" / "LC_MESSAGES"
PO = LOCALE / "django.po"
MO = LOCALE / "django.mo"
TEMPLATES = Path(settings.BASE_DIR) / "templates"

# What people read in Welsh (issue 22): the public pages, the published response documents
# and the emails, with every template they extend or include (found below), and the Python
# modules that word them.
WELSH_TEMPLATE_FOLDERS = ("public", "documents", "email")
WELSH_PYTHON = (
    "tracker/documents.py",
    "tracker/word_documents.py",
    "tracker/statutory/content.py",
    "tracker/reminders/mail.py",
    "tracker/reminders/notices.py",
    "tracker/reminders/digests.py",
    "tracker/views/public.py",
    "accounts/password_emails.py",
)

# xgettext's keywords as makemessages gives them: name -> (context arg, msgid arg, plural arg).
KEYWORDS = {
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|\{\w*\}")


def _literal(group: list[tokenize.TokenInfo]) -> str | None:
    """The text of an argument made only of string literals (implicitly joined), else None."""
    if not group or any(
        t.type != tokenize.STRING or re.match(r"^[rbRB]*[fF]", t.string) for t in group
    ):
        return None
    return "".join(ast.literal_eval(t.string) for t in group)


def messages_in_code(code: str) -> set[tuple[str | None, str]]:
    """(context, msgid) of each gettext call with literal arguments in Python source (or in
    the Python-like text templatize makes of a template), as xgettext would find them."""
    found = set()
    tokens = [
        t
        for t in tokenize.generate_tokens(io.StringIO(code).readline)
        if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT)
    ]
    for i, tok in enumerate(tokens):
        if tok.type != tokenize.NAME or tok.string not in KEYWORDS:
            continue
        if i + 1 >= len(tokens) or tokens[i + 1].string != "(":
            continue
        if i > 0 and tokens[i - 1].string in ("def", "."):
            continue
        # The arguments: token groups split at the call's own commas.
        args: list[list[tokenize.TokenInfo]] = [[]]
        depth = 0
        for t in tokens[i + 2 :]:
            if t.string in "([{" and t.type == tokenize.OP:
                depth += 1
            elif t.string in ")]}" and t.type == tokenize.OP:
                if depth == 0:
                    break
                depth -= 1
            if t.string == "," and depth == 0:
                args.append([])
            else:
                args[-1].append(t)
        context_at, msgid_at, _plural_at = KEYWORDS[tok.string]
        msgid = _literal(args[msgid_at]) if msgid_at < len(args) else None
        if msgid:
            context = _literal(args[context_at]) if context_at is not None else None
            found.add((context, msgid))
    return found


def template_closure() -> list[Path]:
    """The Welsh-surface templates and every template they extend or include, by name."""
    todo = [p for folder in WELSH_TEMPLATE_FOLDERS for p in (TEMPLATES / folder).rglob("*.*")]
    seen: set[Path] = set()
    while todo:
        path = todo.pop()
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        text = path.read_text(encoding="utf-8")
        for name in re.findall(r'{%\s*(?:extends|include)\s+"([^"]+)"', text):
            todo.append(TEMPLATES / name)
    return sorted(seen)


def welsh_surface_messages() -> dict[tuple[str | None, str], str]:
    """Each message people read in Welsh, with where it is."""
    where: dict[tuple[str | None, str], str] = {}
    for path in template_closure():
        code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
        # Its indentation is the template's, not Python's: each call is on one line.
        code = "\n".join(line.lstrip() for line in code.splitlines())
        for key in messages_in_code(code):
            where.setdefault(key, str(path.relative_to(settings.BASE_DIR)))
    for name in WELSH_PYTHON:
        path = Path(settings.BASE_DIR) / name
        if path.is_file():
            for key in messages_in_code(path.read_text(encoding="utf-8")):
                where.setdefault(key, name)
    return where


@pytest.fixture(scope="module")
def po():
    return polib.pofile(str(PO))


def translated(po) -> dict[tuple[str | None, str], polib.POEntry]:
    return {
        (e.msgctxt, e.msgid): e
        for e in po
        if not e.obsolete and "fuzzy" not in e.flags and (e.msgstr or any(e.msgstr_plural.values()))
    }


# The catalogue ----------------------------------------------------------------------------


def test_the_compiled_catalogue_says_what_the_po_says(po):
    mo = polib.mofile(str(MO))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, dict(e.msgstr_plural)) for e in mo if e.msgid}
    source = {
        key: (e.msgstr, {int(k): v for k, v in e.msgstr_plural.items()})
        for key, e in translated(po).items()
    }
    compiled = {k: (s, {int(n): v for n, v in p.items()}) for k, (s, p) in compiled.items()}
    assert compiled == source, "compile the .po again (see docs/welsh.md)"


def test_the_catalogue_declares_welsh_plurals(po):
    assert po.metadata["Language"] == "cy"
    assert "nplurals=6" in po.metadata["Plural-Forms"]
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"


def test_every_public_page_document_and_email_message_has_welsh(po):
    done = translated(po)
    missing = {
        f"{where}: {msgid!r}"
        for (context, msgid), where in welsh_surface_messages().items()
        if (context, msgid) not in done
    }
    assert not missing, "\n".join(sorted(missing))


def test_the_surfaces_are_found(po):
    """The extraction above finds the messages it should (a guard against a test that
    passes because it finds nothing)."""
    found = welsh_surface_messages()
    assert (None, "Skip to main content") in found  # base.html, which the public pages extend
    assert len(found) > 100


def test_no_translation_loses_or_invents_a_placeholder(po):
    wrong = []
    for entry in po:
        if entry.obsolete or "fuzzy" in entry.flags:
            continue
        wanted = sorted(PLACEHOLDER.findall(entry.msgid))
        if entry.msgid_plural:
            wanted_plural = set(PLACEHOLDER.findall(entry.msgid_plural)) | set(wanted)
            for form in entry.msgstr_plural.values():
                if form and not set(PLACEHOLDER.findall(form)) <= wanted_plural:
                    wrong.append(entry.msgid)
        elif entry.msgstr and sorted(PLACEHOLDER.findall(entry.msgstr)) != wanted:
            wrong.append(entry.msgid)
    assert not wrong, wrong


# TermCymru, the Welsh Government's terms, for the fixed phrases of the domain. Welsh mutates
# a word's first letter after some words (Comisiynydd, ei Gomisiynydd), so the check is on
# the rest of the term.
TERMS = {
    "Police and Crime Commissioner": "Comisiynydd Heddlu a Throseddu",
    "chief constable": "prif gwnstabl",
    "Home Secretary": "Ysgrifennydd Cartref",
    "Crown copyright": "Hawlfraint y Goron",
    "Open Government Licence": "Trwydded Llywodraeth Agored",
    "local policing body": "corff plismona lleol",
}


def test_fixed_phrases_use_the_welsh_government_terms(po):
    checked = 0
    wrong = []
    for entry in translated(po).values():
        for english, welsh in TERMS.items():
            if english.lower() in entry.msgid.lower():
                checked += 1
                forms = [entry.msgstr, *entry.msgstr_plural.values()]
                if not all(welsh[1:].lower() in form.lower() for form in forms if form):
                    wrong.append(f"{entry.msgid!r} -> {entry.msgstr!r}")
    assert checked >= 3
    assert not wrong, "\n".join(wrong)


# A person's language ------------------------------------------------------------------------


def test_english_is_the_default_and_pages_say_so(client, world):
    client.force_login(world.owner)
    page = client.get(reverse("accounts:email_settings")).content.decode()
    assert '<html lang="en-gb" class="govuk-template">' in page
    assert "Skip to main content" in page
    assert world.owner.preferred_language == "en-gb"


def test_a_person_who_chooses_welsh_gets_welsh_pages_and_it_is_audited(client, world):
    client.force_login(world.owner)
    response = client.post(reverse("accounts:language"), {"language": "cy"})
    assert response.status_code == 302
    world.owner.refresh_from_db()
    assert world.owner.language == "cy"
    assert AuditEvent.objects.filter(changes__language=["", "cy"]).exists()

    page = client.get(response["Location"]).content.decode()
    assert '<html lang="cy" class="govuk-template">' in page
    assert "Neidio i’r prif gynnwys" in page  # Skip to main content
    assert "Skip to main content" not in page
    assert "Mae eich iaith wedi’i chadw" in page  # the message, in the new language
    # Back to English, and other people are untouched meanwhile.
    client.post(reverse("accounts:language"), {"language": "en-gb"})
    assert (
        "Skip to main content" in client.get(reverse("tracker:home"), follow=True).content.decode()
    )
    assert User.objects.get(pk=world.coordinator.pk).language == ""


@pytest.mark.parametrize("code", ["fr", "cy-GB", "en", "<script>", "x" * 300])
def test_a_language_that_is_not_offered_is_refused_and_nothing_changes(client, world, code):
    client.force_login(world.owner)
    response = client.post(reverse("accounts:language"), {"language": code})
    assert response.status_code == 400
    page = response.content.decode()
    assert "is not a language the tracker offers. Choose English (en-gb) or Cymraeg (cy)." in page
    assert "<script>" not in page.split("</header>")[1]
    world.owner.refresh_from_db()
    assert world.owner.language == ""
    assert not AuditEvent.objects.filter(changes__has_key="language").exists()


def test_no_language_chosen_is_refused(client, world):
    client.force_login(world.owner)
    response = client.post(reverse("accounts:language"), {})
    assert response.status_code == 400
    assert "Select a language" in response.content.decode()


def test_the_service_refuses_a_code_that_is_not_offered(world):
    from django.core.exceptions import ValidationError

    from accounts.services import person_set_language

    with pytest.raises(ValidationError) as caught:
        person_set_language(person=world.owner, language="de")
    assert "Choose one of: English (en-gb), Cymraeg (cy)" in str(caught.value)


def test_each_offered_language_is_a_setting():
    assert [code for code, _ in settings.LANGUAGES] == Language.values


def test_a_welsh_choosing_person_gets_welsh_emails_and_others_english(world):
    world.colleague.language = "cy"
    world.colleague.save(update_fields=["language"])
    mail.outbox.clear()
    services.item_assign(item=world.item, by=world.coordinator, owner=world.colleague)
    sweep()
    welsh = next(m for m in mail.outbox if m.to == [world.colleague.email])
    english = next(m for m in mail.outbox if m.to == [world.owner.email])
    html = welsh.alternatives[0][0]
    assert 'lang="cy"' in html
    assert "eich tudalen gosodiadau e-bost" in html  # your email settings page
    assert "your email settings page" not in welsh.body
    assert "your email settings page" in english.body
    # The sweep left the language it found.
    assert translation.get_language() == settings.LANGUAGE_CODE


def test_english_dates_keep_their_format_and_welsh_ones_use_welsh_months():
    import datetime

    from django.template import Context, Template

    day = datetime.date(2027, 3, 27)
    template = Template("{{ day }}|{{ day|date:'j F Y' }}")
    assert template.render(Context({"day": day})) == "27 Mar 2027|27 March 2027"
    with translation.override("cy"):
        assert template.render(Context({"day": day})) == "27 Mawrth 2027|27 Mawrth 2027"


def test_a_browser_asking_for_welsh_does_not_change_the_language(client, world):
    """Only the person's own choice does (and the public pages' address): English pages stay
    English for everyone else, whatever the browser asks for."""
    page = client.get(reverse("accounts:sign_in"), HTTP_ACCEPT_LANGUAGE="cy").content.decode()
    assert '<html lang="en-gb" class="govuk-template">' in page
    client.force_login(world.owner)
    page = client.get(reverse("accounts:email_settings"), HTTP_ACCEPT_LANGUAGE="cy")
    assert "Skip to main content" in page.content.decode()


def test_a_streamed_body_is_made_in_the_persons_language(client, world):
    """A streamed response is read after the middleware has returned: its words too."""
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.http import StreamingHttpResponse
    from django.test import RequestFactory

    from config.language import PersonLanguageMiddleware

    world.owner.language = "cy"
    world.owner.save(update_fields=["language"])
    client.force_login(world.owner)
    request = RequestFactory().get("/")
    request.COOKIES.update({name: morsel.value for name, morsel in client.cookies.items()})
    SessionMiddleware(lambda r: None).process_request(request)

    def view(request):
        return StreamingHttpResponse(translation.gettext(m) for m in ["Skip to main content"])

    response = PersonLanguageMiddleware(view)(request)
    assert translation.get_language() == settings.LANGUAGE_CODE
    assert b"".join(response.streaming_content).decode() == "Neidio i’r prif gynnwys"
