"""Security beyond signing in: the headers every page carries (content security policy,
framing, referrer, caching), the request size cap, and `check --deploy` with production
settings."""

import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from tests.factories import World

SIGN_IN = "/account/sign-in/"


# Headers and the size cap --------------------------------------------------------------------


def test_every_page_has_a_policy_with_no_inline_scripts(client, person):
    client.force_login(person)
    for url in (reverse("tracker:my_items"), SIGN_IN, "/public/"):
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"
        html = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url  # no inline script
        assert not re.search(r"<[^>]+\son[a-z]+=", html), url  # no inline event handlers


def test_style_blocks_carry_the_pages_nonce(client, person):
    client.force_login(World.admin())
    response = client.get(reverse("tracker:board_pack"))
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    blocks = re.findall(r"<style([^>]*)>", response.content.decode())
    assert blocks
    assert all(f'nonce="{nonce}"' in b for b in blocks)


def test_a_huge_upload_is_refused_before_it_is_read(client, person):
    client.force_login(person)
    url = reverse("tracker:my_items")
    response = client.generic(
        "POST", url, b"x", CONTENT_TYPE="application/octet-stream", CONTENT_LENGTH=str(2 * 1024**3)
    )
    assert response.status_code == 413
    assert "The file is too large" in response.content.decode()


def test_signed_in_pages_are_not_cached_and_public_ones_may_be(client, person):
    assert "no-store" not in client.get("/public/").get("Cache-Control", "")
    client.force_login(person)
    assert client.get(reverse("tracker:my_items"))["Cache-Control"] == "no-store"
    export = client.get(reverse("tracker:item_export", args=["csv"]))
    assert export["Cache-Control"] == "no-store"


# Production settings -------------------------------------------------------------------------


def test_production_settings_pass_the_deploy_check():
    # Only the real environment: not the test run's own switches (DJANGO_ALLOW_ASYNC_UNSAFE
    # is set by the browser tests, and check --deploy rightly warns about it).
    skip = ("DEBUG", "DEMO_MODE", "TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY="a-production-like-secret-" + "k" * 60,
        ALLOWED_HOSTS="tracker.example.org",
        DATABASE_URL=os.environ.get("DATABASE_URL", "sqlite:////tmp/deploy-check.sqlite3"),
    )
    root = Path(settings.BASE_DIR)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    skip = ("DEBUG", "DEMO_MODE", "TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE", "SECRET_KEY")
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
