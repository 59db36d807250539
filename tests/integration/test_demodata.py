# SPDX-License-Identifier: MIT
"""bimer-demodata (issue 6): realistic demo data at scale.

The generator runs against the test stack in an isolated past range (2022:
no other suite has data there; the report tests use 2023), and everything it
wrote is checked with SQL against rules.md and against what the services
themselves would have written: legal type/category/channel/identity
combinations, reason codes, states, due dates recomputed here from the
holidays table (D1, D2 and its extension, a reopened application's 15
business days), events whose chain bimer-audit verifies, appeals only on
refused information requests, inside their window. The services read the
generated rows (status look-up by tracking code, the staff record, BEDK's
appeal view), every answer checked against the spec. The same seed gives the
same rows again; bad arguments exit non-zero with a message and write nothing.
"""
import base64
import datetime
import hashlib
import hmac
import os
import re
import subprocess
from collections import Counter

import pytest

from citizen import sql
from staff import bearer, token_for

RANGE = ("--from", "2022-01", "--months", "2")
FIRST = "2021-12-31 21:00:00"  # 2022-01-01 00:00 Istanbul, in UTC
LAST = "2022-02-28 21:00:00"   # 2022-03-01 00:00 Istanbul
N = 400
SEED = 20220101

PETITION_REASONS = {"NO_SUBJECT", "JUDICIAL", "MISSING_IDENTITY", "ANON_NO_EVIDENCE",
                    "INSULT_PERSONAL_RIGHTS", "FALSE_ACCUSATION", "FOREIGNER_INELIGIBLE",
                    "INSTITUTION_OUT_OF_SCOPE", "REPEAT_NO_NEW_EVIDENCE"}
INFO_NOT_PROCESSED = {"BE_PUBLISHED", "BE_NEEDS_RESEARCH", "BE_INCOMPLETE_ACT",
                      "BE_FEE_UNPAID_WITHDRAWN", "BE_MISSING_TCKN_OR_FORM"}
EXCEPTIONS = {f"BE_EXC_{n}" for n in range(16, 28)}


def generate(env, *args):
    run_env = {"PATH": "/usr/bin:/bin", "ASAN_OPTIONS": env.get("ASAN_OPTIONS", ""),
               "UBSAN_OPTIONS": env.get("UBSAN_OPTIONS", ""),
               **{k: v for k, v in env.items() if k.startswith("BIMER_")}}
    return subprocess.run([os.path.join(env["BIMER_BIN_DIR"], "bimer-demodata"), *args],
                          env=run_env, capture_output=True, text=True, timeout=300)


def audit(env, numbers):
    run_env = {"PATH": "/usr/bin:/bin", "ASAN_OPTIONS": env.get("ASAN_OPTIONS", ""),
               **{k: v for k, v in env.items() if k.startswith("BIMER_")}}
    return subprocess.run([os.path.join(env["BIMER_BIN_DIR"], "bimer-audit"), *numbers],
                          env=run_env, capture_output=True, text=True, timeout=120)


def rows(env, columns, where, table="applications", order="id"):
    names = [c.strip() for c in columns.split(",")]
    out = sql(env, f"SELECT {columns} FROM {table} WHERE {where} ORDER BY {order}")
    return [dict(zip(names, [None if v == "NULL" else v for v in r])) for r in out]


def counts(env):
    """The last row of each table written to: any insert moves one."""
    return [int(v) for v in sql(env, "SELECT (SELECT IFNULL(MAX(id), 0) FROM applications), "
                                     "(SELECT IFNULL(MAX(id), 0) FROM application_events), "
                                     "(SELECT IFNULL(MAX(id), 0) FROM appeals)")[0]]


def max_id(env):
    return int(sql(env, "SELECT IFNULL(MAX(id), 0) FROM applications")[0][0])


@pytest.fixture(scope="module")
def generated(stack_env):
    """Two runs with the same seed into 2022-01..02: the ids before, between and after them,
    and the SQL condition of what they made (w, or w_a for an alias a)."""
    base = max_id(stack_env)
    first = generate(stack_env, "--count", str(N), "--seed", str(SEED), *RANGE)
    assert first.returncode == 0, first.stdout + first.stderr
    split = max_id(stack_env)
    second = generate(stack_env, "--seed", str(SEED), "--count", str(N), *RANGE)
    assert second.returncode == 0, second.stdout + second.stderr

    def where(alias=""):
        return (f"{alias}created_at >= '{FIRST}' AND {alias}created_at < '{LAST}' "
                f"AND {alias}id > {base}")
    return {"base": base, "split": split, "out": first.stdout, "w": where(),
            "w_a": where("a."), "events": "application_id IN (SELECT id FROM applications "
                                          f"WHERE {where()})"}


