"""Cursor pagination: `next` and `previous` links that stay right while rows are added
(an offset would skip or repeat rows). `page_size` from 1 to API_MAX_PAGE_SIZE (default
API_PAGE_SIZE); anything else is refused with a problem saying what is allowed."""

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request

from tracker.api.problems import Problem


class Cursor(CursorPagination):
    ordering = "-id"
    page_size_query_param = "page_size"

    @property
    def max_page_size(self) -> int:
        return settings.API_MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return settings.API_PAGE_SIZE
        most = settings.API_MAX_PAGE_SIZE
        if not raw.isdigit() or not 1 <= int(raw) <= most:
            raise Problem(
                400,
                _("page_size must be a whole number from 1 to %(most)s.") % {"most": most},
                errors={
                    "page_size": [_("Enter a whole number from 1 to %(most)s") % {"most": most}]
                },
            )
        return int(raw)

    def decode_cursor(self, request: Request) -> Any:
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise Problem(
                400,
                _("The cursor is not one this API gave: follow the next and previous links."),
                errors={"cursor": [_("Use the cursor from a next or previous link")]},
            ) from None
