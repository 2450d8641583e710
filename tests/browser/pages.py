"""What the browser tests do on a page: sign in (with the two-factor step when asked), and
check it with axe-core (WCAG 2.2 AA), keeping a screenshot in test-artifacts/. The fixtures
(browser, page, demo) are in tests/browser/conftest.py."""

from pathlib import Path
from urllib.parse import urljoin

from django.utils import timezone

from accounts.models import TwoFactorDevice
from accounts.two_factor import next_usable_code

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# The password every demo account gets in the browser tests (the demo fixture sets it).
PASSWORD = "a-demo-password-for-tests"


def check_accessibility(page, name):
    """Run axe-core on the current page; fail listing every WCAG 2.2 AA violation.

    It waits for the page to have loaded first: right after a click that navigates, the new
    document may exist with nothing parsed yet, and axe would be run on an empty document."""
    page.wait_for_load_state("load")
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
    assert violations == [], f"axe found problems on {name}:\n" + "\n".join(violations)


def follow(page, name, exact=False):
    """Click the link called `name` and wait until the page it leads to has loaded, so that
    what comes next (axe above all) never runs on the page being left or a half-made one."""
    link = page.get_by_role("link", name=name, exact=exact)
    target = urljoin(page.url, link.get_attribute("href"))
    link.click()
    page.wait_for_url(target)


def sign_in(page, base, email):
    page.goto(f"{base}/account/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if "/account/sign-in/code/" in page.url:
        enter_two_factor_code(page, email)


def enter_two_factor_code(page, email):
    """The second sign-in step for an account with an authenticator app: the code the app
    would show now (pyotp, from the stored key), as a person would type it."""
    device = TwoFactorDevice.objects.get(user__email=email)
    code = next_usable_code(device, at=timezone.now())
    page.get_by_label("Code from your authenticator app").fill(code)
    page.get_by_role("button", name="Continue").click()
