"""Signing in: the password, lockout, two-factor authentication, password reset and idle
sessions."""

import datetime
import re

import pyotp
import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import two_factor
from accounts.models import RecoveryCode, Role, TwoFactorDevice
from tests.factories import PASSWORD, World
from tracker.models import AuditEvent

SIGN_IN = "/account/sign-in/"
CODE = "/account/sign-in/code/"
NEXT_STEP = datetime.timedelta(seconds=30)


def sign_in(client, email, password=PASSWORD):
    return client.post(SIGN_IN, {"username": email, "password": password})


def with_app(user) -> str:
    secret = two_factor.new_secret()
    TwoFactorDevice.objects.create(user=user, secret=secret, confirmed_at=timezone.now())
    return secret


# Lockout -------------------------------------------------------------------------------------


def test_the_fifth_wrong_password_locks_the_account_even_with_the_right_password(client, person):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in(client, person.email, "wrong password")
        assert response.status_code == 200
        assert "Enter a correct email address and password" in response.content.decode()
    assert sign_in(client, person.email, "wrong password").status_code == 429  # the fifth
    response = sign_in(client, person.email.upper())  # the right password, any case
    assert response.status_code == 429
    assert "Sign-in is locked for now" in response.content.decode()
    assert "_auth_user_id" not in client.session
    attempt = AccessAttempt.objects.get()
    assert attempt.username == person.email
    assert attempt.failures_since_start >= 5


def test_an_administrator_unlocking_lets_the_person_in_again(client, person):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, person.email, "wrong password")
    assert sign_in(client, person.email).status_code == 429
    AccessAttempt.objects.all().delete()  # what "delete" on the admin's list does
    response = sign_in(client, person.email)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)


def test_the_lock_lifts_after_the_cool_off(client, person):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, person.email, "wrong password")
    later = timezone.now() + settings.AXES_COOLOFF_TIME + datetime.timedelta(minutes=1)
    with time_machine.travel(later):
        assert sign_in(client, person.email).status_code == 302


def test_lockouts_are_listed_for_administrators_in_the_admin(client, person):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, person.email, "wrong password")
    admin = World.admin()
    client.force_login(admin)
    page = client.get("/admin/axes/accessattempt/")
    assert page.status_code == 200
    assert person.email in page.content.decode()


# Two-factor authentication -------------------------------------------------------------------


def test_with_an_app_the_password_alone_does_not_sign_in(client, person):
    secret = with_app(person)
    response = sign_in(client, person.email)
    assert response.status_code == 302
    assert response["Location"] == CODE
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("tracker:my_items")).status_code == 302  # still signed out
    response = client.post(CODE, {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)


def test_a_code_cannot_be_used_twice(client, person):
    secret = with_app(person)
    code = pyotp.TOTP(secret).now()
    sign_in(client, person.email)
    assert client.post(CODE, {"code": code}).status_code == 302
    client.logout()
    sign_in(client, person.email)
    response = client.post(CODE, {"code": code})
    assert response.status_code == 400
    assert "The code is not right" in response.content.decode()


def test_wrong_codes_count_towards_the_lockout(client, person):
    secret = with_app(person)
    sign_in(client, person.email)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(CODE, {"code": "000000"}).status_code == 400
    response = client.post(CODE, {"code": "000000"})
    assert response.status_code == 429
    # the right code no longer helps, and the password step is locked too
    assert client.post(CODE, {"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert "_auth_user_id" not in client.session
    assert sign_in(client, person.email).status_code == 429


def test_a_recovery_code_works_once(client, person):
    with_app(person)
    codes = two_factor.recovery_codes_renew(user=person)
    sign_in(client, person.email)
    response = client.post(CODE, {"code": codes[0].upper()})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)
    assert RecoveryCode.objects.filter(user=person, used_at__isnull=True).count() == 9
    client.logout()
    sign_in(client, person.email)
    assert client.post(CODE, {"code": codes[0]}).status_code == 400


def test_the_code_page_times_out(client, person):
    secret = with_app(person)
    sign_in(client, person.email)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=6)):
        response = client.post(CODE, {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert response["Location"] == SIGN_IN
    assert "_auth_user_id" not in client.session


def test_setting_up_an_app_needs_a_right_code_and_shows_the_recovery_codes_once(client, person):
    client.force_login(person)
    page = client.get(reverse("accounts:two_factor_setup"))
    assert "<svg" in page.content.decode()
    secret = client.session["two_factor_setup_secret"]
    wrong = client.post(reverse("accounts:two_factor_setup"), {"code": "123456"})
    assert wrong.status_code == 400
    assert not TwoFactorDevice.objects.filter(user=person).exists()
    done = client.post(reverse("accounts:two_factor_setup"), {"code": pyotp.TOTP(secret).now()})
    shown = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", done.content.decode())
    assert len(shown) == 10
    assert TwoFactorDevice.objects.get(user=person).secret == secret
    stored = set(RecoveryCode.objects.filter(user=person).values_list("code_hash", flat=True))
    assert stored == {two_factor.recovery_hash(c) for c in shown}
    assert not any(c.replace("-", "") in h for c in shown for h in stored)  # hashes only
    assert AuditEvent.objects.filter(
        object_id=person.email, note="Two-factor authentication turned on"
    ).exists()


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.PCC_OFFICE])
def test_administrators_and_the_pcc_office_must_set_it_up_first(client, settings, role, db):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["administrator", "pcc_office"]
    w = World.build()
    user = w.pcc if role == Role.PCC_OFFICE else World.admin()
    user.set_password(PASSWORD)
    user.save()
    assert sign_in(client, user.email).status_code == 302
    for url in (reverse("tracker:my_items"), reverse("tracker:response_list"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:two_factor_setup"), url
    client.get(reverse("accounts:two_factor_setup"))
    secret = client.session["two_factor_setup_secret"]
    client.post(reverse("accounts:two_factor_setup"), {"code": pyotp.TOTP(secret).now()})
    assert client.get(reverse("tracker:my_items")).status_code == 200


def test_force_staff_are_not_made_to_set_it_up(client, settings, person):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["administrator", "pcc_office"]
    sign_in(client, person.email)
    assert client.get(reverse("tracker:my_items")).status_code == 200


def test_a_required_role_cannot_turn_it_off_and_others_can(client, settings, person):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["force_staff"]
    secret = with_app(person)
    client.force_login(person)
    session = client.session
    session["two_factor_ok"] = True
    session.save()
    client.post(
        reverse("accounts:security"), {"action": "turn_off", "code": pyotp.TOTP(secret).now()}
    )
    assert TwoFactorDevice.objects.filter(user=person).exists()
    settings.TWO_FACTOR_REQUIRED_ROLES = []
    response = client.post(
        reverse("accounts:security"),
        {"action": "turn_off", "code": pyotp.TOTP(secret).at(timezone.now() + NEXT_STEP)},
    )
    assert response.status_code == 302
    assert not TwoFactorDevice.objects.filter(user=person).exists()


def test_an_administrator_resets_a_lost_app_and_it_is_audited(client, person):
    with_app(person)
    two_factor.recovery_codes_renew(user=person)
    admin = World.admin()
    client.force_login(admin)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [person.pk]},
    )
    assert response.status_code == 302
    assert not TwoFactorDevice.objects.filter(user=person).exists()
    assert not RecoveryCode.objects.filter(user=person).exists()
    event = AuditEvent.objects.filter(object_id=person.email).latest("id")
    assert event.actor == admin
    assert "reset by an administrator" in event.note
    # the password alone signs in again (no code step) until they set a new app up
    client.logout()
    assert sign_in(client, person.email).status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)


