# SPDX-License-Identifier: MIT
"""Retention (KVKK; security.md "Data protection"; services/worker/retention.c).

An application closed for longer than BIMER_RETENTION_DAYS (3650 on the test
stack) is anonymised by the worker: identity, contact data, secrets and texts go,
events keep their hash chain through the redaction, attachments and their files,
mails and links are deleted, and the destruction is recorded. The test stack's
worker looks every BIMER_RETENTION_SWEEP_MS (300 ms); a test ages an application
by moving its closed_at back, which no other test does."""
import contextlib
import hashlib
import json
import pathlib
import subprocess
import time

import pytest

from citizen import (as_service_logs, db_address, mails_to, petition, sql, sql_script,
                     wait_for)
from test_appeals import (NEGATIVE, REASON, Staff, audit_ok, filed, ip, keyed_in, refused,
                          status_of, upload)
from test_attachments import store, stored_path, tiny_pdf  # noqa: F401 (store: a fixture)
from test_audit import audit, trigger_lifted

LONG_AGO = "2010-01-04 09:00:00.000"
PLACEHOLDER = ("Saklama süresi sona erdiği için bu metin kişisel verilerin korunması amacıyla "
               "anonimleştirilmiştir.")
IDENTITY = ("applicant_tckn_enc", "applicant_tckn_hmac", "applicant_first_name",
            "applicant_last_name", "applicant_email", "applicant_phone", "applicant_address",
            "tracking_hash", "idempotency_key", "request_hash")


@pytest.fixture(scope="module")
def staff(api, stack_env):
    return Staff(api, stack_env)


def app_id(env, no):
    return sql(env, f"SELECT id FROM applications WHERE application_no = '{no}'")[0][0]


def age(env, no):
    """Closed long before the retention period: the next sweep takes it."""
    sql(env, f"UPDATE applications SET closed_at = '{LONG_AGO}' WHERE application_no = '{no}'")


def anonymised(env, no, timeout=30):
    def done():
        [[at]] = sql(env, "SELECT IFNULL(anonymised_at, '') FROM applications "
                     f"WHERE application_no = '{no}'")
        return at
    return wait_for(f"the worker to anonymise {no}", done, timeout=timeout)


def column(env, table, col, where):
    return [r[0] for r in sql(env, f"SELECT {col} FROM {table} WHERE {where}")]


def mariadb(env, statement):
    """A statement as the services' account runs it; the completed process (not checked)."""
    return subprocess.run(
        ["mariadb", "--default-character-set=utf8mb4", *db_address(env), "-u",
         env["BIMER_DB_USER"], env["BIMER_DB_NAME"], "-N", "-B", "-e", statement],
        env={"PATH": "/usr/bin:/bin", "MYSQL_PWD": env["BIMER_DB_PASSWORD"]},
        capture_output=True, text=True, timeout=30)


def decided_appeal_with_attachment(api, staff):
    """A refused information request, appealed with an attachment, the appeal rejected."""
    app = refused(staff, "2026-06-01T10:00:00+03:00", "2026-06-03T10:00:00+03:00")
    att = upload(api)
    out = filed(api, app, "2026-06-05T10:00:00+03:00", attachment_ids=[att["attachment_id"]])
    d = staff.post("bedk.uye", f"/api/v1/appeals/{out['appeal_id']}/decision",
                   {"decision": "rejected", "text": "İtiraz yerinde görülmemiştir."},
                   when="2026-06-08T10:00:00+03:00")
    assert d.status_code == 200, d.text
    return app, att


