# SPDX-License-Identifier: MIT
"""Internet submissions under a steady load while what they depend on dies (security.md,
"faults"): the submission service, Redis and MariaDB killed with SIGKILL, and MariaDB
frozen (SIGSTOP) past the services' database timeout. Every request carries its own
Idempotency-Key, as a mobile app's would.

Afterwards: no answer was a 500 or anything but 202, 502, 503 or 504; every 202 is in the
database exactly once, under its key, with its number and one verification mail; and a
retry of each request with its key (what a client does after an error or a timeout)
answers 202, the first 202's own answer when there was one, so nothing is lost and
nothing is written twice. Only the killed processes are started again: the others
reconnect by themselves."""
import os
import random
import signal
import threading
import time
import uuid
from pathlib import Path

import requests

import openapi_check
from citizen import petition, sql, wait_for
from test_citizen import ip
from test_foundation import SERVICES

PATH = "/api/v1/applications"
WORKERS = 4
PAUSE_S = 0.25  # between one worker's requests: a few hundred applications in all


class Load:
    """WORKERS threads sending one application after another until stopped."""

    def __init__(self, base, run):
        self.base, self.run = base, run
        self.results = []  # (key, body, status or None, answer or None, error or None)
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.work, args=(i,)) for i in range(WORKERS)]

    def send(self, http, key, body):
        """(status, answer, error): status None when the connection itself failed."""
        try:
            r = http.post(self.base + PATH, json=body, timeout=60,
                          headers={"X-Forwarded-For": ip(), "Idempotency-Key": key})
        except requests.RequestException as e:
            return None, None, repr(e)
        try:
            openapi_check.check_response("POST", PATH, r)
        except AssertionError as e:
            return r.status_code, None, f"not as the spec says: {e}"
        return r.status_code, r.json(), None

    def work(self, n):
        http = requests.Session()
        http.trust_env = False
        i = 0
        while not self.stopping.is_set():
            key, body = f"{self.run}-{n}-{i}", petition()
            got = self.send(http, key, body)
            with self.lock:
                self.results.append((key, body) + got)
            i += 1
            time.sleep(PAUSE_S)

    def accepted(self):
        with self.lock:
            return sum(1 for r in self.results if r[2] == 202)

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for t in self.threads:
            t.join(120)


def healthy(api):
    return all(api.get(f"/api/v1/{svc}/health", check=False).status_code == 200
               for svc in SERVICES)


def progress(load, more=20):
    """The load gets more 202s: the stack took it back."""
    target = load.accepted() + more
    wait_for(f"{more} more applications accepted", lambda: load.accepted() >= target,
             timeout=60)


def rows(env, run):
    """{key: (count, application_no, verification mails)} of this run's applications."""
    got = sql(env, "SELECT a.idempotency_key, COUNT(DISTINCT a.id), MIN(a.application_no), "
                   "COUNT(o.id) FROM applications a LEFT JOIN outbox o ON o.application_id = a.id "
                   f"AND o.kind = 'verification' WHERE a.idempotency_key LIKE '{run}-%' "
                   "GROUP BY a.idempotency_key")
    return {k: (int(n), no, int(m)) for k, n, no, m in got}


def test_every_accepted_application_survives_kills_and_a_frozen_database(api, stack,
                                                                          stack_env):
    run = "chaos-" + uuid.uuid4().hex[:12]
    pid_file = Path(stack_env["BIMER_RUN_DIR"]) / "mariadb.pid"
    freeze_s = int(stack_env.get("BIMER_DB_TIMEOUT") or 5) + 2
    with Load(api.base, run) as load:
        try:
            progress(load)
            for component in ("submission", "redis", "mariadb"):
                stack.kill(component)
                time.sleep(0.5)
                stack.start(component)
                wait_for(f"every service healthy after {component} was killed",
                         lambda: healthy(api), timeout=60)
                progress(load)
            pid = int(pid_file.read_text())
            os.kill(pid, signal.SIGSTOP)
            try:
                time.sleep(freeze_s)  # past the read timeout of every waiting statement
            finally:
                os.kill(pid, signal.SIGCONT)
            wait_for("every service healthy after MariaDB was frozen", lambda: healthy(api),
                     timeout=60)
            progress(load)
        finally:
            for component in ("mariadb", "redis", "submission"):
                stack.start(component)  # no-op when running; never leave the stack broken
    results = load.results
    statuses = {r[2] for r in results}
    assert not [r for r in results if r[4] and r[2] is not None], \
        [r[4] for r in results if r[4]][:3]
    assert statuses <= {202, 502, 503, 504, None}, statuses
    assert {202, 503} <= statuses  # the load was accepted, and refused while things were down
    first = {r[0]: r for r in results}
    stored = rows(stack_env, run)
    for key, _, status, answer, _ in results:
        if status == 202:
            assert stored.get(key) == (1, answer["application_no"], 1), (key, stored.get(key))
    # Every request again with its key: each answers 202 now, a 202 the same as before.
    # The refused ones all; of those accepted, a sample (the answer is read from the row).
    again = [r for r in results if r[2] != 202]
    again += random.sample([r for r in results if r[2] == 202],
                           min(200, sum(1 for r in results if r[2] == 202)))
    http = requests.Session()
    http.trust_env = False
    for key, body, status, answer, _ in again:
        got = load.send(http, key, body)
        assert got[0] == 202 and got[2] is None, (key, status, got)
        if status == 202:
            assert got[1] == answer, (key, answer, got[1])
    stored = rows(stack_env, run)
    assert set(stored) == {r[0] for r in results if r[2] == 202} | {r[0] for r in again}
    assert all(v[0] == 1 and v[2] == 1 for v in stored.values()), \
        [k for k, v in stored.items() if v[0] != 1 or v[2] != 1][:5]
    assert len(first) == len(results)  # keys never repeat within the run
    # and the worker, which saw MariaDB die under it too, sends every verification mail
    wait_for("the worker to send this run's verification mails",
             lambda: sql(stack_env, "SELECT COUNT(*) FROM outbox o JOIN applications a ON "
                                    "a.id = o.application_id WHERE o.status <> 'sent' AND "
                                    f"a.idempotency_key LIKE '{run}-%'") == [["0"]],
             timeout=180)
