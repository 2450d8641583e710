"""The language of each request (issue 22).

PersonLanguageMiddleware activates, for the whole request, the signed-in person's chosen
language (User.preferred_language), or settings.LANGUAGE_CODE for anyone else. It never reads
Accept-Language or a cookie and never redirects: English stays the default for everyone who
has not chosen Welsh, and the public pages pick their language from the URL (``?lang=cy``)
with ``translation.override`` inside their views, which wins over this.

It sits just after SessionMiddleware, outside MessageMiddleware, so messages added during the
request are stored in the same language. It reads the person through Django's own cached
``get_user`` (the same row AuthenticationMiddleware hands out later: no extra query), and
only when the request carries a session cookie. A streamed response is iterated after the
middleware returns, so its iterator is wrapped to run in the request's language too.
"""

from collections.abc import Iterable, Iterator

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.middleware import get_user
from django.http import FileResponse, HttpRequest, HttpResponseBase, StreamingHttpResponse
from django.utils import translation


def request_language(request: HttpRequest) -> str:
    """The language code for this request: the signed-in person's choice, else the default."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES or not hasattr(request, "session"):
        return settings.LANGUAGE_CODE
    if SESSION_KEY not in request.session:
        return settings.LANGUAGE_CODE
    user = get_user(request)
    if not user.is_authenticated:
        return settings.LANGUAGE_CODE
    return str(user.preferred_language)


def _in_language(content: Iterable[bytes], language: str) -> Iterator[bytes]:
    with translation.override(language):
        yield from content


class PersonLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        language = request_language(request)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = self.get_response(request)
        if isinstance(response, StreamingHttpResponse) and not isinstance(response, FileResponse):
            content = response.streaming_content
            if isinstance(content, Iterable):  # never an async iterator here (WSGI)
                response.streaming_content = _in_language(content, language)
        return response
