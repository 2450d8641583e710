"""Saved views: a named set of filters and a sort on an item list, shared within a force
(issue 14)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0014_append_only"),
        ("accounts", "0004_two_factor"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SavedView",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100)),
                (
                    "list_name",
                    models.CharField(
                        choices=[
                            ("item_list", "All items"),
                            ("my_items", "My items"),
                            ("overdue", "Overdue"),
                            ("review", "Progress review"),
                        ],
                        max_length=30,
                    ),
                ),
                ("query", models.CharField(blank=True, max_length=2000)),
                ("shared", models.BooleanField(default=False)),
                ("created_at", models.DateTimeField()),
                (
                    "organisation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.organisation",
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="saved_views",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["name", "id"],
                "indexes": [
                    models.Index(
                        fields=["organisation", "shared", "list_name"],
                        name="tracker_sav_organis_271ef9_idx",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("owner", "list_name", "name"), name="one_saved_view_name_per_list"
                    )
                ],
            },
        ),
    ]
