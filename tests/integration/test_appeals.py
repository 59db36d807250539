# SPDX-License-Identifier: MIT
"""Appeals to the Bilgi Edinme Değerlendirme Kurulu (issue 5; rules.md A1–A4, D4, D6)
through nginx on the real stack.

Information requests are keyed in by merkez.operator (POST /api/v1/staff/applications),
routed to SAGLIK and answered by saglik.bakanlik through the routing service, each step
on a chosen date (X-Test-Now moves the services' clock on the test stack). A deemed
rejection is set with SQL — the worker's sweep is not the subject here, and a daemon has
no X-Test-Now — as the row's status plus a `deemed_rejected` event whose hash links into
the application's audit chain (computed here exactly as bm_event_hash does), so
bimer-audit still verifies every chain this file touches. Every expected date is
counted by hand in a comment. Every response is checked against api-spec/openapi.yaml
by the `api` fixture."""
import concurrent.futures
import datetime
import email
import email.policy
import hashlib
import json
import os
import pathlib
import random
import subprocess
import time
import uuid

import pytest

from citizen import information_request, petition, sql, tckn
from test_attachments import tiny_pdf

PROBLEM = "application/problem+json"
REASON = "Talep ettiğim bilgiler 4982 sayılı Kanunun istisnaları kapsamında değildir."
NEGATIVE = "Talep edilen bilgi 4982 sayılı Kanunun 16. maddesi kapsamında devlet sırrıdır."


def ip():
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


def problem(resp, status, code):
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"].startswith(PROBLEM), resp.headers
    body = resp.json()
    assert body["status"] == status and body["code"] == code, body
    return body


def day_end(day):
    """The last second of an Istanbul date, as the API writes it."""
    return f"{day}T23:59:59+03:00"


# ---- staff sessions -------------------------------------------------------------

class Staff:
    """Access tokens of the demo accounts (logged in once, renewed before they expire)."""

    def __init__(self, api, env):
        self.api = api
        self.password = env.get("BIMER_DEMO_PASSWORD") or "Demo.Parola.2026"
        self.tokens = {}

    def token(self, user):
        tok, at = self.tokens.get(user, (None, 0))
        if not tok or time.time() - at > 600:
            r = self.api.post("/api/v1/auth/login",
                              json={"username": user, "password": self.password},
                              headers={"X-Forwarded-For": ip()})
            assert r.status_code == 200, r.text
            tok = r.json()["access_token"]
            self.tokens[user] = (tok, time.time())
        return tok

    def headers(self, user, when=None):
        h = {"X-Forwarded-For": ip()}
        if user:
            h["Authorization"] = "Bearer " + self.token(user)
        if when:
            h["X-Test-Now"] = when
        return h

    def get(self, user, path, when=None, **kw):
        return self.api.get(path, headers=self.headers(user, when), **kw)

    def post(self, user, path, body, when=None, **kw):
        return self.api.post(path, json=body, headers=self.headers(user, when), **kw)


@pytest.fixture(scope="module")
def staff(api, stack_env):
    return Staff(api, stack_env)


# ---- applications in every state an appeal cares about --------------------------

class App:
    def __init__(self, no, tckn_, email_):
        self.no, self.tckn, self.email = no, tckn_, email_


def keyed_in(staff, when, type_="bilgi_edinme"):
    """An application keyed in (received at `when`) by the central operator."""
    body = information_request() if type_ == "bilgi_edinme" else petition()
    body["channel"] = "letter"
    r = staff.post("merkez.operator", "/api/v1/staff/applications", body, when=when)
    assert r.status_code == 201, r.text
    a = body["applicant"]
    return App(r.json()["application_no"], a["tc_kimlik_no"], a["email"])


def routed(staff, when, type_="bilgi_edinme", to="SAGLIK"):
    app = keyed_in(staff, when, type_)
    r = staff.post("merkez.operator", f"/api/v1/applications/{app.no}/route",
                   {"institution_code": to}, when=when)
    assert r.status_code == 200, r.text
    return app


def answer(staff, app, when, outcome="negative", reason="BE_EXC_16", text=NEGATIVE,
           user="saglik.bakanlik"):
    body = {"outcome": outcome, "text": text}
    if reason:
        body["reason_code"] = reason
    r = staff.post(user, f"/api/v1/applications/{app.no}/answer", body, when=when)
    assert r.status_code == 200, r.text
    return r.json()


def refused(staff, received, answered, outcome="negative", reason="BE_EXC_16"):
    app = routed(staff, received)
    answer(staff, app, answered, outcome, reason)
    return app


def deem_rejected(env, app, at_utc):
    """Mark the application deemed rejected (D4) at at_utc ("YYYY-MM-DD HH:MM:SS") with an
    event that extends its audit chain exactly as bm_event_append would."""
    [[app_id]] = sql(env, f"SELECT id FROM applications WHERE application_no = '{app.no}'")
    sql(env, "UPDATE applications SET status = 'deemed_rejected', closed_at = "
        f"'{at_utc}' WHERE id = {app_id} AND status = 'in_progress'")
    prev = sql(env, "SELECT LOWER(HEX(hash)) FROM application_events WHERE application_id = "
               f"{app_id} ORDER BY id DESC LIMIT 1")
    prev_hex = prev[0][0] if prev else ""
    at = at_utc + ".000"
    data = json.dumps({"status": "deemed_rejected"}, separators=(",", ":"))
    # hash version 2 (migration 0017): the note and the data enter as their digests
    chain = ["v2", prev_hex, int(app_id), at, "deemed_rejected", 0, None, None, None, None,
             hashlib.sha256(data.encode()).hexdigest(), None]
    digest = hashlib.sha256(json.dumps(chain, separators=(",", ":"),
                                       ensure_ascii=False).encode()).hexdigest()
    sql(env, "INSERT INTO application_events (application_id, at, kind, data, prev_hash, hash) "
        f"VALUES ({app_id}, '{at}', 'deemed_rejected', '{data}', "
        f"{'UNHEX(%r)' % prev_hex if prev_hex else 'NULL'}, UNHEX('{digest}'))")
    [[status]] = sql(env, f"SELECT status FROM applications WHERE id = {app_id}")
    assert status == "deemed_rejected"


def appeal(api, app, when=None, key=None, **over):
    body = {"application_no": app.no, "tc_kimlik_no": app.tckn, "reason": REASON,
            "attachment_ids": []}
    body.update(over)
    h = {"X-Forwarded-For": ip()}
    if when:
        h["X-Test-Now"] = when
    if key:
        h["Idempotency-Key"] = key
    return api.post("/api/v1/appeals", json=body, headers=h)


