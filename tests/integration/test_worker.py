# SPDX-License-Identifier: MIT
"""The worker on the real stack: mail delivery from the outbox to the SMTP sink
(deploy/local/mailsink.py, one .eml per Message-ID under BIMER_MAIL_DIR), retries
with backoff, exactly one copy of every mail although the worker is SIGKILLed and
the sink stopped mid-way, a clean stop on SIGTERM during a stuck send, and the
expiry sweep of applications never verified (rules.md D7).

Rows are inserted directly with the mariadb client (password in MYSQL_PWD, never on
the command line). The waits follow the stack's worker settings (BIMER_WORKER_TICK_MS,
BIMER_MAIL_RETRY_BASE_MS, BIMER_MAIL_LOCK_S, ...), so the tests are quick on the test
stack, which shortens them, and still correct with the production defaults."""
import email
import email.parser
import email.policy
import email.utils
import hashlib
import os
import pathlib
import secrets
import socket
import subprocess
import threading
import time

import pytest

from citizen import wait_for

# ------------------------------------------------------------------ helpers


def setting(stack_env, name, default):
    return int(stack_env.get(name) or default)


class Settings:
    def __init__(self, env):
        self.tick_s = setting(env, "BIMER_WORKER_TICK_MS", 500) / 1000
        self.retry_base_s = setting(env, "BIMER_MAIL_RETRY_BASE_MS", 5000) / 1000
        self.retry_max_s = setting(env, "BIMER_MAIL_RETRY_MAX_S", 3600)
        self.lock_s = setting(env, "BIMER_MAIL_LOCK_S", 60)
        self.smtp_timeout_s = setting(env, "BIMER_SMTP_TIMEOUT_S", 20)
        self.max_attempts = setting(env, "BIMER_MAIL_MAX_ATTEMPTS", 10)
        self.ttl_hours = setting(env, "BIMER_VERIFY_TTL_HOURS", 48)

    def retry_delay(self, attempts):
        return min(self.retry_base_s * 2 ** (attempts - 1), self.retry_max_s)


@pytest.fixture(scope="module")
def cfg(stack_env):
    return Settings(stack_env)


