"""Who gets what on the issue 18 pages of this part (the rows given for the permission
matrix), against the demo: the national pages and the inspectorate's status by hand."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.demo_pages import ORDER, PERSONAS
from tracker.demo_national import NATIONAL_FINDING
from tracker.models import TrackedItem

#        anon staff colleague coordinator pcc other_force national admin
ROWS = {
    "list": ("L 200 200 200 200 200 200 200", "L 405 405 405 405 405 405 405"),
    "detail": ("L 200 200 200 200 200 200 200", "L 405 405 405 405 405 405 405"),
    "export": ("L 200 200 200 200 200 200 200", "L 405 405 405 405 405 405 405"),
    "status": ("L 403 403 200 200 404 403 403", "L 403 403 400 400 404 403 403"),
}


def _code(response) -> str:
    if response.status_code == 302 and "/account/sign-in/" in response["Location"]:
        return "L"
    return str(response.status_code)


@pytest.mark.parametrize("page", list(ROWS))
def test_each_persona_gets_what_the_matrix_says(demo_world, page):
    # The demo's West Midlands item that the matrix uses (proposed for closure, Priya's).
    item = TrackedItem.objects.filter(
        owner__email=PERSONAS["staff"], status="proposed_for_closure"
    ).first()
    url = {
        "list": reverse("tracker:national_list"),
        "detail": reverse("tracker:national_detail", args=[NATIONAL_FINDING]),
        "export": reverse("tracker:national_export", args=[NATIONAL_FINDING, "csv"]),
        "status": reverse("tracker:item_inspectorate_status", args=[item.uuid]),
    }[page]
    got_get, got_post = [], []
    for persona in ORDER:
        client = Client()
        if PERSONAS[persona]:
            client.force_login(User.objects.get(email=PERSONAS[persona]))
        got_get.append(_code(client.get(url)))
        got_post.append(_code(client.post(url, {})))
    assert (" ".join(got_get), " ".join(got_post)) == ROWS[page]
