"""The Welsh demo body in a real browser, with axe-core on every page: Dyfed-Powys' public
page served in Welsh (lang="cy") linking to its English version, its SAMPLE response in
Welsh with both documents side by side, and the PCC office's page to write a response in
both languages."""

import pytest
from playwright.sync_api import expect

from tests.browser.pages import check_accessibility, sign_in
from tracker.demo_wales import SAMPLE_REPORT
from tracker.models import StatutoryResponse

pytestmark = pytest.mark.browser

OFFICER = "rhian.evans@dyfed-powys-pcc.example"


def test_the_welsh_public_page_links_to_its_english_version(page, live_server, demo):
    base = live_server.url
    page.goto(f"{base}/public/dyfed-powys-pcc/?lang=cy")
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    main = page.locator("main")
    expect(main).to_contain_text("Comisiynydd Heddlu a Throseddu Dyfed-Powys")
    check_accessibility(page, "welsh-public-body-cy")

    # The response in Welsh: the Welsh document, both documents offered side by side.
    page.get_by_role("link", name="ADRODDIAD ENGHREIFFTIOL").first.click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.locator("article.app-response")).to_have_attribute("lang", "cy")
    expect(main).to_contain_text("YMATEB ENGHREIFFTIOL AR GYFER Y DEMO")
    expect(page.locator('a[href$="document.pdf?lang=cy"]')).to_be_visible()
    expect(page.locator('a[href$="document.pdf"]')).to_be_visible()
    check_accessibility(page, "welsh-public-response-cy")

    # The switch to English: the same response, in English.
    english = page.locator('nav.app-language-switch a[hreflang="en-GB"]')
    expect(english).to_have_attribute("lang", "en-GB")
    english.click()
    page.wait_for_load_state()
    expect(page.locator("html")).not_to_have_attribute("lang", "cy")
    expect(main).to_contain_text("SAMPLE RESPONSE FOR THE DEMO")
    check_accessibility(page, "welsh-public-response-en")

    # A language not offered: a page that says which there are.
    page.goto(f"{base}/public/dyfed-powys-pcc/?lang=fr")
    expect(main).to_contain_text("in Welsh (lang=cy) only")
    check_accessibility(page, "welsh-public-language-not-offered")


def test_the_office_writes_each_part_in_both_languages(page, live_server, demo):
    base = live_server.url
    response = StatutoryResponse.objects.get(report__key=SAMPLE_REPORT)
    sign_in(page, base, OFFICER)
    page.goto(f"{base}/responses/{SAMPLE_REPORT}/{response.force.code}/edit/")
    expect(page.locator("#id_pcc_comments_cy")).to_have_attribute("lang", "cy")
    check_accessibility(page, "welsh-response-edit")
    page.goto(f"{base}/reports/{SAMPLE_REPORT}/")
    expect(page.locator("#welsh-edition a[lang=cy]")).to_be_visible()
    check_accessibility(page, "welsh-report-with-edition")
