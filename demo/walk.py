"""The seed tutorial, step by step in Chromium, each step photographed for the storyboard.

The same page objects as the tutorial's e2e test (`e2e/pages*.py`) drive both apps. Captions
give each step's title as the tutorial names it and say in our own words what happens. The
sign-in runs in step mode, so the Response is photographed at the moment it would travel.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from demo.storyboard import Storyboard, table_rows
from e2e.pages import EntraSignIn, Perform
from e2e.pages_admin import AdminCenter, EnterpriseApp, MyApps, SetUpValues
from e2e.pages_trace import StepPage, Tracer
from e2e.pages_trakstar import TrakstarAdmin

ROOT = Path(__file__).resolve().parent.parent
B_SIMON = ("B.Simon@contoso.com", "Passw0rd!")
VIEWPORT: ViewportSize = {"width": 1200, "height": 760}
TRAKSTAR_ADMIN_PASSWORD = "Tutorial-Adm1n-Passw0rd"

# Each storyboard step: the tutorial's title for it, and what happens, in our own words.
CAPTIONS = {
    "Find your namespace in Trakstar Perform": (
        "Settings > Authentication & SSO > SAML 2.0 > Configure shows the ACS (Consumer) URL. "
        "Its namespace is what the Reply URL and the Sign on URL in Entra must carry."
    ),
    "Add Trakstar from the gallery": (
        "Enterprise apps > New application: search the gallery for Trakstar and add it. The "
        "gallery entry brings Trakstar's fixed Identifier, https://perform.trakstar.com."
    ),
    "Select a single sign-on method": (
        "The app's Single sign-on blade asks for a method; the tutorial picks SAML."
    ),
    "Basic SAML Configuration": (
        "Reply URL (Assertion Consumer Service URL) and Sign on URL are entered with the "
        "namespace read in Trakstar; the Identifier (Entity ID) stays "
        "https://perform.trakstar.com."
    ),
    "SAML Certificates and Set up Trakstar": (
        "Download the Certificate (Base64) from the SAML Certificates section (the tutorial "
        "calls it SAML Signing Certificate), and copy the Login URL, the Microsoft Entra "
        "Identifier and the Logout URL from Set up Trakstar."
    ),
    "Create a Microsoft Entra test user": (
        "Users > New user: B.Simon, whose user principal name becomes the NameID Trakstar receives."
    ),
    "Assign the Microsoft Entra test user": (
        "Users and groups > Add user/group: B.Simon may now use Trakstar; anyone unassigned is "
        "stopped by Entra (AADSTS50105)."
    ),
    "Configure Trakstar SSO": (
        "Back in Trakstar, the administrator pastes the Login URL, the Microsoft Entra "
        "Identifier, the Logout URL and the downloaded certificate, and saves."
    ),
    "Create Trakstar test user": (
        "People: Britta Simon with B.Simon's email, activated — Trakstar signs in only users "
        "that exist and are active."
    ),
    "The Response, stopped before it is posted": (
        "Step mode holds Entra's auto-post page: the signed Response is decoded and every "
        "value that matters says where it came from. Continue to Trakstar posts it."
    ),
    "Test SSO: go to the Sign on URL": (
        "Trakstar's Sign on URL sends the browser to Entra with an AuthnRequest; Entra asks "
        "B.Simon to sign in."
    ),
    "The AuthnRequest, as it travelled": (
        "Decoded from the Redirect binding (base64, then DEFLATE). Entra finds the app by its "
        "Issuer and checks the ACS URL against the Reply URLs."
    ),
    "Signed in to Trakstar Perform": (
        "Continue posts the Response to the ACS; Trakstar checks it, finds Britta Simon by the "
        "NameID and opens the dashboard with the claims it received."
    ),
    "The flow as a sequence diagram": (
        "Every hop between the browser, Trakstar and Entra, with the time since the start and "
        "the time Entra spent."
    ),
    "Test SSO from My Apps": (
        "The Trakstar tile in My Apps goes to the Sign on URL too, and Entra's session signs "
        "B.Simon in without asking again."
    ),
}


@dataclass(frozen=True, kw_only=True)
class Target:
    sp_url: str
    idp_url: str
    database: Path  # the Trakstar clone's database, for its own CLI
    namespace: str = "tutorial"

    @property
    def admin_email(self) -> str:
        return f"admin@{self.namespace}.example"


def trakstar_cli(target: Target, *args: str, stdin: str = "") -> None:
    """Trakstar's `flask --app sp` commands: a new customer, as Trakstar support would set up."""
    env = {**os.environ, "SP_URL": target.sp_url, "DATABASE_URL": f"sqlite:///{target.database}"}
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "sp", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode != 0:
        raise RuntimeError(f"flask --app sp {' '.join(args)}: {done.stdout}{done.stderr}")