class Db:
    """The mariadb command-line client on the stack's database."""

    def __init__(self, env):
        self.env = env
        password = env.get("BIMER_DB_PASSWORD")
        if not password:
            password = pathlib.Path(env["BIMER_DB_PASSWORD_FILE"]).read_text().strip()
        self.client_env = {k: v for k, v in os.environ.items()
                           if not k.startswith(("BIMER_", "MYSQL"))}
        self.client_env["MYSQL_PWD"] = password  # not on the command line, not in ps

    def run(self, sql):
        cmd = ["mariadb", "--no-defaults", "--batch", "--skip-column-names",
               "--default-character-set=utf8mb4",
               "-h", self.env.get("BIMER_DB_HOST", "127.0.0.1"),
               "-P", str(self.env.get("BIMER_DB_PORT", "13306")),
               "-u", self.env.get("BIMER_DB_USER", "bimer"),
               self.env.get("BIMER_DB_NAME", "bimer")]
        proc = subprocess.run(cmd, input="SET time_zone = '+00:00';\n" + sql, env=self.client_env,
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, f"mariadb failed: {proc.stderr}"
        return [line.split("\t") for line in proc.stdout.splitlines()]

    def value(self, sql):
        rows = self.run(sql)
        assert len(rows) == 1 and len(rows[0]) == 1, rows
        return rows[0][0]


@pytest.fixture(scope="module")
def db(stack_env):
    return Db(stack_env)


def q(text):
    """A SQL string literal (test data only: no user input reaches these statements)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def insert_mails(db, rows):
    """Insert outbox rows (dicts) in one statement; returns their ids in order."""
    values = []
    for r in rows:
        html = "NULL" if r.get("html") is None else q(r["html"])
        values.append(f"('{r.get('kind', 'test_worker')}', {q(r['to'])}, {q(r['subject'])}, "
                      f"{q(r['text'])}, {html}, {int(r.get('attempts', 0))})")
    first = int(db.value(
        "INSERT INTO outbox (kind, recipient, subject, body_text, body_html, attempts) VALUES "
        + ", ".join(values) + "; SELECT LAST_INSERT_ID();"))
    # One multi-row INSERT gets consecutive ids (innodb_autoinc_lock_mode for simple inserts).
    return list(range(first, first + len(rows)))


def row(db, oid):
    cols = ["status", "attempts", "sent_at", "body_text", "body_html", "last_error",
            "next_attempt_at"]
    vals = db.run("SELECT status, attempts, IFNULL(sent_at, 'NULL'), body_text, "
                  "IFNULL(body_html, 'NULL'), IFNULL(last_error, 'NULL'), "
                  f"next_attempt_at FROM outbox WHERE id = {oid}")
    assert len(vals) == 1, vals
    r = dict(zip(cols, vals[0]))
    r["attempts"] = int(r["attempts"])
    return r




def msgid(oid):
    return f"<outbox-{oid}@bimer.gov.tr>"


_HEADERS = {}  # path -> Message-ID; a stored .eml never changes, so each is parsed once


def mail_index(mail_dir):
    """Message-ID → list of .eml files carrying it (every file's header is read)."""
    index = {}
    parser = email.parser.BytesHeaderParser(policy=email.policy.compat32)
    for path in pathlib.Path(mail_dir).glob("*.eml"):
        if path not in _HEADERS:
            with open(path, "rb") as f:
                _HEADERS[path] = (parser.parse(f).get("Message-ID") or "").strip()
        index.setdefault(_HEADERS[path], []).append(path)
    return index


def sent_count(db, ids):
    return int(db.value(f"SELECT COUNT(*) FROM outbox WHERE id BETWEEN {ids[0]} AND {ids[-1]} "
                        "AND status = 'sent'"))


def unique_address(tag, domain="example.com.tr"):
    return f"{tag}.{secrets.token_hex(4)}@{domain}"


TURKISH_SUBJECT = "Başvurunuz alındı: e-posta adresinizi doğrulayın — çğıöşü ÇĞİÖŞÜ"
TURKISH_TEXT = ("Sayın Ayşe Çağlar,\n\n"
                "2026-0000042-7 numaralı başvurunuz alınmıştır. Başvurunuzun işleme "
                "alınabilmesi için aşağıdaki bağlantıyı 48 saat içinde açınız:\n"
                "http://127.0.0.1:8080/dogrula?token=Zx9_aB-cD3eF4gH5iJ6kL7mN8oP9qR0sT1uV2wX3yZ4\n"
                ".Nokta ile başlayan satır ve = işareti, sonda boşluk \n"
                "Saygılarımızla,\nBİMER")
TURKISH_HTML = ("<!DOCTYPE html><html lang=\"tr\"><body><p>Sayın Ayşe Çağlar,</p>"
                "<p><a href=\"http://127.0.0.1:8080/dogrula?token=Zx9_aB\">Doğrula</a></p>"
                "<p>Saygılarımızla, BİMER</p></body></html>")


def normalise(text):
    return text.replace("\r\n", "\n")


# ------------------------------------------------------------------ (a) delivery


def test_pending_mail_is_delivered_once_with_headers_and_both_parts(db, cfg, stack_env):
    to = unique_address("ayse.caglar")
    [oid] = insert_mails(db, [{"to": to, "subject": TURKISH_SUBJECT, "text": TURKISH_TEXT,
                               "html": TURKISH_HTML}])
    started = time.time()
    wait_for("the row to be sent", lambda: row(db, oid)["status"] == "sent", 10 + 20 * cfg.tick_s)
    assert time.time() - started < 3 + 5 * cfg.tick_s, "mail should go out within seconds"

    r = row(db, oid)
    assert r["attempts"] == 1
    assert r["sent_at"] != "NULL" and r["last_error"] == "NULL"
    assert r["body_text"] == "" and r["body_html"] == "NULL", "bodies must be blanked once sent"

    files = wait_for("the .eml file", lambda: mail_index(stack_env["BIMER_MAIL_DIR"]).get(
        msgid(oid)), 5)
    assert len(files) == 1, files
    path = files[0]
    assert path.name == hashlib.sha256(msgid(oid).encode()).hexdigest() + ".eml"
    raw = path.read_bytes()
    raw.decode("ascii")  # 7-bit clean: encoded words and quoted-printable/base64 only
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))

    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["X-Envelope-To"] == to
    assert msg["To"].addresses[0].addr_spec == to
    from_cfg = stack_env.get("BIMER_MAIL_FROM") or "BIMER <noreply@bimer.gov.tr>"
    assert msg["From"].addresses[0].addr_spec == email.utils.parseaddr(from_cfg)[1]
    assert str(msg["Subject"]) == TURKISH_SUBJECT
    raw_subject = email.message_from_bytes(raw, policy=email.policy.compat32)["Subject"]
    assert raw_subject.lstrip().upper().startswith("=?UTF-8?"), "RFC 2047 encoded"
    assert msg["Message-ID"] == msgid(oid)
    assert msg["MIME-Version"] == "1.0"
    assert msg["Auto-Submitted"] == "auto-generated"
    sent = email.utils.parsedate_to_datetime(msg["Date"])
    assert sent.tzinfo is not None and abs(sent.timestamp() - time.time()) < 300

    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    for p in parts:
        assert p.get_content_charset() == "utf-8"
        assert p["Content-Transfer-Encoding"].lower() in ("quoted-printable", "base64")
    assert normalise(parts[0].get_content()) == TURKISH_TEXT
    assert normalise(parts[1].get_content()) == TURKISH_HTML

    # One log line for the delivery, naming the row but never the recipient.
    log = pathlib.Path(stack_env["BIMER_LOG_DIR"], "worker.log").read_text(encoding="utf-8")
    assert f"mail {oid} kind=test_worker: sent" in log
    assert to not in log and "Ayşe" not in log
    assert to not in pathlib.Path(stack_env["BIMER_LOG_DIR"], "mailsink.log").read_text()


