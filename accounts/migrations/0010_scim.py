import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """SCIM 2.0 provisioning tokens and identities (issue 15)."""

    dependencies = [("accounts", "0009_identity_providers")]

    operations = [
        migrations.CreateModel(
            name="ScimIdentity",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("external_id", models.CharField(blank=True, max_length=255)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.organisation",
                    ),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="scim_identity",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "SCIM identity",
                "verbose_name_plural": "SCIM identities",
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("external_id", ""), _negated=True),
                        fields=("organisation", "external_id"),
                        name="unique_scim_external_id",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ScimToken",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="What uses it, e.g. “Entra ID provisioning”: it names the "
                        "token in the audit trail.",
                        max_length=100,
                    ),
                ),
                ("token_hash", models.CharField(editable=False, max_length=64, unique=True)),
                (
                    "prefix",
                    models.CharField(
                        editable=False,
                        help_text="The token's first characters, to recognise it.",
                        max_length=16,
                    ),
                ),
                (
                    "default_role",
                    models.CharField(
                        help_text="The role of a person the service adds before putting them "
                        "in a group, and the role they keep when taken out of their last group.",
                        max_length=30,
                    ),
                ),
                (
                    "email_domains",
                    models.CharField(
                        help_text="The email domains of the organisation's people, separated "
                        "by spaces, e.g. “westmidlands.police.uk”: the service can add only "
                        "people whose address is in one of them. Another organisation's "
                        "domain cannot be given.",
                        max_length=1000,
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                ("last_used_at", models.DateTimeField(blank=True, editable=False, null=True)),
                ("revoked_at", models.DateTimeField(blank=True, editable=False, null=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="scim_tokens",
                        to="accounts.organisation",
                    ),
                ),
            ],
            options={
                "verbose_name": "SCIM token",
                "ordering": ["organisation__name", "name"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("organisation", "name"),
                        name="unique_scim_token_name",
                        violation_error_message=(
                            "This organisation already has a SCIM token of that name."
                        ),
                    )
                ],
            },
        ),
    ]
