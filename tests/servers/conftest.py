import pytest

from tests.servers.live import CHROMIUM, CHROMIUM_FLAGS, unavailable


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, driven by playwright."""
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing: `apt-get install chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()