# ---- the run itself ---------------------------------------------------------------


def test_inserts_the_count_with_progress_and_a_final_line(stack_env, generated):
    w = generated["w"]
    assert int(sql(stack_env, f"SELECT COUNT(*) FROM applications WHERE {w} "
                              f"AND id <= {generated['split']}")[0][0]) == N
    assert int(sql(stack_env, f"SELECT COUNT(*) FROM applications WHERE {w}")[0][0]) == 2 * N
    assert max_id(stack_env) - generated["base"] == 2 * N  # nothing outside the range
    lines = generated["out"].splitlines()
    assert lines[0].startswith(f"bimer-demodata: {N} applications arriving 2022-01 to 2022-02")
    assert any(f"{N}/{N} applications (100%)" in line for line in lines)
    assert lines[-1].startswith(f"bimer-demodata: done: {N} applications, ")
    events = int(sql(stack_env, "SELECT COUNT(*) FROM application_events e JOIN applications a "
                                f"ON a.id = e.application_id WHERE {generated['w_a']} "
                                f"AND a.id <= {generated['split']}")[0][0])
    assert f", {events} events, " in lines[-1]


def test_the_mix_is_realistic(stack_env, generated):
    apps = rows(stack_env, "type, category, channel, status, topic, province_code, anonymous, "
                           "identity_hidden", generated["w"])
    n = len(apps)
    share = lambda pred: sum(1 for a in apps if pred(a)) / n  # noqa: E731
    assert 0.65 < share(lambda a: a["type"] == "dilekce") < 0.85
    assert 0.7 < share(lambda a: a["channel"] == "internet") < 0.95
    assert {a["category"] for a in apps if a["type"] == "dilekce"} == \
        {"istek", "sikayet", "ihbar", "gorus", "oneri"}
    assert {a["channel"] for a in apps} == {"internet", "phone", "letter", "fax", "in_person"}
    assert share(lambda a: a["status"] in ("answered", "not_processed")) > 0.75
    statuses = Counter(a["status"] for a in apps)
    for s in ("answered", "not_processed", "cancelled", "expired", "deemed_rejected"):
        assert statuses[s] > 0, statuses
    assert len({a["topic"] for a in apps}) >= 12
    assert len({a["province_code"] for a in apps}) >= 40
    # provinces by population: İstanbul (34) well ahead of Ankara (06), Ankara of Bayburt (69)
    by_province = Counter(a["province_code"] for a in apps)
    assert by_province["34"] > by_province["06"] > by_province["69"]
    assert any(a["anonymous"] == "1" for a in apps)
    assert any(a["identity_hidden"] == "1" for a in apps)
    appeals = sql(stack_env, "SELECT p.decision FROM appeals p JOIN applications a ON "
                             f"a.id = p.application_id WHERE {generated['w_a']}")
    assert appeals and {d for [d] in appeals} >= {"accepted", "rejected"}
    outs = Counter(a["status"] for a in apps)
    assert outs["answered"] > outs["not_processed"] > outs["deemed_rejected"]


# ---- rules.md, row by row ---------------------------------------------------------


