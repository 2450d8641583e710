"""Fill the database with realistic volumes for benchmarks (not for production use)."""

import datetime
import random
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts import two_factor
from accounts.models import (
    Organisation,
    PolicingBodyTerm,
    Role,
    RoleAssignment,
    TwoFactorDevice,
    User,
)
from tracker import deadlines, rule_presets
from tracker.demo import load_reference_data
from tracker.models import (
    Deadline,
    DeadlineRule,
    Finding,
    FindingKind,
    GradingScale,
    ProgressUpdate,
    Reminder,
    Report,
    ReportType,
    Status,
    StatusChange,
    TrackedItem,
)
from tracker.reminders.sweeps import sweep
from tracker.reminders.sync import responses_ensure

PREFIX = "load-"
BATCH = 5000
# The people benchmark_pages and benchmark_http sign in as, one a role. They sign in the way
# the app requires: a password, and for the PCC office an authenticator code (the demo's
# fixed key, two_factor.demo_secret). Made-up data on a benchmark database only.
READER = "load-national-reader@example.org"
SIGN_IN_PASSWORD = "load-benchmark-password"  # noqa: S105 - generated benchmark data only


def sign_in_accounts() -> dict[str, str]:
    """The email of the person each benchmark role signs in as (after generate_load_data)."""
    people = User.objects.filter(email__startswith=PREFIX).order_by("email")
    found = {
        "coordinator": people.with_role(Role.FORCE_COORDINATOR).first(),
        "staff": people.with_role(Role.FORCE_STAFF).first(),
        "pcc": people.with_role(Role.PCC_OFFICE).first(),
        "national": people.with_role(Role.NATIONAL_READER).first(),
    }
    return {role: user.email for role, user in found.items() if user is not None}


