import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Sign-in with an organisation's OpenID Connect provider (issue 15)."""

    dependencies = [
        ("accounts", "0008_function_transfers"),
    ]

    operations = [
        migrations.CreateModel(
            name="IdentityProvider",
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
                        help_text=(
                            'As people know it: the button reads "Sign in with <name>", e.g. West'
                            " Midlands Police Microsoft account."
                        ),
                        max_length=100,
                    ),
                ),
                (
                    "issuer",
                    models.URLField(
                        help_text=(
                            "The issuer, exactly as the provider's discovery document gives it; "
                            "for Entra ID https://login.microsoftonline.com/<tenant id>/v2.0"
                        ),
                        max_length=300,
                    ),
                ),
                (
                    "client_id",
                    models.CharField(
                        help_text="Entra ID: the Application (client) ID.", max_length=200
                    ),
                ),
                (
                    "client_secret_env",
                    models.CharField(
                        blank=True,
                        help_text=(
                            "The name of an environment variable holding the client secret "
                            "(preferred), starting OIDC_CLIENT_SECRET_. Leave blank to store the "
                            "secret here, encrypted."
                        ),
                        max_length=100,
                    ),
                ),
                ("client_secret_encrypted", models.TextField(blank=True, editable=False)),
                (
                    "role_claims",
                    models.CharField(
                        default="groups roles",
                        help_text=(
                            "The ID token claims whose values map to roles, separated by spaces: "
                            "Entra ID's groups (group object ids) and roles (app roles)."
                        ),
                        max_length=100,
                    ),
                ),
                (
                    "email_claim",
                    models.CharField(
                        default="email",
                        help_text=(
                            "The one claim with the person's email address (no other claim is "
                            "tried). Entra ID: email, or upn."
                        ),
                        max_length=50,
                    ),
                ),
                (
                    "trust_email_claim",
                    models.BooleanField(
                        db_default=False,
                        default=False,
                        help_text=(
                            "Whether the provider's email claim may be trusted when its token "
                            "does not say email_verified (Entra ID never does). Only then can a "
                            "token without email_verified: true link to an existing account or "
                            "create one."
                        ),
                    ),
                ),
                (
                    "mfa_acr_values",
                    models.CharField(
                        blank=True,
                        help_text=(
                            "acr values that mean the person gave a second factor, separated by "
                            "spaces. An amr of mfa, otp, hwk, sc or fido counts too "
                            "(OIDC_MFA_AMR_VALUES)."
                        ),
                        max_length=300,
                    ),
                ),
                (
                    "password_sign_in_allowed",
                    models.BooleanField(
                        default=True,
                        help_text=(
                            "Whether the organisation's people may still sign in with a tracker "
                            "password."
                        ),
                    ),
                ),
                ("enabled", models.BooleanField(default=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "organisation",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="identity_provider",
                        to="accounts.organisation",
                    ),
                ),
            ],
            options={
                "ordering": ["organisation__name"],
            },
        ),
        migrations.CreateModel(
            name="IdentityProviderDomain",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "domain",
                    models.CharField(
                        help_text="e.g. westmidlands.police.uk", max_length=253, unique=True
                    ),
                ),
                (
                    "provider",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="domains",
                        to="accounts.identityprovider",
                    ),
                ),
            ],
            options={
                "ordering": ["domain"],
            },
        ),
        migrations.CreateModel(
            name="IdentityProviderRole",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("claim_value", models.CharField(max_length=200)),
                (
                    "role",
                    models.CharField(max_length=30),
                ),
                (
                    "provider",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="role_mappings",
                        to="accounts.identityprovider",
                    ),
                ),
            ],
            options={
                "ordering": ["claim_value", "role"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("provider", "claim_value", "role"),
                        name="unique_provider_claim_role",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="OIDCIdentity",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("subject", models.CharField(max_length=255)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("last_sign_in_at", models.DateTimeField(blank=True, null=True)),
                (
                    "provider",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="identities",
                        to="accounts.identityprovider",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="oidc_identities",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["provider", "subject"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("provider", "subject"), name="unique_provider_subject"
                    ),
                    models.UniqueConstraint(
                        fields=("provider", "user"), name="unique_provider_user"
                    ),
                ],
            },
        ),
    ]