def test_a_closed_application_past_its_period_is_anonymised_and_recorded(
        api, staff, stack_env, store):  # noqa: F811
    env = stack_env
    app, att = decided_appeal_with_attachment(api, staff)
    assert status_of(api, app)["status"] == "answered"
    aid = app_id(env, app.no)
    sha = column(env, "attachments", "LOWER(HEX(sha256))", f"id = '{att['attachment_id']}'")[0]
    assert stored_path(store, sha).exists()
    texts = sql(env, "SELECT id, IFNULL(LOWER(SHA2(note, 256)), ''), "
                "IFNULL(LOWER(SHA2(data, 256)), '') FROM application_events "
                f"WHERE application_id = {aid} AND (note IS NOT NULL OR data IS NOT NULL)")
    assert texts, "the refused request's events carry data (the answer's text among them)"
    assert column(env, "outbox", "COUNT(*)", f"application_id = {aid}") != ["0"]

    age(env, app.no)
    anonymised(env, app.no)

    row = sql(env, "SELECT " + ", ".join(f"IFNULL(HEX({c}), 'NULL')" for c in IDENTITY) +
              f", subject, body, status, type FROM applications WHERE id = {aid}")[0]
    assert row[:len(IDENTITY)] == ["NULL"] * len(IDENTITY)
    assert row[len(IDENTITY):] == [PLACEHOLDER, PLACEHOLDER, "answered", "bilgi_edinme"]
    # every event's note and data are gone, their digests kept beside them
    for ev_id, note_sha, data_sha in texts:
        [[note, data, kept_note, kept_data]] = sql(
            env, "SELECT IFNULL(note, 'NULL'), IFNULL(data, 'NULL'), "
            "IFNULL(LOWER(HEX(note_sha256)), ''), IFNULL(LOWER(HEX(data_sha256)), '') "
            f"FROM application_events WHERE id = {ev_id}")
        assert (note, data) == ("NULL", "NULL")
        assert (kept_note, kept_data) == (note_sha, data_sha)
    audit_ok(env, app.no)
    # the appeal's texts, its copies, the attachment and its file, mails and links
    [[reason, decision]] = sql(env, "SELECT reason, decision_text FROM appeals "
                               f"WHERE application_id = {aid}")
    assert reason == PLACEHOLDER and decision == PLACEHOLDER
    assert REASON not in json.dumps(sql(env, f"SELECT * FROM appeals WHERE application_id = {aid}"))
    for table, where in (("attachments", f"id = '{att['attachment_id']}'"),
                         ("appeal_copies", "appeal_id IN (SELECT id FROM appeals WHERE "
                          f"application_id = {aid})"),
                         ("outbox", f"application_id = {aid}")):
        assert column(env, table, "COUNT(*)", where) == ["0"], table
    wait_for("the attachment's file to be removed", lambda: not stored_path(store, sha).exists())
    assert column(env, "attachment_file_removals", "COUNT(*)", f"sha256 = UNHEX('{sha}')") == ["0"]
    # the record of the destruction, and the event on the timeline
    [[no, method, basis, period, attachment, detail]] = sql(
        env, "SELECT application_no, method, basis_at, retention, IFNULL(attachment_id, 'NULL'), "
        f"detail FROM data_destructions WHERE application_id = {aid}")
    assert (no, method, basis, period, attachment) == (app.no, "anonymised", LONG_AGO, "P3650D",
                                                       "NULL")
    detail = json.loads(detail)
    assert detail["attachments_deleted"] == 1 and detail["appeals_redacted"] == 1
    assert detail["events_redacted"] == len(texts) and detail["events_not_redactable"] == 0
    assert detail["mails_deleted"] >= 1 and "applicant_tckn" in detail["fields"]
    assert column(env, "application_events", "kind",
                  f"application_id = {aid} ORDER BY id DESC LIMIT 1") == ["anonymised"]
    # the staff view (checked against the spec like every answer here) shows what is left
    r = staff.get("merkez.operator", f"/api/v1/applications/{app.no}")
    assert r.status_code == 200, r.text
    for gone in (app.tckn, app.email, REASON, NEGATIVE, "Kızılay Mah", "aşı istatistikleri"):
        assert gone not in r.text, gone
    kinds = [e["kind"] for e in r.json()["events"]]
    assert "anonymised" in kinds and r.json()["subject"] == PLACEHOLDER, r.json()
    # the applicant's ID number and application number no longer find it
    r = api.post("/api/v1/status", json={"tc_kimlik_no": app.tckn, "application_no": app.no},
                 headers={"X-Forwarded-For": ip()})
    assert r.status_code == 404, r.text


def age_upload(env, attachment_id):
    """Uploaded a day and an hour ago (BIMER_ATTACHMENT_UNCLAIMED_HOURS is 24)."""
    sql(env, "UPDATE attachments SET created_at = UTC_TIMESTAMP(3) - INTERVAL 25 HOUR "
        f"WHERE id = '{attachment_id}'")