def new_organisation(target: Target) -> None:
    """A Trakstar customer with the SSO entitlement and one administrator, no SAML settings."""
    trakstar_cli(target, "org", "create", target.namespace, "--name", "Tutorial Ltd", "--sso")
    trakstar_cli(
        target, "people", "add", target.namespace, target.admin_email, "--name", "Tutorial Admin",
        "--active", "--admin", "--password-stdin", stdin=TRAKSTAR_ADMIN_PASSWORD + "\n",
    )  # fmt: skip


class Detours:
    """What the walk lets a caller check on the way: the e2e tutorial test's negative twins and
    its assertions on what each step shows (`make demo` takes none). Each is called with what
    the walk holds at that point, after that step's screenshot; here they do nothing."""

    def namespace_read(self, trakstar: TrakstarAdmin, sign_on_url: str) -> None:
        """Trakstar's SAML 2.0 > Configure page is open; nothing is configured anywhere."""

    def basic_saml_saved(self, app: EnterpriseApp) -> None:
        """Entra's Basic SAML Configuration is saved."""

    def certificate_downloaded(
        self, app: EnterpriseApp, certificate: str, values: SetUpValues
    ) -> None:
        """The Certificate (Base64) is downloaded and "Set up Trakstar" read."""

    def test_user_created(self, entra: AdminCenter) -> None:
        """B.Simon exists in Entra, not yet assigned."""

    def before_trakstar_configured(self, trakstar: TrakstarAdmin, values: SetUpValues) -> None:
        """B.Simon is assigned; Trakstar has no certificate yet (unless a detour pasted one)."""

    def trakstar_configured(self, trakstar: TrakstarAdmin) -> None:
        """Trakstar trusts the downloaded certificate (alone) and its SAML settings are saved."""

    def person_added(self, trakstar: TrakstarAdmin) -> None:
        """Britta Simon is a person in Trakstar, not yet activated."""

    def signed_in(self, app: EnterpriseApp) -> None:
        """B.Simon signed in once through the Sign on URL (in step mode, now off)."""

    def finished(self) -> None:
        """B.Simon signed in from My Apps: the tutorial is done."""


def walk(
    browser: Browser,
    target: Target,
    board: Storyboard,
    downloads: Path,
    detours: Detours | None = None,
) -> None:
    contexts: list[BrowserContext] = []

    def new_page() -> Page:
        context = browser.new_context(accept_downloads=True, viewport=VIEWPORT)
        contexts.append(context)
        return context.new_page()

    try:
        _walk(new_page, target, board, downloads, detours or Detours())
    finally:
        for context in contexts:
            context.close()