class Command(BaseCommand):
    help = (
        "Generate tracked items with history, deadlines and planned reminders across the 43 "
        "forces, for benchmarks (see README). Marked with the key prefix 'load-'."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--items", type=int, default=100_000, help="Open items.")
        parser.add_argument(
            "--closed", type=int, default=None, help="Closed items besides (default: a fifth)."
        )
        parser.add_argument(
            "--history", type=int, default=1_000_000, help="History rows in all (approximate)."
        )
        parser.add_argument("--seed", type=int, default=2026)

    def handle(
        self, *args: Any, items: int, closed: int | None, history: int, seed: int, **options: Any
    ) -> None:
        closed = items // 5 if closed is None else closed
        if items < 1 or history < 0 or closed < 0:
            raise CommandError("--items must be 1 or more, --closed and --history 0 or more.")
        if Report.objects.filter(key__startswith=PREFIX).exists():
            raise CommandError(
                "Load data already exists. Use a fresh database (it is not meant to be mixed "
                "with real data)."
            )
        rng = random.Random(seed)  # noqa: S311 - made-up data, repeatable from the seed
        load_reference_data()
        # The preset rules a migration installs (missing after a test database was flushed).
        rule_presets.presets_install(DeadlineRule)
        now = timezone.now()
        today = timezone.localdate(now)
        forces = list(Organisation.objects.filter(kind=Organisation.Kind.FORCE).order_by("code"))
        people = self._people(forces)
        per_force = -(-items // len(forces))
        closed_per_force = -(-closed // len(forces))
        inspectorate = Organisation.objects.get(code="hmicfrs")
        rule = DeadlineRule.objects.get(key="action-due-date")
        made = made_closed = 0
        updates_each = max(0, history // (items + closed) - 1)
        for force in forces:
            if made >= items and made_closed >= closed:
                break
            count = min(per_force, items - made)
            shut = min(closed_per_force, closed - made_closed)
            with transaction.atomic():
                self._force(
                    force,
                    count,
                    shut,
                    people[force.id],
                    inspectorate,
                    rule,
                    rng,
                    now,
                    today,
                    updates_each,
                )
            made += count
            made_closed += shut
            self.stdout.write(f"{force.short_name}: {made} open and {made_closed} closed so far")
        responses = 0
        for report in Report.objects.filter(key__startswith=PREFIX):
            responses += responses_ensure(report=report, now=now)
        self._sign_in_accounts(now)
        backlog = self._send_backlog()
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {made} open and {made_closed} closed items, {responses} statutory "
                f"responses ({backlog} reminders already due sent, as the sweep would have); "
                f"sign-in accounts: {', '.join(sign_in_accounts().values())} "
                f"(password {SIGN_IN_PASSWORD})."
            )
        )

    def _send_backlog(self) -> int:
        """The statutory responses' deadlines include missed ones, whose reminders are due at
        once. A running installation's sweep would have sent them: send them here (to
        Django's in-memory mail), so that a sweep benchmark finds only what it makes due."""
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            return sweep(now=timezone.now(), via="generate_load_data").sent

    def _sign_in_accounts(self, now: datetime.datetime) -> None:
        """A usable password for one person at each role (the first by email, as the
        benchmarks choose), a national reader, and the PCC office's authenticator app."""
        reader, made = User.objects.get_or_create(
            email=READER, defaults={"full_name": "Load national reader", "password": "!"}
        )
        if made:
            RoleAssignment.objects.create(user=reader, role=Role.NATIONAL_READER)
        hashed = make_password(SIGN_IN_PASSWORD)
        User.objects.filter(email__in=sign_in_accounts().values()).update(password=hashed)
        # The PCC office signs in with a code (as the app requires of it unless
        # TWO_FACTOR_REQUIRED_ROLES says otherwise): with a device, sign-in always asks.
        pcc = User.objects.filter(email=sign_in_accounts().get("pcc", "")).first()
        if pcc is not None:
            TwoFactorDevice.objects.update_or_create(
                user=pcc,
                defaults={
                    "secret": two_factor.demo_secret(pcc.email),
                    "confirmed_at": now,
                    "last_used_step": None,
                },
            )

    def _people(self, forces: list[Organisation]) -> dict[int, list[User]]:
        people: dict[int, list[User]] = {}
        users: list[User] = []
        roles: list[RoleAssignment] = []
        for force in forces:
            for n in range(20):
                users.append(
                    User(
                        email=f"{PREFIX}{force.code}-{n}@example.org",
                        full_name=f"Load {force.short_name} {n}",
                        organisation=force,
                        password="!",  # noqa: S106 - not a password: "!" cannot sign in
                    )
                )
        User.objects.bulk_create(users, batch_size=BATCH)
        for force in forces:
            staff = list(User.objects.filter(email__startswith=f"{PREFIX}{force.code}-"))
            roles += [RoleAssignment(user=u, role=Role.FORCE_STAFF) for u in staff[1:]]
            roles.append(RoleAssignment(user=staff[0], role=Role.FORCE_COORDINATOR))
            people[force.id] = staff
        # One person a body (a Police, Fire and Crime Commissioner has a term over its force
        # and another over its fire and rescue service).
        terms = PolicingBodyTerm.objects.filter(
            ends_on__isnull=True, force__kind=Organisation.Kind.FORCE
        ).select_related("body")
        for term in terms:
            user = User.objects.create(
                email=f"{PREFIX}{term.body.code}@example.org",
                full_name=f"Load {term.body.short_name}",
                organisation=term.body,
                password="!",  # noqa: S106 - not a password: "!" cannot sign in
            )
            roles.append(RoleAssignment(user=user, role=Role.PCC_OFFICE))
        RoleAssignment.objects.bulk_create(roles, batch_size=BATCH, ignore_conflicts=True)
        return people

    def _force(
        self,
        force: Organisation,
        count: int,
        closed: int,
        staff: list[User],
        inspectorate: Organisation,
        rule: DeadlineRule,
        rng: random.Random,
        now: datetime.datetime,
        today: datetime.date,
        updates_each: int,
    ) -> int:
        published = today - datetime.timedelta(days=rng.randint(30, 2000))
        report = Report.objects.create(
            key=f"{PREFIX}{force.code}",
            inspectorate=inspectorate,
            inspectorate_label="HMICFRS",
            title=f"Load test report for {force.short_name}",
            report_type=ReportType.OTHER,
            published_on=published,
            grading_scale=GradingScale.NONE,
        )
        report.forces.set([force])
        findings = Finding.objects.bulk_create(
            [
                Finding(
                    key=f"{PREFIX}{force.code}:{n}",
                    report=report,
                    kind=rng.choice([FindingKind.RECOMMENDATION, FindingKind.AREA_FOR_IMPROVEMENT]),
                    area=rng.choice(["Vulnerability", "Investigation", "Prevention"]),
                    text=f"Load test finding {n} for {force.short_name}: the force should "
                    "improve how it records and reviews its work.",
                    order=n,
                )
                for n in range(count + closed)
            ],
            batch_size=BATCH,
        )
        created = now - datetime.timedelta(days=rng.randint(10, 400))
        items = []
        for n, finding in enumerate(findings):
            status = (
                Status.CLOSED
                if n >= count
                else rng.choices([Status.NOT_STARTED, Status.IN_PROGRESS], weights=[1, 3])[0]
            )
            due = today + datetime.timedelta(days=rng.randint(-200, 300))
            items.append(
                TrackedItem(
                    finding=finding,
                    force=force,
                    owner=rng.choice(staff[1:]),
                    lead=staff[0],
                    status=status,
                    original_due_date=due,
                    due_date=due,
                    created_at=created,
                    last_activity_at=created + datetime.timedelta(days=rng.randint(0, 9)),
                    closed_at=now if status == Status.CLOSED else None,
                )
            )
        items = TrackedItem.objects.bulk_create(items, batch_size=BATCH)
        changes, updates, dls = [], [], []
        # Each open item's deadline, due day and owner, for its reminders.
        planned: list[tuple[Deadline, datetime.date, int]] = []
        for item in items:
            changes.append(
                StatusChange(item=item, to_status=Status.NOT_STARTED, changed_at=created)
            )
            for k in range(updates_each):
                updates.append(
                    ProgressUpdate(
                        item=item,
                        author=item.owner,
                        written_at=created + datetime.timedelta(days=k),
                        text=f"Progress update {k}.",
                    )
                )
            # Every item made above has a due date and an owner.
            if item.status != Status.CLOSED and item.due_date and item.owner_id:
                deadline = Deadline(
                    rule=rule,
                    item=item,
                    force=force,
                    trigger_on=created.date(),
                    original_due_on=item.due_date,
                    due_on=item.due_date,
                    updated_at=now,
                )
                dls.append(deadline)
                planned.append((deadline, item.due_date, item.owner_id))
        StatusChange.objects.bulk_create(changes, batch_size=BATCH)
        ProgressUpdate.objects.bulk_create(updates, batch_size=BATCH)
        Deadline.objects.bulk_create(dls, batch_size=BATCH)  # sets the pk of each
        # Plan the reminders still to come, with the same arithmetic as the planner.
        rows = []
        for deadline, due_on, owner_id in planned:
            for offset in rule.offsets:
                due_at = deadlines.reminder_due_at(due_on, offset)
                if due_at > now:
                    rows.append(
                        Reminder(
                            deadline=deadline,
                            deadline_version=1,
                            step=f"before-{offset}",
                            recipient_id=owner_id,
                            due_at=due_at,
                            next_attempt_at=due_at,
                        )
                    )
        Reminder.objects.bulk_create(rows, batch_size=BATCH)
        return len(items)