def test_mail_without_html_gets_an_escaped_html_part(db, cfg, stack_env):
    text = "Başvurunuz <iptal> edildi & kapatıldı.\nİyi günler."
    [oid] = insert_mails(db, [{"to": unique_address("mehmet"), "subject": "İptal", "text": text,
                               "html": None}])
    wait_for("the row to be sent", lambda: row(db, oid)["status"] == "sent", 10 + 20 * cfg.tick_s)
    [path] = wait_for("the .eml file",
                      lambda: mail_index(stack_env["BIMER_MAIL_DIR"]).get(msgid(oid)), 5)
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    plain, html = list(msg.iter_parts())
    assert normalise(plain.get_content()) == text
    assert "Başvurunuz &lt;iptal&gt; edildi &amp; kapatıldı." in html.get_content()
    assert "<iptal>" not in html.get_content()


# ------------------------------------------------------------------ (c) retries


def observe_retries(db, oid, want_attempts, timeout):
    """Poll the row; returns {attempts: (next_attempt_in_seconds, last_error)} for each
    state seen as pending, until attempts >= want_attempts has been seen as pending."""
    seen = {}

    def poll():
        rows = db.run("SELECT status, attempts, "
                      "TIMESTAMPDIFF(MICROSECOND, UTC_TIMESTAMP(3), next_attempt_at), "
                      "IFNULL(last_error, ''), UNIX_TIMESTAMP(next_attempt_at) "
                      f"FROM outbox WHERE id = {oid}")
        status, attempts, left_us, error, next_at = rows[0]
        assert status in ("pending", "sending"), f"row {oid} is {status}"
        if status == "pending" and int(attempts) > 0:
            seen.setdefault(int(attempts), (int(left_us) / 1e6, error, float(next_at)))
        return int(attempts) >= want_attempts and status == "pending"

    wait_for(f"{want_attempts} failed attempts", poll, timeout, step=0.02)
    return seen


