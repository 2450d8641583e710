"""The demo with a row in every history table: the demo has no deadline change and no view
from the PCC office, so one of each is added (through the services, as the pages do). Used by
the append-only and backup tests, which need a row of every kind; and what they read of the
append-only tables."""

import datetime

from django.apps import apps
from django.utils import timezone

from accounts.models import User
from tests.demo_pages import PERSONAS, build_demo_world
from tracker import services
from tracker.models import (
    AppendOnlyModel,
    Deadline,
    DeadlineRule,
    DeadlineState,
    ProgressReview,
    TrackedItem,
)
from tracker.reminders.changes import deadline_extend
from tracker.rule_presets import presets_install


def build_demo_with_every_history() -> dict:
    presets_install(DeadlineRule)  # a transactional test before may have emptied the table
    world = build_demo_world()
    grace = User.objects.get(email=PERSONAS["coordinator"])
    daniel = User.objects.get(email=PERSONAS["pcc"])
    deadline = (
        Deadline.objects.filter(state=DeadlineState.OPEN, due_on__isnull=False, item__isnull=False)
        .order_by("pk")
        .first()
    )
    # The demo's rules are the presets, whose item deadlines cannot be extended; this one can.
    DeadlineRule.objects.filter(pk=deadline.rule_id).update(extendable=True)
    deadline_extend(
        deadline=deadline,
        by=grace,
        new_due_on=deadline.due_on + datetime.timedelta(days=30),
        reason="The force asked for more time.",
        approved_by="Chief Constable",
        approved_on=timezone.localdate(),
    )
    item = TrackedItem.objects.filter(force=world["item"].force).open().order_by("pk").first()
    services.item_record_view(
        item=item, by=daniel, rating=ProgressReview.Rating.AMBER, text="Slow."
    )
    return world


def append_only_models() -> list:
    """Every AppendOnlyModel, found from the app registry (so a new one is included)."""
    models = (m for m in apps.get_models() if issubclass(m, AppendOnlyModel))
    return sorted(models, key=lambda m: m.__name__)


def table_state(table: str, cursor) -> tuple:
    """A table's row count and a digest of all its rows (PostgreSQL)."""
    cursor.execute(
        f'SELECT count(*), md5(string_agg(t::text, chr(10) ORDER BY t.id)) FROM "{table}" t'  # noqa: S608 - a model's table name
    )
    return tuple(cursor.fetchone())
