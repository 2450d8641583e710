"""Admin base classes: edits are audited with before and after; history is read-only."""

from django.contrib import admin
from django.forms.models import model_to_dict
from django.utils import timezone

from tracker.audit import audit_record, natural_key
from tracker.models import AuditEvent

NEVER_AUDITED = {"password", "last_login"}


def _snapshot(obj) -> dict:
    """Field values, with related rows named by their stable keys (as services do)."""
    values = model_to_dict(obj)
    for field in obj._meta.get_fields():
        if field.name not in values:
            continue
        if field.many_to_many:
            values[field.name] = sorted(natural_key(v) for v in values[field.name])
        elif field.many_to_one and values[field.name] is not None:
            values[field.name] = natural_key(getattr(obj, field.name))
    return {k: v for k, v in values.items() if k not in NEVER_AUDITED}


def _keep_what_was_not_changed(obj, stored, form) -> None:
    """Put back the stored value of every field the form shows but the person did not change.

    A form writes every field it shows, as the field reads it back: the admin's date and time
    boxes show seconds, so saving a person unchanged cut the microseconds off `date_joined`
    (and `last_login`), rewrote them, and recorded a change nobody made. Only the fields in
    `form.changed_data` are the administrator's."""
    changed = set(form.changed_data)
    for field in obj._meta.concrete_fields:
        if field.name in form.fields and field.name not in changed and not field.primary_key:
            setattr(obj, field.attname, getattr(stored, field.attname))


class AuditedAdmin(admin.ModelAdmin):
    """Records each admin save as an audit event with the fields before and after, including
    many-to-many fields and inline rows. Deleting is not offered: tracked data is kept."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        if change:
            stored = type(obj).objects.get(pk=obj.pk)
            request._audit_before = _snapshot(stored)
            _keep_what_was_not_changed(obj, stored, form)
        else:
            request._audit_before = {}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        obj = form.instance
        before = getattr(request, "_audit_before", {})
        after = _snapshot(obj)
        changes = {k: (before.get(k), v) for k, v in after.items() if before.get(k) != v}
        inline_notes = []
        for formset in formsets:
            name = formset.model._meta.verbose_name_plural
            for label, rows in (
                ("added", formset.new_objects),
                ("changed", formset.changed_objects),
                ("removed", formset.deleted_objects),
            ):
                if rows:
                    inline_notes.append(f"{name} {label}: {len(rows)}")
                    changes[f"{name} {label}"] = (None, [str(r) for r in rows][:20])
        if changes or not change:
            audit_record(
                actor=request.user,
                action=AuditEvent.Action.UPDATE if change else AuditEvent.Action.CREATE,
                obj=obj,
                changes=changes,
                at=timezone.now(),
                note="; ".join(["Edited in the admin", *inline_notes]),
            )


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
