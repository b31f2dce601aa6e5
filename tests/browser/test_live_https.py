"""``backsafe serve --host 0.0.0.0 --https`` as a phone on the network sees it: Chromium opens the live page by the
machine's LAN address (not localhost, which browsers trust anyway) and the page is a secure context, so the camera
API is there. Accepting the self-signed certificate stands in for the person's one tap (``ignore_https_errors``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser]

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "web"))


def test_live_page_by_lan_address_is_a_secure_context(chromium_ready: Path, tmp_path: Path, pw: Any) -> None:
    """Its own Chromium (it must accept the self-signed certificate), launched from the worker's one Playwright."""
    pytest.importorskip("cryptography")
    from backsafe.web.tls import lan_ipv4
    from live_driver import BASE_ARGS, sign_up_and_log_in
    from webhelpers import serve_subprocess

    lan = lan_ipv4()
    if not lan:
        pytest.skip("this machine has no LAN IPv4 address")
    with serve_subprocess(tmp_path, ["--https"], host="0.0.0.0") as s:
        assert f"https://{lan[0]}:{s.port}/" in s.log.read_text()
        base = f"https://{lan[0]}:{s.port}"
        browser = pw.chromium.launch(executable_path=str(chromium_ready), args=BASE_ARGS)
        context = browser.new_context(ignore_https_errors=True, viewport={"width": 390, "height": 844})
        try:
            page = context.new_page()
            sign_up_and_log_in(page, base)
            page.goto(base + "/live")
            assert page.url == base + "/live"
            secure = page.evaluate("() => [window.isSecureContext, location.protocol,"
                                   " typeof navigator.mediaDevices?.getUserMedia]")
            assert secure == [True, "https:", "function"]
        finally:
            context.close()
            browser.close()