def test_every_row_is_legal(stack_env, generated):
    apps = rows(stack_env, "application_no, type, category, channel, anonymous, identity_hidden, "
                           "HEX(applicant_tckn_enc), HEX(applicant_tckn_hmac), "
                           "applicant_first_name, applicant_last_name, applicant_email, "
                           "applicant_address, status, outcome, reason_code, "
                           "assigned_institution_code, received_at, answered_at, closed_at",
                generated["w"])
    assert len(apps) == 2 * N
    for a in apps:
        no, ch, cat = a["application_no"], a["channel"], a["category"]
        petition = a["type"] == "dilekce"
        assert (cat is not None) == petition, no
        assert petition or ch != "phone", no  # C5
        complaint = cat in ("sikayet", "ihbar")
        identity = [a[k] for k in ("HEX(applicant_tckn_enc)", "applicant_first_name",
                                   "applicant_last_name", "applicant_email", "applicant_address")]
        if a["anonymous"] == "1":  # C3: complaints by phone, letter or fax, nothing about anyone
            assert complaint and ch in ("phone", "letter", "fax"), no
            assert identity == [None] * 5 and a["identity_hidden"] == "0", no
        else:  # C1, C4, C6
            assert a["applicant_first_name"] and a["applicant_last_name"], no
            assert a["applicant_address"], no
        if a["identity_hidden"] == "1":
            assert complaint, no  # C2
        if ch == "internet":
            assert None not in identity, no
            assert len(a["HEX(applicant_tckn_enc)"]) == 2 * 39 and \
                len(a["HEX(applicant_tckn_hmac)"]) == 64, no
        if not petition and ch == "fax":
            assert a["HEX(applicant_tckn_enc)"], no  # C4
        check_outcome(a, petition)


def check_outcome(a, petition):
    no, status, outcome, reason = a["application_no"], a["status"], a["outcome"], a["reason_code"]
    if status == "answered":
        assert outcome in ("positive", "negative", "partial") and a["answered_at"], no
        if outcome == "positive" or petition:
            assert reason is None, no
        else:  # 4982 art. 12: a refusal names its exception
            assert reason in EXCEPTIONS, no
    elif status == "not_processed":
        assert outcome is None and a["answered_at"], no
        assert reason in (PETITION_REASONS if petition else INFO_NOT_PROCESSED), no
    else:
        assert outcome is None and reason is None, no
    assert status in ("answered", "not_processed", "cancelled", "expired", "deemed_rejected"), \
        (no, status)  # 2022 is long past: nothing is still open
    if status in ("expired", "cancelled") and not a["received_at"]:
        assert a["assigned_institution_code"] is None, no
    else:
        assert a["received_at"], no
    assert a["closed_at"], no
    if reason == "ANON_NO_EVIDENCE":
        assert a["anonymous"] == "1" and a["channel"] in ("letter", "fax"), no


def test_holders_and_targets_are_real_institutions_in_scope(stack_env, generated):
    bad = sql(stack_env, "SELECT a.application_no, a.assigned_institution_code FROM applications a "
                         "LEFT JOIN institutions i ON i.code = a.assigned_institution_code "
                         f"WHERE {generated['w_a']} AND a.assigned_institution_code IS NOT NULL AND "
                         "(i.code IS NULL OR i.active = 0 OR i.in_scope = 0 OR "
                         "i.kind IN ('bedk', 'external', 'centre'))")
    assert bad == []
    bad = sql(stack_env, "SELECT a.application_no FROM applications a LEFT JOIN institutions i ON "
                         f"i.code = a.target_institution_code WHERE {generated['w_a']} AND "
                         "a.target_institution_code IS NOT NULL AND (i.code IS NULL OR "
                         "i.in_scope = 0 OR i.active = 0)")
    assert bad == []
    # a local holder (governorship, district governorship, directorate) is in the province
    bad = sql(stack_env, "SELECT a.application_no FROM applications a JOIN institutions i ON "
                         f"i.code = a.assigned_institution_code WHERE {generated['w_a']} AND "
                         "i.province_code IS NOT NULL AND i.province_code <> a.province_code")
    assert bad == []
    kinds = {k for [k] in sql(stack_env, "SELECT DISTINCT i.kind FROM applications a JOIN "
                                         "institutions i ON i.code = a.assigned_institution_code "
                                         f"WHERE {generated['w_a']}")}
    assert {"governorship", "ministry", "provincial_directorate"} <= kinds


# ---- deadlines ----------------------------------------------------------------------


class Calendar:
    """D6 counting, independently of bm_cal: weekends and the full holidays of the table."""

    def __init__(self, env):
        self.full = {d for d, half in sql(env, "SELECT day, half_day FROM holidays") if half != "1"}

    def business(self, day):
        return day.weekday() < 5 and day.isoformat() not in self.full

    def add_days(self, day, n):
        end = day + datetime.timedelta(days=n)
        while not self.business(end):
            end += datetime.timedelta(days=1)
        return end

    def add_business_days(self, day, n):
        while n > 0:
            day += datetime.timedelta(days=1)
            if self.business(day):
                n -= 1
        return day


