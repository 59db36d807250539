# SPDX-License-Identifier: MIT
"""Monthly reports (issue 6 item 1, rules.md M1): GET /api/v1/reports/monthly on the real
stack — who may read which scope, the validation of its parameters, and every figure of a
report against counts computed here, independently, from the same rows.

Data: applications, events and appeals are written with SQL into 2023 (no other suite
writes there; the generator's own tests use 2022). One part is a small hand-made set held
by an institution this module creates (so its scope holds nothing else), whose figures are
also written out by hand below, with the boundary cases of the definitions: the first and
last moment of an Istanbul month, an answer across Istanbul midnight, a cancellation before
the due time, a late answer, a deemed rejection, appeals filed and decided. For every other
scope the reference is `expected()`, this module's own reading of the definitions (the
spec's description of the operation) over the raw rows: the report must equal it figure
for figure, for the month and for the previous month. When build/<mode>/bin/bimer-demodata
exists, a generated month (2023-06, 2023-07) is checked the same way in every scope kind.
The CSV and HTML formats must carry the very same numbers as the JSON."""
import csv
import datetime
import html.parser
import io
import os
import pathlib
import random
import string
import subprocess
import time

import pytest

from citizen import sql
from staff import client_ip

PATH = "/api/v1/reports/monthly"
ROOT = pathlib.Path(__file__).resolve().parents[2]
UTC3 = datetime.timedelta(hours=3)
BUCKETS = [(0, 3), (4, 7), (8, 15), (16, 30), (31, 60), (61, None)]
TYPES = ["dilekce", "bilgi_edinme"]
CATEGORIES = ["istek", "sikayet", "ihbar", "gorus", "oneri"]
CHANNELS = ["internet", "phone", "fax", "letter", "in_person"]
STATUSES = ["received", "in_progress", "answered", "not_processed", "cancelled",
            "deemed_rejected"]


def rnd(n=6):
    return "".join(random.choice(string.ascii_uppercase + string.digits) for _ in range(n))


# ------------------------------------------------------------------ sessions


class Staff:
    """Access tokens of staff accounts, renewed before they expire (15 minutes)."""

    def __init__(self, api, env):
        self.api = api
        self.password = env.get("BIMER_DEMO_PASSWORD") or "Demo.Parola.2026"
        self.passwords = {}
        self.tokens = {}

    def token(self, user):
        tok, at = self.tokens.get(user, (None, 0))
        if not tok or time.time() - at > 600:
            r = self.api.post("/api/v1/auth/login",
                              json={"username": user,
                                    "password": self.passwords.get(user, self.password)},
                              headers={"X-Forwarded-For": client_ip()})
            assert r.status_code == 200, r.text
            tok, at = r.json()["access_token"], time.time()
            self.tokens[user] = (tok, at)
        return tok

    def headers(self, user):
        return {"Authorization": f"Bearer {self.token(user)}", "X-Forwarded-For": client_ip()}

    def report(self, user, **query):
        q = "&".join(f"{k}={v}" for k, v in query.items())
        return self.api.get(PATH + ("?" + q if q else ""), headers=self.headers(user))


@pytest.fixture(scope="module")
def staff(api, stack_env):
    return Staff(api, stack_env)


def get_json(staff, user, **query):
    r = staff.report(user, **query)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "application/json"
    return r.json()


def problem(resp, status, code):
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    assert resp.json()["code"] == code, resp.text
    return resp.json()


# ------------------------------------------------------------------ the reference


def dt(cell):
    return None if cell in (None, "NULL") else datetime.datetime.fromisoformat(cell)


def nul(cell):
    return None if cell == "NULL" else cell


def month_bounds(month):
    """[lo, hi) of an Istanbul calendar month, as naive UTC datetimes."""
    y, m = map(int, month.split("-"))
    lo = datetime.datetime(y, m, 1) - UTC3
    hi = datetime.datetime(y + (m == 12), m % 12 + 1, 1) - UTC3
    return lo, hi


def prev_month(month):
    y, m = map(int, month.split("-"))
    return f"{y - (m == 1):04d}-{(m - 2) % 12 + 1:02d}"


def ist_day(moment):
    return (moment + UTC3).date()


class Tree:
    """The institution tree as the database has it now."""

    def __init__(self, env):
        self.parent, self.province = {}, {}
        for code, parent, province in sql(env, "SELECT code, IFNULL(parent_code, 'NULL'), "
                                               "IFNULL(province_code, 'NULL') FROM institutions"):
            self.parent[code], self.province[code] = nul(parent), nul(province)

    def below(self, code, root):
        """Whether code is root or under it."""
        seen = set()
        while code and code not in seen:
            if code == root:
                return True
            seen.add(code)
            code = self.parent.get(code)
        return False


