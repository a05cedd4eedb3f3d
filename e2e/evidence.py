"""Evidence of every failing test in `test-results/<test id>/`, and `test-results/junit.xml` always.

A pytest plugin (the root conftest.py loads it). For a failing test its folder holds:

- `failure.txt`: the failure as pytest reports it, with the test's captured output and log lines
  (for the fast tests the apps run in-process, so their log lines are here);
- `browser-<n>/trace.zip` (a DOM snapshot at every action; open it with `playwright show-trace`)
  and `browser-<n>/screenshot.png` (one per open page) for every browser context the test
  opened, by the `page` fixture or by `browser.new_context()` itself: every context is traced
  from its start, and the trace is kept only when the test fails;
- `saml/`: every SAML message that travelled through those browsers, decoded (`index.txt` lists
  them in order: method, URL, parameter, RelayState);
- `sp.log` and `mock_idp.log`: both apps' log lines written while the test ran (e2e tests);
- `mock-responses.json`: the responses the mock issued meanwhile, decoded (its test-mode API).

Passing tests leave nothing. The folder of the last run is removed when a run starts.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import re
import shutil
import tempfile
import urllib.request
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from hashlib import sha256
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

import pytest

DEFAULT_DIR = "test-results"
SAML_PARAMS = ("SAMLRequest", "SAMLResponse")
_EVIDENCE = pytest.StashKey["Evidence"]()
_current: Evidence | None = None  # the test running in this process (xdist: one per worker)


class HarnessLike(Protocol):
    idp_url: str
    sp_log: Path
    idp_log: Path


def folder_name(nodeid: str) -> str:
    """`e2e/test_x.py::test_y[chromium]` → `e2e-test_x.py-test_y-chromium` (≤ 120 characters)."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", nodeid).strip("-")
    if len(slug) <= 120:
        return slug
    return f"{slug[:60]}-{sha256(nodeid.encode()).hexdigest()[:8]}-{slug[-50:]}"


def decode_saml(value: str, *, deflated: bool) -> str:
    """The XML of a SAMLRequest/SAMLResponse parameter (HTTP-Redirect values are DEFLATEd)."""
    try:
        raw = base64.b64decode(value, validate=False)
    except (binascii.Error, ValueError):
        return f"(not base64) {value[:200]}"
    if deflated or raw.lstrip()[:1] != b"<":
        with contextlib.suppress(zlib.error):
            raw = zlib.decompressobj(-15).decompress(raw, 1024 * 1024)
    return raw.decode("utf-8", errors="replace")


@dataclass
class SamlMessage:
    method: str
    url: str
    param: str
    xml: str
    relay_state: str | None


