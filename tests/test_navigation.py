"""Navigation that fits the role: where each person lands (at "/" and after signing in, with
a safe `next` still honoured), "My items" only for those who own things, the "Admin site"
link for those the admin site lets in, and reports the law sets no period for kept apart on
the statutory responses list, with "Respond anyway"."""

import datetime
import re

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import two_factor
from accounts.models import Role, TwoFactorDevice, User
from config.context_processors import service
from tests.demo_pages import PERSONAS
from tests.factories import make_report
from tracker import policy, services
from tracker.models import DeadlineRule, Report, StatutoryResponse, TrackedItem
from tracker.views import responses

PASSWORD = "x" * 16  # tests/demo_pages.build_demo_world
SIGN_IN = "/account/sign-in/"
CODE = "/account/sign-in/code/"

LANDING = {
    "staff": "tracker:my_items",
    "colleague": "tracker:my_items",
    "coordinator": "tracker:item_list",
    "pcc": "tracker:response_list",
    "other_force": "tracker:item_list",  # staff and coordinator: the coordinator's work
    "national": "tracker:dashboard",
    "admin": "accounts:people",
}


def persona(name: str) -> User:
    return User.objects.get(email=PERSONAS[name])


def sign_in(client, name: str, next_url: str | None = None):
    """Sign in through the real pages (with the authenticator code where the role needs
    one) and return the last response, the redirect after sign-in."""
    url = SIGN_IN if next_url is None else f"{SIGN_IN}?{_query(next_url)}"
    response = client.post(url, {"username": PERSONAS[name], "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    if response["Location"] == CODE:
        device = TwoFactorDevice.objects.get(user__email=PERSONAS[name])
        code = two_factor.next_usable_code(device, at=timezone.now())
        response = client.post(CODE, {"code": code})
        assert response.status_code == 302
    assert "_auth_user_id" in client.session
    return response


def _query(next_url: str) -> str:
    from urllib.parse import urlencode

    return urlencode({"next": next_url})


def landed(client, response) -> str:
    """Where a redirect chain ends (the path)."""
    while response.status_code == 302:
        response = client.get(response["Location"])
    assert response.status_code == 200
    return response.wsgi_request.path


def nav_labels(page: str) -> list[str]:
    nav = page.split('id="navigation"', 1)[1].split("</ul>", 1)[0]
    return [re.sub(r"<[^>]+>", "", m).strip() for m in re.findall(r"<a [^>]*>(.*?)</a>", nav)]


# Where each person lands --------------------------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), LANDING.items())
def test_each_persona_lands_on_their_main_work_at_home(client, demo_world, name, expected):
    client.force_login(persona(name))
    assert client.get(reverse("tracker:home"))["Location"] == reverse(expected)


@pytest.mark.parametrize("name", ["pcc", "coordinator", "staff", "national", "admin"])
def test_signing_in_lands_on_the_same_page(client, demo_world, name):
    assert landed(client, sign_in(client, name)) == reverse(LANDING[name])


def test_the_pcc_office_lands_on_statutory_responses_after_its_code(client, demo_world):
    response = sign_in(client, "pcc")
    assert landed(client, response) == reverse("tracker:response_list")


@pytest.mark.parametrize("name", ["pcc", "coordinator"])
def test_a_safe_next_still_wins_over_the_landing_page(client, demo_world, name):
    wanted = reverse("tracker:overdue") + "?force=1"
    response = sign_in(client, name, next_url=wanted)
    assert response["Location"] == wanted


@pytest.mark.parametrize(
    "unsafe", ["https://evil.example/", "//evil.example/responses/", "javascript:alert(1)"]
)
@pytest.mark.parametrize("name", ["pcc", "coordinator"])
def test_an_unsafe_next_is_refused_and_the_person_lands_on_their_work(
    client, demo_world, name, unsafe
):
    response = sign_in(client, name, next_url=unsafe)
    assert "evil" not in response["Location"]
    assert "javascript" not in response["Location"]
    assert landed(client, response) == reverse(LANDING[name])


def test_the_landing_order_for_several_roles_and_none():
    def person_with(*roles: str) -> User:
        user = User(email="x@example.org")
        user.__dict__["roles"] = frozenset(roles)  # the cached property, without a query
        return user

    assert policy.landing_page(person_with(Role.PCC_OFFICE, Role.ADMINISTRATOR)) == (
        "tracker:response_list"
    )
    assert policy.landing_page(person_with(Role.FORCE_STAFF, Role.FORCE_COORDINATOR)) == (
        "tracker:item_list"
    )
    assert policy.landing_page(person_with(Role.NATIONAL_READER, Role.ADMINISTRATOR)) == (
        "tracker:dashboard"
    )
    assert policy.landing_page(person_with(Role.ADMINISTRATOR, Role.FORCE_STAFF)) == (
        "accounts:people"
    )
    assert policy.landing_page(person_with()) == "tracker:dashboard"


# My items -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("staff", True),  # owns items
        ("colleague", True),
        ("coordinator", False),  # leads every demo item, owns none: the page would be empty
        ("pcc", False),
        ("national", False),
        ("admin", False),
    ],
)
def test_my_items_is_offered_only_to_those_who_can_have_something_there(
    client, demo_world, name, shown
):
    client.force_login(persona(name))
    labels = nav_labels(client.get(reverse("tracker:dashboard")).content.decode())
    assert ("My items" in labels) is shown
    assert "Dashboard" in labels