def test_refused_recipient_is_retried_with_backoff_then_failed(db, cfg, stack_env):
    to = unique_address("kimse", "refuse.invalid")
    [oid] = insert_mails(db, [{"to": to, "subject": "Ret", "text": "Reddedilecek."}])
    try:
        timeout = 10 + 4 * cfg.retry_delay(1) + cfg.retry_delay(2) + cfg.smtp_timeout_s
        seen = observe_retries(db, oid, 2, timeout)
        # Seen pending after the first and the second failure, each time due in the future.
        assert 1 in seen and 2 in seen, seen
        for attempts, (left, error, _) in seen.items():
            assert left > 0, f"after attempt {attempts} next_attempt_at must be in the future"
            assert left <= cfg.retry_delay(attempts) + 1
            assert "550" in error, error
            assert to not in error
        # Exponential: the second wait is longer than the first.
        gap = seen[2][2] - seen[1][2]
        assert gap >= cfg.retry_delay(2) - 0.1, (gap, seen)
        assert msgid(oid) not in mail_index(stack_env["BIMER_MAIL_DIR"])
        log = pathlib.Path(stack_env["BIMER_LOG_DIR"], "worker.log").read_text(encoding="utf-8")
        assert f"mail {oid} kind=test_worker: failed" in log and to not in log
    finally:
        # Keep it from retrying through the later tests.
        db.run(f"UPDATE outbox SET status = 'failed' WHERE id = {oid} AND status = 'pending'")


def test_last_attempt_marks_the_row_failed_and_keeps_it(db, cfg):
    to = unique_address("son.deneme", "refuse.invalid")
    [oid] = insert_mails(db, [{"to": to, "subject": "Son", "text": "Son deneme.",
                               "attempts": cfg.max_attempts - 1}])
    wait_for("the row to fail", lambda: row(db, oid)["status"] == "failed",
             10 + 20 * cfg.tick_s + cfg.smtp_timeout_s)
    r = row(db, oid)
    assert r["attempts"] == cfg.max_attempts
    assert "550" in r["last_error"]
    assert r["body_text"] == "Son deneme.", "a failed mail is kept, not lost"
    time.sleep(max(1.0, 5 * cfg.tick_s))
    assert row(db, oid)["attempts"] == cfg.max_attempts, "a failed row is not claimed again"


def test_mail_waits_while_the_sink_is_down_and_goes_out_once_it_is_back(db, cfg, stack,
                                                                         stack_env):
    stack.stop("mailsink")
    try:
        [oid] = insert_mails(db, [{"to": unique_address("bekleyen"), "subject": "Bekleyen",
                                   "text": "Sunucu kapalıyken yazıldı."}])
        timeout = 10 + 4 * cfg.retry_delay(1) + cfg.retry_delay(2) + cfg.smtp_timeout_s
        seen = observe_retries(db, oid, 2, timeout)
        for attempts, (left, error, _) in seen.items():
            assert left > 0 and error, (attempts, left, error)
        r = row(db, oid)
        assert r["body_text"] == "Sunucu kapalıyken yazıldı.", "not lost"
    finally:
        stack.start("mailsink")
    wait_for("the row to be sent", lambda: row(db, oid)["status"] == "sent",
             10 + 2 * cfg.retry_delay(cfg.max_attempts) + cfg.smtp_timeout_s)
    files = wait_for("the .eml file",
                     lambda: mail_index(stack_env["BIMER_MAIL_DIR"]).get(msgid(oid)), 5)
    assert len(files) == 1


# ------------------------------------------------------------------ (b) crash test


