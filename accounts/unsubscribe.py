"""The one-click unsubscribe address every automated email carries (RFC 8058).

No sign-in and no CSRF token: the signed token in the address names the person and the kind
of email, and is the only proof needed (a mail system POSTs to it with no cookies). A POST
switches that kind off (`accounts.email_preferences.person_unsubscribe`, audited) and answers
with a page saying so, never a redirect. A GET changes nothing, because mail scanners and
link previews follow links: it shows a page with a button that POSTs. A token that is not
one of ours, or was changed, gets a page saying the link does not work, and changes nothing.
The pages are in the person's own language.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts import email_preferences
from accounts.models import User
from tracker.reminders.mail import person_language
from tracker.reminders.unsubscribe import read_token


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str) -> HttpResponse:
    found = read_token(token)
    person = User.objects.filter(pk=found[0]).first() if found else None
    if found is None or person is None:
        return render(request, "accounts/unsubscribe.html", {"invalid": True}, status=400)
    kind = found[1]
    with translation.override(person_language(person)):
        context = {"person": person, "what": email_preferences.describe(kind), "kind": kind}
        if request.method == "POST":
            context["changed"] = email_preferences.person_unsubscribe(person=person, kind=kind)
            context["done"] = True
        else:
            context["still_sent"] = email_preferences.still_sent(person, kind)
        response = render(request, "accounts/unsubscribe.html", context)
    # The page holds the person's address: never stored by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response
