"""Issue 18 pages (stub: being built)."""

from django.http import Http404


def _stub(request, *args, **kwargs):
    raise Http404


item_share = item_share_withdraw = learning_list = _stub
