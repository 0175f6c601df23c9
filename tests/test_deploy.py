"""The team stack for real: PostGIS, two app processes and nginx, started by deploy/run-local.sh.

A write through one process is seen through the other; a login at the proxy is the
identity the app trusts; a browser stays on one process (nginx's sticky cookie) while
fresh browsers from one address spread over both; the database restarting shows
'unavailable, retrying' and the page recovers by itself.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from bench.ws_load import free_ports
from panjmap.paths import ROOT
from tests.importer_fixtures import acled_csv, acled_row
from tests.offline import cut_off
from tests.uploading import choose_import_file

RUN_LOCAL = ROOT / "deploy" / "run-local.sh"
LOAD_MS = 90_000
STICKY = "panj_upstream"
ALICE = "Basic " + base64.b64encode(b"alice:alice-pw").decode()


class Stack:
    def __init__(self, tmp: Path) -> None:
        self.dir = tmp / "stack"
        self.proxy, self.app0, self.pg = free_ports(1), free_ports(2), free_ports(1)
        users = tmp / "htpasswd"
        users.write_text("alice:{PLAIN}alice-pw\nbob:{PLAIN}bob-pw\n", encoding="utf-8")
        roles = tmp / "roles.toml"
        roles.write_text('default = "viewer"\n[users]\nalice = "editor"\nbob = "reviewer"\n', encoding="utf-8")
        self.env = {**os.environ, "PANJ_STACK_DIR": str(self.dir), "PANJ_PROXY_PORT": str(self.proxy),
                    "PANJ_APP_PORT": str(self.app0), "PANJ_PG_PORT": str(self.pg), "PANJ_PYTHON": sys.executable,
                    "PANJ_HTPASSWD": str(users), "PANJ_ROLES_FILE": str(roles)}
        self.env.pop("PANJ_DATABASE_URL", None)

    def run(self, *args: str, timeout: float = 240) -> str:
        done = subprocess.run(["bash", str(RUN_LOCAL), *args], env=self.env, cwd=ROOT, capture_output=True,
                              text=True, timeout=timeout)
        assert done.returncode == 0, f"run-local.sh {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def served(self) -> list[tuple[str, str, str]]:
        """(request line, app process address, sticky key) per request nginx has logged."""
        lines = (self.dir / "nginx-access.log").read_text(encoding="utf-8").splitlines()
        return [(line.split('"')[1], line.split(" upstream=")[1].split(" sticky=")[0], line.split(" sticky=")[1])
                for line in lines if " upstream=" in line]

    def pg_ctl(self, action: str) -> None:
        cmd = ["/usr/lib/postgresql/15/bin/pg_ctl", "-D", str(self.dir / "pg"), "-w", "-m", "fast",
               "-l", str(self.dir / "pg" / "postgres.log"),
               "-o", f"-c listen_addresses=127.0.0.1 -p {self.pg} -k {self.dir / 'pg'}", action]
        subprocess.run(["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd, check=True,
                       capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    assert shutil.which("nginx"), "nginx not found: install Debian's nginx (see README)"
    # Not under pytest's private temp folder: the cluster runs as the postgres user, who must reach it.
    root = Path(tempfile.mkdtemp(prefix="panj-stack-"))
    root.chmod(0o755)
    stack = Stack(root)
    stack.run("start", "2")
    try:
        yield stack
    finally:
        stack.run("stop", timeout=120)
        shutil.rmtree(root, ignore_errors=True)
    assert not list(stack.dir.glob("app-*.pid")), "stop left app processes behind"


def open_page(browser: Browser, url: str, user: str | None = None) -> Page:
    credentials = {"username": user, "password": f"{user}-pw"} if user else None
    context = browser.new_context(viewport={"width": 1440, "height": 900}, http_credentials=credentials)
    blocked: list[str] = []
    cut_off(context, blocked)
    page = context.new_page()
    page.goto(url, timeout=LOAD_MS)
    return page


def test_each_process_was_warmed_by_one_session_before_users_came(stack: Stack) -> None:
    """run-local.sh runs each process's first (slow) run itself, once the process is up."""
    log = (stack.dir / "warm.log").read_text(encoding="utf-8")
    for port in (stack.app0, stack.app0 + 1):
        assert re.search(rf"^ws://127\.0\.0\.1:{port}: first run \d+\.\d s$", log, re.M), log


def test_the_proxy_needs_a_login_and_passes_the_identity_the_app_trusts(stack: Stack, browser: Browser) -> None:
    anonymous = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", f"http://127.0.0.1:{stack.proxy}/"],
                               capture_output=True, text=True, timeout=30).stdout
    assert anonymous == "401"
    page = open_page(browser, f"http://127.0.0.1:{stack.proxy}/editor", user="alice")
    expect(page.get_by_text("You are alice (editor)")).to_be_visible(timeout=LOAD_MS)
    page.context.close()


