"""Two-factor authentication: an authenticator app (TOTP, RFC 6238) and recovery codes.

The arithmetic is pyotp's; this module decides the rules around it:
1. A code is accepted for the current 30-second step or the one either side (clocks drift),
   and never twice: the step last used is stored, and a code for it or an earlier step fails.
2. Recovery codes are ten random codes of ten characters, shown once. Only a keyed hash is
   stored; each works once.
3. Setting up, renewing the codes and turning it off are audited on the person.
"""

import base64
import datetime
import hashlib
import hmac
import math
import re
import secrets

import pyotp
import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import RecoveryCode, TwoFactorDevice, User
from tracker.audit import audit_record
from tracker.models import AuditEvent

RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
STEP = 30


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(*, secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=settings.TWO_FACTOR_ISSUER)


def qr_svg(uri: str) -> str:
    """The QR code as an inline SVG element (no external image, nothing to fetch)."""
    return segno.make(uri, error="m").svg_inline(
        scale=5, dark="#0b0c0c", light="#ffffff", title="QR code for your authenticator app"
    )


def grouped(secret: str) -> str:
    """The key in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def normalise_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def matching_step(
    secret: str, code: str, *, at: datetime.datetime, after_step: int | None
) -> int | None:
    """The time step this six-digit code belongs to, or None if it is wrong, stale or used."""
    code = normalise_code(code)
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    now_step = int(at.timestamp()) // STEP
    for step in (now_step, now_step - 1, now_step + 1):
        if after_step is not None and step <= after_step:
            continue
        if hmac.compare_digest(totp.at(step * STEP), code):
            return step
    return None


def next_code(device: TwoFactorDevice, *, at: datetime.datetime) -> tuple[str, int]:
    """The next code sign-in will accept (not a step already used), and in how many seconds
    it will (0: now). Signing in twice within a step uses the codes for now and the next
    step, so a third sign-in waits for the next step to begin (at most 30 seconds). For the
    demo's public accounts and for tests; never shown for a real account."""
    now_step = int(at.timestamp()) // STEP
    step = max(now_step, (device.last_used_step or 0) + 1)
    # A step is accepted from the start of the step before it (a code either side counts).
    wait = max(0, math.ceil((step - 1) * STEP - at.timestamp()))
    return pyotp.TOTP(device.secret).at(step * STEP), wait


def next_usable_code(device: TwoFactorDevice, *, at: datetime.datetime) -> str | None:
    """The code the app would show that sign-in would still accept now, or None when the
    codes for now have been used (see `next_code`)."""
    code, wait = next_code(device, at=at)
    return None if wait else code


def code_already_used(device: TwoFactorDevice, code: str, *, at: datetime.datetime) -> bool:
    """Whether this is a right code for now that was already used to sign in (each works
    once), so the person can be told to wait for a new one rather than that it is wrong."""
    if device.last_used_step is None:
        return False
    step = matching_step(device.secret, code, at=at, after_step=None)
    return step is not None and step <= device.last_used_step


def demo_secret(email: str) -> str:
    """A fixed key for a demo account, so the demo's people can be given codes."""
    digest = hashlib.sha256(f"inspection-tracker-demo:{email}".encode()).digest()
    return base64.b32encode(digest[:20]).decode()


def recovery_hash(code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, normalise_code(code).encode(), hashlib.sha256).hexdigest()


def new_recovery_codes() -> list[str]:
    return [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
        for _ in range(RECOVERY_CODE_COUNT)
    ]


def display_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def device_of(user) -> TwoFactorDevice | None:
    return TwoFactorDevice.objects.filter(user=user).first()


def _audit(user, by, note: str, changes: dict) -> None:
    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        obj=user,
        changes=changes,
        at=timezone.now(),
        note=note,
    )


def _store_recovery_codes(user) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = new_recovery_codes()
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user=user, code_hash=recovery_hash(c)) for c in codes]
    )
    return [display_code(c) for c in codes]


@transaction.atomic
def two_factor_enable(*, user: User, secret: str, code: str) -> list[str] | None:
    """Confirm the app with a code it shows. Returns the new recovery codes, or None if the
    code is wrong (nothing is saved)."""
    now = timezone.now()
    step = matching_step(secret, code, at=now, after_step=None)
    if step is None:
        return None
    TwoFactorDevice.objects.update_or_create(
        user=user, defaults={"secret": secret, "confirmed_at": now, "last_used_step": step}
    )
    codes = _store_recovery_codes(user)
    _audit(user, user, "Two-factor authentication turned on", {"two_factor": (False, True)})
    return codes


@transaction.atomic
def two_factor_verify(*, user: User, code: str) -> str | None:
    """Check a sign-in code: the app's six digits or an unused recovery code. Returns which
    ("app" or "recovery code") or None. The device row is locked, so two requests with the
    same code cannot both pass."""
    device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
    if device is None:
        return None
    now = timezone.now()
    step = matching_step(device.secret, code, at=now, after_step=device.last_used_step)
    if step is not None:
        device.last_used_step = step
        device.save(update_fields=["last_used_step"])
        return "app"
    used = RecoveryCode.objects.filter(
        user=user, code_hash=recovery_hash(code), used_at__isnull=True
    ).update(used_at=now)
    if used:
        left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
        _audit(user, user, f"Signed in with a recovery code ({left} left)", {})
        return "recovery code"
    return None


@transaction.atomic
def recovery_codes_renew(*, user: User) -> list[str]:
    codes = _store_recovery_codes(user)
    _audit(user, user, "New recovery codes made (the old ones no longer work)", {})
    return codes


@transaction.atomic
def two_factor_disable(*, user: User, by: User) -> None:
    """Turn it off: by the person (where their role allows it) or by an administrator
    resetting a lost app, after which the person sets it up again at their next sign-in."""
    TwoFactorDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    note = (
        "Two-factor authentication turned off"
        if by == user
        else "Two-factor authentication reset by an administrator"
    )
    _audit(user, by, note, {"two_factor": (True, False)})


def recovery_codes_left(user) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
