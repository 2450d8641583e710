"""How pages and static files reach the browser in production (issue 21): static files under
content-hashed names, cached for a year and sent compressed; pages compressed; a favicon.

The test settings serve static files unhashed (no collectstatic), so these tests switch to the
production storage and collect into a temporary folder, as `scripts/serve` and the image do.
"""

import gzip
import re

import pytest
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db

MANIFEST = "whitenoise.storage.CompressedManifestStaticFilesStorage"
HASHED_CSS = re.compile(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"')


@pytest.fixture
def collected(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": MANIFEST},
    }
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("collectstatic", "--noinput", verbosity=0)
    return Client()  # a new client: WhiteNoise reads STATIC_ROOT when it starts


def test_static_files_have_hashed_names_a_year_of_caching_and_compression(collected):
    page = collected.get("/account/sign-in/")
    css = HASHED_CSS.search(page.content.decode())
    assert css, "the style sheet's address has no content hash"

    response = collected.get(css.group(1), HTTP_ACCEPT_ENCODING="gzip, br")
    assert response.status_code == 200
    cache = response["Cache-Control"]
    assert "immutable" in cache
    assert int(re.search(r"max-age=(\d+)", cache).group(1)) >= 365 * 24 * 3600
    assert response["Content-Encoding"] in {"br", "gzip"}


def test_the_favicon_is_served_from_its_hashed_address(collected):
    response = collected.get("/favicon.ico")
    assert response.status_code == 301
    assert re.fullmatch(r"/static/assets/images/favicon\.[0-9a-f]{12}\.ico", response["Location"])
    icon = collected.get(response["Location"])
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file

    page = collected.get("/account/sign-in/").content.decode()
    assert re.search(r'<link rel="icon" sizes="48x48" href="/static/assets/images/favicon\.', page)


def test_pages_are_compressed_when_the_browser_accepts_it(client):
    plain = client.get("/account/sign-in/")
    assert "Content-Encoding" not in plain

    compressed = client.get("/account/sign-in/", HTTP_ACCEPT_ENCODING="gzip")
    assert compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"]
    text = gzip.decompress(compressed.content).decode()
    assert "Sign in" in text
    assert len(compressed.content) < len(plain.content) / 2
