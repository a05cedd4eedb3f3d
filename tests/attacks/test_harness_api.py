"""Choosing a case: the control API (test mode only), the Scenario menu, and the tenant file."""

from __future__ import annotations

import re
import threading
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from flask import Flask

from mock_idp.app import create_app as create_idp
from mock_idp.config import DEFAULT_TENANT, IdpConfig
from mock_idp.faults.catalogue import CATALOGUE
from mock_idp.tenant import TenantConfigError, load_tenant
from tests.attacks.driver import APP_ID, HARNESS, Browser, expect_refused, queue
from tests.conftest import CERTS, IDP_URL, SP_URL, TENANT_ID
from tests.flows import answer_kmsi, parse_post_page, start_sp_login

NEXT = f"{HARNESS}/apps/{APP_ID}/next-responses"


def test_without_test_mode_there_is_no_harness_and_no_menu(idp_app: Flask, sp_app: Flask) -> None:
    idp = idp_app.test_client()
    for path in ("/faults", "/apps", "/last-response", "/another-origin", "/"):
        assert idp.get(HARNESS + path).status_code == 404
    assert idp.post(NEXT, json={"cases": ["xsw1"]}).status_code == 404
    browser = Browser(sp_app, idp_app)
    browser.idp.get(browser_start(browser))
    page = browser.idp.post(f"/{TENANT_ID}/login", data={"login": "B.Simon@contoso.com"})
    assert "Enter password" in page.text and 'name="scenario"' not in page.text


def browser_start(browser: Browser) -> str:
    return start_sp_login(browser.sp)


def test_a_scenario_field_is_ignored_outside_test_mode(idp_app: Flask, sp_app: Flask) -> None:
    browser = Browser(sp_app, idp_app)
    browser.idp.get(browser_start(browser))
    page = answer_kmsi(
        browser.idp,
        browser.idp.post(
            f"/{TENANT_ID}/login/password",
            data={"login": "B.Simon@contoso.com", "passwd": "Passw0rd!", "scenario": "xsw3"},
        ),
    )
    assert browser.post(parse_post_page(page.text)).status == 303


def test_the_catalogue_as_json_and_markdown(idp_test_app: Flask) -> None:
    idp = idp_test_app.test_client()

    listed = idp.get(f"{HARNESS}/faults").get_json()["faults"]
    table = idp.get(f"{HARNESS}/faults?format=markdown")
    one = idp.get(f"{HARNESS}/faults/xsw3").get_json()

    assert [f["name"] for f in listed] == [c.name for c in CATALOGUE]
    assert table.mimetype == "text/markdown" and "| `xsw3` |" in table.text
    assert one["expected"] == {"verdict": "reject", "refusal": "malformed", "note": ""}
    assert one["profiles"] == ["E:A"] and one["source"].startswith("§3 #10")


def test_an_unknown_case_is_refused_with_a_suggestion(idp_test_app: Flask) -> None:
    idp = idp_test_app.test_client()

    missing = idp.get(f"{HARNESS}/faults/xsw33")
    queued = idp.post(NEXT, json={"cases": ["expired-asertion"]})

    assert missing.status_code == 404 and "Did you mean" in missing.get_json()["error"]
    assert queued.status_code == 400 and "expired-assertion" in queued.get_json()["error"]
    assert idp.get(NEXT).get_json()["next_responses"] == []  # nothing half-queued


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"cases": []}, 400),
        ({"cases": "xsw1"}, 400),
        ({"cases": ["xsw1"], "count": 0}, 400),
        ({"cases": ["xsw1"], "count": True}, 400),
        ({"cases": ["xsw1"], "count": 101}, 400),
        (["xsw1"], 400),
    ],
)
def test_bad_requests_say_what_is_wrong(body: object, status: int, idp_test_app: Flask) -> None:
    response = idp_test_app.test_client().post(NEXT, json=body)

    assert response.status_code == status and response.get_json()["error"]


def test_json_is_required_and_the_app_must_exist(idp_test_app: Flask) -> None:
    idp = idp_test_app.test_client()

    assert idp.post(NEXT, data={"cases": "xsw1"}).status_code == 415
    assert idp.post(f"{HARNESS}/reset", data={}).status_code == 415
    assert (
        idp.post(f"{HARNESS}/apps/nope/next-responses", json={"cases": ["xsw1"]}).status_code == 404
    )


def test_queued_cases_are_used_in_order_then_entra_resumes(
    sp_app: Flask, idp_test_app: Flask
) -> None:
    idp = idp_test_app.test_client()
    created = idp.post(NEXT, json={"cases": ["expired-assertion", "valid"], "count": 1})
    assert created.status_code == 201
    assert created.get_json()["next_responses"] == ["expired-assertion", "valid"]

    outcomes = []
    for _ in range(3):
        browser = Browser(sp_app, idp_test_app)
        outcomes.append(browser.post(browser.sign_in()).status)

    assert outcomes == [403, 303, 303]
    assert idp.get(NEXT).get_json()["next_responses"] == []