def test_force_staff_who_own_nothing_yet_still_have_my_items(client, demo_world):
    tom = persona("colleague")
    TrackedItem.objects.filter(owner=tom).update(owner=None)
    client.force_login(tom)
    assert "My items" in nav_labels(client.get(reverse("tracker:dashboard")).content.decode())


def test_a_coordinator_given_an_item_then_has_my_items(client, demo_world):
    grace = persona("coordinator")
    item = TrackedItem.objects.filter(force=grace.organisation).open().first()
    services.item_assign(item=item, by=grace, owner=grace, version=item.version)
    client.force_login(grace)
    assert "My items" in nav_labels(client.get(reverse("tracker:dashboard")).content.decode())


def test_my_items_still_answers_for_those_it_is_hidden_from(client, demo_world):
    client.force_login(persona("pcc"))
    response = client.get(reverse("tracker:my_items"))
    assert response.status_code == 200
    assert "You do not own any items" in response.content.decode()


# The admin site -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", [n for n in PERSONAS if n != "anonymous"])
def test_the_admin_site_link_is_for_those_the_admin_site_lets_in(client, demo_world, name):
    user = persona(name)
    client.force_login(user)
    page = client.get(reverse("tracker:dashboard")).content.decode()
    assert ("Admin site" in nav_labels(page)) is (name == "admin")
    if name == "admin":
        assert f'href="{reverse("admin:index")}"' in page
        assert client.get(reverse("admin:index")).status_code == 200


def test_an_administrator_whose_admin_access_is_removed_loses_the_link(client, demo_world):
    alex = persona("admin")
    alex.is_staff = False
    alex.save(update_fields=["is_staff"])
    client.force_login(alex)
    assert "Admin site" not in nav_labels(client.get(reverse("tracker:dashboard")).content.decode())


# Reports the law sets no period for ---------------------------------------------------------


def _apart(page: str) -> str:
    return page.split('id="no-statutory-period"', 1)[1].split("</details>", 1)[0]


def _main_table(page: str) -> str:
    return page.split('aria-label="Statutory responses table"', 1)[1].split("</table>", 1)[0]


def test_reports_before_the_statutory_period_are_not_listed_as_not_started(client, demo_world):
    client.force_login(persona("pcc"))
    page = client.get(reverse("tracker:response_list")).content.decode()
    old = Report.objects.filter(forces__code="west-midlands-police").filter(
        published_on__lt=datetime.date(2017, 5, 2)
    )
    assert old.count() == 3
    table, apart = _main_table(page), _apart(page)
    for report in old:
        assert report.title not in table
        assert report.title in apart
    # The header, 2018, the recent one and the demo's sample national report (issue 18).
    assert table.count('class="govuk-table__row"') == 1 + 3
    assert "Published before the statutory period applied (2 May 2017): 3 reports" in page
    assert "s55(5A) Police Act 1996" in apart
    assert apart.count(">Respond anyway<") == 3


def test_the_period_comes_from_the_rule_not_the_page(client, demo_world):
    DeadlineRule.objects.filter(key="s55-pcc-comments").update(
        applies_from=datetime.date(2014, 1, 1)
    )
    client.force_login(persona("pcc"))
    page = client.get(reverse("tracker:response_list")).content.decode()
    assert "Published before the statutory period applied (1 January 2014): 1 report" in page
    assert "PEEL: Police effectiveness 2015" in _main_table(page)