@dataclass
class Evidence:
    """What one test leaves behind if it fails."""

    nodeid: str
    folder: Path
    reports: dict[str, pytest.TestReport] = field(default_factory=dict)
    contexts: list[Any] = field(default_factory=list)  # playwright BrowserContext
    collected: set[int] = field(default_factory=set)
    messages: list[SamlMessage] = field(default_factory=list)
    harness: HarnessLike | None = None
    log_offsets: dict[str, int] = field(default_factory=dict)
    first_serial: int = 0
    _scratch: Path | None = None

    # -- state of the test -------------------------------------------------------------------
    def failed(self) -> bool:
        return any(r.failed for r in self.reports.values())

    def decided(self) -> bool:
        """Known to have failed or passed: the call is over, or the set-up failed or skipped."""
        setup = self.reports.get("setup")
        return "call" in self.reports or (setup is not None and not setup.passed)

    def scratch(self) -> Path:
        if self._scratch is None:
            self._scratch = Path(tempfile.mkdtemp(prefix="evidence-"))
        return self._scratch

    # -- browsers ----------------------------------------------------------------------------
    def watch(self, context: Any) -> None:
        index = len(self.contexts) + 1
        self.contexts.append(context)
        # DOM snapshots per action, no screencast: the filmstrip costs CPU on every test.
        context.tracing.start(title=self.nodeid, screenshots=False, snapshots=True)
        context.on("request", self._record)
        close = context.close

        def collect_then_close(*args: Any, **kwargs: Any) -> None:
            self.collect(context, index)
            close(*args, **kwargs)

        context.close = collect_then_close

    def collect(self, context: Any, index: int) -> None:
        """Keep this context's trace and screenshots if the test failed, else drop them."""
        if index in self.collected:
            return
        self.collected.add(index)
        if self.decided() and not self.failed():
            _quietly(context.tracing.stop)
            return
        # Failed, or closed mid-test: keep them aside until the outcome is known.
        base = self.folder if self.decided() else self.scratch()
        target = base / f"browser-{index}"
        target.mkdir(parents=True, exist_ok=True)
        for number, page in enumerate(context.pages, start=1):
            name = "screenshot.png" if number == 1 else f"screenshot-{number}.png"
            _quietly(lambda p=page, n=name: p.screenshot(path=target / n, timeout=5000))
        _quietly(lambda: context.tracing.stop(path=target / "trace.zip"))

    def _record(self, request: Any) -> None:
        found = [(p, v[0], True) for p, v in parse_qs(urlsplit(request.url).query).items()]
        relay = parse_qs(urlsplit(request.url).query).get("RelayState", [None])[0]
        if request.method == "POST" and "SAML" in (request.post_data or ""):
            form = parse_qs(request.post_data)
            found += [(p, v[0], False) for p, v in form.items()]
            relay = form.get("RelayState", [relay])[0]
        for param, value, deflated in found:
            if param in SAML_PARAMS:
                xml = decode_saml(value, deflated=deflated)
                self.messages.append(SamlMessage(request.method, request.url, param, xml, relay))

    # -- the apps ----------------------------------------------------------------------------
    def remember_start(self, harness: HarnessLike) -> None:
        self.harness = harness
        for name, path in (("sp.log", harness.sp_log), ("mock_idp.log", harness.idp_log)):
            self.log_offsets[name] = path.stat().st_size if path.exists() else 0
        last = self._mock_responses("/_harness/last-response")  # one record, not all of them
        self.first_serial = max((r["serial"] for r in last), default=0) + 1

    def _mock_responses(self, path: str = "/_harness/responses") -> list[dict[str, Any]]:
        assert self.harness is not None
        url = f"{self.harness.idp_url}{path}"
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:  # loopback, the test's mock
                found = json.load(answer)
        except (OSError, ValueError):  # 404: nothing issued yet
            return []
        rows: list[dict[str, Any]] = found.get("responses", [found]) if found else []
        return rows

    # -- the end -----------------------------------------------------------------------------
    def collect_open(self) -> None:
        """Before any fixture is torn down: the pages are still there, the browser too."""
        for index, context in enumerate(self.contexts, start=1):
            self.collect(context, index)

    def finish(self) -> None:
        if self.failed():
            self._write()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)

    def _write(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if self._scratch is not None:
            for kept in self._scratch.iterdir():
                shutil.move(kept, self.folder / kept.name)
        (self.folder / "failure.txt").write_text(self._failure_text())
        if self.messages:
            saml = self.folder / "saml"
            saml.mkdir(exist_ok=True)
            lines = []
            for number, message in enumerate(self.messages, start=1):
                name = f"{number:02d}-{message.method}-{message.param}.xml"
                (saml / name).write_text(message.xml)
                lines.append(f"{name}\t{message.url}\tRelayState={message.relay_state}")
            (saml / "index.txt").write_text("\n".join(lines) + "\n")
        if self.harness is not None:
            for name, path in (
                ("sp.log", self.harness.sp_log),
                ("mock_idp.log", self.harness.idp_log),
            ):
                with path.open("rb") as log:
                    log.seek(self.log_offsets.get(name, 0))
                    (self.folder / name).write_bytes(log.read())
            issued = [r for r in self._mock_responses() if r.get("serial", 0) >= self.first_serial]
            (self.folder / "mock-responses.json").write_text(json.dumps(issued[::-1], indent=2))

    def _failure_text(self) -> str:
        parts = []
        for when, report in self.reports.items():
            if report.failed:
                parts.append(f"== {when} failed ==\n{report.longreprtext}\n")
            parts += [f"== {title} ==\n{text}\n" for title, text in report.sections]
        return "\n".join(parts)


def _quietly(action: Any) -> None:
    """Evidence is best effort: a closed page or browser must not hide the test's own failure."""
    with contextlib.suppress(Exception):  # playwright raises its own Error and plain ones
        action()


def _results_dir(config: pytest.Config) -> Path:
    return Path(config.getoption("evidence_dir")).resolve()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--evidence-dir",
        default=DEFAULT_DIR,
        help="where failing tests leave their evidence and junit.xml (default: test-results)",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    results = _results_dir(config)
    if not hasattr(config, "workerinput"):  # the controller (or a run without xdist)
        shutil.rmtree(results, ignore_errors=True)  # the last run's evidence
        if not config.option.xmlpath:
            config.option.xmlpath = str(results / "junit.xml")
    # pytest-playwright empties its --output folder (by default ours) as each worker starts:
    # give it its own, so a worker starting late cannot delete another one's evidence.
    output = getattr(config.option, "output", None)
    if output is not None and Path(output).resolve() == results:
        config.option.output = str(results / ".playwright")
    _patch_browser()


def _patch_browser() -> None:
    """Every context the test opens, whichever way, is watched: `new_context` and `new_page`."""
    try:
        from playwright.sync_api import Browser
    except ImportError:
        return
    if getattr(Browser.new_context, "_evidence", False):
        return
    new_context, new_page = Browser.new_context, Browser.new_page

    def watched_context(self: Browser, *args: Any, **kwargs: Any) -> Any:
        context = new_context(self, *args, **kwargs)
        if _current is not None:
            _current.watch(context)
        return context

    def watched_page(self: Browser, *args: Any, **kwargs: Any) -> Any:
        page = new_page(self, *args, **kwargs)
        if _current is not None:
            _current.watch(page.context)
        return page

    watched_context._evidence = True  # type: ignore[attr-defined]
    Browser.new_context = watched_context  # type: ignore[method-assign,assignment]
    Browser.new_page = watched_page  # type: ignore[method-assign,assignment]


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    global _current
    folder = _results_dir(item.config) / folder_name(item.nodeid)
    _current = item.stash[_EVIDENCE] = Evidence(nodeid=item.nodeid, folder=folder)
    try:
        yield
    finally:
        _current = None


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    # Before pytest-playwright's fixtures close (and stop tracing) the contexts they made.
    evidence = item.stash.get(_EVIDENCE, None)
    if evidence is not None:
        evidence.collect_open()
    yield


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item,
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    evidence = item.stash.get(_EVIDENCE, None)
    if evidence is not None:
        evidence.reports[report.when] = report
        if report.when == "teardown":
            evidence.finish()
    return report


@pytest.fixture(autouse=True)
def _evidence_of_the_apps(request: pytest.FixtureRequest) -> None:
    """Log offsets and the mock's last response serial, before the test's own fixtures run."""
    if "harness" in request.fixturenames:
        evidence = request.node.stash.get(_EVIDENCE, None)
        if evidence is not None:
            evidence.remember_start(request.getfixturevalue("harness"))


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return
    reports = [r for rows in terminalreporter.stats.values() for r in rows if _is_test_report(r)]
    config.stash[_FAILED] = sorted({r.nodeid for r in reports if r.failed})
    spans = time_spans(reports)
    if len(spans) > 1 or config.getoption("numprocesses", None):
        terminalreporter.write_line("Wall time by folder: " + ", ".join(spans))


def _is_test_report(report: object) -> bool:
    return isinstance(report, pytest.TestReport) and hasattr(report, "start")


def time_spans(reports: list[pytest.TestReport]) -> list[str]:
    """`tests: 812 tests, 41.2 s`: from the first start to the last stop of each top folder
    (with several workers the folders may overlap in time)."""
    groups: dict[str, list[pytest.TestReport]] = {}
    for report in reports:
        groups.setdefault(report.nodeid.split("/")[0].split("::")[0], []).append(report)
    return [
        f"{name}: {len({r.nodeid for r in rows})} tests, "
        f"{max(r.stop for r in rows) - min(r.start for r in rows):.1f} s"
        for name, rows in sorted(groups.items())
    ]


_FAILED = pytest.StashKey[list[str]]()


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """The last line of the run names where the evidence is."""
    failed = config.stash.get(_FAILED, [])
    if failed:
        results = _results_dir(config)
        try:
            first = (results / folder_name(failed[0])).relative_to(Path.cwd())
        except ValueError:
            first = results / folder_name(failed[0])
        more = f" (and {len(failed) - 1} more beside it)" if len(failed) > 1 else ""
        print(f"Evidence of the failure: {first}/{more}", flush=True)
