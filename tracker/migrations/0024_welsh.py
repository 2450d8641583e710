"""Welsh (issue 22): the Welsh text of a statutory response's parts (the introduction, the
PCC's and the chief constable's comments on the response; each finding's force and PCC
responses in WelshResponseText), and Welsh editions of reports (ReportEdition).

Expand only: three text columns with a database default and two new tables, so the release
before this one keeps working against the new schema (docs/upgrades.md)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0023_function_transfers"),
        # Organisation.welsh_language_standards, which says who writes in Welsh.
        ("accounts", "0007_language"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="statutoryresponse",
            name="chief_officer_comments_cy",
            field=models.TextField(
                blank=True,
                db_default="",
                default="",
                verbose_name="chief constable's comments (Welsh)",
            ),
        ),
        migrations.AddField(
            model_name="statutoryresponse",
            name="introduction_cy",
            field=models.TextField(
                blank=True, db_default="", default="", verbose_name="introduction (Welsh)"
            ),
        ),
        migrations.AddField(
            model_name="statutoryresponse",
            name="pcc_comments_cy",
            field=models.TextField(
                blank=True, db_default="", default="", verbose_name="PCC comments (Welsh)"
            ),
        ),
        migrations.CreateModel(
            name="ReportEdition",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        choices=[("cy", "Welsh (Cymraeg)")], default="cy", max_length=10
                    ),
                ),
                (
                    "title",
                    models.CharField(
                        help_text="The title as the edition gives it.", max_length=400
                    ),
                ),
                (
                    "url",
                    models.URLField(
                        help_text="Where the inspectorate publishes it.", max_length=500
                    ),
                ),
                ("added_at", models.DateTimeField()),
                (
                    "added_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "report",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="editions",
                        to="tracker.report",
                    ),
                ),
            ],
            options={
                "ordering": ["report", "language"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("report", "language"), name="one_edition_a_language"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="WelshResponseText",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("force_response", models.TextField(blank=True, db_default="", default="")),
                ("pcc_response", models.TextField(blank=True, db_default="", default="")),
                (
                    "finding",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tracker.finding",
                    ),
                ),
                (
                    "response",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="welsh_texts",
                        to="tracker.statutoryresponse",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("response", "finding"), name="one_welsh_text")
                ],
            },
        ),
    ]
