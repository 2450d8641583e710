"""The wheel, installed as a user would install it, runs without the checkout.

1. Build the wheel from the checkout (pip wheel --no-deps, with the locked build backend).
2. Check it carries every package of config, accounts and tracker (migrations, management
   commands, tracker.extraction ...) and the top-level templates, static files and fixtures
   (as config/templates, config/static, config/fixtures), and nothing of tests or scripts.
3. Make a fresh virtual environment in a temporary folder (no system site-packages) and
   install the locked dependencies (requirements.txt, hashes checked) with uv, from its cache
   when it has them, then the wheel alone.
4. From a folder outside the checkout, with nothing of the checkout on the path: `check`,
   `migrate` on an empty SQLite database, `collectstatic` and `findstatic`, a page rendered
   from the installed templates, and `load_seed_data` from the installed fixtures.

Select it with `-m wheel`, leave it out with `-m "not wheel"`.
"""

import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.wheel

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("config", "accounts", "tracker")
# What a command may take at most (the slowest, installing, takes a few seconds from uv's
# cache and a minute or so on a machine that has to download the wheels).
TIMEOUT = 600


def run(args, *, cwd, env=None, check=True):
    """Run a command; on failure, fail the test with what it printed."""
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    if check and done.returncode:
        pytest.fail(
            f"{' '.join(map(str, args))} exited {done.returncode}\n"
            f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    return done


def checkout_packages():
    """Every package of the project in the checkout, as a folder path in the wheel."""
    return sorted(
        init.parent.relative_to(ROOT).as_posix() + "/"
        for name in PACKAGES
        for init in (ROOT / name).rglob("__init__.py")
        if "__pycache__" not in init.parts
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    dist = tmp_path_factory.mktemp("dist")
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
        + ["--disable-pip-version-check", "-w", dist, ROOT],
        cwd=dist,
    )
    (built,) = dist.glob("*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory):
    """A fresh virtual environment with the wheel installed, and a clean environment to run
    it in: nothing inherited that could point at the checkout or at another database."""
    home = tmp_path_factory.mktemp("installed")
    venv = home / "venv"
    uv = [sys.executable, "-m", "uv"]
    run([*uv, "venv", "--quiet", "--python", sys.executable, venv], cwd=home)
    python = venv / "bin" / "python"
    lock = ["pip", "install", "--python", python, "--require-hashes", "-r"]
    lock.append(ROOT / "requirements.txt")
    if run([*uv, *lock, "--offline", "--quiet"], cwd=home, check=False).returncode:
        # Something is not in uv's cache yet: fetch it (once; later runs are offline).
        run([*uv, *lock, "--quiet"], cwd=home)
    run([*uv, "pip", "install", "--python", python, "--no-deps", "--quiet", wheel], cwd=home)
    env = {
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "wheel-test-key-not-secret",
        "DATABASE_URL": f"sqlite:///{home / 'db.sqlite3'}",
        "STATIC_ROOT": str(home / "staticfiles"),
        "EVIDENCE_ROOT": str(home / "evidence"),
        "ALLOWED_HOSTS": "testserver",
        # Plain http for the page fetched below; the HTTPS settings are not under test.
        "SECURE_SSL_REDIRECT": "0",
        "CELERY_BROKER_URL": "memory://",
    }
    yield venv, home, env
    shutil.rmtree(home, ignore_errors=True)


def test_the_wheel_carries_every_package_and_the_data_folders(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    missing = [p for p in checkout_packages() if not any(n.startswith(p) for n in names)]
    assert not missing
    for data in (
        "config/templates/base.html",
        "config/static/css/app.css",
        "config/fixtures/organisations.json",
        "config/fixtures/reports.json",
    ):
        assert data in names
    assert not [n for n in names if n.split("/")[0] in {"tests", "scripts", "frontend"}]


def test_the_installed_wheel_checks_migrates_and_serves_outside_the_checkout(installed):
    venv, home, env = installed
    django_admin = venv / "bin" / "django-admin"

    assert "include-system-site-packages = false" in (venv / "pyvenv.cfg").read_text()
    python = venv / "bin" / "python"
    found = run([python, "-c", "import tracker; print(tracker.__file__)"], cwd=home, env=env)
    assert Path(found.stdout.strip()).is_relative_to(venv)

    assert "no issues" in run([django_admin, "check"], cwd=home, env=env).stdout
    run([django_admin, "migrate", "--noinput", "-v0"], cwd=home, env=env)
    assert (home / "db.sqlite3").stat().st_size > 0
    unapplied = run([django_admin, "showmigrations", "--plan"], cwd=home, env=env).stdout
    assert "[X]" in unapplied
    assert "[ ]" not in unapplied

    run([django_admin, "collectstatic", "--noinput", "-v0"], cwd=home, env=env)
    static = run([django_admin, "findstatic", "css/app.css", "-v0"], cwd=home, env=env).stdout
    assert Path(static.strip()).is_relative_to(venv)

    loaded = run([django_admin, "load_seed_data"], cwd=home, env=env).stdout
    assert "organisations.json" in loaded

    script = textwrap.dedent(
        """
        import json
        import django
        django.setup()
        from django.conf import settings
        from django.template.loader import get_template
        from django.test import Client
        from django.urls import reverse
        from tracker.extraction import load_known_forces
        page = Client().get(reverse(settings.LOGIN_URL))
        print(json.dumps({
            "template": get_template("base.html").origin.name,
            "fixtures": str(settings.FIXTURES_DIR),
            "forces": len(load_known_forces()),
            "status": page.status_code,
            "static": "/static/css/app." in page.content.decode(),
        }))
        """
    )
    seen = json.loads(run([python, "-c", script], cwd=home, env=env).stdout)
    assert Path(seen["template"]).is_relative_to(venv)
    assert Path(seen["fixtures"]).is_relative_to(venv)
    assert seen["forces"] == 43
    assert seen["status"] == 200
    assert seen["static"]