def filed(api, app, when=None, **over):
    r = appeal(api, app, when, **over)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["status"] == "appeal_filed"
    return out


def upload(api):
    r = api.post("/api/v1/attachments", data=tiny_pdf(uuid.uuid4().hex),
                 headers={"Content-Type": "application/pdf", "X-Forwarded-For": ip()})
    assert r.status_code == 201, r.text
    return r.json()


def status_of(api, app):
    r = api.post("/api/v1/status", json={"tc_kimlik_no": app.tckn, "application_no": app.no},
                 headers={"X-Forwarded-For": ip()})
    assert r.status_code == 200, r.text
    return r.json()


def audit_ok(env, *numbers):
    """bimer-audit verifies the hash chains of these applications."""
    run_env = {"PATH": "/usr/bin:/bin", "ASAN_OPTIONS": env.get("ASAN_OPTIONS", ""),
               **{k: v for k, v in env.items() if k.startswith("BIMER_")}}
    out = subprocess.run([os.path.join(env["BIMER_BIN_DIR"], "bimer-audit"), *numbers],
                         env=run_env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and " 0 broken" in out.stdout, out.stdout + out.stderr


def mail_with(env, address, subject_part, timeout=20):
    """The mail to address whose subject contains subject_part (waits for it)."""
    box = pathlib.Path(env["BIMER_MAIL_DIR"])
    deadline = time.time() + timeout
    while time.time() < deadline:
        for f in sorted(box.glob("*.eml")):
            msg = email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
            if address in str(msg["To"]) and subject_part in str(msg["Subject"]):
                return msg
        time.sleep(0.2)
    raise AssertionError(f"no mail to {address} with {subject_part!r} within {timeout}s")


def text_of(msg):
    return msg.get_body(preferencelist=("plain",)).get_content()


# ---- A2: the window after an answer, around weekends and holidays ------------------

# (answered at, the last moment inside the window, the first moment after it)
ANSWER_WINDOWS = [
    # Tue 2026-05-12 + 15 = Wed 27 May: Kurban Bayramı (27–30 May), then Sun 31
    # → the window ends on Mon 2026-06-01.
    ("2026-05-12T15:00:00+03:00", "2026-06-01T23:59:00+03:00", "2026-06-02T00:00:01+03:00"),
    # Thu 2026-03-05 + 15 = Fri 20 Mar: Ramazan Bayramı (20–22 Mar, Sat–Sun)
    # → Mon 2026-03-23.
    ("2026-03-05T09:30:00+03:00", "2026-03-23T23:59:00+03:00", "2026-03-24T00:00:01+03:00"),
    # Wed 2026-03-04 + 15 = Thu 19 Mar: Ramazan arife, a half day and so a business day
    # (D6) → the window ends that very day.
    ("2026-03-04T11:00:00+03:00", "2026-03-19T23:59:00+03:00", "2026-03-20T00:00:01+03:00"),
    # Tue 2026-10-13 + 15 = Wed 28 Oct: 28 Ekim afternoon is a half day, a business day.
    ("2026-10-13T14:00:00+03:00", "2026-10-28T23:59:00+03:00", "2026-10-29T00:00:01+03:00"),
    # Wed 2025-12-17 + 15 = Thu 1 Jan 2026 (Yılbaşı) → Fri 2026-01-02.
    ("2025-12-17T16:00:00+03:00", "2026-01-02T23:59:00+03:00", "2026-01-03T00:00:01+03:00"),
    # Fri 2026-02-27 + 15 = Sat 14 Mar → Mon 2026-03-16.
    ("2026-02-27T10:00:00+03:00", "2026-03-16T23:59:00+03:00", "2026-03-17T00:00:01+03:00"),
    # The notification day is Istanbul's: 22:30 UTC on Wed 4 Mar is already Thu 2026-03-05
    # 01:30 there, so the window is the one of 5 Mar: → Mon 2026-03-23, not Thu 19 Mar.
    ("2026-03-04T22:30:00+00:00", "2026-03-23T23:59:00+03:00", "2026-03-24T00:00:01+03:00"),
]


@pytest.mark.parametrize("answered,last_in,first_out", ANSWER_WINDOWS)
def test_window_after_an_answer(api, staff, answered, last_in, first_out):
    received = (datetime.datetime.fromisoformat(answered)
                - datetime.timedelta(days=3)).isoformat()
    app = refused(staff, received, answered)
    late = problem(appeal(api, app, first_out), 422, "BEDK_LATE")
    assert late["detail"]
    out = filed(api, app, last_in)
    assert out["due_at"].endswith("T23:59:59+03:00")


def test_window_after_not_processed_under_a_be_code(api, staff):
    # Not processed (BE_NEEDS_RESEARCH) on Wed 2026-04-08: + 15 = Thu 23 Apr, a holiday
    # (Ulusal Egemenlik ve Çocuk Bayramı) → Fri 2026-04-24.
    app = refused(staff, "2026-04-06T10:00:00+03:00", "2026-04-08T10:00:00+03:00",
                  "not_processed", "BE_NEEDS_RESEARCH")
    late = problem(appeal(api, app, "2026-04-25T00:00:01+03:00"), 422, "BEDK_LATE")
    assert "24.04.2026" in late["detail"]
    r = api.post("/api/v1/appeals", json={"application_no": app.no, "tc_kimlik_no": app.tckn,
                                          "reason": REASON, "attachment_ids": []},
                 headers={"X-Forwarded-For": ip(), "Accept-Language": "en",
                          "X-Test-Now": "2026-04-25T00:00:01+03:00"})
    assert problem(r, 422, "BEDK_LATE")["detail"].startswith(
        "The period to appeal ended on 2026-04-24")
    filed(api, app, "2026-04-24T23:59:59+03:00")


# ---- A2: the window after a deemed rejection ----------------------------------------

# (received, the last moment inside the window, the first after it). D4: 30 days from
# the day after receipt (D6); the window's 15 days start the day the lawsuit period
# starts, the day after D4's last day, and end on D4's last day + 15 (moved per D6).
DEEMED_WINDOWS = [
    # Received Mon 2026-04-27: +30 = Wed 27 May, Kurban Bayramı → D4 ends Mon 1 Jun; the
    # lawsuit period starts Tue 2 Jun; 1 Jun + 15 = Tue 2026-06-16, a business day.
    ("2026-04-27T10:00:00+03:00", "2026-06-16T23:59:00+03:00", "2026-06-17T00:00:01+03:00"),
    # Received Mon 2026-04-13: +30 = Wed 13 May → D4 ends then; 13 May + 15 = Thu 28 May,
    # Kurban Bayramı (to Sat 30), Sun 31 → Mon 2026-06-01.
    ("2026-04-13T10:00:00+03:00", "2026-06-01T23:59:00+03:00", "2026-06-02T00:00:01+03:00"),
    # Received Mon 2026-09-14: +30 = Wed 14 Oct → D4 ends then; 14 Oct + 15 = Thu 29 Oct,
    # Cumhuriyet Bayramı → Fri 2026-10-30.
    ("2026-09-14T10:00:00+03:00", "2026-10-30T23:59:00+03:00", "2026-10-31T00:00:01+03:00"),
    # Received Mon 2026-02-09: +30 = Wed 11 Mar → D4 ends then; 11 Mar + 15 = Thu 2026-03-26,
    # a business day (no move: a one-day miscount of either period shows here).
    ("2026-02-09T10:00:00+03:00", "2026-03-26T23:59:00+03:00", "2026-03-27T00:00:01+03:00"),
    # Received Thu 2026-02-05: +30 = Sat 7 Mar → D4 ends Mon 9 Mar (D6 moves it too);
    # 9 Mar + 15 = Tue 2026-03-24. (Counting from Sat 7 Mar would give Sun 22 Mar → Mon 23.)
    ("2026-02-05T10:00:00+03:00", "2026-03-24T23:59:00+03:00", "2026-03-25T00:00:01+03:00"),
]


@pytest.mark.parametrize("received,last_in,first_out", DEEMED_WINDOWS)
def test_window_after_a_deemed_rejection(api, staff, stack_env, received, last_in, first_out):
    app = routed(staff, received)
    # marked by the sweep some days after D4 ended; the window does not depend on when
    deem_rejected(stack_env, app, "2026-11-01 06:00:00")
    problem(appeal(api, app, first_out), 422, "BEDK_LATE")
    out = filed(api, app, last_in)
    r = staff.get("bedk.uye", f"/api/v1/appeals/{out['appeal_id']}")
    assert r.status_code == 200, r.text
    rec = r.json()
    assert rec["ground"] == "deemed_rejected"
    assert rec["window_ends_at"] == day_end(last_in[:10])
    # no answer to copy: only the application is carried
    assert [c["kind"] for c in rec["copies"]] == ["application"]
    audit_ok(stack_env, app.no)


def test_deemed_rejection_of_an_extended_request_counts_from_its_due_time(api, staff,
                                                                          stack_env):
    # Received Mon 2026-02-02 and extended (D2) to 30 business days: Feb 3–6 (4), 9–13 (9),
    # 16–20 (14), 23–27 (19), Mar 2–6 (24), 9–13 (29), Mon 16 Mar (30). D4 alone would end
    # Wed 4 Mar (2 Feb + 30), but the institution had until 16 Mar: the silence period ends
    # then (as the worker's sweep counts it), and the window on 16 Mar + 15 = Tue
    # 2026-03-31. (Counted from D4 alone it would have closed on Thu 19 Mar.)
    app = routed(staff, "2026-02-02T10:00:00+03:00")
    r = staff.post("saglik.bakanlik", f"/api/v1/applications/{app.no}/extend",
                   {"reason": "Cevap için il müdürlüklerinden bilgi toplanmaktadır."},
                   when="2026-02-10T10:00:00+03:00")
    assert r.status_code == 200, r.text
    assert r.json()["due_at"] == day_end("2026-03-16")
    deem_rejected(stack_env, app, "2026-03-17 06:00:00")
    problem(appeal(api, app, "2026-04-01T00:00:01+03:00"), 422, "BEDK_LATE")
    filed(api, app, "2026-03-20T10:00:00+03:00")


def test_deemed_rejection_after_a_reopening_counts_from_the_reopening(api, staff, stack_env):
    app = refused(staff, "2026-06-01T10:00:00+03:00", "2026-06-03T10:00:00+03:00")
    appeal_id = filed(api, app, "2026-06-05T10:00:00+03:00")["appeal_id"]
    r = staff.post("bedk.uye", f"/api/v1/appeals/{appeal_id}/decision",
                   {"decision": "partially_accepted",
                    "text": "Bilginin bir kısmının verilmesine karar verilmiştir."},
                   when="2026-07-01T10:00:00+03:00")
    assert r.status_code == 200, r.text
    # Sent back on Wed 2026-07-01 and left unanswered: the new round's silence period is
    # 1 Jul + 30 = Fri 31 Jul (its due time, 15 business days, was Thu 23 Jul, earlier),
    # and the window 31 Jul + 15 = Sat 15 Aug → Mon 2026-08-17.
    assert r.json()["application_due_at"] == day_end("2026-07-23")
    deem_rejected(stack_env, app, "2026-08-01 06:00:00")
    problem(appeal(api, app, "2026-08-18T00:00:01+03:00"), 422, "BEDK_LATE")
    out = filed(api, app, "2026-08-17T23:59:00+03:00")
    rec = staff.get("bedk.uye", f"/api/v1/appeals/{out['appeal_id']}").json()
    assert rec["ground"] == "deemed_rejected"
    audit_ok(stack_env, app.no)


# ---- A1: eligibility ---------------------------------------------------------------

def test_only_refused_information_requests_are_eligible(api, staff, stack_env):
    t0, t1, t_appeal = ("2026-06-01T10:00:00+03:00", "2026-06-03T10:00:00+03:00",
                        "2026-06-05T10:00:00+03:00")
    # a petition answered negatively: Law 3071, not 4982 — no appeal to BEDK
    petition_app = routed(staff, t0, "dilekce")
    answer(staff, petition_app, t1, "negative", None)
    # an information request answered positively: nothing was refused
    positive = routed(staff, t0)
    answer(staff, positive, t1, "positive", None)
    # not processed, but not under a BE_ code (JUDICIAL: before a court)
    judicial = routed(staff, t0)
    answer(staff, judicial, t1, "not_processed", "JUDICIAL")
    # still in progress: not refused (yet)
    open_ = routed(staff, t0)
    # cancelled by the applicant
    cancelled = keyed_in(staff, t0)
    c = api.post(f"/api/v1/applications/{cancelled.no}/cancel",
                 json={"tc_kimlik_no": cancelled.tckn}, headers={"X-Forwarded-For": ip()})
    assert c.status_code == 200, c.text
    for app in (petition_app, positive, judicial, open_, cancelled):
        body = problem(appeal(api, app, t_appeal), 422, "BEDK_NOT_ELIGIBLE")
        assert "4982" in body["detail"]
    assert int(sql(stack_env, "SELECT COUNT(*) FROM appeals p JOIN applications a ON "
                   "a.id = p.application_id WHERE a.application_no IN ("
                   + ", ".join(f"'{a.no}'" for a in (petition_app, positive, judicial, open_,
                                                     cancelled)) + ")")[0][0]) == 0
    # the refusals that are eligible: negative and partial under a BE_ code, not
    # processed under a BE_ code (and deemed rejections, above)
    for outcome, reason in (("negative", "BE_EXC_16"), ("partial", "BE_EXC_21"),
                            ("not_processed", "BE_PUBLISHED")):
        app = routed(staff, t0)
        answer(staff, app, t1, outcome, reason)
        filed(api, app, t_appeal)


def test_unknown_number_or_wrong_id_is_the_status_lookups_404(api, staff):
    app = refused(staff, "2026-06-01T10:00:00+03:00", "2026-06-03T10:00:00+03:00")
    when = "2026-06-05T10:00:00+03:00"
    wrong_id = problem(appeal(api, app, when, tc_kimlik_no=tckn()), 404,
                       "APPLICATION_NOT_FOUND")
    unknown = problem(appeal(api, app, when, application_no="2026-9999999-1"), 404,
                      "APPLICATION_NOT_FOUND")
    look = api.post("/api/v1/status", json={"tc_kimlik_no": tckn(),
                                            "application_no": "2026-9999999-1"},
                    headers={"X-Forwarded-For": ip()})
    miss = problem(look, 404, "APPLICATION_NOT_FOUND")
    # the same answer whether the number exists or not, and the same as the look-up
    for body in (wrong_id, unknown):
        assert (body["title"], body["detail"]) == (miss["title"], miss["detail"])
    filed(api, app, when)  # the right pair still works


def test_misses_count_against_the_status_lookups_limits(api, staff, stack_env):
    """A wrong ID number is a look-up miss: it counts against the per-ID limit that the
    status look-up keeps (BIMER_RL_STATUS_ID), whatever the client address, so appeals
    cannot be used to probe numbers either."""
    app = refused(staff, "2026-06-01T10:00:00+03:00", "2026-06-03T10:00:00+03:00")
    limit = int((stack_env.get("BIMER_RL_STATUS_ID") or "10/600").split("/")[0])
    wrong = tckn()
    for _ in range(limit):
        problem(appeal(api, app, "2026-06-05T10:00:00+03:00", tc_kimlik_no=wrong), 404,
                "APPLICATION_NOT_FOUND")
    over = appeal(api, app, "2026-06-05T10:00:00+03:00", tc_kimlik_no=wrong)
    problem(over, 429, "RATE_LIMITED")
    assert int(over.headers["Retry-After"]) > 0
    look = api.post("/api/v1/status", json={"tc_kimlik_no": wrong, "application_no": app.no},
                    headers={"X-Forwarded-For": ip()})
    problem(look, 429, "RATE_LIMITED")  # one budget for both


def test_malformed_appeals_are_422_before_anything_is_looked_up(api, staff):
    app = refused(staff, "2026-06-01T10:00:00+03:00", "2026-06-03T10:00:00+03:00")
    when = "2026-06-05T10:00:00+03:00"
    bad_tckn = app.tckn[:10] + str((int(app.tckn[10]) + 1) % 10)
    r = appeal(api, app, when, tc_kimlik_no=bad_tckn)
    assert problem(r, 422, "VALIDATION_FAILED")["errors"][0]["code"] == "TCKN_CHECKSUM"
    r = appeal(api, app, when, reason="kısa")
    assert problem(r, 422, "VALIDATION_FAILED")["errors"][0]["field"] == "reason"
    body = {"application_no": app.no, "tc_kimlik_no": app.tckn, "reason": REASON}
    r = api.post("/api/v1/appeals", json=body, headers={"X-Forwarded-For": ip()})
    assert problem(r, 422, "VALIDATION_FAILED")["errors"][0]["field"] == "attachment_ids"
    r = appeal(api, app, when, extra=1)
    assert problem(r, 422, "VALIDATION_FAILED")["errors"][0]["code"] == "UNKNOWN_FIELD"


# ---- one appeal per refusal, one open at a time ---------------------------------------

def test_one_open_appeal_per_application(api, staff):
    app = refused(staff, "2026-06-01T10:00:00+03:00", "2026-06-03T10:00:00+03:00")
    first = filed(api, app, "2026-06-05T10:00:00+03:00")
    problem(appeal(api, app, "2026-06-06T10:00:00+03:00"), 422, "BEDK_ALREADY_APPEALED")
    d = staff.post("bedk.uye", f"/api/v1/appeals/{first['appeal_id']}/decision",
                   {"decision": "rejected", "text": "İtiraz yerinde görülmemiştir."},
                   when="2026-06-08T10:00:00+03:00")
    assert d.status_code == 200, d.text
    # decided, but this refusal has had its appeal: still refused, still within the window
    problem(appeal(api, app, "2026-06-09T10:00:00+03:00"), 422, "BEDK_ALREADY_APPEALED")


def test_concurrent_appeals_file_exactly_one(api, staff, stack_env):
    app = refused(staff, "2026-06-01T10:00:00+03:00", "2026-06-03T10:00:00+03:00")
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        rs = list(pool.map(lambda _: appeal(api, app, "2026-06-05T10:00:00+03:00"),
                           range(8)))
    codes = sorted(r.status_code for r in rs)
    assert codes == [201] + [422] * 7, [r.text for r in rs]
    assert all(r.json()["code"] == "BEDK_ALREADY_APPEALED" for r in rs if r.status_code == 422)
    [[n]] = sql(stack_env, "SELECT COUNT(*) FROM appeals p JOIN applications a ON "
                f"a.id = p.application_id WHERE a.application_no = '{app.no}'")
    assert n == "1"


def test_idempotency_key(api, staff):
    app = refused(staff, "2026-06-01T10:00:00+03:00", "2026-06-03T10:00:00+03:00")
    key = f"appeal-{uuid.uuid4().hex}"
    when = "2026-06-05T10:00:00+03:00"
    one = appeal(api, app, when, key=key)
    two = appeal(api, app, when, key=key)
    assert one.status_code == two.status_code == 201, (one.text, two.text)
    assert one.json() == two.json()
    other = appeal(api, app, when, key=key, reason=REASON + " Ek gerekçe.")
    problem(other, 422, "IDEMPOTENCY_KEY_REUSED")
    # concurrent retries of one request all get the one appeal
    app2 = refused(staff, "2026-06-01T10:00:00+03:00", "2026-06-03T10:00:00+03:00")
    key2 = f"appeal-{uuid.uuid4().hex}"
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        rs = list(pool.map(lambda _: appeal(api, app2, when, key=key2), range(6)))
    assert {r.status_code for r in rs} == {201}, [r.text for r in rs]
    assert len({r.json()["appeal_id"] for r in rs}) == 1
    # the key is the request's: on another application it is a reuse
    problem(appeal(api, app2, when, key=key), 422, "IDEMPOTENCY_KEY_REUSED")


# ---- A3: copies and attachments -------------------------------------------------------

def test_copies_are_generated_from_the_record_with_their_hashes(api, staff, stack_env):
    app = refused(staff, "2026-06-01T10:00:00+03:00", "2026-06-03T10:00:00+03:00")
    extra = upload(api)
    out = filed(api, app, "2026-06-05T10:00:00+03:00", attachment_ids=[extra["attachment_id"]])
    r = staff.get("bedk.uye", f"/api/v1/appeals/{out['appeal_id']}")
    assert r.status_code == 200, r.text
    rec = r.json()
    copies = {c["kind"]: c for c in rec["copies"]}
    assert set(copies) == {"application", "answer"}
    for c in copies.values():
        assert c["source"] == "generated" and c["attachment_id"] is None
        assert c["generated_at"] == "2026-06-05T10:00:00+03:00"
        assert hashlib.sha256(c["document_text"].encode()).hexdigest() == c["sha256"]
        assert json.loads(c["document_text"]) == c["document"]
    a = copies["application"]["document"]
    [[subject, body]] = sql(stack_env, "SELECT subject, body FROM applications WHERE "
                            f"application_no = '{app.no}'")
    assert (a["application_no"], a["type"], a["subject"], a["body"], a["received_at"]) == (
        app.no, "bilgi_edinme", subject, body, "2026-06-01T10:00:00+03:00")
    b = copies["answer"]["document"]
    assert (b["outcome"], b["reason_code"], b["text"], b["answered_at"]) == (
        "negative", "BE_EXC_16", NEGATIVE, "2026-06-03T10:00:00+03:00")
    assert b["institution"]["code"] == "SAGLIK"
    # the stored copy is the one that was hashed
    [[stored]] = sql(stack_env, "SELECT LOWER(SHA2(c.document, 256)) FROM appeal_copies c "
                     "JOIN appeals p ON p.id = c.appeal_id WHERE p.appeal_no = "
                     f"'{out['appeal_id']}' AND c.kind = 'answer'")
    assert stored == copies["answer"]["sha256"]
    # the citizen's own document is the appeal's
    assert [x["attachment_id"] for x in rec["attachments"]] == [extra["attachment_id"]]
    assert rec["attachments"][0]["sha256"] == extra["sha256"]


def test_attachments_are_claimed_once(api, staff):
    when = "2026-06-05T10:00:00+03:00"
    a1 = refused(staff, "2026-06-01T10:00:00+03:00", "2026-06-03T10:00:00+03:00")
    a2 = refused(staff, "2026-06-01T10:00:00+03:00", "2026-06-03T10:00:00+03:00")
    doc = upload(api)["attachment_id"]
    filed(api, a1, when, attachment_ids=[doc])
    r = appeal(api, a2, when, attachment_ids=[doc, "NoSuchAttachment00"])
    errs = {e["field"]: e["code"] for e in problem(r, 422, "VALIDATION_FAILED")["errors"]}
    assert errs == {"attachment_ids[0]": "ATTACHMENT_ALREADY_USED",
                    "attachment_ids[1]": "ATTACHMENT_NOT_FOUND"}
    dup = upload(api)["attachment_id"]
    r = appeal(api, a2, when, attachment_ids=[dup, dup])
    assert problem(r, 422, "VALIDATION_FAILED")["errors"][0]["code"] == "DUPLICATE"
    # nothing of the refused filings stayed: a2 can still appeal, with dup
    filed(api, a2, when, attachment_ids=[dup])


def test_an_attachment_of_an_appeal_cannot_go_to_an_application(api, staff):
    app = refused(staff, "2026-06-01T10:00:00+03:00", "2026-06-03T10:00:00+03:00")
    doc = upload(api)["attachment_id"]
    filed(api, app, "2026-06-05T10:00:00+03:00", attachment_ids=[doc])
    r = api.post("/api/v1/applications", json=petition(attachment_ids=[doc]),
                 headers={"X-Forwarded-For": ip()})
    body = problem(r, 422, "VALIDATION_FAILED")
    assert body["errors"][0]["code"] == "ATTACHMENT_ALREADY_USED"


# ---- paper appeals keyed in by staff ----------------------------------------------------

def staff_appeal(staff, user, app, when, **over):
    body = {"application_no": app.no, "tc_kimlik_no": app.tckn, "channel": "letter",
            "reason": REASON}
    body.update(over)
    return staff.post(user, "/api/v1/appeals/staff", body, when=when)


def test_paper_appeals_need_the_copies_and_never_come_by_email_or_fax(api, staff, stack_env):
    when = "2026-06-05T10:00:00+03:00"
    app = refused(staff, "2026-06-01T10:00:00+03:00", "2026-06-03T10:00:00+03:00")
    for channel in ("email", "fax"):
        problem(staff_appeal(staff, "merkez.operator", app, when, channel=channel), 422,
                "BEDK_EMAIL_FAX")
    problem(staff_appeal(staff, "merkez.operator", app, when), 422, "BEDK_MISSING_COPIES")
    copy_app, copy_answer = upload(api), upload(api)
    r = staff_appeal(staff, "merkez.operator", app, when,
                     copies={"application": copy_app["attachment_id"]})
    problem(r, 422, "BEDK_MISSING_COPIES")  # the answer's copy is missing
    # not for citizens or institutions; a wrong ID number is the usual 404
    r = api.post("/api/v1/appeals/staff", json={"application_no": app.no, "channel": "letter",
                                                "reason": REASON},
                 headers={"X-Forwarded-For": ip()})
    problem(r, 401, "UNAUTHORIZED")
    problem(staff_appeal(staff, "saglik.bakanlik", app, when), 403, "FORBIDDEN")
    problem(staff_appeal(staff, "merkez.operator", app, when, tc_kimlik_no=tckn(),
                         copies={"application": copy_app["attachment_id"],
                                 "answer": copy_answer["attachment_id"]}),
            404, "APPLICATION_NOT_FOUND")
    r = staff_appeal(staff, "merkez.operator", app, when, channel="in_person",
                     copies={"application": copy_app["attachment_id"],
                             "answer": copy_answer["attachment_id"]})
    assert r.status_code == 201, r.text
    appeal_id = r.json()["appeal_id"]
    rec = staff.get("bedk.uye", f"/api/v1/appeals/{appeal_id}").json()
    assert rec["channel"] == "in_person"
    scanned = {c["kind"]: c for c in rec["copies"] if c["source"] == "attachment"}
    assert scanned["application"]["attachment_id"] == copy_app["attachment_id"]
    assert scanned["application"]["sha256"] == copy_app["sha256"]
    assert scanned["answer"]["sha256"] == copy_answer["sha256"]
    assert {c["kind"] for c in rec["copies"] if c["source"] == "generated"} == {
        "application", "answer"}
    assert rec["attachments"] == []  # the copies are not "additional documents"
    [[who]] = sql(stack_env, "SELECT u.username FROM appeals p JOIN users u ON "
                  f"u.id = p.filed_by_user_id WHERE p.appeal_no = '{appeal_id}'")
    assert who == "merkez.operator"


def test_paper_appeal_after_a_deemed_rejection_needs_only_the_application(api, staff,
                                                                          stack_env):
    app = routed(staff, "2026-04-27T10:00:00+03:00")
    deem_rejected(stack_env, app, "2026-06-02 06:00:00")
    copy_app = upload(api)["attachment_id"]
    r = staff_appeal(staff, "bedk.uye", app, "2026-06-10T10:00:00+03:00", tc_kimlik_no=None,
                     copies={"application": copy_app, "answer": None})
    assert r.status_code == 201, r.text


# ---- BEDK's side: the flow to a decision, and the reopened application ------------------

def test_bedk_flow_to_a_decision_and_the_reopened_application(api, staff, stack_env):
    # Received Mon 2026-04-06, answered negatively Fri 2026-04-17.
    app = refused(staff, "2026-04-06T10:00:00+03:00", "2026-04-17T10:00:00+03:00")
    # Filed Mon 2026-04-20. BEDK's 30 business days (A4) from Tue 21 Apr: 21 22 24 (23 Apr
    # holiday) 27 28 29 30 (1 May holiday) 4–8 May (12) 11–15 (17) 18 20 21 22 (19 May
    # holiday: 21) 25 26 (arife, a business day: 23) 1–5 Jun (27 May–30 May bayram: 28)
    # 8 9 → Tue 2026-06-09.
    out = filed(api, app, "2026-04-20T11:00:00+03:00")
    appeal_id = out["appeal_id"]
    assert out["due_at"] == day_end("2026-06-09")
    m = mail_with(stack_env, app.email, "itirazınız alındı")
    assert appeal_id in text_of(m) and "09.06.2026" in text_of(m) and app.no in text_of(m)

    # the citizen's status shows the appeal and its event
    st = status_of(api, app)
    assert st["appeal"] == {"appeal_id": appeal_id, "status": "appeal_filed",
                            "due_at": day_end("2026-06-09")}
    assert [e["kind"] for e in st["events"]][-1] == "appeal_filed"

    # BEDK lists it; an institution that was not asked does not see it
    r = staff.get("bedk.uye", "/api/v1/appeals?status=appeal_filed&overdue=false",
                  when="2026-04-20T12:00:00+03:00")
    assert r.status_code == 200, r.text
    assert appeal_id in all_ids(staff, "bedk.uye", "status=appeal_filed&overdue=false",
                                "2026-04-20T12:00:00+03:00")
    assert appeal_id not in all_ids(staff, "bedk.uye", "overdue=true",
                                    "2026-04-20T12:00:00+03:00")
    assert appeal_id not in all_ids(staff, "bedk.uye", "status=appeal_decided")
    # past its due day it is overdue
    assert appeal_id in all_ids(staff, "bedk.uye", "overdue=true", "2026-06-10T00:00:01+03:00")
    assert staff.get("saglik.bakanlik", f"/api/v1/appeals/{appeal_id}").status_code == 404
    assert appeal_id not in all_ids(staff, "saglik.bakanlik", "")

    # BEDK asks the institution that answered (the default) on Tue 2026-04-21; it owes an
    # answer in 15 business days: 22 24 27 28 29 30 (23 Apr, 1 May holidays) 4–8 May (11)
    # 11 12 13 14 → Thu 2026-05-14.
    r = staff.post("bedk.uye", f"/api/v1/appeals/{appeal_id}/information-request",
                   {"text": "Başvuru sahibine verilen cevabın dayanağı olan belgelerin "
                            "gönderilmesi rica olunur."}, when="2026-04-21T10:00:00+03:00")
    assert r.status_code == 201, r.text
    ask = r.json()
    assert ask["institution"]["code"] == "SAGLIK"
    assert ask["due_at"] == day_end("2026-05-14") and ask["answered_at"] is None
    # a second request to the same institution while the first is open
    r = staff.post("bedk.uye", f"/api/v1/appeals/{appeal_id}/information-request",
                   {"text": "Ek bilgi talebimizdir, lütfen cevaplayınız."},
                   when="2026-04-22T10:00:00+03:00")
    problem(r, 409, "INFORMATION_REQUEST_OPEN")

    # the institution sees the request addressed to it, and only that
    item = next(i for i in all_items(staff, "saglik.bakanlik", "",
                                     "2026-05-15T10:00:00+03:00")
                if i["appeal_id"] == appeal_id)
    assert item["information_request"]["information_request_id"] == \
        ask["information_request_id"]
    assert item["information_request"]["overdue"] is True  # 15 May: past 14 May
    # ... and in its routing inbox, beside its applications (A4: it owes the answer)
    page = staff.get("saglik.bakanlik", "/api/v1/inbox?limit=1",
                     when="2026-05-15T10:00:00+03:00")
    assert page.status_code == 200, page.text
    [owed] = [q for q in page.json()["information_requests"] if q["appeal_id"] == appeal_id]
    assert owed == {"information_request_id": ask["information_request_id"],
                    "appeal_id": appeal_id, "application_no": app.no,
                    "text": ask["text"], "requested_at": ask["requested_at"],
                    "due_at": ask["due_at"], "overdue": True}
    early = staff.get("saglik.bakanlik", "/api/v1/inbox", when="2026-05-14T23:00:00+03:00")
    assert [q["overdue"] for q in early.json()["information_requests"]
            if q["appeal_id"] == appeal_id] == [False]
    for other in ("ankara.meb", "merkez.operator"):  # not addressed to them
        r = staff.get(other, "/api/v1/inbox")
        assert appeal_id not in {q["appeal_id"] for q in r.json()["information_requests"]}
    r = staff.get("saglik.bakanlik", f"/api/v1/appeals/{appeal_id}")
    assert r.status_code == 200, r.text
    seen = r.json()
    assert seen["application"] is None and seen["copies"] == [] and seen["attachments"] == []
    assert [q["institution"]["code"] for q in seen["information_requests"]] == ["SAGLIK"]
    assert {e["kind"] for e in seen["events"]} == {"appeal_information_requested"}
    # ... and answers it on Mon 2026-05-04, with a document
    doc = upload(api)
    r = staff.post("saglik.bakanlik", f"/api/v1/appeals/{appeal_id}/information-response",
                   {"text": "İstenen belgeler ekte sunulmuştur.",
                    "attachment_ids": [doc["attachment_id"]]},
                   when="2026-05-04T10:00:00+03:00")
    assert r.status_code == 200, r.text
    assert r.json()["answered_at"] == "2026-05-04T10:00:00+03:00"
    assert r.json()["attachments"][0]["sha256"] == doc["sha256"]
    r = staff.post("saglik.bakanlik", f"/api/v1/appeals/{appeal_id}/information-response",
                   {"text": "İkinci kez cevaplıyoruz."}, when="2026-05-05T10:00:00+03:00")
    problem(r, 409, "INFORMATION_REQUEST_ANSWERED")
    # answered: no longer owed, so no longer in the inbox
    r = staff.get("saglik.bakanlik", "/api/v1/inbox")
    assert appeal_id not in {q["appeal_id"] for q in r.json()["information_requests"]}
    # an institution that was never asked has nothing to answer
    r = staff.post("ankara.meb", f"/api/v1/appeals/{appeal_id}/information-response",
                   {"text": "Bize sorulmadı ama cevaplıyoruz."})
    problem(r, 404, "APPEAL_NOT_FOUND")

    # BEDK reads the whole file
    rec = staff.get("bedk.uye", f"/api/v1/appeals/{appeal_id}").json()
    assert rec["reason"] == REASON and rec["status"] == "appeal_filed"
    assert rec["application"]["application_no"] == app.no
    assert rec["application"]["applicant"]["tc_kimlik_no"] == app.tckn[:3] + "******" + \
        app.tckn[9:]
    assert rec["application"]["answer"]["text"] == NEGATIVE
    [q] = rec["information_requests"]
    assert q["answer_text"] == "İstenen belgeler ekte sunulmuştur."
    assert [e["kind"] for e in rec["events"]] == [
        "appeal_filed", "appeal_information_requested", "appeal_information_answered"]

    # only BEDK decides
    decision = {"decision": "accepted",
                "text": "Talep edilen bilginin başvuru sahibine verilmesine karar verilmiştir."}
    problem(staff.post("saglik.bakanlik", f"/api/v1/appeals/{appeal_id}/decision", decision),
            403, "FORBIDDEN")
    problem(staff.post("merkez.operator", f"/api/v1/appeals/{appeal_id}/decision", decision),
            403, "FORBIDDEN")
    # Accepted on Wed 2026-05-20: the institution's new 15 business days: 21 22 25 26
    # (arife, a business day) 1–5 Jun (27–30 May bayram: 9) 8–12 (14) 15 → Mon 2026-06-15.
    r = staff.post("bedk.uye", f"/api/v1/appeals/{appeal_id}/decision", decision,
                   when="2026-05-20T10:00:00+03:00")
    assert r.status_code == 200, r.text
    d = r.json()
    assert d == {"appeal_id": appeal_id, "status": "appeal_decided", "decision": "accepted",
                 "decided_at": "2026-05-20T10:00:00+03:00",
                 "application_due_at": day_end("2026-06-15")}
    problem(staff.post("bedk.uye", f"/api/v1/appeals/{appeal_id}/decision",
                       {"decision": "rejected", "text": "İkinci karar denemesidir."}),
            409, "APPEAL_DECIDED")
    problem(staff.post("bedk.uye", f"/api/v1/appeals/{appeal_id}/information-request",
                       {"text": "Karardan sonra bilgi talebi.", "institution_code": "MEB"}),
            409, "APPEAL_DECIDED")
    m = mail_with(stack_env, app.email, "karara bağladı")
    assert "kabulü" in text_of(m) and "15.06.2026" in text_of(m)
    assert decision["text"] in text_of(m)

    # the citizen's status: the decision, and the application back with the institution
    st = status_of(api, app)
    assert st["status"] == "in_progress" and st.get("outcome") is None
    assert st["due_at"] == day_end("2026-06-15")
    assert st["assigned_institution"]["code"] == "SAGLIK"
    assert st["appeal"]["status"] == "appeal_decided"
    assert st["appeal"]["decision"] == "accepted"
    kinds = [e["kind"] for e in st["events"]]
    assert kinds[-5:] == ["appeal_filed", "appeal_information_requested",
                          "appeal_information_answered", "appeal_decided", "reopened"]
    assert st["events"][-1]["institution"]["code"] == "SAGLIK"
    # the institution's inbox has it again, due on the new day
    [held] = [i for i in inbox(staff, "saglik.bakanlik", "2026-05-21T10:00:00+03:00")
              if i["application_no"] == app.no]
    assert held["status"] == "in_progress" and held["due_at"] == day_end("2026-06-15")

    # the holding institution answers again through the routing service, on Mon 1 Jun
    again = answer(staff, app, "2026-06-01T10:00:00+03:00", "partial", "BE_EXC_21",
                   "İstenen bilgilerin özel hayata ilişkin olmayan kısmı ekte sunulmuştur.")
    assert again["status"] == "answered" and again["outcome"] == "partial"
    st = status_of(api, app)
    assert st["status"] == "answered" and st["outcome"] == "partial"
    # a new refusal can be appealed anew (its own window: 1 Jun + 15 = Tue 16 Jun)
    problem(appeal(api, app, "2026-06-17T00:00:01+03:00"), 422, "BEDK_LATE")
    second = filed(api, app, "2026-06-16T12:00:00+03:00")
    assert second["appeal_id"] != appeal_id
    assert status_of(api, app)["appeal"]["appeal_id"] == second["appeal_id"]
    audit_ok(stack_env, app.no)


def test_rejected_appeal_leaves_the_application_refused(api, staff, stack_env):
    app = refused(staff, "2026-06-01T10:00:00+03:00", "2026-06-03T10:00:00+03:00")
    appeal_id = filed(api, app, "2026-06-05T10:00:00+03:00")["appeal_id"]
    r = staff.post("bedk.uye", f"/api/v1/appeals/{appeal_id}/decision",
                   {"decision": "rejected", "text": "Bilgi, Kanunun 16. maddesi kapsamındadır."},
                   when="2026-06-10T10:00:00+03:00")
    assert r.status_code == 200, r.text
    assert r.json()["application_due_at"] is None
    st = status_of(api, app)
    assert (st["status"], st["outcome"]) == ("answered", "negative")
    assert st["appeal"]["decision"] == "rejected"
    assert "reopened" not in [e["kind"] for e in st["events"]]
    m = mail_with(stack_env, app.email, "karara bağladı")
    assert "reddi" in text_of(m) and "idari yargı" in text_of(m)
    audit_ok(stack_env, app.no)


def test_a_request_to_another_institution_is_seen_by_it_alone(api, staff):
    app = refused(staff, "2026-06-01T10:00:00+03:00", "2026-06-03T10:00:00+03:00")
    appeal_id = filed(api, app, "2026-06-05T10:00:00+03:00")["appeal_id"]
    r = staff.post("bedk.uye", f"/api/v1/appeals/{appeal_id}/information-request",
                   {"institution_code": "IL-MEB-06",
                    "text": "İl müdürlüğünüzdeki kayıtların gönderilmesi rica olunur."})
    assert r.status_code == 201, r.text
    assert appeal_id in all_ids(staff, "ankara.meb", "")
    assert appeal_id not in all_ids(staff, "saglik.bakanlik", "")
    assert staff.get("saglik.bakanlik", f"/api/v1/appeals/{appeal_id}").status_code == 404
    seen = staff.get("ankara.meb", f"/api/v1/appeals/{appeal_id}").json()
    assert [q["institution"]["code"] for q in seen["information_requests"]] == ["IL-MEB-06"]
    # the institution must exist and be inside the system (W4)
    for code, err in (("YOK-BOYLE-KURUM", "UNKNOWN_INSTITUTION"),
                      ("ANAYASA-MAHKEMESI", "INSTITUTION_OUT_OF_SCOPE")):
        r = staff.post("bedk.uye", f"/api/v1/appeals/{appeal_id}/information-request",
                       {"institution_code": code, "text": "Bilgi talebimizdir efendim."})
        assert problem(r, 422, "VALIDATION_FAILED")["errors"][0]["code"] == err


# ---- access -----------------------------------------------------------------------------

def all_items(staff, user, query, when=None):
    """Every item of GET /api/v1/appeals for user, page by page (limit 2)."""
    items, cursor = [], None
    for _ in range(10000):
        q = "limit=2" + (f"&{query}" if query else "") + (f"&cursor={cursor}" if cursor else "")
        r = staff.get(user, f"/api/v1/appeals?{q}", when=when)
        assert r.status_code == 200, r.text
        page = r.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items
    raise AssertionError("the cursor never ended")


def inbox(staff, user, when):
    """Every in-progress item of the routing service's inbox for user."""
    items, cursor = [], None
    for _ in range(10000):
        q = "status=in_progress&limit=100" + (f"&cursor={cursor}" if cursor else "")
        r = staff.get(user, f"/api/v1/inbox?{q}", when=when)
        assert r.status_code == 200, r.text
        items += r.json()["items"]
        cursor = r.json()["next_cursor"]
        if not cursor:
            return items
    raise AssertionError("the cursor never ended")


def all_ids(staff, user, query, when=None):
    ids = [i["appeal_id"] for i in all_items(staff, user, query, when)]
    assert len(ids) == len(set(ids)), "a page boundary repeated an appeal"
    return ids


def test_only_bedk_members_and_asked_institutions_see_appeals(api, staff):
    app = refused(staff, "2026-06-01T10:00:00+03:00", "2026-06-03T10:00:00+03:00")
    appeal_id = filed(api, app, "2026-06-05T10:00:00+03:00")["appeal_id"]
    # citizens cannot list or read appeals; staff without the role are refused
    problem(api.get("/api/v1/appeals", headers={"X-Forwarded-For": ip()}), 401, "UNAUTHORIZED")
    problem(api.get(f"/api/v1/appeals/{appeal_id}", headers={"X-Forwarded-For": ip()}), 401,
            "UNAUTHORIZED")
    for user in ("merkez.operator", "ankara.operator"):
        problem(staff.get(user, "/api/v1/appeals"), 403, "FORBIDDEN")
        problem(staff.get(user, f"/api/v1/appeals/{appeal_id}"), 403, "FORBIDDEN")
    # institutions see nothing they were not asked about, and cannot ask or decide
    for user in ("saglik.bakanlik", "ankara.meb", "cankaya.kaymakamlik", "etik.kurul"):
        assert appeal_id not in all_ids(staff, user, "")
        problem(staff.get(user, f"/api/v1/appeals/{appeal_id}"), 404, "APPEAL_NOT_FOUND")
        problem(staff.post(user, f"/api/v1/appeals/{appeal_id}/information-request",
                           {"text": "Kendi kendimize bilgi talebi."}), 403, "FORBIDDEN")
    # a BEDK member sees it; an unknown or malformed id is 404
    assert staff.get("bedk.uye", f"/api/v1/appeals/{appeal_id}").status_code == 200
    problem(staff.get("bedk.uye", "/api/v1/appeals/2026-999999"), 404, "APPEAL_NOT_FOUND")
    problem(staff.get("bedk.uye", "/api/v1/appeals/not-an-id"), 404, "APPEAL_NOT_FOUND")
    # BEDK's reads are audited on the application
    # (staff_read events carry the appeal id; none of them reaches the citizen)
    kinds = [e["kind"] for e in status_of(api, app)["events"]]
    assert "staff_read" not in kinds


def test_list_filters_and_cursor(api, staff):
    # Two appeals filed the same day, due the same day: the cursor keeps (due_at, id) order.
    mine = []
    for _ in range(3):
        app = refused(staff, "2026-07-01T10:00:00+03:00", "2026-07-02T10:00:00+03:00")
        mine.append(filed(api, app, "2026-07-03T10:00:00+03:00")["appeal_id"])
    items = all_items(staff, "bedk.uye", "status=appeal_filed", "2026-07-03T11:00:00+03:00")
    dues = [i["due_at"] for i in items]
    assert dues == sorted(dues)
    ids = [i["appeal_id"] for i in items]
    assert len(ids) == len(set(ids)) and all(a in ids for a in mine)
    assert all(i["status"] == "appeal_filed" and i["overdue"] is False
               for i in items if i["appeal_id"] in mine)
    for bad in ("cursor=%21%21", "cursor=" + "A" * 40, "status=open", "overdue=yes",
                "limit=0", "limit=101", "colour=red"):
        r = staff.get("bedk.uye", f"/api/v1/appeals?{bad}")
        problem(r, 422, "VALIDATION_FAILED")
