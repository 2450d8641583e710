"""Seeing an item's evidence in the browser: a PDF in the browser's own viewer, an image or a
text file in a page; anything else as a download (the download itself is in items.py).

What is shown, and how, is decided from the stored file's bytes (tracker.evidence.preview_of),
never from the name someone gave it. Every answer is scoped exactly as the download: another
force's file is "not found" (404)."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tracker import evidence as files
from tracker import selectors, services
from tracker.models import Evidence, TrackedItem
from tracker.views import common


def _scoped(request, uuid, evidence_uuid) -> tuple[TrackedItem, Evidence]:
    """The item and its file, or 404 when either is outside what the person may see."""
    item = selectors.item_get(user=request.user, uuid=uuid, today=common.today())
    evidence = next((e for e in item.evidence.all() if str(e.uuid) == str(evidence_uuid)), None)
    if evidence is None:
        raise Http404("No such file")
    return item, evidence


def _inline(evidence: Evidence, content_type: str, policy: str) -> FileResponse:
    """The stored file, to be shown by the browser: never sniffed, never run."""
    try:
        handle = services.evidence_open(evidence)
    except (FileNotFoundError, ValueError):
        raise Http404("The file is missing from storage") from None
    response = FileResponse(
        handle,
        as_attachment=False,
        filename=files.safe_filename(evidence.original_name),
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = policy
    return response


def _preview(evidence: Evidence) -> tuple[files.Preview, bytes]:
    """How the file may be shown, from its bytes, and the bytes read to tell (for text, the
    part the page shows)."""
    try:
        head = files.evidence_head(evidence.stored_name, files.TEXT_PREVIEW_BYTES + 1)
    except (FileNotFoundError, ValueError):
        raise Http404("The file is missing from storage") from None
    whole = len(head) <= files.TEXT_PREVIEW_BYTES
    return files.preview_of(evidence.stored_name, head, whole=whole), head


@login_required
@require_GET
def evidence_preview(request, uuid, evidence_uuid) -> HttpResponse | FileResponse:
    """A PDF itself, inline; a page showing an image or text; otherwise a page offering the
    download and saying why the file is not shown."""
    item, evidence = _scoped(request, uuid, evidence_uuid)
    preview, head = _preview(evidence)
    if preview.kind == files.PDF:
        return _inline(evidence, preview.content_type, files.PDF_POLICY)
    context = {"item": item, "evidence": evidence, "preview": preview}
    if preview.kind == files.TEXT:
        context["text"], context["cut"] = files.text_preview(head, evidence.size)
        context["shown_kb"] = files.TEXT_PREVIEW_BYTES // 1024
    return render(request, "tracker/evidence_preview.html", context)


@login_required
@require_GET
def evidence_image(request, uuid, evidence_uuid) -> FileResponse:
    """The image a preview page shows: only a file whose bytes are a PNG, JPEG, GIF or WebP
    image stored as one; anything else is not found here."""
    _item, evidence = _scoped(request, uuid, evidence_uuid)
    preview, _head = _preview(evidence)
    if preview.kind != files.IMAGE:
        raise Http404("This file is not an image")
    return _inline(evidence, preview.content_type, files.FILE_POLICY)