def test_a_report_no_rule_covers_is_kept_apart_too(client, demo_world):
    DeadlineRule.objects.filter(key="s55-pcc-comments").update(active=False)
    client.force_login(persona("pcc"))
    page = client.get(reverse("tracker:response_list")).content.decode()
    assert "Reports with no statutory period: 3 reports" in page
    assert "No rule in use sets a statutory period" in page


def test_respond_anyway_starts_the_response_and_lists_it(client, demo_world):
    daniel = persona("pcc")
    report = Report.objects.get(title__startswith="PEEL: Police effectiveness 2015")
    force = report.forces.get()
    client.force_login(daniel)
    url = reverse("tracker:response_start", args=[report.key, force.code])
    response = client.post(url)
    assert response["Location"] == reverse("tracker:response_detail", args=[report.key, force.code])
    assert StatutoryResponse.objects.filter(report=report, force=force).exists()
    page = client.get(reverse("tracker:response_list")).content.decode()
    assert report.title in _main_table(page)
    assert report.title not in _apart(page)
    assert "Published before the statutory period applied (2 May 2017): 2 reports" in page
    # Twice is harmless: the same response, and a message that says so.
    again = client.post(url, follow=True)
    assert "This response had already been started" in again.content.decode()
    assert StatutoryResponse.objects.filter(report=report, force=force).count() == 1


@pytest.mark.parametrize(("name", "status"), [("coordinator", 403), ("other_force", 404)])
def test_only_the_pcc_office_may_respond_anyway(client, demo_world, name, status):
    report = Report.objects.get(title__startswith="PEEL: Police effectiveness 2015")
    client.force_login(persona(name))
    url = reverse("tracker:response_start", args=[report.key, "west-midlands-police"])
    assert client.post(url).status_code == status
    assert client.get(url).status_code == 405
    assert not StatutoryResponse.objects.filter(report=report).exists()


def test_others_see_the_reports_apart_without_the_button(client, demo_world):
    client.force_login(persona("coordinator"))
    page = client.get(reverse("tracker:response_list")).content.decode()
    assert "PEEL: Police effectiveness 2015" in _apart(page)
    assert "Respond anyway" not in page


def test_the_filters_apply_to_the_reports_kept_apart(client, demo_world):
    client.force_login(persona("pcc"))
    page = client.get(reverse("tracker:response_list"), {"q": "Core business"}).content.decode()
    assert "with no statutory period" in page
    assert ": 1 report</span>" in page
    assert "PEEL: Police effectiveness 2015" not in page
    page = client.get(reverse("tracker:response_list"), {"state": "published"}).content.decode()
    assert 'id="no-statutory-period"' not in page


# Query counts -------------------------------------------------------------------------------


def _owner_checks(queries) -> list[str]:
    return [
        q["sql"] for q in queries if "tracker_trackeditem" in q["sql"] and "owner_id" in q["sql"]
    ]


def test_the_my_items_check_costs_one_query_at_most_and_none_for_force_staff(demo_world):
    factory = RequestFactory()
    for name, expected in (("coordinator", 1), ("pcc", 1), ("staff", 0)):
        request = factory.get("/dashboard/")
        request.user = persona(name)
        with CaptureQueriesContext(connection) as ctx:
            service(request)
            service(request)  # a second render in the same request asks nothing more
        assert len(_owner_checks(ctx.captured_queries)) == expected, name


def test_the_responses_list_does_not_grow_with_the_reports_kept_apart(
    client, demo_world, django_assert_max_num_queries
):
    client.force_login(persona("pcc"))
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("tracker:response_list"))
    force = persona("coordinator").organisation
    for n in range(8):
        make_report(forces=[force], title=f"Old {n}", published_on=datetime.date(2015, 1, 1 + n))
    with django_assert_max_num_queries(len(before)):
        page = client.get(reverse("tracker:response_list")).content.decode()
    assert "(2 May 2017): 11 reports" in page
    assert len(before) <= 22


def test_a_long_list_kept_apart_shows_the_newest_and_says_how_to_find_the_rest(
    client, demo_world, monkeypatch
):
    monkeypatch.setattr(responses, "APART_SHOWN", 2)
    client.force_login(persona("pcc"))
    page = client.get(reverse("tracker:response_list")).content.decode()
    apart = _apart(page)
    assert "(2 May 2017): 3 reports" in page
    assert apart.count(">Respond anyway<") == 2
    assert "Baseline Assessment October 2006" not in apart  # the oldest
    assert "The 2 most recent are shown" in apart