def utc(text):
    return datetime.datetime.strptime(text[:19], "%Y-%m-%d %H:%M:%S")


def istanbul_day(text):
    return (utc(text) + datetime.timedelta(hours=3)).date()


def end_of(day):  # 23:59:59 Istanbul, as UTC text
    return f"{day} 20:59:59"


def test_due_dates_follow_d1_d2_and_the_calendar(stack_env, generated):
    cal = Calendar(stack_env)
    petition_days = int(stack_env.get("BIMER_PETITION_DAYS", "30"))
    info_days = int(stack_env.get("BIMER_INFO_BUSINESS_DAYS", "15"))
    extended_days = int(stack_env.get("BIMER_INFO_EXTENDED_BUSINESS_DAYS", "30"))
    reopened = dict(sql(stack_env, "SELECT e.application_id, MAX(e.at) FROM application_events e "
                                   "JOIN applications a ON a.id = e.application_id WHERE "
                                   f"{generated['w_a']} AND e.kind = 'reopened' GROUP BY 1"))
    apps = rows(stack_env, "id, application_no, type, received_at, due_at, extended_at, "
                           "answered_at, status", generated["w"])
    seen = Counter()
    for a in apps:
        if not a["received_at"]:
            assert a["due_at"] is None, a["application_no"]
            continue
        received = istanbul_day(a["received_at"])
        if a["id"] in reopened:
            due, why = cal.add_business_days(istanbul_day(reopened[a["id"]]), info_days), "A4"
        elif a["type"] == "dilekce":
            due, why = cal.add_days(received, petition_days), "D1"
        elif a["extended_at"]:
            due, why = cal.add_business_days(received, extended_days), "D2+"
            assert a["extended_at"] < a["due_at"] and a["extended_at"] > a["received_at"]
        else:
            due, why = cal.add_business_days(received, info_days), "D2"
        assert a["due_at"][:19] == end_of(due), (a["application_no"], why, a["received_at"])
        seen[why] += 1
    assert seen["D1"] and seen["D2"] and seen["D2+"] and seen["A4"], seen


def test_late_answers_and_silence_follow_the_clock(stack_env, generated):
    """Answers after due_at come with an overdue event first; deemed rejections only after the
    due time, with the worker's data."""
    apps = {a["id"]: a for a in rows(stack_env, "id, application_no, type, status, due_at, "
                                                "answered_at", generated["w"])}
    events = rows(stack_env, "application_id, kind, at, data", generated["events"],
                  table="application_events")
    by_app = {}
    for e in events:
        by_app.setdefault(e["application_id"], []).append(e)
    late = deemed = 0
    for app_id, evs in by_app.items():
        a = apps[app_id]
        kinds = [e["kind"] for e in evs]
        first_answer = next((e for e in evs if e["kind"] in ("answered", "not_processed")), None)
        if first_answer and "reopened" not in kinds and first_answer["at"] > a["due_at"]:
            late += 1
            assert a["type"] == "bilgi_edinme", a["application_no"]
            assert kinds.index("overdue") < kinds.index(first_answer["kind"])
        if "deemed_rejected" in kinds:
            deemed += 1
            d = next(e for e in evs if e["kind"] == "deemed_rejected")
            assert kinds.index("overdue") < kinds.index("deemed_rejected")
            assert d["at"] > a["due_at"] or a["status"] != "deemed_rejected"
            assert '"period_days":' in d["data"] and '"basis":' in d["data"]
    assert late and deemed


# ---- events and their chain ---------------------------------------------------------


