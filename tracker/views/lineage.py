"""Issue 18 pages (stub: being built)."""

from django.http import Http404


def _stub(request, *args, **kwargs):
    raise Http404


item_lineage = item_lineage_add = item_lineage_decide = lineage_export = _stub