def test_an_import_through_one_process_is_seen_through_the_other(stack: Stack, browser: Browser, tmp_path: Path) -> None:
    data = tmp_path / "team_import.csv"
    data.write_bytes(acled_csv([acled_row(n) for n in range(1, 6)]))
    # Straight to a process, bypassing the proxy: no identity, so a viewer, who may not import.
    viewer = open_page(browser, f"http://127.0.0.1:{stack.app0}/data")
    upload(viewer, data, "Viewer import")
    expect(viewer.get_by_text("may not import")).to_be_visible(timeout=LOAD_MS)
    viewer.context.close()
    # Through the proxy as alice (editor): nginx keeps her on one process.
    editor = open_page(browser, f"http://127.0.0.1:{stack.proxy}/data", user="alice")
    upload(editor, data, "Team import")
    expect(editor.get_by_text("Imported: Team import (5 of 5")).to_be_visible(timeout=LOAD_MS)
    [key] = [c["value"] for c in editor.context.cookies() if c["name"] == STICKY]
    editor.context.close()
    # Her page, its scripts, its upload and its websocket (logged once closed) all went to one process.
    deadline = time.monotonic() + 30
    while not any("/_stcore/stream" in r and k == key for r, _, k in stack.served()) and time.monotonic() < deadline:
        time.sleep(0.5)
    hers = [(request, upstream) for request, upstream, k in stack.served() if k == key]
    for part in ("GET /data", "/_stcore/upload_file/", "GET /_stcore/stream"):
        assert any(part in request for request, _ in hers), (part, hers)
    assert len({upstream for _, upstream in hers if upstream != "-"}) == 1, hers  # "-": nginx's own login challenge
    for port in (stack.app0, stack.app0 + 1):  # each process, whichever took the write
        page = open_page(browser, f"http://127.0.0.1:{port}/data")
        expect(page.get_by_text("Imported: Team import (5 of 5")).to_be_visible(timeout=LOAD_MS)
        expect(page.get_by_text("Imported: Viewer import")).to_have_count(0)
        page.context.close()


def fetch(url: str, cookie: str = "", login: str = ALICE) -> tuple[int, str]:
    """(status, nginx's sticky Set-Cookie) of a GET as alice, with ``cookie`` or as a fresh client."""
    headers = {**({"Authorization": login} if login else {}), **({"Cookie": cookie} if cookie else {})}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=60) as response:
            status, set_cookies = response.status, response.headers.get_all("Set-Cookie") or []
    except urllib.error.HTTPError as refused:
        status, set_cookies = refused.code, refused.headers.get_all("Set-Cookie") or []
    return status, next((c for c in set_cookies if c.startswith(f"{STICKY}=")), "")


def test_fresh_clients_from_one_address_spread_over_both_processes_and_each_stays_on_its_own(stack: Stack) -> None:
    """Every client here is 127.0.0.1, as an office behind one NAT: the sticky key is nginx's cookie."""
    base = f"http://127.0.0.1:{stack.proxy}/_stcore/health"
    status, cookie = fetch(base, login="")
    assert status == 401 and cookie.startswith(f"{STICKY}=")  # set on every response, the login page too
    clients = {}
    for k in range(20):
        status, cookie = fetch(f"{base}?client={k}")
        assert status == 200
        assert {"Path=/", "HttpOnly", "SameSite=Lax"} <= {part.strip() for part in cookie.split(";")}, cookie
        clients[k] = cookie.split(";")[0]
        for again in range(2):  # the same browser's next requests
            assert fetch(f"{base}?client={k}&again={again}", clients[k]) == (200, cookie)
    served = stack.served()
    apps = {f"127.0.0.1:{stack.app0}", f"127.0.0.1:{stack.app0 + 1}"}
    first = {}
    for k in clients:
        upstreams = {upstream for request, upstream, _ in served if f"?client={k} " in request or
                     f"?client={k}&" in request}
        assert len(upstreams) == 1 and upstreams <= apps, (k, upstreams)
        first[k] = upstreams.pop()
    assert set(first.values()) == apps, first  # 20 fresh keys: both processes take clients
    # A key not of the accepted form is replaced by a fresh one, not echoed back.
    status, cookie = fetch(base, cookie=f"{STICKY}=<script>x")
    assert status == 200 and re.fullmatch(f"{STICKY}=[0-9a-f]{{32}}", cookie.split(";")[0]), cookie


def upload(page: Page, data: Path, name: str) -> None:
    choose_import_file(page, data)
    page.get_by_label("Layer name (optional)").fill(name)
    page.get_by_role("button", name="Import", exact=True).click()