def test_count_repeats_and_delete_clears(idp_test_app: Flask) -> None:
    idp = idp_test_app.test_client()
    idp.post(NEXT, json={"cases": ["xsw1", "xsw2"], "count": 2})

    assert idp.get(NEXT).get_json()["next_responses"] == ["xsw1", "xsw2", "xsw1", "xsw2"]
    assert idp.get(f"{HARNESS}/apps").get_json()["apps"][0]["next_responses"][0] == "xsw1"
    assert idp.delete(NEXT).get_json()["next_responses"] == []


def test_last_response_and_history_for_replay_tests(sp_app: Flask, idp_test_app: Flask) -> None:
    idp = idp_test_app.test_client()
    assert idp.get(f"{HARNESS}/last-response").status_code == 404
    browser = Browser(sp_app, idp_test_app)
    posted = browser.sign_in()
    queue(browser.idp, "xsw3")
    Browser(sp_app, idp_test_app).sign_in()

    last = idp.get(f"{HARNESS}/last-response").get_json()
    history = idp.get(f"{HARNESS}/responses").get_json()["responses"]

    assert last["case"] == "xsw3" and last["encoding"] == "base64" and "<Assertion" in last["xml"]
    assert [h["case"] for h in history] == ["xsw3", None]
    assert history[1]["saml_response"] == posted.saml_response and history[1]["replayable"]
    assert idp.get(f"{HARNESS}/last-response?app_id={APP_ID}").get_json()["serial"] == 2


def test_reset_forgets_queues_and_responses(sp_app: Flask, idp_test_app: Flask) -> None:
    idp = idp_test_app.test_client()
    Browser(sp_app, idp_test_app).sign_in()
    idp.post(NEXT, json={"cases": ["xsw1"]})

    assert idp.post(f"{HARNESS}/reset", json={}).get_json() == {"reset": True}
    assert idp.get(NEXT).get_json()["next_responses"] == []
    assert idp.get(f"{HARNESS}/last-response").status_code == 404


def sign_in_with_menu(browser: Browser, scenario: str):  # type: ignore[no-untyped-def]
    browser.idp.get(browser_start(browser))
    page = browser.idp.post(f"/{TENANT_ID}/login", data={"login": "B.Simon@contoso.com"})
    options = re.findall(r'<option value="([^"]*)">', page.text)
    assert options[0] == "" and options[1:] == [c.name for c in CATALOGUE]
    return answer_kmsi(
        browser.idp,
        browser.idp.post(
            f"/{TENANT_ID}/login/password",
            data={"login": "B.Simon@contoso.com", "passwd": "Passw0rd!", "scenario": scenario},
        ),
    )


def test_the_scenario_menu_chooses_this_browsers_next_response(
    sp_app: Flask, idp_test_app: Flask
) -> None:
    browser = Browser(sp_app, idp_test_app)

    page = sign_in_with_menu(browser, "wrong-certificate")

    expect_refused(browser.post(parse_post_page(page.text)), "signature")


def test_an_unknown_menu_choice_is_a_bad_request(sp_app: Flask, idp_test_app: Flask) -> None:
    page = sign_in_with_menu(Browser(sp_app, idp_test_app), "xsw99")

    assert page.status_code == 400 and "no fault case" in page.text


def test_replay_before_any_response_says_what_to_do(sp_app: Flask, idp_test_app: Flask) -> None:
    page = sign_in_with_menu(Browser(sp_app, idp_test_app), "replay")

    assert page.status_code == 409 and "sign in to Trakstar once" in page.text


def test_another_origin_posts_the_last_valid_response(sp_app: Flask, idp_test_app: Flask) -> None:
    idp = idp_test_app.test_client()
    assert idp.get(f"{HARNESS}/another-origin?app_id={APP_ID}").status_code == 404
    first = Browser(sp_app, idp_test_app)
    first.post(first.sign_in())

    stranger = Browser(sp_app, idp_test_app)
    posted = parse_post_page(stranger.idp.get(f"{HARNESS}/another-origin?app_id={APP_ID}").text)

    expect_refused(stranger.post(posted), "unsolicited")
    assert first.whoami() == "Britta Simon"


def tenant_file(tmp_path: Path, scenario: str) -> Path:
    text = DEFAULT_TENANT.read_text().replace(
        'signing = { option = "assertion", algorithm = "sha256" }',
        f'signing = {{ option = "assertion", algorithm = "sha256" }}\nscenario = {scenario}',
    )
    assert scenario in text
    path = tmp_path / "tenant.toml"
    path.write_text(text)
    return path