def test_every_application_has_its_timeline(stack_env, generated):
    apps = {a["id"]: a for a in rows(stack_env, "id, application_no, channel, status",
                                     generated["w"])}
    events = rows(stack_env, "application_id, kind, actor_user_id, actor_institution_code",
                  generated["events"] + " AND kind <> 'staff_read'", table="application_events")
    by_app = {}
    for e in events:
        by_app.setdefault(e["application_id"], []).append(e)
    assert set(by_app) == set(apps)
    final = {"answered": {"answered", "appeal_decided"},
             "not_processed": {"not_processed", "appeal_decided"},
             "deemed_rejected": {"deemed_rejected", "appeal_decided"},
             "cancelled": {"cancelled"}, "expired": {"expired"}}
    for app_id, evs in by_app.items():
        a, kinds = apps[app_id], [e["kind"] for e in evs]
        if a["channel"] == "internet":
            assert kinds[0] == "submitted", (a, kinds)
        else:  # keyed in by an operator, who is named
            assert kinds[0] == "received" and evs[0]["actor_user_id"], (a, kinds)
        assert kinds[-1] in final[a["status"]], (a, kinds)
        if "routed" in kinds:
            routed = evs[kinds.index("routed")]
            assert routed["actor_user_id"] and routed["actor_institution_code"]
    all_kinds = {e["kind"] for e in events}
    assert {"submitted", "received", "routed", "forwarded", "answered", "not_processed",
            "overdue", "deemed_rejected", "cancelled", "expired", "extended",
            "appeal_filed", "appeal_decided", "reopened"} <= all_kinds


def test_bimer_audit_verifies_the_generated_chains(stack_env, generated):
    numbers = [n for [n] in sql(stack_env, f"SELECT application_no FROM applications WHERE "
                                           f"{generated['w']} ORDER BY RAND() LIMIT 40")]
    r = audit(stack_env, numbers)
    assert r.returncode == 0, r.stdout + r.stderr
    assert " of 40 applications checked, 0 broken" in r.stdout
    linked = sql(stack_env, "SELECT COUNT(*) FROM application_events e JOIN application_events p "
                            "ON p.application_id = e.application_id AND p.hash = e.prev_hash "
                            f"WHERE e.{generated['events']} AND e.prev_hash IS NOT NULL")
    chained = sql(stack_env, f"SELECT COUNT(*) FROM application_events WHERE "
                             f"{generated['events']} AND prev_hash IS NOT NULL")
    firsts = sql(stack_env, f"SELECT COUNT(*) FROM application_events WHERE "
                            f"{generated['events']} AND prev_hash IS NULL")
    assert linked == chained and int(firsts[0][0]) == 2 * N


# ---- appeals --------------------------------------------------------------------------


def test_appeals_only_on_refused_information_requests_in_their_window(stack_env, generated):
    appeals = rows(stack_env, "p.appeal_no, p.ground, p.refused_at, p.window_ends_at, p.filed_at, "
                              "p.due_at, p.status, p.decision, p.decided_at, "
                              "p.application_due_at, a.type, a.answered_at, "
                              "(SELECT COUNT(*) FROM appeal_copies c WHERE c.appeal_id = p.id)",
                   generated["w_a"],
                   table="appeals p JOIN applications a ON a.id = p.application_id", order="p.id")
    assert appeals
    for p in appeals:
        no = p["p.appeal_no"]
        assert p["a.type"] == "bilgi_edinme", no  # A1
        assert p["p.refused_at"] < p["p.filed_at"] <= p["p.window_ends_at"], no  # A2
        assert p["p.filed_at"] < p["p.due_at"], no
        assert p["p.status"] == "appeal_decided" and p["p.decided_at"] <= p["p.due_at"], no
        copies = int(p["(SELECT COUNT(*) FROM appeal_copies c WHERE c.appeal_id = p.id)"])
        assert copies == (1 if p["p.ground"] == "deemed_rejected" else 2), no  # A3
        assert (p["p.application_due_at"] is not None) == (p["p.decision"] != "rejected"), no
    grounds = {p["p.ground"] for p in appeals}
    assert {"answered", "not_processed"} <= grounds
    # a generated copy is its document's SHA-256, like the appeal service's own
    docs = sql(stack_env, "SELECT c.document, HEX(c.sha256) FROM appeal_copies c JOIN appeals p "
                          "ON p.id = c.appeal_id JOIN applications a ON a.id = p.application_id "
                          f"WHERE {generated['w_a']} LIMIT 20")
    for doc, digest in docs:
        assert hashlib.sha256(doc.encode()).hexdigest().upper() == digest


# ---- the services read it -------------------------------------------------------------


