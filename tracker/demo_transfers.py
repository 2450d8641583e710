"""The demo's planned transfer of functions (issue 22): the West Midlands PCC's functions
passing to the Mayor of the West Midlands in May 2028.

The Home Office announced on 13 November 2025 that PCC functions pass to mayors "at the end of
the existing term of office, in May 2028", subject to legislation. No Act or order has fixed
the day yet, so the demo's day is a placeholder, marked as one and said so on its page.
"""

import datetime

from django.utils import timezone

from accounts.models import Organisation, Role, User
from tracker.function_transfers import transfer_record
from tracker.models import FunctionTransfer

SUCCESSOR_CODE = "west-midlands-mayor"
PLACEHOLDER_DAY = datetime.date(2028, 5, 8)
LEGAL_BASIS = (
    "Home Office announcement of 13 November 2025 and the white paper “From local to national: "
    "a new model for policing” (January 2026): PCC functions pass to mayors at the end of the "
    "existing term of office, in May 2028, subject to legislation. No Act or order has been "
    "made yet, so 8 May 2028 is a placeholder for the day the legislation will fix."
)


def create_demo_transfer() -> FunctionTransfer | None:
    """The Mayor of the West Midlands (a mayor with PCC functions, an organisation like any
    other) and the planned transfer to it, recorded by the demo's administrator. Once only."""
    pcc = Organisation.objects.filter(code="west-midlands-pcc").first()
    admin = User.objects.with_role(Role.ADMINISTRATOR).order_by("pk").first()
    if pcc is None or admin is None:
        return None
    mayor, _ = Organisation.objects.get_or_create(
        code=SUCCESSOR_CODE,
        defaults={
            "name": "Mayor of the West Midlands",
            "short_name": "Mayor of the West Midlands",
            "kind": Organisation.Kind.MAYOR,
        },
    )
    existing = FunctionTransfer.objects.current().filter(from_body=pcc).first()
    if existing is not None:
        return existing
    return transfer_record(
        by=admin,
        from_body=pcc,
        to_body=mayor,
        takes_effect_on=PLACEHOLDER_DAY,
        legal_basis=LEGAL_BASIS,
        date_is_placeholder=True,
        staff_move=True,
        now=timezone.now(),
    )