def rows_of(env, month):
    """Everything the month's report reads, straight from the tables."""
    lo, hi = (f"'{t.isoformat(' ')}'" for t in month_bounds(month))
    inside = lambda col: f"({col} >= {lo} AND {col} < {hi})"  # noqa: E731
    apps = {}
    for r in sql(env, "SELECT id, type, IFNULL(category, 'NULL'), channel, "
                      "IFNULL(topic, 'NULL'), status, IFNULL(outcome, 'NULL'), "
                      "IFNULL(reason_code, 'NULL'), IFNULL(received_at, 'NULL'), "
                      "IFNULL(answered_at, 'NULL'), IFNULL(due_at, 'NULL'), "
                      "IFNULL(closed_at, 'NULL'), IFNULL(province_code, 'NULL'), "
                      "IFNULL(assigned_institution_code, 'NULL') FROM applications WHERE "
                      f"{inside('received_at')} OR {inside('answered_at')} OR "
                      f"{inside('due_at')} OR id IN (SELECT application_id FROM "
                      f"application_events WHERE kind = 'deemed_rejected' AND {inside('at')}) "
                      f"OR id IN (SELECT application_id FROM appeals WHERE "
                      f"{inside('filed_at')} OR {inside('decided_at')})"):
        keys = ["id", "type", "category", "channel", "topic", "status", "outcome", "reason",
                "received", "answered", "due", "closed", "province", "holder"]
        a = dict(zip(keys, r))
        for k in ("category", "topic", "outcome", "reason", "province", "holder"):
            a[k] = nul(a[k])
        for k in ("received", "answered", "due", "closed"):
            a[k] = dt(a[k])
        apps[a["id"]] = a
    deemed = [r[0] for r in sql(env, "SELECT application_id FROM application_events WHERE "
                                     f"kind = 'deemed_rejected' AND {inside('at')}")]
    appeals = [(r[0], dt(r[1]), dt(r[2]), nul(r[3])) for r in sql(
        env, "SELECT application_id, filed_at, IFNULL(decided_at, 'NULL'), "
             f"IFNULL(decision, 'NULL') FROM appeals WHERE {inside('filed_at')} OR "
             f"{inside('decided_at')}")]
    return apps, deemed, appeals