def _walk(
    new_page: Callable[[], Page],
    target: Target,
    board: Storyboard,
    downloads: Path,
    detours: Detours,
) -> None:
    new_organisation(target)
    trakstar = TrakstarAdmin(new_page(), target.sp_url)
    trakstar.sign_in(target.admin_email, TRAKSTAR_ADMIN_PASSWORD)
    trakstar.open_saml_configure()
    acs_url, sign_on_url = trakstar.acs_url(), trakstar.sign_on_url()
    board.shot(trakstar.page, "Find your namespace in Trakstar Perform")
    detours.namespace_read(trakstar, sign_on_url)

    entra = AdminCenter(new_page(), target.idp_url)
    entra.sign_in()
    app = entra.add_from_gallery("Trakstar", "Trakstar")
    entra.expect_notification("Successfully added application Trakstar.")
    board.shot(entra.page, "Add Trakstar from the gallery")
    app.open_single_sign_on()
    board.shot(entra.page, "Select a single sign-on method")
    app.choose_saml()
    app.edit_basic_saml(reply_url=acs_url, sign_on_url=sign_on_url)
    entra.expect_notification("Successfully updated Trakstar.")
    board.shot(entra.page, "Basic SAML Configuration")
    detours.basic_saml_saved(app)
    certificate = app.download("Certificate (Base64)", downloads).read_text()
    values = app.set_up_values()
    board.shot(entra.page.locator("main"), "SAML Certificates and Set up Trakstar")
    detours.certificate_downloaded(app, certificate, values)

    entra.create_user(B_SIMON[0], "B.Simon", B_SIMON[1])
    board.shot(entra.page, "Create a Microsoft Entra test user")
    detours.test_user_created(entra)
    app = entra.open_app("Trakstar")
    app.assign("B.Simon")
    board.shot(entra.page, "Assign the Microsoft Entra test user")

    detours.before_trakstar_configured(trakstar, values)
    trakstar.fill_saml(
        login_url=values.login_url,
        identifier=values.identifier,
        logout_url=values.logout_url,
        certificate=certificate,
    )
    keep = trakstar.page.get_by_label(re.compile("keep trusting the current one"))
    if keep.count():  # a certificate pasted before: the downloaded one replaces it outright
        keep.uncheck()
    trakstar.save_saml()
    expect(
        trakstar.page.get_by_role("status").filter(has_text="SAML settings saved.")
    ).to_be_visible()
    board.shot(trakstar.page, "Configure Trakstar SSO")
    detours.trakstar_configured(trakstar)
    trakstar.open_people()
    trakstar.add_person("Britta Simon", B_SIMON[0])
    detours.person_added(trakstar)
    trakstar.activate("Britta Simon", B_SIMON[0])
    board.shot(trakstar.page, "Create Trakstar test user")

    _test_sso(new_page, target, board, sign_on_url)
    detours.signed_in(app)

    portal = MyApps(new_page(), target.idp_url)
    portal.open(*B_SIMON)
    board.shot(portal.page, "Test SSO from My Apps")
    portal.launch("Trakstar")
    Perform(portal.page, target.sp_url).expect_dashboard_for("Britta Simon")
    detours.finished()


def _test_sso(
    new_page: Callable[[], Page], target: Target, board: Storyboard, sign_on_url: str
) -> None:
    tracer = Tracer(new_page(), target.idp_url)
    tracer.set_step_mode(True)
    try:
        user: Page = new_page()
        user.goto(sign_on_url)
        signin = EntraSignIn(user)
        signin.expect_shown()
        board.shot(user, "Test SSO: go to the Sign on URL")
        signin.sign_in(*B_SIMON)
        stop = StepPage(user)
        stop.expect_stopped()

        tracer.open_latest_flow()
        request = tracer.page.locator('section.message[data-kind="AuthnRequest"]').first
        board.shot(
            request,
            "The AuthnRequest, as it travelled",
            table_title="AuthnRequest annotations",
            table=table_rows(request.locator("table.notes")),
        )
        response = user.get_by_role("table", name="Response annotations")
        board.shot(
            user,
            "The Response, stopped before it is posted",
            table_title="Response annotations",
            table=table_rows(response),
        )

        stop.continue_to("Trakstar")
        perform = Perform(user, target.sp_url)
        perform.expect_dashboard_for("Britta Simon")
        board.shot(
            user,
            "Signed in to Trakstar Perform",
            table_title="Final claims",
            table=table_rows(user.get_by_role("table", name="SAML claims")),
        )
        tracer.open_latest_sequence("sign-in")
        board.shot(tracer.page, "The flow as a sequence diagram")
    finally:
        tracer.set_step_mode(False)