def test_kills_and_sink_restarts_deliver_every_mail_exactly_once(db, cfg, stack, stack_env):
    n = 200
    ids = insert_mails(db, [{"to": unique_address(f"kisi{i}"), "subject": f"Toplu ileti {i} — ş",
                             "text": f"İleti {i}: çğıöşü"} for i in range(n)])
    kills = []  # sent count at each SIGKILL
    try:
        for step, threshold in enumerate((5, 40, 80, 120, 160)):
            wait_for(f"{threshold} mails sent", lambda: sent_count(db, ids) >= threshold,
                     30 + cfg.lock_s + 2 * cfg.retry_max_s, step=0.01)
            if step == 2:
                stack.stop("mailsink")
                time.sleep(max(1.0, 5 * cfg.tick_s))
                stack.start("mailsink")
            else:
                stack.kill("worker")
                kills.append(sent_count(db, ids))
                stack.start("worker")
    finally:
        stack.start("worker")
        stack.start("mailsink")
    assert sum(1 for k in kills if 0 < k < n) >= 2, f"kills did not land mid-delivery: {kills}"

    # A killed worker's claimed row comes back after its lock; retries after their backoff.
    timeout = 60 + 2 * cfg.lock_s + 4 * cfg.retry_delay(4)
    wait_for("every mail to be sent", lambda: sent_count(db, ids) == n, timeout, step=0.2)
    assert db.value(f"SELECT COUNT(*) FROM outbox WHERE id BETWEEN {ids[0]} AND {ids[-1]} "
                    "AND (body_text <> '' OR body_html IS NOT NULL)") == "0"

    index = mail_index(stack_env["BIMER_MAIL_DIR"])
    missing = [i for i in ids if msgid(i) not in index]
    twice = {i: index[msgid(i)] for i in ids if len(index.get(msgid(i), [])) > 1}
    assert not missing, f"{len(missing)} mails missing, e.g. {missing[:5]}"
    assert not twice, f"mails stored twice: {twice}"
    for i in (ids[0], ids[n // 2], ids[-1]):
        msg = email.message_from_bytes(index[msgid(i)][0].read_bytes(),
                                       policy=email.policy.default)
        k = i - ids[0]
        assert str(msg["Subject"]) == f"Toplu ileti {k} — ş"
        assert normalise(msg.get_body(("plain",)).get_content()) == f"İleti {k}: çğıöşü"


# ------------------------------------------------------------------ SIGTERM during a send


class StallingSmtp:
    """Listens on the sink's port and never answers: an SMTP server that hangs."""

    def __init__(self, port):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.conns = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
                self.conns.append(conn)
            except OSError:
                continue

    def close(self):
        self.stop.set()
        self.thread.join()
        for c in self.conns:
            c.close()
        self.sock.close()


def test_sigterm_during_a_stuck_send_stops_quickly_and_keeps_the_row(db, cfg, stack,
                                                                      stack_env):
    stack.stop("mailsink")
    stall = StallingSmtp(int(stack_env["BIMER_SMTP_PORT"]))
    worker_stopped = False
    try:
        [oid] = insert_mails(db, [{"to": unique_address("durdur"), "subject": "Durdurma",
                                   "text": "Gönderim sırasında durdurma."}])
        wait_for("the worker to claim the row", lambda: row(db, oid)["status"] == "sending",
                 10 + 20 * cfg.tick_s, step=0.01)
        wait_for("the worker to connect to the stalled server", lambda: stall.conns, 5)
        time.sleep(0.3)  # into curl's wait for the greeting
        t0 = time.monotonic()
        stack.stop("worker")
        worker_stopped = True
        took = time.monotonic() - t0
        assert took < 5, f"the worker took {took:.1f}s to stop on SIGTERM"
        r = row(db, oid)
        assert r["status"] == "pending", "the row is handed back, not left claimed"
        assert r["body_text"] == "Gönderim sırasında durdurma."
        if cfg.smtp_timeout_s >= 5:  # SIGTERM came well before curl's own timeout
            assert r["attempts"] == 0, "an abandoned send is not counted as an attempt"
            log = pathlib.Path(stack_env["BIMER_LOG_DIR"], "worker.log").read_text()
            assert f"mail {oid} kind=test_worker: send abandoned (shutdown), released" in log
    finally:
        stall.close()
        stack.start("mailsink")
        if worker_stopped:
            stack.start("worker")
    wait_for("the row to be sent", lambda: row(db, oid)["status"] == "sent",
             10 + 2 * cfg.retry_delay(2) + cfg.smtp_timeout_s)
    assert len(mail_index(stack_env["BIMER_MAIL_DIR"])[msgid(oid)]) == 1


# ------------------------------------------------------------------ (d) expiry


def insert_application(db, hours_old, status="awaiting_verification"):
    no = f"9{secrets.randbelow(10**8):08d}-{secrets.randbelow(10**6):06d}"
    received = "UTC_TIMESTAMP(3)" if status == "received" else "NULL"
    return int(db.value(
        "INSERT INTO applications (application_no, type, category, channel, subject, body, "
        "applicant_first_name, applicant_last_name, applicant_email, status, received_at, "
        f"created_at) VALUES ('{no}', 'dilekce', 'istek', 'internet', 'Süre testi', "
        "'Doğrulanmayan başvuru', 'Deneme', 'Kişi', 'deneme@example.com.tr', "
        f"'{status}', {received}, UTC_TIMESTAMP(3) - INTERVAL {int(hours_old * 3600)} SECOND); "
        "SELECT LAST_INSERT_ID();"))


def app_state(db, aid):
    status, closed, events = db.run(
        "SELECT status, closed_at IS NOT NULL, (SELECT COUNT(*) FROM application_events e "
        f"WHERE e.application_id = a.id AND e.kind = 'expired') FROM applications a "
        f"WHERE a.id = {aid}")[0]
    return status, closed == "1", int(events)


def test_unverified_application_expires_after_the_ttl_only(db, cfg):
    old = insert_application(db, cfg.ttl_hours + 1)
    young = insert_application(db, cfg.ttl_hours - 1)
    wait_for("the old application to expire", lambda: app_state(db, old)[0] == "expired",
             5 + 20 * cfg.tick_s)
    status, closed, events = app_state(db, old)
    assert closed and events == 1, (status, closed, events)
    # Several more sweeps: still one event, and the younger one untouched.
    time.sleep(max(1.0, 5 * cfg.tick_s))
    assert app_state(db, old) == ("expired", True, 1)
    assert app_state(db, young) == ("awaiting_verification", False, 0)


def test_expiry_leaves_verified_and_cancelled_applications_alone(db, cfg):
    received = insert_application(db, cfg.ttl_hours + 5, status="received")
    cancelled = insert_application(db, cfg.ttl_hours + 5, status="cancelled")
    marker = insert_application(db, cfg.ttl_hours + 5)
    wait_for("the sweep to run", lambda: app_state(db, marker)[0] == "expired",
             5 + 20 * cfg.tick_s)
    assert app_state(db, received) == ("received", False, 0)
    assert app_state(db, cancelled) == ("cancelled", False, 0)


# ------------------------------------------------------------------ the sink itself


def test_sink_keeps_one_file_per_message_id_and_acknowledges_the_copy(stack_env):
    import smtplib

    mid = f"<dedup-{secrets.token_hex(8)}@example.invalid>"
    message = (f"From: <a@example.invalid>\r\nTo: <b@example.com.tr>\r\nSubject: kopya\r\n"
               f"Message-ID: {mid}\r\n\r\nBir.\r\n")
    second = message.replace("Bir.", "Iki.")
    port = int(stack_env["BIMER_SMTP_PORT"])
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        assert smtp.sendmail("a@example.invalid", ["b@example.com.tr"], message) == {}
        assert smtp.sendmail("a@example.invalid", ["b@example.com.tr"], second) == {}
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            smtp.sendmail("a@example.invalid", ["x@refuse.invalid"], message)
    files = mail_index(stack_env["BIMER_MAIL_DIR"])[mid]
    assert [f.name for f in files] == [hashlib.sha256(mid.encode()).hexdigest() + ".eml"]
    assert b"Bir." in files[0].read_bytes(), "the first copy wins"
    log = pathlib.Path(stack_env["BIMER_LOG_DIR"], "mailsink.log").read_text()
    assert "duplicate message dropped" in log
    assert files[0].name not in log, "hash names can hold 11-digit runs: not logged"