def idp_from(path: Path, *, test_mode: bool) -> Flask:
    config = IdpConfig(
        base_url=IDP_URL,
        sp_url=SP_URL,
        certs_dir=CERTS,
        secret_key="t",
        tenant_file=path,
        test_mode=test_mode,
    )
    app = create_idp(config)
    app.config["WTF_CSRF_ENABLED"] = False
    return app


def test_a_tenant_file_scenario_applies_to_every_response(tmp_path: Path, sp_app: Flask) -> None:
    idp_app = idp_from(tenant_file(tmp_path, '"audience-mismatch"'), test_mode=False)
    for _ in range(2):
        browser = Browser(sp_app, idp_app)
        expect_refused(browser.post(browser.sign_in()), "invalid")


def test_a_tenant_file_list_applies_to_the_next_responses(tmp_path: Path, sp_app: Flask) -> None:
    idp_app = idp_from(tenant_file(tmp_path, '["not-yet-valid", "sha1"]'), test_mode=False)
    seen = []
    for _ in range(3):
        browser = Browser(sp_app, idp_app)
        seen.append(browser.post(browser.sign_in()).status)

    assert seen == [403, 400, 303]


@pytest.mark.parametrize(
    ("scenario", "message"),
    [
        ('"xsw33"', "Did you mean"),
        ('["valid", 3]', "list of case names"),
        ('"login-csrf"', "needs the mock in test mode"),
    ],
)
def test_a_bad_tenant_scenario_stops_the_mock_at_start(
    scenario: str, message: str, tmp_path: Path
) -> None:
    with pytest.raises(TenantConfigError, match=message):
        idp_from(tenant_file(tmp_path, scenario), test_mode=False)


def test_a_test_mode_only_scenario_loads_in_test_mode(tmp_path: Path) -> None:
    path = tenant_file(tmp_path, '"login-csrf"')
    tenant = load_tenant(
        path,
        substitutions={"SP_URL": SP_URL, "IDP_URL": IDP_URL, "CERTS_DIR": str(CERTS)},
        now=datetime.now(UTC),
    )

    assert tenant.apps[APP_ID].scenario == "login-csrf"
    assert idp_from(path, test_mode=True).test_client().get(f"{HARNESS}/faults").status_code == 200


class _Listener(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        return None


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []
    handler = type("Listener", (_Listener,), {"hits": hits})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


DTD_CASES = [c.name for c in CATALOGUE if c.recipe.serialize and c.section == "D"]


def test_dtd_payloads_make_the_sp_fetch_nothing(
    listener: tuple[str, list[str]], sp_app: Flask
) -> None:
    """The mock's payloads point at a live listener (the probe URL): nothing may arrive."""
    url, hits = listener
    with urllib.request.urlopen(f"{url}/_harness/probe/self-check") as answer:
        assert answer.status == 200 and hits == ["/_harness/probe/self-check"]  # it listens
    hits.clear()
    idp_app = create_idp(
        IdpConfig(base_url=url, sp_url=SP_URL, certs_dir=CERTS, secret_key="t", test_mode=True)
    )
    idp_app.config["WTF_CSRF_ENABLED"] = False
    for name in DTD_CASES:
        browser = Browser(sp_app, idp_app)
        queue(browser.idp, name)
        posted = browser.sign_in()
        expect_refused(browser.post(posted), "malformed")

    assert len(DTD_CASES) == 8
    assert hits == []


def test_the_trainer_page_and_the_probe(idp_test_app: Flask) -> None:
    idp = idp_test_app.test_client()

    page = idp.get(f"{HARNESS}/")
    idp.get(f"{HARNESS}/probe/xxe.dtd")

    assert page.status_code == 200 and all(f"<code>{c.name}</code>" in page.text for c in CATALOGUE)
    assert idp.get(f"{HARNESS}/probes").get_json() == {"probes": ["xxe.dtd"]}
    assert idp.post(f"{HARNESS}/captured/unknown").status_code == 404
    assert idp.get(f"{HARNESS}/another-origin/unknown").status_code == 404


def test_a_scenario_set_at_run_time_is_checked_when_used(
    sp_app: Flask, idp_test_app: Flask
) -> None:
    """A tenant changed while running (admin center, upload) bypassed the start-up check."""
    idp_test_app.extensions["mock_idp"].tenant.apps[APP_ID].scenario = "xsw33"
    browser = Browser(sp_app, idp_test_app)
    browser.idp.get(browser_start(browser))

    page = answer_kmsi(
        browser.idp,
        browser.idp.post(
            f"/{TENANT_ID}/login/password",
            data={"login": "B.Simon@contoso.com", "passwd": "Passw0rd!"},
        ),
    )

    assert page.status_code == 409 and "xsw33" in page.text