def test_recent_and_appealed_applications_are_kept(api, staff, stack_env):
    env = stack_env
    recent = refused(staff, "2026-06-01T10:00:00+03:00", "2026-06-03T10:00:00+03:00")
    pending = refused(staff, "2026-06-01T10:00:00+03:00", "2026-06-03T10:00:00+03:00")
    att = upload(api)
    filed(api, pending, "2026-06-05T10:00:00+03:00",  # BEDK has not decided
          attachment_ids=[att["attachment_id"]])
    age(env, pending.no)
    age_upload(env, att["attachment_id"])  # claimed: not an unclaimed upload
    sentinel = refused(staff, "2026-06-01T10:00:00+03:00", "2026-06-03T10:00:00+03:00")
    age(env, sentinel.no)
    anonymised(env, sentinel.no)  # a sweep ran after both were aged
    for app in (recent, pending):
        row = sql(env, "SELECT IFNULL(anonymised_at, 'NULL'), IFNULL(HEX(applicant_tckn_hmac), "
                  f"'NULL') FROM applications WHERE application_no = '{app.no}'")[0]
        assert row[0] == "NULL" and row[1] != "NULL", app.no
        assert status_of(api, app)["status"] == "answered"
    assert column(env, "data_destructions", "COUNT(*)",
                  f"application_no IN ('{recent.no}', '{pending.no}')") == ["0"]
    assert column(env, "attachments", "COUNT(*)", f"id = '{att['attachment_id']}'") == ["1"]


def test_an_upload_never_claimed_is_deleted_after_a_day(api, stack_env, store):  # noqa: F811
    env = stack_env
    old, fresh = upload(api), upload(api)
    shas = {a["attachment_id"]: column(env, "attachments", "LOWER(HEX(sha256))",
                                       f"id = '{a['attachment_id']}'")[0] for a in (old, fresh)}
    age_upload(env, old["attachment_id"])
    wait_for("the unclaimed upload to be deleted", lambda: column(
        env, "attachments", "COUNT(*)", f"id = '{old['attachment_id']}'") == ["0"])
    wait_for("its file to be removed",
             lambda: not stored_path(store, shas[old["attachment_id"]]).exists())
    [[method, app, basis_ok, period, detail]] = sql(
        env, "SELECT method, IFNULL(application_id, 'NULL'), "
        "basis_at < UTC_TIMESTAMP(3) - INTERVAL 24 HOUR, retention, detail "
        f"FROM data_destructions WHERE attachment_id = '{old['attachment_id']}'")
    assert (method, app, basis_ok, period) == ("deleted", "NULL", "1", "PT24H")
    assert json.loads(detail)["content_type"] == "application/pdf"
    # the fresh upload is still there to be claimed
    assert column(env, "attachments", "COUNT(*)", f"id = '{fresh['attachment_id']}'") == ["1"]
    assert stored_path(store, shas[fresh["attachment_id"]]).exists()
    r = api.post("/api/v1/applications", json=petition(attachment_ids=[old["attachment_id"]]),
                 headers={"X-Forwarded-For": ip()})
    assert r.status_code == 422, r.text
    assert {e["field"] for e in r.json()["errors"]} == {"attachment_ids[0]"}, r.text


def test_a_file_another_upload_still_names_is_kept(api, staff, stack_env, store):  # noqa: F811
    env = stack_env
    data = tiny_pdf("shared " + ip())
    sha = hashlib.sha256(data).hexdigest()
    ids = []
    for _ in range(2):
        r = api.post("/api/v1/attachments", data=data,
                     headers={"Content-Type": "application/pdf", "X-Forwarded-For": ip()})
        assert r.status_code == 201, r.text
        ids.append(r.json()["attachment_id"])
    app = refused(staff, "2026-06-01T10:00:00+03:00", "2026-06-03T10:00:00+03:00")
    filed(api, app, "2026-06-05T10:00:00+03:00", attachment_ids=[ids[0]])
    sql(env, "UPDATE appeals SET status = 'appeal_decided', decision = 'rejected', "
        "decision_text = 'Reddedildi.', decided_at = UTC_TIMESTAMP(3) WHERE application_id = "
        f"{app_id(env, app.no)}")
    age(env, app.no)
    anonymised(env, app.no)
    wait_for("the queued removal to be settled", lambda: column(
        env, "attachment_file_removals", "COUNT(*)", f"sha256 = UNHEX('{sha}')") == ["0"])
    assert column(env, "attachments", "id", f"sha256 = UNHEX('{sha}')") == [ids[1]]
    assert stored_path(store, sha).read_bytes() == data