def nearest_rank(values, pct):
    return values[(pct * len(values) + 99) // 100 - 1]


def expected(env, month, scope, tree=None):
    """The figures of month in scope by the spec's definitions, from the raw rows."""
    tree = tree or Tree(env)
    lo, hi = month_bounds(month)
    apps, deemed, appeals = rows_of(env, month)
    within = lambda t: t is not None and lo <= t < hi  # noqa: E731

    def in_scope(a):
        if scope == "all":
            return True
        kind, code = scope.split(":")
        if kind == "province":
            return (a["province"] or tree.province.get(a["holder"])) == code
        return a["holder"] is not None and tree.below(a["holder"], code)

    got = [a for a in apps.values() if within(a["received"]) and in_scope(a)]
    topics = {}
    for a in got:
        topics[a["topic"]] = topics.get(a["topic"], 0) + 1
    by_topic = sorted(topics.items(), key=lambda kv: (-kv[1], kv[0] is None, kv[0] or ""))
    answered = [a for a in apps.values() if within(a["answered"]) and in_scope(a)
                and a["status"] in ("answered", "not_processed") and a["received"]]
    outcomes = {"total": len(answered), "positive": 0, "negative": 0, "partial": 0,
                "not_processed": 0, "not_processed_by_reason": {}, "late": 0}
    for a in answered:
        np = a["status"] == "not_processed"
        outcomes["not_processed" if np else a["outcome"]] += 1
        if np and a["reason"]:
            r = outcomes["not_processed_by_reason"]
            r[a["reason"]] = r.get(a["reason"], 0) + 1
        if a["due"] and a["answered"] > a["due"]:
            outcomes["late"] += 1
    days = sorted(max(0, (ist_day(a["answered"]) - ist_day(a["received"])).days)
                  for a in answered)
    n = len(days)
    times = {"count": n,
             "mean": (200 * sum(days) + n) // (2 * n) / 100 if n else None,
             "median": nearest_rank(days, 50) if n else None,
             "p90": nearest_rank(days, 90) if n else None,
             "distribution": [{"min_days": b_lo, "max_days": b_hi,
                               "count": sum(1 for d in days
                                            if d >= b_lo and (b_hi is None or d <= b_hi))}
                              for b_lo, b_hi in BUCKETS]}
    decided = [d for i, _f, t, d in appeals if within(t) and d and in_scope(apps[i])]
    return {
        "applications": {
            "total": len(got),
            "by_type": {k: sum(a["type"] == k for a in got) for k in TYPES},
            "by_category": {k: sum(a["category"] == k for a in got) for k in CATEGORIES},
            "by_channel": {k: sum(a["channel"] == k for a in got) for k in CHANNELS},
            "by_topic": [{"topic": t, "count": c} for t, c in by_topic],
            "by_status": {k: sum(a["status"] == k for a in got) for k in STATUSES},
        },
        "outcomes": outcomes,
        "response_time_days": times,
        "overdue": sum(1 for a in apps.values() if within(a["due"]) and in_scope(a)
                       and (a["closed"] is None or a["closed"] > a["due"])),
        "deemed_rejected": sum(1 for i in deemed if in_scope(apps[i])),
        "appeals": {"filed": sum(1 for i, f, _t, _d in appeals if within(f)
                                 and in_scope(apps[i])),
                    "decided": len(decided),
                    "accepted": decided.count("accepted"),
                    "partially_accepted": decided.count("partially_accepted"),
                    "rejected": decided.count("rejected")},
    }


def check_report(staff, env, month, scope, user="merkez.operator", tree=None):
    """The JSON report of month/scope equals expected() for it and for its previous month."""
    doc = get_json(staff, user, month=month, scope=scope)
    assert (doc["month"], doc["scope"], doc["stored"]) == (month, scope, False)
    lo, hi = month_bounds(month)
    assert doc["period"] == {"from": (lo + UTC3).isoformat() + "+03:00",
                             "to": (hi + UTC3).isoformat() + "+03:00"}
    assert doc["figures"] == expected(env, month, scope, tree), scope
    assert doc["previous_month"]["month"] == prev_month(month)
    if not doc["previous_month"]["stored"]:
        assert doc["previous_month"]["figures"] == expected(env, prev_month(month), scope,
                                                            tree), scope
    return doc


# ------------------------------------------------------------------ access


ACCESS = [
    # user, scope (None: the default), status, the scope answered
    ("merkez.operator", None, 200, "all"),
    ("merkez.operator", "province:34", 200, "province:34"),
    ("merkez.operator", "institution:MEB", 200, "institution:MEB"),
    ("merkez.operator", "institution:NO-SUCH-PLACE", 404, None),
    ("merkez.operator", "institution:TBMM", 404, None),  # outside the system (W4)
    ("ankara.operator", None, 200, "province:06"),
    ("ankara.operator", "province:06", 200, "province:06"),
    ("ankara.operator", "institution:IL-MEB-06", 200, "institution:IL-MEB-06"),
    ("ankara.operator", "institution:KAYMAKAMLIK-06-CANKAYA", 200,
     "institution:KAYMAKAMLIK-06-CANKAYA"),
    ("ankara.operator", "province:34", 404, None),
    ("ankara.operator", "institution:VALILIK-34", 404, None),
    ("ankara.operator", "institution:SAGLIK", 404, None),
    ("ankara.operator", "all", 404, None),
    ("saglik.bakanlik", None, 200, "institution:SAGLIK"),
    ("saglik.bakanlik", "institution:SAGLIK-SHGM-HHDB", 200, "institution:SAGLIK-SHGM-HHDB"),
    ("saglik.bakanlik", "institution:MEB", 404, None),
    ("saglik.bakanlik", "institution:BIMER", 404, None),
    ("saglik.bakanlik", "province:06", 404, None),
    ("saglik.bakanlik", "all", 404, None),
]


@pytest.mark.parametrize("user,scope,status,answered", ACCESS)
def test_who_reads_which_scope(staff, user, scope, status, answered):
    query = {"month": "2023-01"}
    if scope:
        query["scope"] = scope
    r = staff.report(user, **query)
    if status == 404:
        body = problem(r, 404, "REPORT_NOT_FOUND")
        assert "figures" not in body
    else:
        assert r.status_code == 200, r.text
        assert r.json()["scope"] == answered


@pytest.mark.parametrize("user", ["ankara.meb", "cankaya.kaymakamlik", "etik.kurul", "bedk.uye"])
def test_users_without_a_reporting_role_are_refused(staff, user):
    for scope in (None, "all", "province:06", "institution:IL-MEB-06"):
        r = staff.report(user, **({"scope": scope} if scope else {}))
        assert r.status_code == 403, (user, scope, r.text)


def test_a_governorship_desk_without_the_coordinator_role_is_refused(api, staff, stack_env):
    user = new_user(api, staff, "VALILIK-35", ["operator"])
    problem(staff.report(user, month="2023-01"), 403, "REPORT_FORBIDDEN")
    problem(staff.report(user, month="2023-01", scope="province:35"), 403, "REPORT_FORBIDDEN")


def test_the_interior_ministry_reads_every_governorship(api, staff):
    user = new_user(api, staff, "ICISLERI", ["institution_user", "coordinator"])
    assert get_json(staff, user, month="2023-01")["scope"] == "institution:ICISLERI"
    for scope in ("province:06", "province:34", "province:81", "institution:VALILIK-34",
                  "institution:KAYMAKAMLIK-06-CANKAYA", "institution:ICISLERI-EGM"):
        assert get_json(staff, user, month="2023-01", scope=scope)["scope"] == scope
    for scope in ("all", "institution:SAGLIK", "institution:IL-MEB-06"):
        problem(staff.report(user, month="2023-01", scope=scope), 404, "REPORT_NOT_FOUND")


def test_a_ministry_coordinator_reads_its_tree_in_every_province(api, staff):
    user = new_user(api, staff, "MEB", ["coordinator"])
    for scope in ("institution:MEB", "institution:IL-MEB-06", "institution:MEB-TEGM-OODB"):
        assert get_json(staff, user, month="2023-01", scope=scope)["scope"] == scope
    problem(staff.report(user, month="2023-01", scope="province:06"), 404, "REPORT_NOT_FOUND")


def test_without_a_token_401(api):
    r = api.get(PATH + "?month=2023-01", headers={"X-Forwarded-For": client_ip()})
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


BAD = [
    ("month=2023-13", "month", "INVALID_FORMAT"),
    ("month=2023-1", "month", "TOO_SHORT"),
    ("month=23-01-01", "month", "TOO_LONG"),
    ("month=2099-01", "month", "MONTH_IN_FUTURE"),
    ("scope=everything", "scope", "INVALID_FORMAT"),
    ("scope=province:6", "scope", "INVALID_FORMAT"),
    ("scope=province:82", "scope", "INVALID_FORMAT"),
    ("scope=institution:saglik", "scope", "INVALID_FORMAT"),
    ("format=pdf", "format", "INVALID_VALUE"),
    ("month=2023-01&colour=red", "colour", "UNKNOWN_FIELD"),
]


@pytest.mark.parametrize("query,field,code", BAD)
def test_bad_parameters_are_422_with_field_and_code(api, staff, query, field, code):
    r = api.get(f"{PATH}?{query}", headers=staff.headers("merkez.operator"))
    body = problem(r, 422, "VALIDATION_FAILED")
    assert {(e["field"], e["code"]) for e in body["errors"]} == {(field, code)}, body


def test_every_bad_parameter_is_named_at_once_in_english_too(api, staff):
    h = staff.headers("merkez.operator")
    h["Accept-Language"] = "en"
    r = api.get(f"{PATH}?month=2023-00&scope=x&format=xml", headers=h)
    body = problem(r, 422, "VALIDATION_FAILED")
    assert {e["field"] for e in body["errors"]} == {"month", "scope", "format"}
    r = api.get(f"{PATH}?month=2099-12", headers=h)
    assert "not begun" in problem(r, 422, "VALIDATION_FAILED")["errors"][0]["message"]


def test_the_month_defaults_to_the_previous_one_and_may_be_the_current(staff):
    now = datetime.datetime.now(datetime.timezone.utc) + UTC3
    this = f"{now.year:04d}-{now.month:02d}"
    assert get_json(staff, "merkez.operator")["month"] == prev_month(this)
    doc = get_json(staff, "merkez.operator", month=this)
    assert doc["month"] == this and doc["stored"] is False


def test_the_test_clock_moves_the_current_month(api, staff):
    h = staff.headers("merkez.operator")
    h["X-Test-Now"] = "2023-05-31T23:59:00+03:00"
    r = api.get(f"{PATH}?month=2023-06", headers=h)
    assert problem(r, 422, "VALIDATION_FAILED")["errors"][0]["code"] == "MONTH_IN_FUTURE"
    h["X-Test-Now"] = "2023-06-01T00:00:00+03:00"
    assert api.get(f"{PATH}?month=2023-06", headers=h).status_code == 200
    r = api.get(PATH, headers=h)
    assert r.json()["month"] == "2023-05"


# ------------------------------------------------------------------ hand-made data

def new_user(api, staff, institution, roles):
    """A staff account made by the demo administrator; its name is returned."""
    name = f"rapor.{rnd().lower()}"
    password = "Rapor.Parola." + rnd()
    r = api.post("/api/v1/admin/users",
                 json={"username": name, "display_name": "Rapor Deneme",
                       "email": f"{name}@bimer.example", "institution_code": institution,
                       "roles": roles, "password": password},
                 headers=staff.headers("merkez.operator"))
    assert r.status_code == 201, r.text
    staff.passwords[name] = password
    return name


def new_institution(api, staff, code, kind, parent, province=None):
    body = {"code": code, "name": f"Rapor Deneme {code}", "kind": kind, "parent_code": parent}
    if province:
        body["province_code"] = province
    r = api.post("/api/v1/admin/institutions", json=body,
                 headers=staff.headers("merkez.operator"))
    assert r.status_code == 201, r.text


def q(v):
    return "NULL" if v is None else f"'{v}'"


APP_COLS = ("application_no", "type", "category", "channel", "topic", "province_code",
            "assigned_institution_code", "status", "outcome", "reason_code", "received_at",
            "due_at", "answered_at", "closed_at")


def luhn(digits):
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return (10 - total % 10) % 10


def application_no():
    """A well-formed number (common/bm_appno.c) far above the real sequence: 2023-9xxxxxxxx-c."""
    seq = "9" + "".join(random.choice(string.digits) for _ in range(8))
    return f"2023-{seq}-{luhn('2023' + seq)}"


def insert_apps(env, apps):
    """Insert {name: {column: value}} rows; returns {name: id}."""
    nos = {}
    values = []
    for name, a in apps.items():
        nos[name] = application_no()
        row = dict(a, application_no=nos[name])
        values.append("(" + ", ".join(q(row.get(c)) for c in APP_COLS)
                      + ", 'Rapor deneme başvurusu', 'Rapor testi için yazılmış başvuru.')")
    sql(env, f"INSERT INTO applications ({', '.join(APP_COLS)}, subject, body) VALUES "
             + ", ".join(values))
    ids = dict(sql(env, "SELECT application_no, id FROM applications WHERE application_no IN ("
                        + ", ".join(q(n) for n in nos.values()) + ")"))
    return {name: ids[no] for name, no in nos.items()}


def insert_appeal(env, app_id, filed, decided=None, decision=None):
    no = f"2023-{random.randrange(10 ** 8, 10 ** 9)}"
    due = (dt(filed) + datetime.timedelta(days=45)).isoformat(" ")
    sql(env, "INSERT INTO appeals (appeal_no, application_id, channel, ground, refused_at, "
             "window_ends_at, reason, status, filed_at, due_at, decision, decision_text, "
             "decided_at) VALUES "
             f"('{no}', {app_id}, 'internet', 'answered', '{filed}' - INTERVAL 9 DAY, "
             f"'{filed}' + INTERVAL 6 DAY, 'İtiraz gerekçesi', "
             f"'{'appeal_decided' if decision else 'appeal_filed'}', '{filed}', '{due}', "
             f"{q(decision)}, {q('Karar metni' if decision else None)}, {q(decided)})")


def handmade(x, b):
    """The hand-made applications: x holds most, b (under x) the rest; times are UTC."""
    ans = {"status": "answered"}
    return {
        # the first moment of March in Istanbul; answered the next Istanbul day
        "a1": dict(ans, type="dilekce", category="sikayet", channel="internet", topic="egitim",
                   assigned_institution_code=x, outcome="positive",
                   received_at="2023-02-28 21:00:00.000", due_at="2023-03-31 20:59:59.000",
                   answered_at="2023-03-02 09:00:00.000", closed_at="2023-03-02 09:00:00.000"),
        # the last moment of February; answered in March after 10 days
        "a2": dict(ans, type="dilekce", category="istek", channel="phone", topic="egitim",
                   assigned_institution_code=b, outcome="negative",
                   received_at="2023-02-28 20:59:59.999", due_at="2023-03-30 20:59:59.000",
                   answered_at="2023-03-10 10:00:00.000", closed_at="2023-03-10 10:00:00.000"),
        # 23:30 → 00:30 Istanbul: one day, though the UTC date is the same
        "a3": dict(ans, type="bilgi_edinme", channel="internet", assigned_institution_code=x,
                   outcome="partial", reason_code="BE_EXC_21",
                   received_at="2023-03-05 20:30:00.000", due_at="2023-03-27 20:59:59.000",
                   answered_at="2023-03-05 21:30:00.000", closed_at="2023-03-05 21:30:00.000"),
        "a4": dict(type="dilekce", category="ihbar", channel="letter", topic="saglik",
                   assigned_institution_code=b, status="not_processed", reason_code="NO_SUBJECT",
                   received_at="2023-03-10 08:00:00.000", due_at="2023-04-09 20:59:59.000",
                   answered_at="2023-03-10 12:00:00.000", closed_at="2023-03-10 12:00:00.000"),
        # not processed, but in April
        "a5": dict(type="dilekce", category="gorus", channel="fax", topic="saglik",
                   assigned_institution_code=x, status="not_processed", reason_code="JUDICIAL",
                   received_at="2023-03-12 08:00:00.000", due_at="2023-04-11 20:59:59.000",
                   answered_at="2023-04-20 08:00:00.000", closed_at="2023-04-20 08:00:00.000"),
        # January's, due 1 March, answered late on 15 March: overdue and late, 54 days
        "a6": dict(ans, type="dilekce", category="oneri", channel="in_person", topic="ulasim",
                   assigned_institution_code=x, outcome="positive",
                   received_at="2023-01-20 08:00:00.000", due_at="2023-03-01 20:59:59.000",
                   answered_at="2023-03-15 08:00:00.000", closed_at="2023-03-15 08:00:00.000"),
        # February's, due 12 March, deemed rejected on 14 March
        "a7": dict(type="dilekce", category="sikayet", channel="internet", topic="ulasim",
                   assigned_institution_code=b, status="deemed_rejected",
                   received_at="2023-02-10 08:00:00.000", due_at="2023-03-12 20:59:59.000",
                   closed_at="2023-03-14 08:00:00.000"),
        "a8": dict(type="dilekce", category="istek", channel="internet", topic="egitim",
                   assigned_institution_code=x, status="cancelled",
                   received_at="2023-03-20 08:00:00.000", due_at="2023-04-19 20:59:59.000",
                   closed_at="2023-03-21 08:00:00.000"),
        # due in March, but cancelled in February: not overdue
        "a9": dict(type="dilekce", category="istek", channel="internet", topic="egitim",
                   assigned_institution_code=x, status="cancelled",
                   received_at="2023-02-01 08:00:00.000", due_at="2023-03-03 20:59:59.000",
                   closed_at="2023-02-05 08:00:00.000"),
        # the last millisecond of March, and the first of April
        "a10": dict(type="bilgi_edinme", channel="internet", topic="saglik",
                    assigned_institution_code=x, status="in_progress",
                    received_at="2023-03-31 20:59:59.999", due_at="2023-04-21 20:59:59.000"),
        "a11": dict(type="dilekce", category="sikayet", channel="internet", topic="egitim",
                    assigned_institution_code=x, status="in_progress",
                    received_at="2023-03-31 21:00:00.000", due_at="2023-04-30 20:59:59.000"),
        # due in March and still open
        "a12": dict(type="bilgi_edinme", channel="internet", assigned_institution_code=b,
                    status="in_progress", received_at="2023-02-15 08:00:00.000",
                    due_at="2023-03-08 20:59:59.000"),
        # refused before March, appealed and decided around it
        "a13": dict(ans, type="bilgi_edinme", channel="internet", assigned_institution_code=x,
                    outcome="negative", reason_code="BE_EXC_16",
                    received_at="2023-01-10 08:00:00.000", due_at="2023-02-01 20:59:59.000",
                    answered_at="2023-02-01 08:00:00.000", closed_at="2023-02-01 08:00:00.000"),
        "a14": dict(ans, type="bilgi_edinme", channel="internet", assigned_institution_code=x,
                    outcome="negative", reason_code="BE_EXC_20",
                    received_at="2023-01-11 08:00:00.000", due_at="2023-02-01 20:59:59.000",
                    answered_at="2023-01-20 08:00:00.000", closed_at="2023-01-20 08:00:00.000"),
        "a15": dict(type="bilgi_edinme", channel="internet", assigned_institution_code=b,
                    status="not_processed", reason_code="BE_NEEDS_RESEARCH",
                    received_at="2023-01-12 08:00:00.000", due_at="2023-02-02 20:59:59.000",
                    answered_at="2023-01-20 08:00:00.000", closed_at="2023-01-20 08:00:00.000"),
        "a16": dict(ans, type="bilgi_edinme", channel="internet", assigned_institution_code=x,
                    outcome="negative", reason_code="BE_EXC_16",
                    received_at="2023-01-13 08:00:00.000", due_at="2023-02-03 20:59:59.000",
                    answered_at="2023-01-22 08:00:00.000", closed_at="2023-01-22 08:00:00.000"),
    }


# What the hand-made set must give for institution:X in March 2023, counted by hand.
MARCH = {
    "applications": {
        "total": 6,  # a1 a3 a4 a5 a8 a10
        "by_type": {"dilekce": 4, "bilgi_edinme": 2},
        "by_category": {"istek": 1, "sikayet": 1, "ihbar": 1, "gorus": 1, "oneri": 0},
        "by_channel": {"internet": 4, "phone": 0, "fax": 1, "letter": 1, "in_person": 0},
        "by_topic": [{"topic": "saglik", "count": 3}, {"topic": "egitim", "count": 2},
                     {"topic": None, "count": 1}],
        "by_status": {"received": 0, "in_progress": 1, "answered": 2, "not_processed": 2,
                      "cancelled": 1, "deemed_rejected": 0},
    },
    # a1 (1 day), a2 (10), a3 (1), a4 (0), a6 (54, late)
    "outcomes": {"total": 5, "positive": 2, "negative": 1, "partial": 1, "not_processed": 1,
                 "not_processed_by_reason": {"NO_SUBJECT": 1}, "late": 1},
    "response_time_days": {
        "count": 5, "mean": 13.2, "median": 1, "p90": 54,
        "distribution": [{"min_days": 0, "max_days": 3, "count": 3},
                         {"min_days": 4, "max_days": 7, "count": 0},
                         {"min_days": 8, "max_days": 15, "count": 1},
                         {"min_days": 16, "max_days": 30, "count": 0},
                         {"min_days": 31, "max_days": 60, "count": 1},
                         {"min_days": 61, "max_days": None, "count": 0}]},
    "overdue": 3,  # a6 a7 a12
    "deemed_rejected": 1,  # a7
    "appeals": {"filed": 2, "decided": 3, "accepted": 1, "partially_accepted": 1,
                "rejected": 1},
}


@pytest.fixture(scope="module")
def handmade_set(api, staff, stack_env):
    """Institution X (under SAGLIK) and B (under X) holding the hand-made applications, plus
    three applications elsewhere for the province rules, each with a topic of its own."""
    x = f"RAPOR-{rnd()}"
    b = f"{x}-B"
    new_institution(api, staff, x, "general_directorate", "SAGLIK")
    new_institution(api, staff, b, "department", x)
    ids = insert_apps(stack_env, handmade(x, b))
    sql(stack_env, "INSERT INTO application_events (application_id, at, kind) VALUES "
                   f"({ids['a7']}, '2023-03-14 08:00:00.000', 'deemed_rejected')")
    insert_appeal(stack_env, ids["a13"], "2023-03-03 08:00:00.000", "2023-03-25 08:00:00.000",
                  "accepted")
    insert_appeal(stack_env, ids["a14"], "2023-02-27 08:00:00.000", "2023-03-02 08:00:00.000",
                  "partially_accepted")
    insert_appeal(stack_env, ids["a15"], "2023-03-28 08:00:00.000")
    insert_appeal(stack_env, ids["a16"], "2023-02-20 08:00:00.000", "2023-03-31 20:59:59.999",
                  "rejected")
    t = {k: f"rapor_{k}_{rnd().lower()}" for k in ("own", "holder", "central")}
    common = dict(type="dilekce", category="istek", channel="internet", status="in_progress",
                  received_at="2023-03-15 08:00:00.000", due_at="2023-04-14 20:59:59.000")
    insert_apps(stack_env, {
        # no province of its own: the holder's (06)
        "p1": dict(common, topic=t["holder"], assigned_institution_code="IL-MEB-06"),
        # its own province (34) wins over the holder's (06)
        "p2": dict(common, topic=t["own"], province_code="34",
                   assigned_institution_code="VALILIK-06"),
        # a central holder without a province: the application's own (06)
        "p3": dict(common, topic=t["central"], province_code="06",
                   assigned_institution_code="SAGLIK"),
    })
    return x, b, t


def test_handmade_month_counted_by_hand(staff, stack_env, handmade_set):
    x, b, _ = handmade_set
    doc = get_json(staff, "merkez.operator", month="2023-03", scope=f"institution:{x}")
    assert doc["figures"] == MARCH
    assert doc["scope_name"] == f"Rapor Deneme {x}"
    assert doc["period"] == {"from": "2023-03-01T00:00:00+03:00",
                             "to": "2023-04-01T00:00:00+03:00"}
    # February: a2 a7 a9 a12 received; a13 answered (negative, 22 Istanbul days)
    feb = doc["previous_month"]
    assert feb["month"] == "2023-02" and feb["stored"] is False
    assert feb["figures"]["applications"]["total"] == 4
    assert feb["figures"]["outcomes"]["negative"] == 1
    assert feb["figures"]["response_time_days"]["median"] == 22
    assert feb["figures"]["appeals"]["filed"] == 2  # a14 a16
    # the reference agrees with the hand count, so it can be trusted for the other scopes
    assert expected(stack_env, "2023-03", f"institution:{x}") == MARCH
    # B alone: a2 a4 a7 a12 a15
    sub = get_json(staff, "merkez.operator", month="2023-03", scope=f"institution:{b}")
    assert sub["figures"]["outcomes"]["total"] == 2  # a2 a4
    assert sub["figures"]["overdue"] == 2 and sub["figures"]["deemed_rejected"] == 1
    assert sub["figures"] == expected(stack_env, "2023-03", f"institution:{b}")
    # April gets a11 and a5's answer
    apr = get_json(staff, "merkez.operator", month="2023-04", scope=f"institution:{x}")
    assert apr["figures"]["applications"]["total"] == 1
    assert apr["figures"]["outcomes"]["not_processed_by_reason"] == {"JUDICIAL": 1}


def topic_counts(doc):
    return {t["topic"]: t["count"] for t in doc["figures"]["applications"]["by_topic"]}


def test_province_of_an_application_is_its_own_else_its_holders(staff, handmade_set):
    _, _, t = handmade_set
    ankara = topic_counts(get_json(staff, "ankara.operator", month="2023-03"))
    istanbul = topic_counts(get_json(staff, "merkez.operator", month="2023-03",
                                     scope="province:34"))
    saglik = topic_counts(get_json(staff, "saglik.bakanlik", month="2023-03"))
    assert ankara.get(t["holder"]) == 1 and ankara.get(t["central"]) == 1
    assert t["own"] not in ankara and istanbul.get(t["own"]) == 1
    assert saglik.get(t["central"]) == 1 and t["holder"] not in saglik


@pytest.mark.parametrize("scope", ["all", "province:06", "province:34", "institution:SAGLIK",
                                   "institution:ICISLERI", "institution:VALILIK-06"])
def test_every_scope_kind_equals_the_reference(staff, stack_env, handmade_set, scope):
    tree = Tree(stack_env)
    for month in ("2023-02", "2023-03", "2023-04"):
        check_report(staff, stack_env, month, scope, tree=tree)


# ------------------------------------------------------------------ CSV and HTML


def flatten(figures):
    """{(section, key): value} as the CSV names them."""
    out = {}
    apps = figures["applications"]
    out[("applications", "total")] = apps["total"]
    for group in ("by_type", "by_category", "by_channel", "by_status"):
        for k, v in apps[group].items():
            out[(f"applications.{group}", k)] = v
    for t in apps["by_topic"]:
        out[("applications.by_topic", t["topic"] or "")] = t["count"]
    for k, v in figures["outcomes"].items():
        if k == "not_processed_by_reason":
            for code, n in v.items():
                out[("outcomes.not_processed_by_reason", code)] = n
        else:
            out[("outcomes", k)] = v
    rt = figures["response_time_days"]
    for k in ("count", "mean", "median", "p90"):
        out[("response_time_days", k)] = rt[k]
    for b in rt["distribution"]:
        key = f"{b['min_days']}-{b['max_days']}" if b["max_days"] is not None \
            else f"{b['min_days']}+"
        out[("response_time_days.distribution", key)] = b["count"]
    out[("deadlines", "overdue")] = figures["overdue"]
    out[("deadlines", "deemed_rejected")] = figures["deemed_rejected"]
    for k, v in figures["appeals"].items():
        out[("appeals", k)] = v
    return out


def csv_text(v):
    if v is None:
        return ""
    return f"{v:.2f}" if isinstance(v, float) else str(v)


def fetch(staff, user, fmt, **query):
    r = staff.report(user, format=fmt, **query)
    assert r.status_code == 200, r.text
    return r


def test_csv_carries_every_figure_of_the_json(staff, handmade_set):
    x, _, _ = handmade_set
    q = {"month": "2023-03", "scope": f"institution:{x}"}
    doc = get_json(staff, "merkez.operator", **q)
    r = fetch(staff, "merkez.operator", "csv", **q)
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8; header=present"
    assert r.headers["Content-Disposition"] == \
        f'attachment; filename="bimer-2023-03-institution-{x}.csv"'
    raw = r.content.decode("utf-8")
    assert raw.endswith("\r\n") and "\n" not in raw.replace("\r\n", "")
    rows = list(csv.reader(io.StringIO(raw, newline="")))
    assert rows[0] == ["section", "key", "label", "value", "previous", "change"]
    assert all(len(r) == 6 for r in rows)
    meta = {r[1]: r for r in rows if r[0] == "report"}
    assert meta["month"][3:5] == ["2023-03", "2023-02"]
    assert meta["scope"][3] == f"institution:{x}" and meta["stored"][3] == "false"
    assert meta["scope_name"][3] == f"Rapor Deneme {x}"
    figures = {(r[0], r[1]): r for r in rows if r[0] != "report" and r[0] != "section"}
    cur, prev = flatten(doc["figures"]), flatten(doc["previous_month"]["figures"])
    # every figure of the month is there with its value, and nothing else
    assert set(figures) == set(cur) | set(prev)
    for key, row in figures.items():
        assert row[3] == csv_text(cur.get(key, 0 if key[0].startswith(
            ("applications.by_topic", "outcomes.not_processed_by_reason")) else None)), key
        assert row[4] == csv_text(prev.get(key, 0 if key[0].startswith(
            ("applications.by_topic", "outcomes.not_processed_by_reason")) else None)), key
        if row[3] and row[4]:
            a, b = float(row[3]), float(row[4])
            assert abs(float(row[5]) - (a - b)) < 0.006, (key, row)
        else:
            assert row[5] == ""
    assert figures[("response_time_days", "mean")][3] == "13.20"
    assert figures[("applications.by_topic", "")][2] == "(konu belirtilmemiş)"
    assert figures[("applications.by_category", "sikayet")][2] == "Şikâyet"


class Cells(html.parser.HTMLParser):
    """data-key/data-value of the report's table cells, data-value of its bars, and text."""

    def __init__(self):
        super().__init__()
        self.cells, self.bars, self.tags, self.text = {}, [], set(), []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.add(tag)
        if "data-key" in a:
            self.cells[a["data-key"]] = a.get("data-value")
        if tag == "rect" and "data-value" in a:
            self.bars.append((int(a["data-value"]), a.get("fill")))
        assert "style" not in a, f"a style attribute on <{tag}> (the CSP would refuse it)"

    def handle_data(self, data):
        self.text.append(data)


def test_html_carries_the_same_numbers_and_no_script(staff, handmade_set):
    x, _, _ = handmade_set
    q = {"month": "2023-03", "scope": f"institution:{x}"}
    doc = get_json(staff, "merkez.operator", **q)
    r = fetch(staff, "merkez.operator", "html", **q)
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    page = r.content.decode("utf-8")
    assert page.startswith('<!DOCTYPE html>\n<html lang="tr">')
    p = Cells()
    p.feed(page)
    assert "script" not in p.tags and "link" not in p.tags and "img" not in p.tags
    assert "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert page.count("<style>") == 1 and page.count("<svg") >= 8
    f, pf = doc["figures"], doc["previous_month"]["figures"]
    want = {"applications.total": f["applications"]["total"],
            "outcomes.positive": f["outcomes"]["positive"],
            "outcomes.not_processed": f["outcomes"]["not_processed"],
            "response_time_days.mean": "13.20",
            "response_time_days.p90": f["response_time_days"]["p90"],
            "overdue": f["overdue"], "deemed_rejected": f["deemed_rejected"],
            "appeals.decided": f["appeals"]["decided"],
            "appeals.partially_accepted": f["appeals"]["partially_accepted"],
            "previous.applications.total": pf["applications"]["total"],
            "outcomes.not_processed_by_reason.NO_SUBJECT": 1}
    for key, value in want.items():
        assert p.cells.get(key) == str(value), (key, p.cells.get(key))
    # the bars: type, category, channel, topics, status, outcomes, distribution
    bars = {}
    for v, fill in p.bars:
        bars.setdefault(fill, []).append(v)
    a = f["applications"]
    assert bars["#1f5fa8"] == (list(a["by_type"].values()) + list(a["by_category"].values())
                               + list(a["by_channel"].values())
                               + [t["count"] for t in a["by_topic"]]
                               + list(a["by_status"].values()))
    o = f["outcomes"]
    assert (bars["#2e7d32"], bars["#c62828"], bars["#f9a825"], bars["#6d4c41"]) == \
        ([o["positive"]], [o["negative"]], [o["partial"]], [o["not_processed"]])
    assert bars["#6a1b9a"] == [b["count"] for b in f["response_time_days"]["distribution"]]
    assert bars["#00838f"][0] == a["total"] and bars["#9e9e9e"][0] == pf["applications"]["total"]
    text = "".join(p.text)
    assert "Mart 2023" in text and "Şubat 2023" in text and "13,20" in text
    assert "Canlı rapor" in text


# ------------------------------------------------------------------ generated data


def demodata_bin(env):
    for mode in ("asan", "release"):
        p = ROOT / "build" / mode / "bin" / "bimer-demodata"
        if p.exists():
            return p
    return None


@pytest.fixture(scope="module")
def generated(stack_env):
    """Two months of realistic data from bimer-demodata in 2023-06 and 2023-07."""
    binary = demodata_bin(stack_env)
    if binary is None:
        pytest.fail("bimer-demodata is not built: the figures must be checked on generated data")
    n = sql(stack_env, "SELECT COUNT(*) FROM applications WHERE received_at >= "
                       "'2023-05-31 21:00:00' AND received_at < '2023-07-31 21:00:00'")[0][0]
    if int(n) < 1000:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BIMER_")}
        env.update(stack_env)
        out = subprocess.run([str(binary), "--count", "3000", "--seed", "2023",
                              "--from", "2023-06", "--months", "2"],
                             env=env, capture_output=True, text=True, timeout=600)
        assert out.returncode == 0, out.stderr
    return True


@pytest.mark.parametrize("scope", ["all", "province:06", "province:34", "province:35",
                                   "institution:SAGLIK", "institution:MEB",
                                   "institution:ICISLERI", "institution:VALILIK-06"])
def test_generated_months_equal_the_reference(staff, stack_env, generated, scope):
    tree = Tree(stack_env)
    for month in ("2023-06", "2023-07", "2023-08"):
        doc = check_report(staff, stack_env, month, scope, tree=tree)
        if scope == "all" and month != "2023-08":
            f = doc["figures"]
            assert f["applications"]["total"] >= 1000
            assert f["outcomes"]["total"] > 0 and f["response_time_days"]["count"] > 0
            assert f["applications"]["by_channel"]["internet"] > 0


def test_generated_month_csv_and_html_agree_with_the_json(staff, generated):
    q = {"month": "2023-07", "scope": "all"}
    doc = get_json(staff, "merkez.operator", **q)
    rows = list(csv.reader(io.StringIO(fetch(staff, "merkez.operator", "csv", **q)
                                       .content.decode("utf-8"), newline="")))
    got = {(r[0], r[1]): r[3] for r in rows[1:] if r[0] != "report"}
    for key, value in flatten(doc["figures"]).items():
        assert got[key] == csv_text(value), key
    p = Cells()
    p.feed(fetch(staff, "merkez.operator", "html", **q).content.decode("utf-8"))
    assert p.cells["applications.total"] == str(doc["figures"]["applications"]["total"])
    assert p.cells["outcomes.total"] == str(doc["figures"]["outcomes"]["total"])
