"""Page objects for the mock's Microsoft Entra admin center and My Apps, in the tutorial's words.

Every step of the seed tutorial's Entra side has a method here: add Trakstar from the gallery,
open Single sign-on, choose SAML, edit Basic SAML Configuration, download the Certificate
(Base64), read the three "Set up Trakstar" values, create a user, assign them, Test this
application, and the My Apps tile. `TenantApi` resets the tenant between tests.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect

from e2e.pages import EntraSignIn

ADMIN_UPN = "admin@contoso.com"
ADMIN_PASSWORD = "Adm1n-Passw0rd!"


@dataclass(frozen=True)
class SetUpValues:
    """The "Set up <app>" section: what the SP's administrator copies."""

    login_url: str
    identifier: str
    logout_url: str


class AdminCenter:
    """The admin center's frame: sign-in, navigation, notifications and errors."""

    def __init__(self, page: Page, idp_url: str) -> None:
        self.page = page
        self.idp_url = idp_url

    def sign_in(self, upn: str = ADMIN_UPN, password: str = ADMIN_PASSWORD) -> None:
        """Sign in to the Microsoft Entra admin center (its own session, not an SSO one)."""
        self.page.goto(f"{self.idp_url}/admin/")
        expect(self.page.get_by_text("to continue to Microsoft Entra admin center")).to_be_visible()
        self.page.get_by_label("Email, phone, or Skype").fill(upn)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        expect(self.page.locator("#signed-in-admin")).to_have_text(upn.casefold())

    def nav(self, name: str) -> None:
        """A link of the left navigation (back to the admin center first, from elsewhere)."""
        if not self.page.url.startswith(f"{self.idp_url}/admin/"):
            self.page.goto(f"{self.idp_url}/admin/")
        self.page.get_by_role("navigation", name="Admin center").get_by_role(
            "link", name=name, exact=True
        ).click()

    def expect_notification(self, text: str) -> None:
        expect(self.page.get_by_role("status").filter(has_text=text)).to_be_visible()

    def expect_error(self, text: str) -> None:
        expect(self.page.locator("#form-error")).to_contain_text(text)

    # --- Entra ID > Enterprise apps ------------------------------------------------------

    def open_enterprise_apps(self) -> None:
        self.nav("Enterprise apps")
        expect(self.page.get_by_role("heading", name="Enterprise applications")).to_be_visible()

    def add_from_gallery(self, search: str, app: str, name: str | None = None) -> EnterpriseApp:
        """Enterprise apps > New application > search > select > Create."""
        self.open_enterprise_apps()
        self.page.get_by_role("link", name="+ New application").click()
        self.page.get_by_label("Search application").fill(search)
        self.page.get_by_role("button", name="Search").click()
        self.page.get_by_role("region", name="Gallery results").get_by_role(
            "link", name=app
        ).click()
        panel = self.page.get_by_role("region", name=app, exact=True)
        if name is not None:
            panel.get_by_label("Name").fill(name)
        panel.get_by_role("button", name="Create").click()
        return EnterpriseApp(self)

    def open_app(self, name: str) -> EnterpriseApp:
        self.open_enterprise_apps()
        self.page.get_by_role("table", name="All applications").get_by_role(
            "link", name=name, exact=True
        ).click()
        expect(self.page.get_by_role("heading", name=f"{name} | Overview")).to_be_visible()
        return EnterpriseApp(self)

    # --- Entra ID > Users ----------------------------------------------------------------

    def create_user(self, upn: str, display_name: str, password: str | None = None) -> str:
        """Users > New user > Create new user; returns the password (auto-generated if None)."""
        self.nav("Users")
        self.page.get_by_role("link", name="+ New user").click()
        self.page.get_by_label("User principal name").fill(upn)
        self.page.get_by_label("Display name").fill(display_name)
        field = self.page.get_by_label("Password")
        if password is not None:
            field.fill(password)
        chosen = field.input_value()
        self.page.get_by_role("button", name="Create").click()
        self.expect_notification(f"Successfully created user {upn}.")
        expect(self.page.locator("#new-password")).to_have_text(chosen)  # once, after Create
        return chosen