# Password reset ------------------------------------------------------------------------------


def test_password_reset_says_the_same_for_known_and_unknown_addresses(
    client, person, django_capture_on_commit_callbacks
):
    # The email is sent by a task once the request's work commits.
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(
            reverse("accounts:password_reset"), {"email": person.email}, follow=True
        )
        unknown = client.post(
            reverse("accounts:password_reset"), {"email": "nobody@nowhere.example"}, follow=True
        )
    assert known.status_code == unknown.status_code == 200
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub("", known.content.decode()) == strip.sub("", unknown.content.decode())
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [person.email]


def test_the_reset_link_sets_a_strong_password_once_and_unlocks(
    client, person, django_capture_on_commit_callbacks
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, person.email, "wrong password")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": person.email})
    link = re.search(r"http://\S+/account/reset/\S+/", mail.outbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    form_page = client.get("/" + path, follow=True)
    form_url = form_page.redirect_chain[-1][0]
    weak = client.post(form_url, {"new_password1": "password", "new_password2": "password"})
    assert weak.status_code == 200
    assert "too short" in weak.content.decode()
    new = "a brand new long password 7"
    done = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert sign_in(client, person.email, new).status_code == 302  # unlocked, new password
    client.logout()
    again = client.get("/" + path, follow=True)
    assert "This link does not work" in again.content.decode()
    assert AuditEvent.objects.filter(
        object_id=person.email, note="Password set from an emailed reset link"
    ).exists()


def test_the_reset_email_keeps_a_name_with_markup_as_plain_text(
    client, person, django_capture_on_commit_callbacks
):
    person.full_name = "<script>alert(1)</script> Priya"
    person.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": person.email})
    message = mail.outbox[0]
    assert "Dear <script>alert(1)</script> Priya" in message.body
    assert message.alternatives == []  # plain text only: nothing a mail client would run


def test_password_reset_emails_one_address_at_most_every_five_minutes(
    client, person, django_capture_on_commit_callbacks
):
    url = reverse("accounts:password_reset")
    with django_capture_on_commit_callbacks(execute=True):
        pages = [client.post(url, {"email": person.email}, follow=True) for _ in range(5)]
    assert len(mail.outbox) == 1
    assert len({p.content for p in pages[1:]}) == 1  # the same page each time
    later = timezone.now() + datetime.timedelta(seconds=settings.PASSWORD_RESET_EVERY + 1)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"email": person.email})
    assert len(mail.outbox) == 2


# Sessions ------------------------------------------------------------------------------------


def test_thirty_minutes_without_activity_signs_the_person_out(client, person):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, person.email)
        assert client.get(reverse("tracker:my_items")).status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=20), tick=False):
        assert client.get(reverse("tracker:my_items")).status_code == 200  # activity
    with time_machine.travel(start + datetime.timedelta(minutes=45), tick=False):
        assert client.get(reverse("tracker:my_items")).status_code == 200  # 25 min idle
    with time_machine.travel(start + datetime.timedelta(minutes=80), tick=False):
        response = client.get(reverse("tracker:my_items"))
        assert response.status_code == 302
        assert response["Location"].startswith(SIGN_IN)
        assert "_auth_user_id" not in client.session
        page = client.get(response["Location"])
        assert "done nothing for 30 minutes" in page.content.decode()


# Where sign-in leads -------------------------------------------------------------------------


def test_a_next_that_is_not_a_path_does_not_break_sign_in(client, person):
    response = client.post(f"{SIGN_IN}?next=foo", {"username": person.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)


def test_the_admin_site_tells_a_signed_in_non_administrator_no_without_a_loop(client, person):
    client.force_login(person)
    first = client.get("/admin/")
    assert first.status_code == 302
    assert first["Location"].startswith("/admin/login/")
    assert client.get(first["Location"]).status_code == 403
