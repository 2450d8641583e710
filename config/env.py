"""Read settings from the environment, failing loudly on values that make no sense.

Every variable may instead be given as a file: NAME_FILE holds the path of a file whose
content (one trailing newline taken off) is the value. Use it for secrets (SECRET_KEY_FILE,
DATABASE_URL_FILE, EMAIL_HOST_PASSWORD_FILE...), so that they come from a container's
secrets rather than its environment. Setting both NAME and NAME_FILE is refused, as is a
file that cannot be read or is empty, each naming the variable.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}
FILE_SUFFIX = "_FILE"


def read_secret_file(name: str, path: str) -> str:
    """The value held in the file NAME_FILE names: its content less one trailing newline."""
    variable = name + FILE_SUFFIX
    if not path.strip():
        raise ImproperlyConfigured(f"{variable} is set but empty: give the path of a file.")
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ImproperlyConfigured(f"{variable} names {path}, which does not exist.") from None
    except IsADirectoryError:
        raise ImproperlyConfigured(f"{variable} names {path}, which is a folder.") from None
    except PermissionError:
        raise ImproperlyConfigured(
            f"{variable} names {path}, which this process (user id {os.getuid()}) may not read."
        ) from None
    except UnicodeDecodeError:
        raise ImproperlyConfigured(f"{variable} names {path}, which is not UTF-8 text.") from None
    except OSError as exc:
        raise ImproperlyConfigured(
            f"{variable} names {path}, which cannot be read ({exc.strerror})."
        ) from None
    value = text[:-2] if text.endswith("\r\n") else text.removesuffix("\n")
    if not value.strip():
        raise ImproperlyConfigured(f"{variable} names {path}, which is empty.")
    return value


def env_raw(name: str) -> str | None:
    """The variable's value from the environment or from its NAME_FILE; None when neither."""
    path = os.environ.get(name + FILE_SUFFIX)
    if path is None:
        return os.environ.get(name)
    if name in os.environ:
        raise ImproperlyConfigured(
            f"Both {name} and {name}{FILE_SUFFIX} are set: set only one of them."
        )
    return read_secret_file(name, path)


def env_str(name: str, default: str = "") -> str:
    raw = env_raw(name)
    return default if raw is None else raw


def env_bool(name: str, default: bool = False) -> bool:
    raw = env_raw(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}"
    )


def env_int(name: str, default: int) -> int:
    raw = env_raw(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = env_raw(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]
