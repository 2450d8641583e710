"""The public register: the statutory responses each local policing body has published.
No sign-in, and only what has been published.

Every public page is offered in English and in Welsh. The language is in the address, as a
query parameter: no parameter (or `?lang=en`) is English, `?lang=cy` is Welsh. Why a
parameter rather than a /cy/ prefix: each page keeps one path in both languages, so the
existing addresses, the links other sites hold and every `reverse()` stay as they are; the
switch and the hreflang alternates are the same path with another parameter; and nothing
else decides the language of a public page (not the browser's Accept-Language, a cookie or
a signed-in person's choice), so one address is always one language and the alternates are
stable. Any other `lang` is answered 404 with a page that says which languages there are.

A response of a body under the Welsh Language Standards is published in both languages
(its content has a complete Welsh copy under "cy"): the page in Welsh shows the Welsh
document, the page in English the English one, and both offer both documents, side by side,
the same size. A response published in English only is shown as it was published, marked
lang="en" inside a Welsh page.
"""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET

from tracker import documents, selectors
from tracker.models import ReportEdition, ResponseVersion
from tracker.public_progress_reads import public_progress_list
from tracker.reminders.sync import s55_rule
from tracker.statutory import content as statutory_content
from tracker.views import common

# The languages offered: the code in the address -> Django's language code, the hreflang
# tag, and the language's own name (the switch names each language in itself).
LANGUAGES = {
    "en": {"django": "en-gb", "hreflang": "en-GB", "name": "English"},
    "cy": {"django": "cy", "hreflang": "cy", "name": "Cymraeg"},
}
DEFAULT = "en"


def _language(request: HttpRequest) -> str | None:
    """The page's language from the address ("en" or "cy"); None for one not offered."""
    code = request.GET.get("lang", DEFAULT)
    return code if code in LANGUAGES else None


def _address(request: HttpRequest, code: str) -> str:
    """This page's address in another language (the other parameters kept)."""
    params = {k: v for k, v in request.GET.items() if k != "lang"}
    if code != DEFAULT:
        params["lang"] = code
    query = urlencode(params)
    return request.path + (f"?{query}" if query else "")


def _languages(request: HttpRequest, current: str) -> list[dict]:
    """Each language with its address, for the switch and the hreflang alternates."""
    return [
        {
            "code": code,
            "hreflang": about["hreflang"],
            "name": about["name"],
            "url": _address(request, code),
            "absolute_url": request.build_absolute_uri(_address(request, code)),
            "current": code == current,
        }
        for code, about in LANGUAGES.items()
    ]


def _page(request: HttpRequest, template: str, context: dict, *, status: int = 200):
    """Render a public page in the language its address asks for; a language not offered
    is a 404 page that names the languages there are (and links to them)."""
    code = _language(request)
    if code is None:
        with translation.override(LANGUAGES[DEFAULT]["django"]):
            return render(
                request,
                "public/language_not_offered.html",
                {"asked": request.GET.get("lang", ""), "languages": _languages(request, "")},
                status=404,
            )
    with translation.override(LANGUAGES[code]["django"]):
        context = {
            **context,
            "lang": code,
            "welsh": code == "cy",
            # Kept by the pagination links, so a Welsh list stays Welsh page after page.
            "query": "" if code == DEFAULT else f"lang={code}",
            "languages": _languages(request, code),
        }
        # The documents of both languages, the page's own first (the switch keeps its order).
        context["documents_order"] = sorted(context["languages"], key=lambda x: not x["current"])
        if callable(context.get("build")):
            context.update(context.pop("build")(code))
        return render(request, template, context, status=status)


def public_page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """A public page in the language its address asks for (for the other public pages'
    modules: tracker/views/public_progress.py)."""
    return _page(request, template, context)


def _welsh_names(bodies) -> list[dict]:
    return [{"body": b, "welsh_name": b.welsh_name, "name": b.welsh_name or b.name} for b in bodies]


