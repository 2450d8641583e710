"""Reads for the administrators' people pages."""

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import User
from tracker import policy
from tracker.audit import natural_key
from tracker.models import AuditEvent, TrackedItem


def _open_count(field: str):
    counts = (
        TrackedItem.objects.open()
        .filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def person_list() -> QuerySet[User]:
    """Everyone, with their organisation, roles and how many open items they own and lead,
    in a fixed number of queries whatever the page size."""
    return (
        User.objects.select_related("organisation")
        .prefetch_related("role_assignments")
        .annotate(open_owned=_open_count("owner"), open_led=_open_count("lead"))
        .order_by("full_name", "pk")
    )


def person_open_items(*, person) -> QuerySet[TrackedItem]:
    """The open items a person owns or is the accountable lead of."""
    return (
        TrackedItem.objects.open()
        .filter(Q(owner=person) | Q(lead=person))
        .select_related("force", "finding", "owner", "lead")
        .order_by("force__name", "due_date", "pk")
    )


def eligible_successors(*, person) -> QuerySet[User]:
    """Who may take over a person's open items: the active force staff and coordinators of
    the force those items belong to (nobody when they span several forces)."""
    force_ids = set(person_open_items(person=person).values_list("force_id", flat=True))
    if len(force_ids) != 1:
        return User.objects.none()
    return (
        User.objects.active()
        .with_role(*policy.FORCE_ROLES)
        .filter(organisation_id=force_ids.pop())
        .exclude(pk=person.pk)
        .order_by("full_name")
    )


def person_history(*, person, limit: int = 50) -> QuerySet[AuditEvent]:
    """Changes to the person's account (roles, details, deactivation), newest first."""
    return AuditEvent.objects.filter(
        object_type=User._meta.label, object_id=natural_key(person)
    ).select_related("actor")[:limit]


def person_actions(*, person, limit: int = 20) -> QuerySet[AuditEvent]:
    """The latest changes the person made themselves (kept after they are deactivated)."""
    return AuditEvent.objects.filter(actor=person)[:limit]