def test_events_stay_append_only_but_for_the_redaction(api, staff, stack_env):
    env = stack_env
    live = keyed_in(staff, "2026-06-01T10:00:00+03:00")
    [[ev]] = sql(env, "SELECT id FROM application_events WHERE application_id = "
                 f"{app_id(env, live.no)} ORDER BY id LIMIT 1")
    redact = ("UPDATE application_events SET note_sha256 = IF(note IS NULL, NULL, "
              "UNHEX(SHA2(note, 256))), data_sha256 = IF(data IS NULL, NULL, "
              "UNHEX(SHA2(data, 256))), note = NULL, data = NULL WHERE id = {}")
    # not anonymised: even the exact redaction is refused
    refused_ = mariadb(env, redact.format(ev))
    assert refused_.returncode != 0 and "append-only" in refused_.stderr
    done = refused(staff, "2026-06-01T10:00:00+03:00", "2026-06-03T10:00:00+03:00")
    age(env, done.no)
    anonymised(env, done.no)
    [[ev2]] = sql(env, "SELECT id FROM application_events WHERE application_id = "
                  f"{app_id(env, done.no)} ORDER BY id LIMIT 1")
    for change in (f"UPDATE application_events SET kind = 'routed' WHERE id = {ev2}",
                   f"UPDATE application_events SET note = 'yeni' WHERE id = {ev2}",
                   "UPDATE application_events SET note_sha256 = UNHEX(SHA2('x', 256)) "
                   f"WHERE id = {ev2}",
                   f"DELETE FROM application_events WHERE id = {ev2}"):
        out = mariadb(env, change)
        assert out.returncode != 0 and "append-only" in out.stderr, change
    audit_ok(env, live.no, done.no)