@require_GET
def public_index(request) -> HttpResponse:
    bodies = list(selectors.public_bodies())
    return _page(request, "public/index.html", {"bodies": _welsh_names(bodies)})


@require_GET
def public_body(request, body_code) -> HttpResponse:
    body = selectors.public_body_get(code=body_code)
    versions = selectors.public_versions(body=body)
    page = Paginator(versions, 50).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    ids = [v.pk for v in shown]
    # Which of these were published in Welsh too, and the Welsh editions of their reports:
    # two queries for the page, whatever its length.
    bilingual = set(
        ResponseVersion.objects.filter(pk__in=ids, content__has_key="cy").values_list(
            "pk", flat=True
        )
    )
    editions = {
        e.report_id: e
        for e in ReportEdition.objects.filter(
            report_id__in={v.response.report_id for v in shown},
            language=ReportEdition.Language.WELSH,
        )
    }
    rows = [
        {
            "version": v,
            "bilingual": v.pk in bilingual,
            "edition": editions.get(v.response.report_id),
        }
        for v in shown
    ]
    # The period comes from the s55 rule (data an administrator can edit), never from text.
    context = {
        "body": body,
        "page": page,
        "rows": rows,
        "s55_rule": s55_rule(),
        # Issue 18: the progress the body published on reports (the latest version of each).
        "progress": list(public_progress_list(body=body)),
    }
    return _page(request, "public/body.html", context)


def document_in(content: dict, code: str) -> tuple[dict, bool]:
    """The content of the document to show in language `code`, and whether it is in that
    language (False: a response published in English only, shown on a Welsh page)."""
    if code == "cy" and statutory_content.is_bilingual(content):
        return statutory_content.content_in(content, "cy"), True
    return statutory_content.content_in(content, "en"), code == "en"


@require_GET
def public_response(request, body_code, uuid, number=None) -> HttpResponse:
    version = selectors.public_version_get(body_code=body_code, uuid=uuid, number=number)
    report = version.response.report
    edition = statutory_content.welsh_edition_of(report)

    def build(code: str) -> dict:
        shown, in_language = document_in(version.content, code)
        return {"doc": documents.document_context(shown), "in_language": in_language}

    return _page(
        request,
        "public/response.html",
        {
            "version": version,
            "body": version.response.body,
            "report": report,
            "edition": edition,
            "bilingual": statutory_content.is_bilingual(version.content),
            "others": selectors.public_version_list(version=version),
            "build": build,
        },
    )


@require_GET
def public_document(request, body_code, uuid, number, fmt) -> HttpResponse:
    if fmt not in common.DOCUMENT_TYPES or fmt == "html":
        raise Http404("No such document")
    code = _language(request)
    if code is None:
        raise Http404("This document is offered in English (lang=en) and Welsh (lang=cy) only")
    version = selectors.public_version_get(body_code=body_code, uuid=uuid, number=number)
    if code == "cy" and not statutory_content.is_bilingual(version.content):
        raise Http404("This response was published in English only")
    return language_document(request, version.content, fmt, code)


def language_document(request: HttpRequest, content: dict, fmt: str, code: str) -> HttpResponse:
    """A response's document in one language: the Welsh one rendered from the Welsh content
    under translation.override("cy"), so its fixed phrases come from the catalogue."""
    if code != "cy":
        return common.document_response(request, statutory_content.content_in(content, "en"), fmt)
    welsh = statutory_content.content_in(content, "cy")
    with translation.override("cy"):
        if fmt == "docx":
            return common.document_response(request, welsh, fmt)
        name = documents.document_filename(welsh, fmt)
        if fmt == "pdf":
            return common.pdf_download(
                lambda: documents.html_to_pdf(documents.render_html(welsh, for_print=True)),
                name,
                instead="Download the Word document instead.",
            )
        html = documents.render_html(welsh, csp_nonce=getattr(request, "csp_nonce", ""))
        response = HttpResponse(html, content_type=common.DOCUMENT_TYPES[fmt])
        response["X-Content-Type-Options"] = "nosniff"
        return response