def tracking_code(env, no):
    key = bytes.fromhex(open(env["BIMER_HMAC_KEY_FILE"]).read().strip())
    mac = hmac.new(key, f"tracking-code:{no}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:16]).decode().rstrip("=")


def test_the_services_read_generated_applications(api, stack_env, generated):
    sample = sql(stack_env, "SELECT application_no, status, type FROM applications WHERE "
                            f"{generated['w']} AND anonymous = 0 ORDER BY RAND() LIMIT 8")
    operator = bearer(token_for(api, stack_env, "merkez.operator"))
    for no, status, kind in sample:
        r = api.get(f"/api/v1/status/{tracking_code(stack_env, no)}")
        assert r.status_code == 200, r.text
        assert r.json()["application_no"] == no and r.json()["status"] == status
        assert r.json()["events"]
        r = api.get(f"/api/v1/applications/{no}", headers=operator)
        assert r.status_code == 200, r.text
        assert r.json()["type"] == kind
    [[appeal_no]] = sql(stack_env, "SELECT p.appeal_no FROM appeals p JOIN applications a ON "
                                   f"a.id = p.application_id WHERE {generated['w_a']} LIMIT 1")
    r = api.get(f"/api/v1/appeals/{appeal_no}",
                headers=bearer(token_for(api, stack_env, "bedk.uye")))
    assert r.status_code == 200, r.text


# ---- determinism -----------------------------------------------------------------------

CONTENT = ("type, category, channel, subject, body, topic, target_institution_code, "
           "province_code, identity_hidden, anonymous, HEX(applicant_tckn_hmac), "
           "applicant_first_name, applicant_last_name, applicant_email, applicant_phone, "
           "applicant_address, status, outcome, reason_code, assigned_institution_code, "
           "created_at, received_at, due_at, extended_at, answered_at, closed_at")


def test_the_same_seed_gives_the_same_rows(stack_env, generated):
    split, w = generated["split"], generated["w"]
    first = sql(stack_env, f"SELECT {CONTENT} FROM applications WHERE {w} AND "
                           f"id <= {split} ORDER BY id")
    second = sql(stack_env, f"SELECT {CONTENT} FROM applications WHERE {w} AND "
                            f"id > {split} ORDER BY id")
    assert len(first) == N and first == second
    events = rows(stack_env, "application_id, kind, at, actor_user_id, actor_institution_code, "
                             "from_institution_code, to_institution_code, note, data",
                  generated["events"] + " AND kind <> 'staff_read'", table="application_events")
    runs = ([], [])
    for e in events:  # appeal ids come from a sequence: all else is the same
        e["data"] = re.sub(r'"appeal_id":"[0-9-]+"', '"appeal_id":"*"', e["data"] or "")
        runs[int(e.pop("application_id")) > split].append(e)
    assert len(runs[0]) == len(runs[1]) and runs[0] == runs[1]
    # application numbers come from the real sequence, in arrival order
    nos = [n for [n] in sql(stack_env, f"SELECT application_no FROM applications WHERE "
                                       f"{w} ORDER BY id")]
    seqs = [int(n.split("-")[1]) for n in nos]
    assert seqs == sorted(seqs) and len(set(nos)) == len(nos)
    assert all(n.startswith("2022-") for n in nos)


def test_another_seed_gives_other_rows(stack_env, generated):
    before = counts(stack_env)
    r = generate(stack_env, "--count", "20", "--seed", str(SEED + 1), "--from", "2022-03",
                 "--months", "1")
    assert r.returncode == 0, r.stdout + r.stderr
    other = sql(stack_env, "SELECT subject, created_at FROM applications WHERE created_at >= "
                           "'2022-02-28 21:00:00' AND created_at < '2022-03-31 21:00:00' AND "
                           f"id > {generated['base']}")
    assert len(other) == 20
    assert counts(stack_env)[0] == before[0] + 20
    mine = {tuple(r) for r in sql(stack_env, f"SELECT subject, created_at FROM applications "
                                             f"WHERE {generated['w']}")}
    assert not mine & {tuple(r) for r in other}


def test_parallel_loaders_write_what_one_writes(stack_env, generated):
    """Several batches, two connections or one: the same rows, and numbers in arrival order
    however the batches interleave (each batch draws its numbers after the one before)."""
    n, args = 4500, ("--count", "4500", "--seed", "77", "--from", "2022-04", "--months", "1")
    where = ("created_at >= '2022-03-31 21:00:00' AND created_at < '2022-04-30 21:00:00' "
             f"AND id > {generated['base']}")
    two = generate(dict(stack_env, BIMER_DEMODATA_LOADERS="2"), *args)
    assert two.returncode == 0, two.stdout + two.stderr
    middle = max_id(stack_env)
    one = generate(dict(stack_env, BIMER_DEMODATA_LOADERS="1"), *args)
    assert one.returncode == 0, one.stdout + one.stderr
    runs = [sql(stack_env, f"SELECT {CONTENT} FROM applications WHERE {where} AND id {cmp} "
                           "ORDER BY created_at") for cmp in (f"<= {middle}", f"> {middle}")]
    assert len(runs[0]) == n and runs[0] == runs[1]
    for cmp in (f"<= {middle}", f"> {middle}"):
        nos = [no for [no] in sql(stack_env, f"SELECT application_no FROM applications WHERE "
                                             f"{where} AND id {cmp} ORDER BY created_at")]
        seqs = [int(no.split("-")[1]) for no in nos]
        assert seqs == sorted(seqs) and seqs[-1] - seqs[0] == n - 1  # one block, in order
    sample = [no for [no] in sql(stack_env, f"SELECT application_no FROM applications WHERE "
                                            f"{where} ORDER BY RAND() LIMIT 30")]
    r = audit(stack_env, sample)
    assert r.returncode == 0 and "0 broken" in r.stdout, r.stdout + r.stderr


# ---- bad arguments ----------------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (["--count", "0", *RANGE], "--count must be a whole number from 1 to 10000000"),
    (["--count", "-5", *RANGE], "--count must be"),
    (["--count", "10x", *RANGE], "--count must be"),
    (["--count", "10000001", *RANGE], "--count must be"),
    ([*RANGE], "--count N is required"),
    (["--count", "5", "--from", "2022-13"], "--from must be a month YYYY-MM"),
    (["--count", "5", "--from", "2022-00"], "--from must be a month YYYY-MM"),
    (["--count", "5", "--from", "22-01"], "--from must be a month YYYY-MM"),
    (["--count", "5", "--from", "1999-12"], "--from must be a month YYYY-MM"),
    (["--count", "5", "--from", "2099-01"], "--from must not be after the current month"),
    (["--count", "5", "--from", "2022-01", "--months", "0"], "--months must be"),
    (["--count", "5", "--from", "2022-01", "--months", "121"], "--months must be"),
    (["--count", "5", "--seed", "abc", *RANGE], "--seed must be"),
    (["--count", "5", "--seed", *RANGE], "--seed must be"),
    (["--count", "5", "--bogus", *RANGE], "unknown argument, not '--bogus'"),
    (["--count", "5", "extra", *RANGE], "unknown argument, not 'extra'"),
    (["--count"], "--count must be"),
])
def test_bad_arguments_exit_non_zero_and_write_nothing(stack_env, generated, args, message):
    before = counts(stack_env)
    r = generate(stack_env, *args)
    assert r.returncode == 2, r.stdout + r.stderr
    assert message in r.stderr and "usage: bimer-demodata --count N" in r.stderr
    assert r.stdout == ""
    assert counts(stack_env) == before


def test_bad_settings_or_no_database_exit_non_zero_and_write_nothing(stack_env, generated):
    before = counts(stack_env)
    env = dict(stack_env, BIMER_DATA_KEY_FILE="", BIMER_HMAC_KEY_FILE="")
    r = generate(env, "--count", "5", *RANGE)
    assert r.returncode == 2 and "BIMER_DATA_KEY_FILE" in r.stderr
    for bad in ("0", "9", "two"):
        r = generate(dict(stack_env, BIMER_DEMODATA_LOADERS=bad), "--count", "5", *RANGE)
        assert r.returncode == 2 and "BIMER_DEMODATA_LOADERS must be" in r.stderr, r.stderr
    env = dict(stack_env, BIMER_DB_PORT="1",  # nothing listens there
               BIMER_DB_SOCKET="/nonexistent/mariadb.sock" if stack_env.get("BIMER_DB_SOCKET")
               else "")
    r = generate(env, "--count", "5", *RANGE)
    assert r.returncode == 1 and "cannot connect to MariaDB" in r.stderr
    assert counts(stack_env) == before
