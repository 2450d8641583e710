"""A provider's client secret at rest: encrypted with Fernet (cryptography), keyed from
settings.OIDC_SECRET_KEY, or SECRET_KEY when that is not set; or read from an environment
variable the configuration names (issue 15). The secret is never shown again once saved.

Only a variable named OIDC_CLIENT_SECRET_<something> may be named: the secret is sent to the
issuer the administrator chose, so naming DATABASE_URL or SECRET_KEY would send those away.
The name is checked when it is saved (the form, the admin, the service) and again here, when
the secret is read."""

import base64
import hashlib
import os
import re

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class SecretUnavailable(Exception):
    """The secret cannot be read: the variable is not set, or the key changed."""


ENV_NAME = re.compile(r"^OIDC_CLIENT_SECRET_[A-Z0-9_]+$")
ENV_NAME_RULE = (
    "The environment variable's name must start OIDC_CLIENT_SECRET_ followed by capital "
    "letters, digits or underscores, like OIDC_CLIENT_SECRET_WMP: no other variable can be "
    "sent to a provider."
)


def env_name_allowed(name: str) -> bool:
    """Whether a variable of this name may hold a provider's client secret."""
    return bool(ENV_NAME.fullmatch(name or ""))


def _fernet() -> Fernet:
    base = settings.OIDC_SECRET_KEY or settings.SECRET_KEY
    digest = hashlib.sha256(b"inspection-tracker oidc client secret\0" + base.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnavailable(
            "The stored client secret cannot be read (OIDC_SECRET_KEY or SECRET_KEY changed): "
            "enter it again."
        ) from exc


def client_secret(*, env_name: str, encrypted: str) -> str:
    """The client secret: from the named environment variable, else the stored one."""
    if env_name:
        if not env_name_allowed(env_name):
            raise SecretUnavailable(f"{env_name} is not a name a client secret may come from.")
        value = os.environ.get(env_name, "")
        if not value:
            raise SecretUnavailable(f"The environment variable {env_name} is not set.")
        return value
    if not encrypted:
        raise SecretUnavailable("No client secret is set for this provider.")
    return decrypt(encrypted)
