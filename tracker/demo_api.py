"""The demo's API tokens (issue 15; README and docs/api.md): in DEMO_MODE only, a fixed,
documented read-and-write token for Priya Shah (force staff, West Midlands Police), so the
README's curl commands work as written, and a West Midlands service account for Power BI
with a fixed read-only token. Never in production: anyone who reads the README knows them."""

import datetime

from django.conf import settings
from django.utils import timezone

from accounts import api_token_services
from accounts.api_tokens import ApiToken
from accounts.models import Organisation, User

PRIYA = "priya.shah@wmp.example"
ADMINISTRATOR = "alex.morgan@admin.example"
# The README's tokens. They work only where DEMO_MODE made them.
PRIYA_TOKEN = "itk_demo_priya_shah_wmp_read_write_token"  # noqa: S105 - the demo's, documented
POWER_BI_TOKEN = "itk_demo_west_midlands_power_bi_read_only"  # noqa: S105 - the demo's, documented


def create_demo_api(*, today: datetime.date) -> None:
    if not settings.DEMO_MODE:
        return
    priya = User.objects.filter(email=PRIYA).first()
    admin = User.objects.filter(email=ADMINISTRATOR).first()
    force = Organisation.objects.filter(code="west-midlands-police").first()
    if priya is None or admin is None or force is None:
        return
    now = timezone.now()
    api_token_services.token_create(
        user=priya,
        by=priya,
        name="Demo: curl from the README",
        scope=ApiToken.Scope.READ_WRITE,
        expires_on=today + datetime.timedelta(days=365),
        now=now,
        raw=PRIYA_TOKEN,
    )
    account = api_token_services.service_account_create(
        organisation=force,
        name="Power BI",
        description="The force's performance pack (demo).",
        by=admin,
        now=now,
    )
    api_token_services.token_create(
        user=account.user,
        by=admin,
        name="Power BI pack",
        scope=ApiToken.Scope.READ,
        expires_on=None,
        now=now,
        raw=POWER_BI_TOKEN,
    )
