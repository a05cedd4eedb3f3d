"""What the fault machinery remembers in one running mock: queued cases, issued responses,
captured responses and the attacker's key. In memory, thread-safe, reset in one call."""

from __future__ import annotations

import itertools
import secrets
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from mock_idp.certificates import SigningPair, generate
from mock_idp.sso import PostForm
from mock_idp.tenant import EnterpriseApp

MAX_RECORDS = 50
MAX_QUEUE = 1000


@dataclass(frozen=True, kw_only=True, slots=True)
class Issued:
    """One response the mock handed to a browser."""

    serial: int
    app_id: str
    case: str | None  # None: no scenario, Entra's own response
    form: PostForm
    issued_at: datetime
    replayable: bool  # a response the SP should accept once: what `replay` posts again


class FaultBook:
    def __init__(self, token: Callable[[int], str] = secrets.token_urlsafe) -> None:
        self._token = token  # the mock's seeded source in deterministic mode
        self._lock = threading.Lock()
        self._queues: dict[str, deque[str]] = {}
        self._tenant_used: dict[str, int] = {}  # how much of each app's tenant-file list is used
        self._records: deque[Issued] = deque(maxlen=MAX_RECORDS)
        self._captures: dict[str, PostForm] = {}
        self._serial = itertools.count(1)
        self._attacker: SigningPair | None = None
        self._probe_hits: list[str] = []

    def queue(self, app_id: str, cases: list[str]) -> list[str]:
        with self._lock:
            queue = self._queues.setdefault(app_id, deque())
            if len(queue) + len(cases) > MAX_QUEUE:
                raise ValueError(f"at most {MAX_QUEUE} queued responses per app")
            queue.extend(cases)
            return list(queue)

    def queued(self, app_id: str) -> list[str]:
        with self._lock:
            return list(self._queues.get(app_id, ()))

    def clear(self, app_id: str) -> None:
        with self._lock:
            self._queues.pop(app_id, None)
            self._tenant_used.pop(app_id, None)

    def next_case(self, app: EnterpriseApp, chosen: str | None) -> str | None:
        """This browser's menu choice, else the API queue, else the tenant file's scenario."""
        if chosen:
            return chosen
        with self._lock:
            queue = self._queues.get(app.app_id)
            if queue:
                return queue.popleft()
            if isinstance(app.scenario, str):
                return app.scenario or None
            used = self._tenant_used.get(app.app_id, 0)
            if used < len(app.scenario):
                self._tenant_used[app.app_id] = used + 1
                return app.scenario[used]
            return None

    def record(
        self, *, app_id: str, case: str | None, form: PostForm, now: datetime, replayable: bool
    ) -> Issued:
        with self._lock:
            issued = Issued(
                serial=next(self._serial),
                app_id=app_id,
                case=case,
                form=form,
                issued_at=now,
                replayable=replayable,
            )
            self._records.append(issued)
            return issued

    def last(self, app_id: str | None = None, *, replayable: bool = False) -> Issued | None:
        with self._lock:
            for issued in reversed(self._records):
                if (app_id is None or issued.app_id == app_id) and (
                    issued.replayable or not replayable
                ):
                    return issued
            return None

    def recent(self) -> list[Issued]:
        with self._lock:
            return list(reversed(self._records))

    def capture(self, form: PostForm) -> str:
        """Keep an attacker's captured response; the ID is unguessable (it is a live token)."""
        capture_id = self._token(12)
        with self._lock:
            self._captures[capture_id] = form
        return capture_id

    def captured(self, capture_id: str) -> PostForm | None:
        with self._lock:
            return self._captures.get(capture_id)

    def probe(self, path: str) -> None:
        """Something fetched a URL a DTD payload named: for the SP, that is a finding."""
        with self._lock:
            self._probe_hits.append(path)

    def probes(self) -> list[str]:
        with self._lock:
            return list(self._probe_hits)

    def attacker(self, now: datetime) -> SigningPair:
        """The attacker's key and self-signed certificate, made once (RSA generation is slow)."""
        with self._lock:
            if self._attacker is None:
                self._attacker = generate(now, common_name="Attacker Federated SSO Certificate")
            return self._attacker

    def reset(self) -> None:
        with self._lock:
            self._queues.clear()
            self._tenant_used.clear()
            self._records.clear()
            self._captures.clear()
            self._probe_hits.clear()
