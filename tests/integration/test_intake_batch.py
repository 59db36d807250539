# SPDX-License-Identifier: MIT
"""Batched intake (services/submission/batch.h): concurrent internet
applications are written together, several to a transaction, by the
submission service's writer threads; each answer 202 still comes only after
its transaction committed, and each application still has exactly its four
rows (application, first event, verification token, outbox mail), its own
number, a valid hash chain and a working verification link. The outbox row
holds the mail's parameters only (the worker renders it): they are checked,
with the worker stopped, against the application's own number, address,
names, token hash and expiry. A batch that
fails (here: two requests with one Idempotency-Key in it) is written again
application by application, losing none."""
import concurrent.futures
import contextlib
import getpass
import subprocess
import time
import uuid

from citizen import db_address, mails_to, petition, sql, token_from, wait_for
from conftest import Stack
from test_audit import audit
from test_citizen import ip, submit
from test_metrics import scrape, value

# How long the outbox is held: well under BIMER_DB_TIMEOUT (5 s), after which a writer
# waiting for it would give its statement up (the batch then goes alone, as it should).
HOLD_S = 2

COUNTERS = ("bimer_intake_transactions_total", "bimer_intake_batched_applications_total",
            "bimer_intake_alone_applications_total")


def counters(stack_env):
    fams = scrape(f"http://127.0.0.1:{stack_env['BIMER_METRICS_PORT']}", "submission")
    return [value(fams, name, service="submission") for name in COUNTERS]


# An outbox row that is the verification mail of application a, not yet sent: parameters
# only, naming a's number, names and expiry, with the token whose hash a's token row holds.
OWN_MAIL = (
    "o.application_id = a.id AND o.kind = 'verification' AND o.status = 'pending' "
    "AND o.recipient = a.applicant_email AND o.subject IS NULL AND o.body_text IS NULL "
    "AND o.body_html IS NULL AND JSON_VALUE(o.params, '$.no') = a.application_no "
    "AND JSON_VALUE(o.params, '$.first') = a.applicant_first_name "
    "AND JSON_VALUE(o.params, '$.last') = a.applicant_last_name "
    "AND EXISTS (SELECT 1 FROM verification_tokens t WHERE t.application_id = a.id "
    "AND t.token_hash = UNHEX(SHA2(JSON_VALUE(o.params, '$.token'), 256)) "
    "AND JSON_VALUE(o.params, '$.expires') = TIMESTAMPDIFF(SECOND, '1970-01-01', "
    "t.expires_at))")


def rows_of(stack_env, no):
    """(events, tokens, mails) of application no, and its status; mails counts the rows
    that are its own verification mail, still unsent (OWN_MAIL: stop the worker first)."""
    got = sql(stack_env,
              "SELECT a.status, (SELECT COUNT(*) FROM application_events e WHERE "
              "e.application_id = a.id AND e.kind = 'submitted' AND e.prev_hash IS NULL), "
              "(SELECT COUNT(*) FROM application_events e WHERE e.application_id = a.id), "
              "(SELECT COUNT(*) FROM verification_tokens t WHERE t.application_id = a.id), "
              f"(SELECT COUNT(*) FROM outbox o WHERE {OWN_MAIL}) "
              f"FROM applications a WHERE a.application_no = '{no}'")
    assert len(got) == 1, (no, got)
    return got[0]


@contextlib.contextmanager
def worker_stopped(stack):
    """No mail is delivered (nor its parameters cleared) inside the block."""
    stack.stop("worker")
    try:
        yield
    finally:
        stack.start("worker")


def submit_all(api, bodies, headers=None):
    def one(body):
        return submit(api, body, headers=dict(headers or {}, **{"X-Forwarded-For": ip()}))

    with concurrent.futures.ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(one, bodies))