class EnterpriseApp:
    """One enterprise app's blades: Overview, Properties, Users and groups, Single sign-on."""

    def __init__(self, center: AdminCenter) -> None:
        self.center = center
        self.page = center.page

    # --- Single sign-on --------------------------------------------------------------------

    def open_single_sign_on(self) -> None:
        self.page.locator("#nav-single-sign-on").click()

    def choose_saml(self) -> None:
        """ "Select a single sign-on method" > SAML."""
        expect(
            self.page.get_by_role("heading", name="Select a single sign-on method")
        ).to_be_visible()
        assert self.overflowing_method_tiles() == []
        self.page.get_by_role("button", name="SAML").click()
        self.expect_saml_page()

    def overflowing_method_tiles(self) -> list[str]:
        """The sign-on method tiles whose text does not fit inside their box, as laid out."""
        return list(
            self.page.locator(".tile").evaluate_all(
                """tiles => tiles.filter(t => t.scrollWidth > t.clientWidth
                                           || t.scrollHeight > t.clientHeight)
                                 .map(t => t.id)"""
            )
        )

    def expect_saml_page(self) -> None:
        expect(
            self.page.get_by_role("heading", name="Set up Single Sign-On with SAML")
        ).to_be_visible()

    def edit_basic_saml(
        self,
        *,
        reply_url: str | None = None,
        sign_on_url: str | None = None,
        logout_url: str | None = None,
        relay_state: str | None = None,
        identifier: str | None = None,
    ) -> None:
        """The pencil of Basic SAML Configuration, the fields, Save (errors stay on the form)."""
        self.page.get_by_role("link", name="Edit Basic SAML Configuration").click()
        expect(self.page.get_by_role("heading", name="Basic SAML Configuration")).to_be_visible()
        values = {
            "#identifier-0": identifier,
            "#reply-url-0": reply_url,
            "#sign-on-url": sign_on_url,
            "#logout-url": logout_url,
            "#relay-state": relay_state,
        }
        for selector, value in values.items():
            if value is not None:
                self.page.locator(selector).fill(value)
        self.page.get_by_role("button", name="Save", exact=True).click()

    def basic_saml_value(self, field: str) -> str:
        """A row of section 1 as shown: identifier, reply-url, sign-on-url, relay-state…"""
        return self.page.locator(f"#basic-{field}").inner_text().strip()

    def download(self, label: str, folder: Path) -> Path:
        """A download of section 3: "Certificate (Base64)", "Certificate (Raw)" or
        "Federation Metadata XML"."""
        with self.page.expect_download() as info:
            self.page.get_by_role("link", name=f"Download {label}").click()
        download = info.value
        # Entra names Base64 and Raw alike (Trakstar.cer): keep both apart.
        kind = re.sub(r"\W+", "-", label).strip("-").lower()
        target = folder / f"{kind}-{download.suggested_filename}"
        download.save_as(target)
        return target

    def thumbprint(self) -> str:
        return self.page.locator("#certificate-thumbprint").inner_text().strip()

    def set_up_values(self) -> SetUpValues:
        """Section 4, "Set up <app>": Login URL, Microsoft Entra Identifier, Logout URL."""
        return SetUpValues(
            login_url=self.page.locator("#login-url").inner_text().strip(),
            identifier=self.page.locator("#entra-identifier").inner_text().strip(),
            logout_url=self.page.locator("#logout-url").inner_text().strip(),
        )

    def copy(self, label: str) -> None:
        button = self.page.get_by_role("button", name=f"Copy {label}")
        button.click()
        expect(button).to_have_text("Copied")

    def test_this_application(self) -> Page:
        """The sign-in opens in a new tab, as in Entra; the admin center stays where it was."""
        with self.page.expect_popup() as popup:
            self.page.get_by_role("link", name="Test this application").click()
        self.expect_saml_page()
        return popup.value

    # --- SAML Signing Certificate ----------------------------------------------------------

    def open_certificates(self) -> None:
        self.page.get_by_role("link", name="Edit SAML Signing Certificate").click()
        expect(self.page.get_by_role("heading", name="SAML Signing Certificate")).to_be_visible()

    def certificate_rows(self) -> Locator:
        return self.page.get_by_role("table", name="Certificates").locator("tr[id^=certificate-]")

    def new_certificate(self) -> str:
        """+ New Certificate > Save; returns the new (Inactive) certificate's thumbprint."""
        before = set(self._thumbprints())
        self.page.get_by_role("form", name="New Certificate").get_by_role(
            "button", name="Save"
        ).click()
        self.center.expect_notification("saved as Inactive")
        [new] = set(self._thumbprints()) - before
        return new

    def make_active(self, thumbprint: str) -> None:
        self.page.get_by_role("button", name=f"Make certificate active {thumbprint}").click()
        self.center.expect_notification(f"Certificate {thumbprint} is now Active")

    def status_of(self, thumbprint: str) -> str:
        return self.page.locator(f"#certificate-{thumbprint} .status").inner_text().strip()

    def download_certificate(self, thumbprint: str, kind: str, folder: Path) -> Path:
        """kind: "Base64", "PEM" or "Raw" (any certificate, active or not)."""
        with self.page.expect_download() as info:
            self.page.get_by_role("link", name=f"{kind} certificate download {thumbprint}").click()
        target = folder / f"{thumbprint}-{kind}-{info.value.suggested_filename}"
        info.value.save_as(target)
        return target

    def _thumbprints(self) -> list[str]:
        rows = self.certificate_rows().all()
        return [(row.get_attribute("id") or "").removeprefix("certificate-") for row in rows]

    # --- Users and groups ------------------------------------------------------------------

    def open_users_and_groups(self) -> None:
        self.page.get_by_role("link", name="Users and groups", exact=True).click()
        expect(
            self.page.get_by_role("heading", name=re.compile(r"\| Users and groups$"))
        ).to_be_visible()

    def assigned(self) -> Locator:
        return self.page.get_by_role("table", name="Assigned users and groups")

    def assign(self, display_name: str) -> None:
        """+ Add user/group > select > Assign."""
        self.open_users_and_groups()
        self.page.get_by_role("link", name="+ Add user/group").click()
        self.page.get_by_role("textbox", name="Users and groups").fill(display_name)
        self.page.get_by_role("button", name="Search").click()
        self.page.get_by_role("checkbox", name=f"Select {display_name}").check()
        self.page.get_by_role("button", name="Assign").click()
        self.center.expect_notification(f"{display_name} assigned to")
        expect(self.assigned()).to_contain_text(display_name)

    def unassign(self, display_name: str) -> None:
        self.open_users_and_groups()
        self.page.get_by_role("checkbox", name=f"Select {display_name}").check()
        self.page.get_by_role("button", name="Remove").click()
        self.center.expect_notification(f"Removed {display_name}")
        expect(self.page.get_by_role("checkbox", name=f"Select {display_name}")).to_have_count(0)


