"""An HTML and script payload in every kind of text people or imports can enter is shown as
text everywhere: every page of the permission matrix, as each kind of person sees it, the
documents, and the emails."""

import re

import pytest
from django.core import mail
from django.core.mail import get_connection
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, User
from tests.demo_pages import PERSONAS, url_for, url_names
from tracker import services
from tracker.models import Finding, Judgement, Report, StatutoryResponse, TrackedItem
from tracker.reminders.notices import notices_send, notify

PAYLOAD = "<script>alert('xss')</script><img src=x onerror=alert(1)>"
ESCAPED = "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;"
RAW = re.compile(r"<script>alert|<img src=x onerror")


def poison(model, *fields):
    model.objects.update(**{f: Concat(F(f), Value(" " + PAYLOAD)) for f in fields})


@pytest.fixture
def poisoned(demo_world):
    poison(Report, "title", "notes")
    poison(Finding, "text", "area", "target_text")
    poison(Judgement, "area", "note")
    poison(TrackedItem, "force_response", "pcc_response")
    poison(StatutoryResponse, "chief_officer_comments", "pcc_comments")
    poison(User, "full_name", "job_title", "department")
    poison(Organisation, "name", "short_name")
    grace = User.objects.get(email=PERSONAS["coordinator"])
    priya = User.objects.get(email=PERSONAS["staff"])
    item = demo_world["item"]
    services.item_add_update(item=item, author=priya, text=f"Progress {PAYLOAD}")
    notify(
        [grace], subject=f"Notice {PAYLOAD}", body=f"Body {PAYLOAD}", url="/", now=timezone.now()
    )
    return demo_world


@pytest.mark.parametrize("persona", ["staff", "coordinator", "pcc", "national", "admin"])
def test_no_page_renders_the_payload_as_markup(poisoned, persona):
    client = Client()
    client.force_login(User.objects.get(email=PERSONAS[persona]))
    shown_escaped = 0
    for name in sorted(url_names()):
        response = client.get(url_for(name, poisoned))
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        body = response.content.decode()
        assert not RAW.search(body), f"{name} shows the payload as markup to {persona}"
        shown_escaped += ESCAPED in body
    assert shown_escaped >= 5  # the payload really reached the pages, as text


def test_the_item_and_response_pages_show_it_as_text(poisoned):
    client = Client()
    client.force_login(User.objects.get(email=PERSONAS["pcc"]))
    item = poisoned["item"]
    page = client.get(reverse("tracker:item_detail", args=[item.uuid])).content.decode()
    assert f"Progress {ESCAPED}" in page


def test_emails_carry_it_as_text(poisoned):
    mail.outbox.clear()
    notices_send(now=timezone.now(), connection=get_connection())
    assert mail.outbox, "the notice was emailed"
    message = mail.outbox[-1]
    assert f"Body {PAYLOAD}" in message.body  # plain text: literal, nothing runs
    html = message.alternatives[0][0] if message.alternatives else ""
    assert not RAW.search(html)
    assert ESCAPED in html
    assert "\n" not in message.subject