@contextlib.contextmanager
def holding_store_lock(env, sha, seconds):
    """A MariaDB session holding the store's lock on this content (common/bm_attach.h)
    from the start of the block for `seconds`, or until the block ends if that is sooner
    (the session is then killed, which gives the lock back)."""
    name = "bimer_attachment_" + sha[:40]
    proc = subprocess.Popen(
        ["mariadb", "--unbuffered", *db_address(env), "-u", env["BIMER_DB_USER"],
         env["BIMER_DB_NAME"], "-N", "-B", "-e",
         f"SELECT CONNECTION_ID(), GET_LOCK('{name}', 10); SELECT SLEEP({seconds}); "
         f"SELECT RELEASE_LOCK('{name}')"],
        env={"PATH": "/usr/bin:/bin", "MYSQL_PWD": env["BIMER_DB_PASSWORD"]},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        session, taken = (proc.stdout.readline().split() + ["", ""])[:2]
        assert taken == "1", proc.stderr.read()
        yield proc
    finally:
        if proc.poll() is None and session.isdigit():
            sql(env, f"KILL {session}")
        proc.wait(timeout=seconds + 30)


def test_an_upload_waits_for_the_lock_on_its_content(api, stack_env):
    data = tiny_pdf("locked " + ip())
    with holding_store_lock(stack_env, hashlib.sha256(data).hexdigest(), 3):
        started = time.monotonic()
        r = api.post("/api/v1/attachments", data=data,
                     headers={"Content-Type": "application/pdf", "X-Forwarded-For": ip()})
        waited = time.monotonic() - started
    assert r.status_code == 201, r.text
    assert waited >= 2, f"the upload did not wait for the lock ({waited:.2f} s)"


def test_a_file_is_not_removed_while_its_content_is_locked(api, staff, stack_env,
                                                            store):  # noqa: F811
    env = stack_env
    app, att = decided_appeal_with_attachment(api, staff)
    sha = column(env, "attachments", "LOWER(HEX(sha256))", f"id = '{att['attachment_id']}'")[0]
    with holding_store_lock(env, sha, 120) as holder:
        age(env, app.no)
        anonymised(env, app.no)
        time.sleep(1.5)  # the worker's removal pass comes and waits 1 s for the lock
        assert holder.poll() is None, "the lock was given back before the checks"
        assert stored_path(store, sha).exists()
        assert column(env, "attachment_file_removals", "COUNT(*)",
                      f"sha256 = UNHEX('{sha}')") == ["1"]
    wait_for("the file to be removed once the lock is free",
             lambda: not stored_path(store, sha).exists())


def test_an_internet_application_loses_its_links_mails_and_cancel_reason(api, stack_env):
    env = stack_env
    body = petition()
    r = api.post("/api/v1/applications", json=body, headers={"X-Forwarded-For": ip()})
    assert r.status_code == 202, r.text
    no, tc = r.json()["application_no"], body["applicant"]["tc_kimlik_no"]
    reason = "Sorunum başka yoldan çözüldü, teşekkürler."
    c = api.post(f"/api/v1/applications/{no}/cancel", json={"tc_kimlik_no": tc, "reason": reason},
                 headers={"X-Forwarded-For": ip()})
    assert c.status_code == 200, c.text
    mails_to(env, body["applicant"]["email"], count=2)  # verification, then cancellation
    aid = app_id(env, no)
    [[tokens]] = sql(env, f"SELECT COUNT(*) FROM verification_tokens WHERE application_id = {aid}")
    [[mails]] = sql(env, f"SELECT COUNT(*) FROM outbox WHERE application_id = {aid}")
    assert int(tokens) >= 1 and int(mails) >= 2
    age(env, no)
    anonymised(env, no)
    for table in ("verification_tokens", "outbox"):
        assert column(env, table, "COUNT(*)", f"application_id = {aid}") == ["0"], table
    [[note, kept]] = sql(env, "SELECT IFNULL(note, 'NULL'), LOWER(HEX(note_sha256)) FROM "
                         f"application_events WHERE application_id = {aid} AND kind = 'cancelled'")
    assert (note, kept) == ("NULL", hashlib.sha256(reason.encode()).hexdigest())
    [[detail]] = sql(env, f"SELECT detail FROM data_destructions WHERE application_id = {aid}")
    assert json.loads(detail)["mails_deleted"] == int(mails)
    audit_ok(env, no)


def test_an_anonymisation_that_fails_midway_changes_nothing(api, staff, stack_env,
                                                           store):  # noqa: F811
    """One step refused (a trigger of the test's own on the mails): the whole transaction
    rolls back and the worker tries again; once the step can run, it completes."""
    env = stack_env
    app, att = decided_appeal_with_attachment(api, staff)
    aid = app_id(env, app.no)
    sha = column(env, "attachments", "LOWER(HEX(sha256))", f"id = '{att['attachment_id']}'")[0]
    before = sql(env, "SELECT id, IFNULL(note, ''), IFNULL(data, '') FROM application_events "
                 f"WHERE application_id = {aid} ORDER BY id")
    log = pathlib.Path(env["BIMER_LOG_DIR"]) / "worker.log"
    failed = f"application {aid}: anonymisation failed"
    sql_script(env, "DELIMITER $$\nCREATE TRIGGER tr_test_retention_block BEFORE DELETE ON "
               f"outbox FOR EACH ROW BEGIN IF OLD.application_id = {aid} THEN SIGNAL SQLSTATE "
               "'45000' SET MESSAGE_TEXT = 'test: blocked'; END IF; END$$\n")
    try:
        age(env, app.no)
        wait_for("the worker to try and fail", lambda: failed in log.read_text(encoding="utf-8"))
        row = sql(env, "SELECT IFNULL(anonymised_at, 'NULL'), IFNULL(HEX(applicant_tckn_hmac), "
                  f"'NULL'), subject FROM applications WHERE id = {aid}")[0]
        assert row[0] == "NULL" and row[1] != "NULL" and row[2] != PLACEHOLDER
        assert sql(env, "SELECT id, IFNULL(note, ''), IFNULL(data, '') FROM application_events "
                   f"WHERE application_id = {aid} ORDER BY id") == before
        [[reason]] = sql(env, f"SELECT reason FROM appeals WHERE application_id = {aid}")
        assert reason == REASON
        assert column(env, "attachments", "COUNT(*)", f"id = '{att['attachment_id']}'") == ["1"]
        assert column(env, "data_destructions", "COUNT(*)", f"application_id = {aid}") == ["0"]
        assert stored_path(store, sha).exists()
    finally:
        sql(env, "DROP TRIGGER IF EXISTS tr_test_retention_block")
    anonymised(env, app.no)
    assert column(env, "data_destructions", "COUNT(*)", f"application_id = {aid}") == ["1"]
    audit_ok(env, app.no)


def test_an_upload_whose_content_stays_locked_is_503_and_leaves_nothing(api, stack_env,
                                                                        store):  # noqa: F811
    data = tiny_pdf("held " + ip())
    sha = hashlib.sha256(data).hexdigest()
    with holding_store_lock(stack_env, sha, 60):
        r = api.post("/api/v1/attachments", data=data, timeout=30,
                     headers={"Content-Type": "application/pdf", "X-Forwarded-For": ip()})
    assert r.status_code == 503, r.text
    assert r.json()["code"] == "SERVICE_UNAVAILABLE"
    assert column(stack_env, "attachments", "COUNT(*)", f"sha256 = UNHEX('{sha}')") == ["0"]
    assert not stored_path(store, sha).exists()


@contextlib.contextmanager
def refusing_rows_of(env, sha):
    """A trigger of the test's own refusing attachment rows of this content, as a database
    failing at the last step would: by then the upload has stored the file."""
    sql_script(env, "DELIMITER $$\nCREATE TRIGGER tr_test_attachment_refused BEFORE INSERT ON "
               f"attachments FOR EACH ROW BEGIN IF NEW.sha256 = UNHEX('{sha}') THEN SIGNAL "
               "SQLSTATE '45000' SET MESSAGE_TEXT = 'test: refused'; END IF; END$$\n")
    try:
        yield
    finally:
        sql(env, "DROP TRIGGER IF EXISTS tr_test_attachment_refused")


def worker_log(env):
    return (pathlib.Path(env["BIMER_LOG_DIR"]) / "worker.log").read_text(encoding="utf-8")


def settled(env, sha):
    wait_for("the queued content to be settled", lambda: column(
        env, "attachment_file_removals", "COUNT(*)", f"sha256 = UNHEX('{sha}')") == ["0"])


def post_pdf(api, data):
    return api.post("/api/v1/attachments", data=data,
                    headers={"Content-Type": "application/pdf", "X-Forwarded-For": ip()})


def test_a_file_whose_row_never_came_is_removed(api, stack_env, store):  # noqa: F811
    env = stack_env
    data = tiny_pdf("no row " + ip())
    sha = hashlib.sha256(data).hexdigest()
    with refusing_rows_of(env, sha):
        r = post_pdf(api, data)
    assert r.status_code == 503 and r.json()["code"] == "SERVICE_UNAVAILABLE", r.text
    assert column(env, "attachments", "COUNT(*)", f"sha256 = UNHEX('{sha}')") == ["0"]
    # the worker logs "removed" only when its unlink took a file away
    removed = f"attachment file {as_service_logs(sha[:12])}: removed"
    wait_for("the worker to remove the stored file", lambda: removed in worker_log(env))
    assert not stored_path(store, sha).exists()
    settled(env, sha)
    # the same bytes uploaded again are stored afresh
    r = post_pdf(api, data)
    assert r.status_code == 201, r.text
    settled(env, sha)
    assert stored_path(store, sha).read_bytes() == data


def test_a_failed_upload_of_stored_content_keeps_the_file_but_not_partial_copies(
        api, stack_env, store):  # noqa: F811
    env = stack_env
    data = tiny_pdf("kept " + ip())
    sha = hashlib.sha256(data).hexdigest()
    first = post_pdf(api, data)
    assert first.status_code == 201, first.text
    settled(env, sha)
    path = stored_path(store, sha)
    # what a writer killed between its temporary file and the rename leaves beside it
    partial = path.with_name(sha + ".tmp.Xy12Zw")
    partial.write_bytes(data[:100])
    other = path.with_name("0" * 64 + ".tmp.Xy12Zw")  # another content's: not this entry's
    other.write_bytes(b"x")
    try:
        with refusing_rows_of(env, sha):
            r = post_pdf(api, data)
        assert r.status_code == 503, r.text
        wait_for("the partial copy to be removed", lambda: not partial.exists())
        settled(env, sha)
        assert path.read_bytes() == data
        assert other.exists()
        assert column(env, "attachments", "id", f"sha256 = UNHEX('{sha}')") == [
            first.json()["attachment_id"]]
    finally:
        other.unlink(missing_ok=True)
        partial.unlink(missing_ok=True)


def test_an_application_expired_unverified_goes_after_its_shorter_period(api, staff, stack_env):
    """D7: never verified, never received (D5); kept BIMER_RETENTION_EXPIRED_DAYS, while an
    application answered as long ago stays for BIMER_RETENTION_DAYS."""
    env = stack_env
    days = int(env.get("BIMER_RETENTION_EXPIRED_DAYS", "30"))
    assert days < int(env.get("BIMER_RETENTION_DAYS", "3650"))
    ttl = int(env.get("BIMER_VERIFY_TTL_HOURS", "48"))
    body = petition()
    r = api.post("/api/v1/applications", json=body, headers={"X-Forwarded-For": ip()})
    assert r.status_code == 202, r.text
    no = r.json()["application_no"]
    aid = app_id(env, no)
    mails_to(env, body["applicant"]["email"])  # the verification mail
    sql(env, f"UPDATE applications SET created_at = created_at - INTERVAL {ttl + 1} HOUR "
        f"WHERE id = {aid}")
    wait_for("the worker to expire it", lambda: column(
        env, "applications", "status", f"id = {aid}") == ["expired"])
    answered = refused(staff, "2026-06-01T10:00:00+03:00", "2026-06-03T10:00:00+03:00")
    back = f"UTC_TIMESTAMP(3) - INTERVAL {days + 1} DAY"
    sql(env, f"UPDATE applications SET closed_at = {back} WHERE application_no IN "
        f"('{no}', '{answered.no}')")
    anonymised(env, no)
    [[period, basis_ok]] = sql(env, "SELECT retention, basis_at < UTC_TIMESTAMP(3) - INTERVAL "
                               f"{days} DAY FROM data_destructions WHERE application_id = {aid}")
    assert (period, basis_ok) == (f"P{days}D", "1")
    [[data]] = sql(env, "SELECT data FROM application_events WHERE kind = 'anonymised' AND "
                   f"application_id = {aid}")
    assert json.loads(data) == {"retention_days": days}
    assert column(env, "applications", "IFNULL(applicant_email, 'NULL')", f"id = {aid}") == [
        "NULL"]
    assert column(env, "outbox", "COUNT(*)", f"application_id = {aid}") == ["0"]
    time.sleep(1.5)  # several more passes of the worker (every 300 ms on the test stack)
    assert column(env, "applications", "IFNULL(anonymised_at, 'NULL')",
                  f"application_no = '{answered.no}'") == ["NULL"]
    audit_ok(env, no)


def test_a_redacted_event_still_proves_it_was_not_altered(api, staff, stack_env):
    """After the redaction the chain rests on the digests kept beside the blanked rows:
    altering one, or claiming the row hashes its texts (version 1), breaks the chain at
    that event (bimer-audit, even for someone able to lift the append-only trigger)."""
    env = stack_env
    app = refused(staff, "2026-06-01T10:00:00+03:00", "2026-06-03T10:00:00+03:00")
    age(env, app.no)
    anonymised(env, app.no)
    audit_ok(env, app.no)
    [[ev, kept]] = sql(env, "SELECT id, HEX(data_sha256) FROM application_events WHERE "
                       f"application_id = {app_id(env, app.no)} AND kind = 'answered'")
    assert kept != "NULL"
    for change, why in ((f"data_sha256 = UNHEX(SHA2('başka', 256))",
                         "content does not match its hash"),
                        ("hash_version = 1", "redacted, but its hash covers the texts")):
        with trigger_lifted(env):
            sql(env, f"UPDATE application_events SET {change} WHERE id = {ev}")
        bad = audit(env, app.no)
        assert bad.returncode == 1, bad.stdout + bad.stderr
        assert f"event {ev} of application {app.no}" in bad.stdout and why in bad.stdout, \
            bad.stdout
        with trigger_lifted(env):
            sql(env, f"UPDATE application_events SET data_sha256 = UNHEX('{kept}'), "
                f"hash_version = 2 WHERE id = {ev}")
        audit_ok(env, app.no)
