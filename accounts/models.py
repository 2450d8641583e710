"""People, organisations and roles.

A person belongs to one organisation (a force, a local policing body, the inspectorate or a
government department) and holds one or more roles. Which forces a local policing body answers
for changes over time (police authorities, PCCs, mayors), so that is a dated term, not a field.
"""

import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property


class ProtectiveMarking(models.Model):
    """A Government Security Classifications marking (OFFICIAL, OFFICIAL-SENSITIVE), from the
    list the administrator keeps. The label is printed; no marking is no row (issue 21)."""

    label = models.CharField(max_length=60, unique=True, help_text="As printed, e.g. OFFICIAL.")
    description = models.CharField(max_length=300, blank=True)
    rank = models.PositiveIntegerField(
        unique=True, help_text="Higher is more protected: a list of items takes the highest."
    )
    active = models.BooleanField(
        default=True, help_text="Offered when a marking is chosen; an inactive one stays where set."
    )

    class Meta:
        ordering = ["rank"]

    def __str__(self):
        return self.label

    @property
    def key(self) -> str:
        """How the audit trail names it (tracker.audit.natural_key): the label, not the id."""
        return self.label


class Organisation(models.Model):
    class Kind(models.TextChoices):
        FORCE = "force", "Police force"
        LOCAL_POLICING_BODY = "local_policing_body", "Local policing body"
        # Successors to PCCs (issue 22: functions pass in May 2028, subject to legislation).
        MAYOR = "mayor", "Mayor with PCC functions"
        POLICING_AND_CRIME_BOARD = "policing_and_crime_board", "Policing and Crime Board"
        INSPECTORATE = "inspectorate", "Inspectorate"
        GOVERNMENT = "government", "Government"
        # Issue 17: a fire and rescue service governed by a Police, Fire and Crime
        # Commissioner, whose office tracks its findings as it tracks its force's.
        FIRE_AND_RESCUE = "fire_and_rescue", "Fire and rescue service"

    code = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=100)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    default_marking = models.ForeignKey(
        ProtectiveMarking,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The marking of its reports, items and documents unless one is set. "
        "Blank: no marking.",
    )
    # Welsh (issue 22): a force or commissioner in Wales, under a compliance notice.
    welsh_language_standards = models.BooleanField(
        default=False,
        db_default=False,
        help_text="Works under the Welsh Language Standards (a force or commissioner in Wales): "
        "its statutory responses are written and published in Welsh and English.",
    )
    welsh_name = models.CharField(
        max_length=200,
        blank=True,
        db_default="",
        default="",
        help_text="Its name in Welsh, for documents and pages in Welsh (blank: the English name).",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_force(self) -> bool:
        return self.kind == self.Kind.FORCE

    @property
    def is_policing_body(self) -> bool:
        return self.kind in POLICING_BODY_KINDS

    @property
    def is_inspected(self) -> bool:
        """An organisation whose findings are tracked as items: a police force, or a fire and
        rescue service (issue 17)."""
        return self.kind in INSPECTED_KINDS


# The kinds of organisation whose inspections are tracked item by item (issue 17): police
# forces and the fire and rescue services a Police, Fire and Crime Commissioner governs, which
# take the force's place (`Report.forces`, `TrackedItem.force`, `PolicingBodyTerm.force`).
INSPECTED_KINDS = (Organisation.Kind.FORCE, Organisation.Kind.FIRE_AND_RESCUE)

# The kinds of organisation that hold the functions of a local policing body (s55 comments,
# holding the force to account): PCCs and police authorities, and their successors.
POLICING_BODY_KINDS = (
    Organisation.Kind.LOCAL_POLICING_BODY,
    Organisation.Kind.MAYOR,
    Organisation.Kind.POLICING_AND_CRIME_BOARD,
)


class PolicingBodyTermQuerySet(models.QuerySet):
    def on(self, day: datetime.date) -> "PolicingBodyTermQuerySet":
        return self.filter(
            Q(starts_on__isnull=True) | Q(starts_on__lte=day),
            Q(ends_on__isnull=True) | Q(ends_on__gte=day),
        )


class PolicingBodyTerm(models.Model):
    """The local policing body (police authority, PCC, mayor) of a force over a period."""

    force = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="policing_body_terms",
        limit_choices_to={"kind__in": INSPECTED_KINDS},
    )
    body = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="terms_as_body",
        limit_choices_to={"kind__in": POLICING_BODY_KINDS},
    )
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)

    objects = PolicingBodyTermQuerySet.as_manager()

    class Meta:
        ordering = ["force__name", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["force", "body", "starts_on"], name="unique_term"),
        ]

    def __str__(self):
        return f"{self.body} for {self.force} ({self.starts_on or '…'} to {self.ends_on or 'now'})"


