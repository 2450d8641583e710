"""Issue 18 pages (stub: being built)."""

from django.http import Http404


def _stub(request, *args, **kwargs):
    raise Http404


national_list = national_detail = national_export = item_inspectorate_status = _stub
