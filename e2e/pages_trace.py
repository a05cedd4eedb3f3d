"""Page objects for the mock's SAML tracer: the flow list, step mode, a flow's sequence diagram."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect


class Tracer:
    """`/trace/` on the mock Entra ID: recent flows and the step-mode switch."""

    def __init__(self, page: Page, idp_url: str) -> None:
        self.page = page
        self.idp_url = idp_url

    def open(self) -> None:
        self.page.goto(f"{self.idp_url}/trace/")
        expect(self.page.get_by_role("heading", name="SAML tracer")).to_be_visible()

    def set_step_mode(self, on: bool) -> None:
        self.open()
        wanted = "on" if on else "off"
        switch = self.page.get_by_role("form", name="Step mode")
        if not switch.get_by_text(f"Step mode is {wanted}").is_visible():
            switch.get_by_role("button", name=f"Turn step mode {wanted}").click()
        expect(switch.get_by_text(f"Step mode is {wanted}")).to_be_visible()

    def open_latest_sequence(self, kind: str = "sign-in") -> None:
        """The newest flow of this kind, then its sequence diagram."""
        self.open()
        row = self.page.get_by_role("table", name="Recent flows").locator("tr.flow")
        row.filter(has=self.page.get_by_role("link", name=kind, exact=True)).first.get_by_role(
            "link", name="Sequence diagram"
        ).click()
        expect(self.page.get_by_role("img", name="Sequence diagram")).to_be_visible()

    def open_latest_flow(self, kind: str = "sign-in") -> None:
        """The newest flow of this kind: its hops and messages."""
        self.open()
        rows = self.page.get_by_role("table", name="Recent flows").locator("tr.flow")
        link = self.page.get_by_role("link", name=kind, exact=True)
        rows.filter(has=link).first.get_by_role("link", name=kind, exact=True).click()
        expect(self.page.get_by_role("table", name="Hops")).to_be_visible()

    def arrows(self) -> Locator:
        return self.page.get_by_role("img", name="Sequence diagram").locator("g.arrow")


class StepPage:
    """Step mode's stop: the decoded Response, its annotations, "Continue to <app>"."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def expect_stopped(self) -> None:
        heading = "Step mode: Entra's Response, before it is posted"
        expect(self.page.get_by_role("heading", name=heading)).to_be_visible()

    def note(self, label: str) -> tuple[str, str]:
        """(value, what it is ← where it came from) of one annotation."""
        row = self.page.get_by_role("table", name="Response annotations").locator(
            f'tr[data-label="{label}"]'
        )
        expect(row).to_have_count(1)
        return row.locator("td.value").inner_text(), row.locator("td.text").inner_text()

    def continue_to(self, app: str) -> None:
        self.page.get_by_role("button", name=re.compile(f"^Continue to {re.escape(app)}$")).click()
