"""Transfers of a local policing body's functions to a successor (issue 22): a new table, and
a statutory response's body may be any kind of body holding those functions (choices only)."""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

POLICING_BODY_KINDS = ("local_policing_body", "mayor", "policing_and_crime_board")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_function_transfers"),
        ("tracker", "0022_rule_law"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="statutoryresponse",
            name="body",
            field=models.ForeignKey(
                limit_choices_to={"kind__in": POLICING_BODY_KINDS},
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.organisation",
            ),
        ),
        migrations.CreateModel(
            name="FunctionTransfer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                (
                    "takes_effect_on",
                    models.DateField(
                        help_text="The first day the successor holds the functions; the old "
                        "body's term ends the day before."
                    ),
                ),
                (
                    "date_is_placeholder",
                    models.BooleanField(
                        default=False,
                        help_text="The day is not yet fixed by law: this one is a placeholder, "
                        "said on the page.",
                    ),
                ),
                ("legal_basis", models.CharField(max_length=500)),
                ("legal_basis_url", models.URLField(blank=True, max_length=500)),
                (
                    "staff_move",
                    models.BooleanField(
                        default=True,
                        help_text="The old body's people move to the successor with the "
                        "functions (a transfer scheme); otherwise they stay where they are and "
                        "stop seeing the forces.",
                    ),
                ),
                ("recorded_at", models.DateTimeField()),
                ("carried_out_at", models.DateTimeField(blank=True, null=True)),
                (
                    "outcome",
                    models.JSONField(blank=True, default=dict, help_text="What moved, counted."),
                ),
                ("cancelled_at", models.DateTimeField(blank=True, null=True)),
                (
                    "from_body",
                    models.ForeignKey(
                        limit_choices_to={"kind__in": POLICING_BODY_KINDS},
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="transfers_out",
                        to="accounts.organisation",
                    ),
                ),
                (
                    "to_body",
                    models.ForeignKey(
                        limit_choices_to={"kind__in": POLICING_BODY_KINDS},
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="transfers_in",
                        to="accounts.organisation",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "carried_out_by",
                    models.ForeignKey(
                        blank=True,
                        help_text="Blank: carried out by the daily task.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "cancelled_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["takes_effect_on", "id"]},
        ),
        migrations.AddConstraint(
            model_name="functiontransfer",
            constraint=models.CheckConstraint(
                condition=models.Q(("from_body", models.F("to_body")), _negated=True),
                name="transfer_to_another_body",
            ),
        ),
    ]