class MyApps:
    """myapps.microsoft.com on the mock: the signed-in user's tiles."""

    def __init__(self, page: Page, idp_url: str) -> None:
        self.page = page
        self.idp_url = idp_url

    def open(self, upn: str | None = None, password: str = "Passw0rd!") -> None:
        """My Apps; signs in on Entra's pages first when `upn` is given."""
        self.page.goto(f"{self.idp_url}/myapps/")
        if upn is not None:
            EntraSignIn(self.page).sign_in(upn, password)
        expect(self.page.get_by_role("heading", name="Apps")).to_be_visible()

    def tile(self, name: str) -> Locator:
        return self.page.get_by_role("region", name="Apps").get_by_role("link", name=name)

    def launch(self, name: str) -> None:
        self.tile(name).click()


class TenantApi:
    """The mock's automation API from a test: reset the tenant, export it, call Graph."""

    def __init__(self, idp_url: str, token: str) -> None:
        self.idp_url = idp_url
        self.token = token

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.idp_url}{path}",
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                text = response.read().decode()
        except urllib.error.HTTPError as error:
            raise AssertionError(
                f"{method} {path}: {error.code} {error.read().decode()}"
            ) from error
        return json.loads(text) if text else None

    def reset(self, file: str | None = None) -> Any:
        """Back to the mock's startup tenant, or to a packaged tenant file by name."""
        return self.call("POST", "/mock/tenant/reset" + (f"?file={file}" if file else ""))
