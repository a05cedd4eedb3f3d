"""`make demo`'s storyboard: every tutorial step photographed and captioned, every image there.

It runs what `make demo` runs (`demo.__main__.storyboard`) against this session's apps, with the
tenant reset to the empty one, instead of starting a second pair of apps and a second browser.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from demo.__main__ import storyboard
from demo.walk import CAPTIONS, Target
from e2e.conftest import Harness
from e2e.pages_admin import TenantApi

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.mark.docs_command("make demo")
def test_the_storyboard_is_written_and_every_image_it_references_exists(
    harness: Harness, browser: Browser, tmp_path: Path
) -> None:
    api = TenantApi(harness.idp_url, harness.api_token)
    api.reset("empty.toml")
    try:
        target = Target(
            sp_url=harness.sp_url,
            idp_url=harness.idp_url,
            database=harness.database,
            namespace="storyboard",
        )
        page = storyboard(browser, target, tmp_path / "storyboard", downloads=tmp_path)
    finally:
        api.reset()

    text = page.read_text(encoding="utf-8")
    images = re.findall(r'<img src="([^"]+)"', text)
    assert len(images) == len(CAPTIONS) == len(set(images))
    for image in images:
        assert (page.parent / image).read_bytes().startswith(PNG), image
    for title, caption in CAPTIONS.items():
        assert html.escape(title) in text and html.escape(caption) in text
    assert not re.search(r'(src|href)="(https?:)?//', text) and "<script" not in text  # offline
    steps = {
        s["title"]: s for s in json.loads((page.parent / "storyboard.json").read_text())["steps"]
    }
    response = dict(
        (row[0], row[1]) for row in steps["The Response, stopped before it is posted"]["table"]
    )
    assert response["Audience"] == "https://perform.trakstar.com"
    assert response["NameID"] == "B.Simon@contoso.com"
    request = dict((row[0], row[1]) for row in steps["The AuthnRequest, as it travelled"]["table"])
    assert request["Issuer"] == "https://perform.trakstar.com"
    claims = steps["Signed in to Trakstar Perform"]["table"]
    assert ["NameID", "B.Simon@contoso.com"] in claims