class Role(models.TextChoices):
    FORCE_STAFF = "force_staff", "Force staff"
    FORCE_COORDINATOR = "force_coordinator", "Force coordinator"
    PCC_OFFICE = "pcc_office", "PCC office"
    NATIONAL_READER = "national_reader", "National reader"
    ADMINISTRATOR = "administrator", "Administrator"


class UserQuerySet(models.QuerySet):
    def with_role(self, *roles: str) -> "UserQuerySet":
        """People who hold any of these roles (each person once, whatever else they hold)."""
        return self.filter(pk__in=RoleAssignment.objects.filter(role__in=roles).values("user_id"))

    def active(self) -> "UserQuerySet":
        return self.filter(is_active=True)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    use_in_migrations = True

    def create_user(self, email, password=None, **extra) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        user = self.create_user(email, password, **extra)
        RoleAssignment.objects.get_or_create(user=user, role=Role.ADMINISTRATOR)
        return user


class ReminderDelivery(models.TextChoices):
    EACH = "each", "An email for each reminder"
    DAILY = "daily", "One email a day with all my reminders"
    WEEKLY = "weekly", "One email a week with all my reminders"


class Language(models.TextChoices):
    """The languages a person may choose for the tracker's pages and emails (issue 22), the
    codes of settings.LANGUAGES. Each is named in its own language, as language pickers do."""

    ENGLISH = "en-gb", "English"
    WELSH = "cy", "Cymraeg"


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=200, blank=True)
    department = models.CharField(
        max_length=200, blank=True, help_text="Their department or team, e.g. Force Contact."
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="people", null=True, blank=True
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Can sign in to the admin site.")
    date_joined = models.DateTimeField(default=timezone.now)
    reminder_delivery = models.CharField(
        max_length=10,
        choices=ReminderDelivery.choices,
        default=ReminderDelivery.EACH,
        help_text="How reminders reach this person by email (they are always in the app).",
    )
    email_events_off = models.JSONField(
        default=list,
        blank=True,
        help_text=(
            "The kinds of hand-off (tracker.handoffs.Event) this person is not emailed about; "
            "they still appear in the app."
        ),
    )
    language = models.CharField(
        max_length=8,
        choices=Language.choices,
        blank=True,
        default="",
        db_default="",
        help_text="The language of this person's pages and emails; blank: not chosen (English).",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="unique_email_ignoring_case",
                violation_error_message="Someone already uses this email address.",
            ),
        ]

    def __str__(self):
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        # Sign-in lowercases what people type, so addresses are stored in lower case.
        self.email = (self.email or "").strip().lower()

    def get_full_name(self) -> str:
        return self.full_name

    @property
    def preferred_language(self) -> str:
        """The language code to show this person pages and send them emails in: their
        choice, or the site's default (settings.LANGUAGE_CODE) when they have not chosen."""
        if self.language in Language.values:
            return self.language
        return settings.LANGUAGE_CODE

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @cached_property
    def roles(self) -> frozenset[str]:
        return frozenset(self.role_assignments.values_list("role", flat=True))

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def role_labels(self) -> list[str]:
        return [Role(r).label for r in sorted(self.roles)]


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=30, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_user_role")]

    def __str__(self):
        return f"{self.user}: {self.get_role_display()}"


class TwoFactorDevice(models.Model):
    """A person's authenticator app (TOTP, RFC 6238). One per person; the secret is shown
    once, when it is set up. `last_used_step` stops the same code being used twice."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="two_factor_device")
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField()
    last_used_step = models.BigIntegerField(null=True, blank=True)

    def __str__(self):
        return f"Authenticator app for {self.user}"


class RecoveryCode(models.Model):
    """A single-use code for when the authenticator app is lost. Only a hash is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "code_hash"], name="unique_recovery_code")
        ]

    def __str__(self):
        return f"Recovery code for {self.user}{' (used)' if self.used_at else ''}"


# The estate integrations' models (issue 15), each in a module of its own; imported here so
# Django finds them with the app's other models.
from accounts.api_tokens import *  # noqa: E402, F403
from accounts.identity_providers import *  # noqa: E402, F403
from accounts.scim_models import *  # noqa: E402, F403
