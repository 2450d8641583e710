"""The public register: the statutory responses each local policing body has published.
No sign-in, and only what has been published."""

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tracker import documents, selectors
from tracker.reminders.sync import s55_rule
from tracker.views import common


@require_GET
def public_index(request) -> HttpResponse:
    return render(request, "public/index.html", {"bodies": selectors.public_bodies()})


@require_GET
def public_body(request, body_code) -> HttpResponse:
    body = selectors.public_body_get(code=body_code)
    versions = selectors.public_versions(body=body)
    page = Paginator(versions, 50).get_page(request.GET.get("page"))
    # The period comes from the s55 rule (data an administrator can edit), never from text.
    context = {"body": body, "page": page, "s55_rule": s55_rule()}
    return render(request, "public/body.html", context)


@require_GET
def public_response(request, body_code, uuid, number=None) -> HttpResponse:
    version = selectors.public_version_get(body_code=body_code, uuid=uuid, number=number)
    return render(
        request,
        "public/response.html",
        {
            "version": version,
            "body": version.response.body,
            "doc": documents.document_context(version.content),
            "others": selectors.public_version_list(version=version),
        },
    )


@require_GET
def public_document(request, body_code, uuid, number, fmt) -> HttpResponse:
    if fmt not in common.DOCUMENT_TYPES or fmt == "html":
        raise Http404("No such document")
    version = selectors.public_version_get(body_code=body_code, uuid=uuid, number=number)
    return common.document_response(request, version.content, fmt)
