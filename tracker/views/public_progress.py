"""Issue 18 pages (stub: being built)."""

from django.http import Http404


def _stub(request, *args, **kwargs):
    raise Http404


progress_publish = public_progress = _stub