def test_the_database_restarting_shows_a_notice_and_the_page_recovers(stack: Stack, browser: Browser) -> None:
    page = open_page(browser, f"http://127.0.0.1:{stack.proxy}/sources", user="bob")
    expect(page.get_by_role("heading", name="Sources")).to_be_visible(timeout=LOAD_MS)
    stack.pg_ctl("stop")
    try:
        page.reload()
        expect(page.get_by_text("The store is unavailable, retrying")).to_be_visible(timeout=LOAD_MS)
        assert page.get_by_text("Traceback").count() == 0
    finally:
        stack.pg_ctl("start")
    expect(page.get_by_role("heading", name="Sources")).to_be_visible(timeout=LOAD_MS)
    expect(page.get_by_text("The store is unavailable, retrying")).to_have_count(0, timeout=LOAD_MS)
    page.context.close()


def test_killing_a_process_under_load_loses_nothing_and_its_users_carry_on_through_the_other(stack: Stack) -> None:
    """kill -9 the process serving a load run through the proxy: each user's tab reconnects through
    nginx (to the other process) with the view its URL holds, and carries on; the store is intact."""
    import asyncio
    import concurrent.futures
    import time

    import psutil

    from bench.ws_load import ACTIONS, PERMALINKS, ActionFailed, Result, Session, VirtualUser, curated_ids

    # One browser's tabs: one sticky cookie, so every user starts on the same process.
    login = {"Authorization": "Basic " + base64.b64encode(b"bob:bob-pw").decode(), "Cookie": f"{STICKY}=bobs-browser"}
    url = f"ws://127.0.0.1:{stack.proxy}"
    ids = curated_ids()
    pids = {int((stack.dir / f"app-{port}.pid").read_text()): port for port in (stack.app0, stack.app0 + 1)}

    def serving() -> int:
        """The process nginx sends this client to: the one holding websocket connections."""
        busy = {pid: sum(1 for c in psutil.Process(pid).net_connections("tcp")
                         if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port)
                for pid, port in pids.items()}
        return max(busy, key=busy.get)

    async def user(k: int, deadline: float, killed: asyncio.Event) -> dict:
        """Acts until it has done 3 actions after the kill (or the hard deadline), reconnecting once."""
        vu = VirtualUser(k, url, ids, (0.3, 0.8))
        query = urlencode(PERMALINKS[k % len(PERMALINKS)], doseq=True)
        session, opened = await Session.open(url, query, headers=login)
        log = {"errors": [], "after_kill": 0, "reconnects": 0, "query_before": ""}
        i = 0
        while time.monotonic() < deadline and log["after_kill"] < 3:
            await asyncio.sleep(vu.rng.uniform(*vu.think_s))
            try:
                result = await vu.act(session, ACTIONS[(i + k) % len(ACTIONS)])
            except ActionFailed as exc:
                result = Result("action", 0.0, 0, str(exc))
            i += 1
            if result.error:
                log["errors"].append(result.error)
                if "connection closed" in result.error or "no script_finished" in result.error:
                    # The browser reconnects with the same URL: the view travels in it.
                    log["query_before"] = session.query_string
                    await session.close()
                    session, reopened = await Session.open(url, session.query_string, headers=login)
                    assert not reopened.error, reopened.error
                    log["reconnects"] += 1
            elif killed.is_set():
                log["after_kill"] += 1
        await session.close()
        return log

    async def scenario() -> tuple[int, list[dict]]:
        killed = asyncio.Event()
        deadline = time.monotonic() + 120  # a bound for a loaded machine; users stop after 3 actions past the kill
        users = [asyncio.create_task(user(k, deadline, killed)) for k in range(5)]
        await asyncio.sleep(8)
        victim = serving()
        os.kill(victim, 9)
        killed.set()
        return victim, await asyncio.gather(*users)

    # In its own thread: the module's Playwright (sync API) keeps an event loop running in this one.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        victim, logs = pool.submit(asyncio.run, scenario()).result()
    assert not psutil.pid_exists(victim) or psutil.Process(victim).status() == psutil.STATUS_ZOMBIE
    for k, log in enumerate(logs):
        assert log["reconnects"] == 1, (k, log)  # every user's tab was on the killed process
        assert log["after_kill"] >= 3, (k, log)  # and carried on through the other one
        assert len(log["errors"]) <= 1, (k, log)  # at most the action in flight when it died
    # Nothing written is lost: the records pass validate, and every imported dataset holds the
    # events its row counts.
    database = (stack.dir / "database-url").read_text().strip()
    done = subprocess.run([sys.executable, "-m", "panjmap", "validate", "--store"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "PANJ_DATABASE_URL": database})
    assert done.returncode == 0, done.stdout + done.stderr
    import sqlalchemy as sa

    from panjmap.store import dispose_all, open_store
    from panjmap.store import tables as t

    with open_store(database).reading() as conn:
        for dataset_id, count in conn.execute(sa.select(t.datasets.c.id, t.datasets.c.event_count)).all():
            held = conn.execute(sa.select(sa.func.count()).select_from(t.events)
                                .where(t.events.c.dataset_id == dataset_id)).scalar()
            assert held == count, (dataset_id, held, count)
    dispose_all()
