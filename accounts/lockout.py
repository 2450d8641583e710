"""How django-axes names the account an attempt was for: the email address as sign-in reads
it (lower case, trimmed), so "Priya.Shah@…" and "priya.shah@…" count as one account."""


def username_of(request, credentials) -> str:
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(raw).strip().lower()