class OutboxHeld:
    """LOCK TABLES outbox WRITE in a session of its own for the block's duration: the
    writers stop at their mails' INSERT, so applications arriving meanwhile queue up and
    are written together once it is released, as they would under load."""

    def __init__(self, env):
        self.env = env

    def __enter__(self):
        self.p = subprocess.Popen(
            ["mariadb", "--unbuffered", "--default-character-set=utf8mb4",
             *db_address(self.env), "-u",
             self.env["BIMER_DB_USER"], self.env["BIMER_DB_NAME"], "-N", "-B"],
            env={"PATH": "/usr/bin:/bin", "MYSQL_PWD": self.env["BIMER_DB_PASSWORD"]},
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.p.stdin.write("LOCK TABLES outbox WRITE; SELECT 'held';\n")
        self.p.stdin.flush()
        assert self.p.stdout.readline().strip() == "held"
        return self

    def __exit__(self, *exc):
        self.p.stdin.write("UNLOCK TABLES;\n")
        self.p.stdin.close()
        self.p.wait(timeout=30)


def while_outbox_held(stack_env, send, timeout=60):
    """send() run while the outbox is held, so that the applications it sends queue up and
    are written together once it is released; none may be answered before (an answer
    comes only after its commit). Returns send()'s answers. Use with the worker stopped:
    the tests then read each mail's parameters before delivery clears them."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as runner:
        with OutboxHeld(stack_env):
            pending = runner.submit(send)
            time.sleep(HOLD_S)
            assert not pending.done()  # nobody is answered before the commit
        return pending.result(timeout=timeout)


def submit_held(api, stack, stack_env, n):
    """n distinct applications sent together while the outbox is held (while_outbox_held):
    each answered 202 with its own number, each with exactly its four rows (the mail
    unsent, its own: OWN_MAIL), each row holding its own body. Returns the numbers and the
    (transactions, batched, alone) counters' increase."""
    before = counters(stack_env)
    bodies = [petition() for _ in range(n)]
    with worker_stopped(stack):
        results = while_outbox_held(stack_env, lambda: submit_all(api, bodies))
        assert [r.status_code for r in results] == [202] * n, [r.text for r in results]
        numbers = [r.json()["application_no"] for r in results]
        for no in numbers:
            assert rows_of(stack_env, no) == ["awaiting_verification", "1", "1", "1", "1"]
    deltas = tuple(a - b for a, b in zip(counters(stack_env), before))
    assert len(set(numbers)) == n
    # every row belongs to the body that asked for it (no mix-up inside a batch)
    for body, no in zip(bodies, numbers):
        got = sql(stack_env, "SELECT applicant_email, subject FROM applications WHERE "
                  f"application_no = '{no}'")
        assert got == [[body["applicant"]["email"], body["subject"]]]
    return numbers, deltas


def test_concurrent_applications_share_transactions_and_each_is_whole(api, stack, stack_env):
    numbers, (trans, batched, alone) = submit_held(api, stack, stack_env, 40)
    assert alone == 0 and batched == 40, (trans, batched, alone)
    # the service's threads (BIMER_THREADS) bound how many wait together: 40 need at least 3
    # transactions, and without batching they would take 40
    assert 3 <= trans <= 20, (trans, "transactions for 40 applications that waited together")
    ok = audit(stack_env, *numbers)
    assert ok.returncode == 0 and "0 broken" in ok.stdout, ok.stdout + ok.stderr


def test_a_batched_application_verifies_from_its_mail(api, stack_env):
    bodies = [petition() for _ in range(8)]
    results = submit_all(api, bodies)
    assert all(r.status_code == 202 for r in results)
    body, r = bodies[3], results[3]
    msg = mails_to(stack_env, body["applicant"]["email"])[0]
    v = api.post("/api/v1/verifications", json={"token": token_from(msg)})
    assert v.status_code == 200, v.text
    assert v.json()["application_no"] == r.json()["application_no"]
    st = api.post("/api/v1/status", json={"tc_kimlik_no": body["applicant"]["tc_kimlik_no"],
                                          "application_no": r.json()["application_no"]},
                  headers={"X-Forwarded-For": ip()})
    assert st.status_code == 200 and st.json()["status"] == "received"
    assert st.json()["events"][0]["kind"] == "submitted"


def test_a_failed_batch_is_written_one_by_one_and_loses_nothing(api, stack, stack_env):
    """Twins with one Idempotency-Key among distinct applications, sent while the outbox is
    held so that neither can commit before the other is in a batch: the batch holding the
    second (or both) fails on the unique key and is rolled back whole, then each of its
    applications is written alone: the others all exist once, the twins make one
    application and share its answer."""
    before = counters(stack_env)
    key = str(uuid.uuid4())
    twin = petition()
    bodies = [petition() for _ in range(14)]

    def one(i):
        if i < 2:
            return submit(api, twin, headers={"Idempotency-Key": key, "X-Forwarded-For": ip()})
        return submit(api, bodies[i - 2], headers={"X-Forwarded-For": ip()})

    def all16():
        with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
            return list(pool.map(one, range(16)))

    with worker_stopped(stack):
        results = while_outbox_held(stack_env, all16, timeout=90)
        assert [r.status_code for r in results] == [202] * 16, [r.text for r in results]
        for r in results:
            assert rows_of(stack_env, r.json()["application_no"])[1:] == ["1", "1", "1", "1"]
    assert results[0].json() == results[1].json()
    assert sql(stack_env, "SELECT COUNT(*) FROM applications WHERE "
               f"idempotency_key = '{key}'") == [["1"]]
    trans, batched, alone = (a - b for a, b in zip(counters(stack_env), before))
    assert alone >= 1, (trans, batched, alone)  # a batch failed and was written alone
    assert batched + alone == 16, (trans, batched, alone)


def root_sql(env, statement):
    """A statement as the database's administrator (the OS account over the socket, as
    deploy/local/stack.sh provisions it): settings the services' account may not change."""
    out = subprocess.run(
        ["mariadb", "--no-defaults", f"--socket={env['BIMER_DB_SOCKET']}", "-u",
         getpass.getuser(), "-N", "-B", "-e", statement],
        check=True, capture_output=True, text=True, timeout=30)
    return [line.split("\t") for line in out.stdout.splitlines()]


def drop_service_connections(env):
    """End every session of the services' account: each reconnects on its next statement
    (bm_db), with a new session and the server's current settings."""
    ids = root_sql(env, "SELECT id FROM information_schema.processlist WHERE user = "
                   f"'{env['BIMER_DB_USER']}'")
    for (cid,) in ids:
        subprocess.run(["mariadb", "--no-defaults", f"--socket={env['BIMER_DB_SOCKET']}", "-u",
                        getpass.getuser(), "-e", f"KILL CONNECTION {int(cid)}"],
                       capture_output=True, timeout=30)  # it may have ended meanwhile


def batch_with_new_sessions(api, stack, stack_env, increment, n=12):
    """n applications written together after every service session was replaced by one
    with this auto_increment_increment; returns their ids, ascending."""
    root_sql(stack_env, f"SET GLOBAL auto_increment_increment = {increment}")
    drop_service_connections(stack_env)
    numbers, (trans, batched, alone) = submit_held(api, stack, stack_env, n)
    # none was handed back to be written alone (which ids pointing nowhere would cause)
    assert alone == 0 and batched == n and trans < n, (trans, batched, alone)
    return sorted(int(i) for (i,) in sql(stack_env, "SELECT id FROM applications WHERE "
                                         "application_no IN ('" + "','".join(numbers) + "')"))


def test_a_writer_reads_the_id_stride_of_each_new_session(api, stack, stack_env):
    """The writers compute a batch's ids from the INSERT's first id and the session's
    auto_increment_increment (batch.c). When the sessions are replaced by ones with another
    increment, a writer that kept its old stride would attach the events, tokens and mails
    to ids of no application (3 after 1) or of another one in its batch (1 after 3)."""
    try:
        ids = batch_with_new_sessions(api, stack, stack_env, 3)
        steps = {b - a for a, b in zip(ids, ids[1:])}
        assert 3 in steps and all(s % 3 == 0 for s in steps), ids
        ids = batch_with_new_sessions(api, stack, stack_env, 1)
        assert 1 in {b - a for a, b in zip(ids, ids[1:])}, ids
    finally:
        root_sql(stack_env, "SET GLOBAL auto_increment_increment = 1")
        drop_service_connections(stack_env)


def read_backs(stack_env):
    fams = scrape(f"http://127.0.0.1:{stack_env['BIMER_METRICS_PORT']}", "submission")
    return value(fams, "bimer_intake_ids_read_back_total", service="submission")


def restart_mariadb(api, stack, env, **server_options):
    """MariaDB stopped and started again (with these server settings, else its own), and the
    submission service healthy again."""
    stack.stop("mariadb")
    opts = " ".join(f"{k}={v}" for k, v in server_options.items())
    Stack(dict(env, BIMER_DB_SERVER_OPTIONS=opts)).start("mariadb")
    wait_for("the submission service to be healthy",
             lambda: api.get("/api/v1/submission/health").status_code == 200, 60, step=0.3)


def test_ids_are_read_back_when_the_server_does_not_make_them_consecutive(api, stack, stack_env):
    """Under innodb_autoinc_lock_mode 2 (Galera's), concurrent inserts may interleave their
    ids: a writer then reads a batch's ids back instead of computing them, and every row
    still belongs to its application. Back under the default mode 1 it computes them again."""
    restart_mariadb(api, stack, stack_env, innodb_autoinc_lock_mode=2)
    try:
        assert root_sql(stack_env, "SELECT @@innodb_autoinc_lock_mode") == [["2"]]
        before = read_backs(stack_env)
        _, (trans, batched, alone) = submit_held(api, stack, stack_env, 12)
        assert alone == 0 and batched == 12, (trans, batched, alone)
        assert read_backs(stack_env) - before == trans  # every batch read its ids back
    finally:
        restart_mariadb(api, stack, stack_env)
    assert root_sql(stack_env, "SELECT @@innodb_autoinc_lock_mode") == [["1"]]
    before = read_backs(stack_env)
    _, (trans, batched, alone) = submit_held(api, stack, stack_env, 6)
    assert alone == 0 and batched == 6, (trans, batched, alone)
    assert read_backs(stack_env) == before  # computed, not read back
