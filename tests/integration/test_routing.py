# SPDX-License-Identifier: MIT
"""The routing service on the real stack (issue 4 item 4): the inbox, the staff
record view, routing and forwarding (rules.md R1–R4, W4), answers with their
reason codes, the D2 extension, hidden identities (C2), the audit of staff reads,
and two staff acting on one application at once.

Applications are filed through the real API (POST /api/v1/applications) and
received either through the real verification mail or, where the clock does not
matter, by marking the row received with SQL. Staff log in with the demo accounts
of design.md. Every response is checked against api-spec/openapi.yaml."""
import datetime
import random
import string
import subprocess
import threading
import time

import pytest
import requests

import openapi_check
from citizen import information_request, mails_to, petition, sql, text_of, token_from

PROBLEM = "application/problem+json"
ACCOUNTS = ("merkez.operator", "ankara.operator", "ankara.meb", "cankaya.kaymakamlik",
            "saglik.bakanlik", "etik.kurul", "bedk.uye")
TEXT = "Başvurunuz incelenmiş olup gerekli işlemler yapılmıştır."


def ip():
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


def letters(n=8):
    return "".join(random.choice(string.ascii_lowercase) for _ in range(n))


# ---- staff sessions ----------------------------------------------------------

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

    def headers(self, user):
        h = {"X-Forwarded-For": ip()}
        if user == "none":
            return h
        h["Authorization"] = "Bearer " + ("garbage.not.ajwt" if user == "garbage"
                                          else self.token(user))
        return h

    def get(self, user, path, **kw):
        return self.api.get(path, headers=self.headers(user), **kw)

    def post(self, user, path, body, **kw):
        return self.api.post(path, json=body, headers=self.headers(user), **kw)


@pytest.fixture(scope="module")
def staff(api, stack_env):
    return Staff(api, stack_env)


# ---- applications --------------------------------------------------------------

def submit(api, body):
    r = api.post("/api/v1/applications", json=body, headers={"X-Forwarded-For": ip()})
    assert r.status_code == 202, r.text
    return r.json()["application_no"]


def receive_by_sql(env, no, due_days=30):
    """Mark an application received now (no mail round trip where the clock does not matter)."""
    sql(env, "UPDATE applications SET status = 'received', received_at = UTC_TIMESTAMP(3), "
        f"due_at = UTC_TIMESTAMP(3) + INTERVAL {int(due_days)} DAY "
        f"WHERE application_no = '{no}' AND status = 'awaiting_verification'")


def receive_by_mail(api, env, body, no):
    [mail] = mails_to(env, body["applicant"]["email"])
    v = api.post("/api/v1/verifications", json={"token": token_from(mail)})
    assert v.status_code == 200, v.text
    return v.json()


def new_app(api, env, body=None, held_by=None, staff=None, router="merkez.operator"):
    """File, receive and optionally route an application; returns (no, body)."""
    body = body or petition()
    no = submit(api, body)
    receive_by_sql(env, no)
    if held_by:
        r = staff.post(router, f"/api/v1/applications/{no}/route",
                       {"institution_code": held_by})
        assert r.status_code == 200, r.text
    return no, body


def row(env, no, cols="status, assigned_institution_code"):
    return sql(env, f"SELECT {cols} FROM applications WHERE application_no = '{no}'")[0]


def events(env, no, cols="e.kind"):
    return sql(env, f"SELECT {cols} FROM application_events e JOIN applications a ON "
               f"a.id = e.application_id LEFT JOIN users u ON u.id = e.actor_user_id "
               f"WHERE a.application_no = '{no}' ORDER BY e.id")


def kinds(env, no):
    return [k for [k] in events(env, no)]


def user_id(env, username):
    return sql(env, f"SELECT id FROM users WHERE username = '{username}'")[0][0]


def field_codes(resp):
    assert resp.status_code == 422, resp.text
    assert resp.headers["Content-Type"].startswith(PROBLEM)
    return {(e["field"], e["code"]) for e in resp.json().get("errors", [])}


def inbox_all(staff, user, query=""):
    """Every inbox item of user, following the cursor."""
    items, cursor, pages = [], None, 0
    while True:
        q = query + ("&" if query else "") + "limit=100" + (f"&cursor={cursor}" if cursor else "")
        r = staff.get(user, f"/api/v1/inbox?{q}")
        assert r.status_code == 200, r.text
        items += r.json()["items"]
        cursor = r.json()["next_cursor"]
        pages += 1
        assert pages < 200
        if not cursor:
            return items


def chain_intact(env, no):
    rows = events(env, no, "HEX(e.prev_hash), HEX(e.hash)")
    prev = "NULL"
    for p, h in rows:
        assert p == prev, f"event chain of {no} broken: {rows}"
        prev = h


# ---- the access matrix -------------------------------------------------------------

# One petition of Ankara held by IL-MEB-06. Bodies that pass the field tables but
# break a rule checked after reach and authority, so no cell changes the record:
# an allowed caller gets 422 (or 200 for reads), everyone else what they may know.
MATRIX = {
    # user:            inbox  record route answer extend
    "merkez.operator":     (200, 200, 422, 403, 403),
    "ankara.operator":     (200, 200, 422, 403, 403),
    "ankara.meb":          (200, 200, 422, 422, 422),
    "cankaya.kaymakamlik": (200, 404, 404, 404, 404),
    "saglik.bakanlik":     (200, 404, 404, 404, 404),
    "etik.kurul":          (200, 404, 404, 404, 404),
    "bedk.uye":            (403, 403, 403, 403, 403),
    "none":                (401, 401, 401, 401, 401),
    "garbage":             (401, 401, 401, 401, 401),
}
SEES_IN_INBOX = {"merkez.operator", "ankara.operator", "ankara.meb"}


@pytest.fixture(scope="module")
def matrix_app(api, stack_env, staff):
    no, _ = new_app(api, stack_env, held_by="IL-MEB-06", staff=staff)
    return no


@pytest.mark.parametrize("user", list(MATRIX))
def test_access_matrix(api, stack_env, staff, matrix_app, user):
    no = matrix_app
    before = (row(stack_env, no), len(kinds(stack_env, no)))
    calls = [
        lambda: staff.get(user, "/api/v1/inbox?status=in_progress"),
        lambda: staff.get(user, f"/api/v1/applications/{no}"),
        lambda: staff.post(user, f"/api/v1/applications/{no}/route",
                           {"institution_code": "TBMM"}),
        lambda: staff.post(user, f"/api/v1/applications/{no}/answer",
                           {"outcome": "positive", "reason_code": "JUDICIAL", "text": TEXT}),
        lambda: staff.post(user, f"/api/v1/applications/{no}/extend",
                           {"reason": "Başka kurumdan bilgi istenecektir."}),
    ]
    got = tuple(call().status_code for call in calls)
    assert got == MATRIX[user], f"{user}: {got}"
    if MATRIX[user][0] == 200:
        listed = any(i["application_no"] == no
                     for i in inbox_all(staff, user, "status=in_progress"))
        assert listed == (user in SEES_IN_INBOX), user
    after = (row(stack_env, no), len(kinds(stack_env, no)))
    reads = 1 if MATRIX[user][1] == 200 else 0  # only a shown record leaves a staff_read
    assert after == (before[0], before[1] + reads)


def test_unauthorized_answers_are_401_with_challenge(staff, matrix_app):
    for user in ("none", "garbage"):
        r = staff.get(user, f"/api/v1/applications/{matrix_app}")
        assert r.status_code == 401 and r.headers["Content-Type"].startswith(PROBLEM)
        assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_unknown_number_and_unreachable_number_look_the_same(staff, matrix_app):
    far = staff.get("saglik.bakanlik", f"/api/v1/applications/{matrix_app}")
    none = staff.get("saglik.bakanlik", "/api/v1/applications/2020-0000001-1")
    bad = staff.get("saglik.bakanlik", "/api/v1/applications/not-a-number")
    for r in (far, none, bad):
        assert r.status_code == 404
        assert r.json()["code"] == "APPLICATION_NOT_FOUND"
        assert r.json()["detail"] == far.json()["detail"]


# ---- hidden identity (C2) --------------------------------------------------------

def hidden_petition():
    body = petition(category="ihbar", identity_hidden=True)
    body["applicant"]["first_name"] = "Gizli" + letters()
    body["applicant"]["last_name"] = "Kişi" + letters()
    return body


def secrets_of(body):
    a = body["applicant"]
    tc = a["tc_kimlik_no"]
    return (tc, tc[:3] + "******" + tc[9:], a["first_name"], a["last_name"], a["email"])


def test_hidden_identity_never_reaches_the_receiving_institution(api, stack_env, staff):
    body = hidden_petition()
    no, _ = new_app(api, stack_env, body, held_by="IL-MEB-06", staff=staff)
    seen = []
    rec = staff.get("ankara.meb", f"/api/v1/applications/{no}")
    assert rec.status_code == 200
    assert "applicant" not in rec.json() and rec.json()["identity_hidden"] is True
    seen.append(rec.text)
    seen.append(str(inbox_all(staff, "ankara.meb")))
    seen.append(staff.get("ankara.meb", "/api/v1/inbox?status=in_progress&limit=100").text)
    seen.append(staff.post("ankara.meb", f"/api/v1/applications/{no}/extend",
                           {"reason": "Başka birimden bilgi istenecektir."}).text)
    ans = staff.post("ankara.meb", f"/api/v1/applications/{no}/answer",
                     {"outcome": "positive", "text": TEXT})
    assert ans.status_code == 200, ans.text
    seen.append(ans.text)
    seen.append(staff.get("ankara.meb", f"/api/v1/applications/{no}").text)
    for text in seen:
        for secret in secrets_of(body):
            assert secret not in text
    # the answer still reaches the applicant, by the system's mail only
    mails = mails_to(stack_env, body["applicant"]["email"], count=3)
    assert any("cevaplandı" in m["Subject"] and TEXT in text_of(m) for m in mails)
    rcpt = sql(stack_env, "SELECT DISTINCT o.recipient FROM outbox o JOIN applications a ON "
               f"a.id = o.application_id WHERE a.application_no = '{no}'")
    assert rcpt == [[body["applicant"]["email"]]]


def test_operators_see_the_hidden_identity_masked(api, stack_env, staff):
    body = hidden_petition()
    no, _ = new_app(api, stack_env, body, held_by="IL-MEB-06", staff=staff)
    tc, masked, first, last, mail = secrets_of(body)
    for op in ("merkez.operator", "ankara.operator"):
        r = staff.get(op, f"/api/v1/applications/{no}")
        assert r.status_code == 200
        a = r.json()["applicant"]
        assert (a["tc_kimlik_no"], a["first_name"], a["last_name"], a["email"]) == \
            (masked, first, last, mail)
        assert tc not in r.text


def test_visible_identity_is_shown_to_the_institution_masked(api, stack_env, staff):
    body = petition()
    no, _ = new_app(api, stack_env, body, held_by="IL-MEB-06", staff=staff)
    tc, masked, first, _, _ = secrets_of(body)
    r = staff.get("ankara.meb", f"/api/v1/applications/{no}")
    assert r.json()["applicant"]["tc_kimlik_no"] == masked
    assert r.json()["applicant"]["first_name"] == first
    assert tc not in r.text
    inbox = staff.get("ankara.meb", "/api/v1/inbox?limit=100").text
    assert tc not in inbox and first not in inbox  # lists never carry applicant data


# ---- routing rules (R1, R3, R4, W4) -------------------------------------------------

def route(staff, user, no, code, **extra):
    return staff.post(user, f"/api/v1/applications/{no}/route",
                      {"institution_code": code, **extra})


def test_governorship_desk_routes_within_its_province_and_up(api, stack_env, staff):
    body = petition()
    no, _ = new_app(api, stack_env, body)
    for far in ("KAYMAKAMLIK-34-KADIKOY", "IL-MEB-35", "SAGLIK"):
        r = route(staff, "ankara.operator", no, far)
        assert ("institution_code", "ROUTING_NOT_ALLOWED") in field_codes(r), far
    assert kinds(stack_env, no) == ["submitted"]  # nothing written by a refusal
    note = "İlçe sınırları içinde kalan bir okul servisi hakkındadır."
    r = route(staff, "ankara.operator", no, "KAYMAKAMLIK-06-CANKAYA", note=note)
    assert r.status_code == 200, r.text
    assert r.json() == {"application_no": no, "status": "in_progress",
                        "assigned_institution": {"code": "KAYMAKAMLIK-06-CANKAYA",
                                                 "name": "Çankaya Kaymakamlığı"}}
    assert row(stack_env, no) == ["in_progress", "KAYMAKAMLIK-06-CANKAYA"]
    ev = events(stack_env, no, "e.kind, u.username, e.actor_institution_code, "
                "e.from_institution_code, e.to_institution_code, e.note, e.request_id")[-1]
    assert ev[:6] == ["routed", "ankara.operator", "VALILIK-06", "NULL",
                      "KAYMAKAMLIK-06-CANKAYA", note]
    assert ev[6] == r.headers["X-Request-Id"]
    # R3: the citizen is told where it is, and why
    [m] = [m for m in mails_to(stack_env, body["applicant"]["email"], count=2)
           if "iletildi" in m["Subject"]]
    assert "Çankaya Kaymakamlığı" in text_of(m) and note in text_of(m) and no in m["Subject"]
    # the district now holds it; the desk sends it up to the centre (a ministry's matter)
    up = route(staff, "ankara.operator", no, "BIMER", note="Bakanlık düzeyinde bir konudur.")
    assert up.status_code == 200, up.text
    assert row(stack_env, no) == ["in_progress", "BIMER"]
    # held by the centre, the desk still follows it (R4) but no longer routes it
    assert staff.get("ankara.operator", f"/api/v1/applications/{no}").status_code == 200
    r = route(staff, "ankara.operator", no, "IL-MEB-06")
    assert r.status_code == 403 and r.json()["code"] == "NOT_ROUTING_AUTHORITY"
    assert route(staff, "merkez.operator", no, "MEB").status_code == 200
    assert row(stack_env, no) == ["in_progress", "MEB"]
    status = api.post("/api/v1/status", json={"tc_kimlik_no": body["applicant"]["tc_kimlik_no"],
                                              "application_no": no},
                      headers={"X-Forwarded-For": ip()}).json()
    assert status["assigned_institution"]["code"] == "MEB"
    assert [e["kind"] for e in status["events"]].count("routed") == 3
    chain_intact(stack_env, no)


def test_holder_forwards_down_its_tree_never_sideways(api, stack_env, staff):
    body = information_request()
    no, _ = new_app(api, stack_env, body, held_by="SAGLIK", staff=staff)
    for sideways in ("MEB", "IL-MEB-06", "KAYMAKAMLIK-06-CANKAYA", "ETIK-KURUL"):
        r = route(staff, "saglik.bakanlik", no, sideways)
        codes = field_codes(r)
        assert ("institution_code", "ROUTING_NOT_ALLOWED") in codes or \
            ("ethics_rank", "REQUIRED") in codes, (sideways, codes)
    why = "Hasta hakları biriminin görev alanındadır."
    r = route(staff, "saglik.bakanlik", no, "SAGLIK-SHGM-HHDB", note=why)  # a grandchild
    assert r.status_code == 200, r.text
    ev = events(stack_env, no, "e.kind, u.username, e.from_institution_code, "
                "e.to_institution_code, e.note")[-1]
    assert ev == ["forwarded", "saglik.bakanlik", "SAGLIK", "SAGLIK-SHGM-HHDB", why]
    mails = mails_to(stack_env, body["applicant"]["email"], count=3)
    assert any("Hasta Hakları" in text_of(m) and why in text_of(m) for m in mails)
    # the ministry still follows its subtree (coordinator) but no longer holds it
    assert staff.get("saglik.bakanlik", f"/api/v1/applications/{no}").status_code == 200
    r = route(staff, "saglik.bakanlik", no, "SAGLIK-HSGM")
    assert r.status_code == 403 and r.json()["code"] == "NOT_ROUTING_AUTHORITY"
    r = staff.post("saglik.bakanlik", f"/api/v1/applications/{no}/answer",
                   {"outcome": "positive", "text": TEXT})
    assert r.status_code == 403 and r.json()["code"] == "NOT_HOLDING_INSTITUTION"


def test_holder_without_the_right_unit_returns_it_to_the_centre(api, stack_env, staff):
    no, _ = new_app(api, stack_env, held_by="IL-MEB-06", staff=staff)
    r = route(staff, "ankara.meb", no, "KAYMAKAMLIK-06-CANKAYA")
    assert ("institution_code", "ROUTING_NOT_ALLOWED") in field_codes(r)
    r = route(staff, "ankara.meb", no, "BIMER", note="Müdürlüğümüzün görev alanında değildir.")
    assert r.status_code == 200, r.text
    assert row(stack_env, no) == ["in_progress", "BIMER"]
    assert kinds(stack_env, no)[-1] == "forwarded"
    # no longer held, no longer in the directorate's reach
    assert staff.get("ankara.meb", f"/api/v1/applications/{no}").status_code == 404


def test_never_targets_w4_bedk_itself_or_the_holder(api, stack_env, staff):
    no, _ = new_app(api, stack_env)
    cases = {"TBMM": "INSTITUTION_OUT_OF_SCOPE", "SAYISTAY": "INSTITUTION_OUT_OF_SCOPE",
             "BEDK": "NOT_A_ROUTING_TARGET", "YOK-BOYLE-KURUM": "UNKNOWN_INSTITUTION",
             "BIMER": "ROUTING_NOT_ALLOWED"}
    for code, err in cases.items():
        assert ("institution_code", err) in field_codes(route(staff, "merkez.operator", no,
                                                              code)), code
    assert route(staff, "merkez.operator", no, "MEB").status_code == 200
    assert ("institution_code", "ALREADY_ASSIGNED") in field_codes(
        route(staff, "merkez.operator", no, "MEB"))
    assert kinds(stack_env, no) == ["submitted", "routed"]


def test_route_body_is_checked_before_anything(staff, matrix_app):
    path = f"/api/v1/applications/{matrix_app}/route"
    h = staff.headers("merkez.operator")
    r = staff.api.post(path, data="{", headers={**h, "Content-Type": "application/json"})
    assert r.status_code == 400
    r = staff.api.post(path, data="institution_code=MEB", headers={
        **h, "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415
    codes = field_codes(staff.post("merkez.operator", path,
                                   {"institution_code": "meb", "to": "x", "note": ""}))
    assert {("institution_code", "INVALID_FORMAT"), ("to", "UNKNOWN_FIELD"),
            ("note", "TOO_SHORT")} <= codes
    assert ("institution_code", "REQUIRED") in field_codes(
        staff.post("merkez.operator", path, {}))


# ---- R2: ethics complaints -----------------------------------------------------------

def test_r2_senior_officials_go_to_the_ethics_board(api, stack_env, staff):
    no, _ = new_app(api, stack_env, petition(category="sikayet"))
    senior, junior = "general_director_or_above", "below_general_director"
    assert ("institution_code", "ETHICS_BOARD_REQUIRED") in field_codes(
        route(staff, "merkez.operator", no, "SAGLIK", ethics_rank=senior))
    assert ("institution_code", "ETHICS_BOARD_NOT_COMPETENT") in field_codes(
        route(staff, "merkez.operator", no, "ETIK-KURUL", ethics_rank=junior))
    assert ("ethics_rank", "REQUIRED") in field_codes(
        route(staff, "merkez.operator", no, "ETIK-KURUL"))
    assert ("ethics_rank", "INVALID_VALUE") in field_codes(
        route(staff, "merkez.operator", no, "ETIK-KURUL", ethics_rank="bakan"))
    assert etik_sees(staff, no) == (404, False)
    r = route(staff, "merkez.operator", no, "ETIK-KURUL", ethics_rank=senior,
              note="Genel müdür hakkında etik ihlal iddiası.")
    assert r.status_code == 200, r.text
    data = sql(stack_env, "SELECT e.data FROM application_events e JOIN applications a ON "
               f"a.id = e.application_id WHERE a.application_no = '{no}' AND e.kind = 'routed'")
    assert f'"ethics_rank":"{senior}"' in data[0][0]
    assert etik_sees(staff, no) == (200, True)


def etik_sees(staff, no):
    rec = staff.get("etik.kurul", f"/api/v1/applications/{no}").status_code
    return rec, any(i["application_no"] == no for i in inbox_all(staff, "etik.kurul"))


def test_r2_lower_ranks_go_to_their_institution_and_desks_apply_it_too(api, stack_env, staff):
    no, _ = new_app(api, stack_env, petition(category="sikayet"))
    r = route(staff, "merkez.operator", no, "SAGLIK", ethics_rank="below_general_director")
    assert r.status_code == 200, r.text
    assert row(stack_env, no) == ["in_progress", "SAGLIK"]
    desk, _ = new_app(api, stack_env, petition(category="ihbar"))
    r = route(staff, "ankara.operator", desk, "ETIK-KURUL",
              ethics_rank="general_director_or_above")
    assert r.status_code == 200, r.text
    info, _ = new_app(api, stack_env, information_request())
    assert ("ethics_rank", "NOT_ALLOWED_FOR_TYPE") in field_codes(
        route(staff, "merkez.operator", info, "ETIK-KURUL",
              ethics_rank="general_director_or_above"))
    wish, _ = new_app(api, stack_env, petition(category="istek"))
    assert ("ethics_rank", "NOT_ALLOWED_FOR_TYPE") in field_codes(
        route(staff, "merkez.operator", wish, "SAGLIK", ethics_rank="below_general_director"))


# ---- answers ---------------------------------------------------------------------------

def answer(staff, user, no, outcome, text=TEXT, **extra):
    return staff.post(user, f"/api/v1/applications/{no}/answer",
                      {"outcome": outcome, "text": text, **extra})


def test_positive_answer_is_mailed_and_closes_the_application(api, stack_env, staff):
    body = petition()
    no, _ = new_app(api, stack_env, body, held_by="IL-MEB-06", staff=staff)
    r = answer(staff, "ankara.meb", no, "positive")
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["status"], out["outcome"], out["application_no"]) == ("answered", "positive", no)
    assert out["answered_at"].endswith("+03:00")
    assert row(stack_env, no, "status, outcome, reason_code, answered_at IS NOT NULL") == \
        ["answered", "positive", "NULL", "1"]
    ev = events(stack_env, no, "e.kind, u.username, e.actor_institution_code")[-1]
    assert ev == ["answered", "ankara.meb", "IL-MEB-06"]
    mails = mails_to(stack_env, body["applicant"]["email"], count=3)
    [m] = [m for m in mails if "cevaplandı" in m["Subject"]]
    assert TEXT in text_of(m) and "olumlu" in text_of(m)
    assert "Değerlendirme Kurulu" not in text_of(m)  # a petition has no BEDK appeal
    rec = staff.get("merkez.operator", f"/api/v1/applications/{no}").json()
    assert rec["answer"]["text"] == TEXT and rec["answer"]["outcome"] == "positive"
    assert rec["answer"]["institution"]["code"] == "IL-MEB-06"
    st = api.post("/api/v1/status", json={"tc_kimlik_no": body["applicant"]["tc_kimlik_no"],
                                          "application_no": no},
                  headers={"X-Forwarded-For": ip()}).json()
    assert (st["status"], st["outcome"]) == ("answered", "positive")
    # closed: a second answer, a forward and an extension are all 409
    for r in (answer(staff, "ankara.meb", no, "negative"),
              route(staff, "merkez.operator", no, "MEB"),
              staff.post("ankara.meb", f"/api/v1/applications/{no}/extend",
                         {"reason": "Başka kurumdan bilgi istenecektir."})):
        assert r.status_code == 409 and r.json()["code"] == "APPLICATION_CLOSED", r.text
    assert kinds(stack_env, no).count("answered") == 1


def test_answer_reason_code_rules(api, stack_env, staff):
    body = petition()
    no, _ = new_app(api, stack_env, body, held_by="IL-MEB-06", staff=staff)
    n = len(kinds(stack_env, no))
    bad = [
        ({"outcome": "not_processed"}, "REQUIRED"),
        ({"outcome": "positive", "reason_code": "JUDICIAL"}, "NOT_ALLOWED"),
        ({"outcome": "not_processed", "reason_code": "BE_PUBLISHED"}, "NOT_ALLOWED_FOR_TYPE"),
        ({"outcome": "negative", "reason_code": "BE_EXC_19"}, "NOT_ALLOWED_FOR_TYPE"),
        ({"outcome": "negative", "reason_code": "JUDICIAL"}, "NOT_ALLOWED"),
        ({"outcome": "not_processed", "reason_code": "NO_SUCH_CODE"}, "INVALID_VALUE"),
    ]
    for extra, code in bad:
        r = answer(staff, "ankara.meb", no, **extra)
        assert ("reason_code", code) in field_codes(r), (extra, r.text)
    assert ("text", "TOO_SHORT") in field_codes(answer(staff, "ankara.meb", no, "positive",
                                                       text="Tamam."))
    assert ("outcome", "INVALID_VALUE") in field_codes(answer(staff, "ankara.meb", no, "belki"))
    assert len(kinds(stack_env, no)) == n and row(stack_env, no)[0] == "in_progress"
    r = answer(staff, "ankara.meb", no, "not_processed", reason_code="JUDICIAL",
               text="Konu yargı mercilerinin önünde olduğundan başvurunuz işleme konulamamıştır.")
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["outcome"], r.json()["reason_code"]) == \
        ("not_processed", "not_processed", "JUDICIAL")
    assert row(stack_env, no, "status, outcome, reason_code") == \
        ["not_processed", "NULL", "JUDICIAL"]
    [m] = [m for m in mails_to(stack_env, body["applicant"]["email"], count=3)
           if "cevaplandı" in m["Subject"]]
    assert "JUDICIAL" in text_of(m) and "Değerlendirme Kurulu" not in text_of(m)


@pytest.mark.parametrize("outcome,reason,appeal", [
    ("negative", "BE_EXC_19", True),
    ("partial", "BE_EXC_21", True),
    ("not_processed", "BE_NEEDS_RESEARCH", True),
    ("not_processed", "INSTITUTION_OUT_OF_SCOPE", False),
    ("positive", None, False),
])
def test_information_request_answers_and_the_appeal_route(api, stack_env, staff, outcome,
                                                          reason, appeal):
    body = information_request()
    no, _ = new_app(api, stack_env, body, held_by="SAGLIK", staff=staff)
    if outcome in ("negative", "partial"):  # a refusal must carry its reason (4982 art. 12)
        assert ("reason_code", "REQUIRED") in field_codes(answer(staff, "saglik.bakanlik", no,
                                                                 outcome))
        assert ("reason_code", "NOT_ALLOWED_FOR_TYPE") in field_codes(
            answer(staff, "saglik.bakanlik", no, outcome, reason_code="JUDICIAL"))
    extra = {"reason_code": reason} if reason else {}
    r = answer(staff, "saglik.bakanlik", no, outcome, **extra)
    assert r.status_code == 200, r.text
    assert r.json()["outcome"] == outcome and r.json()["reason_code"] == reason
    want = "not_processed" if outcome == "not_processed" else "answered"
    assert row(stack_env, no)[0] == want and kinds(stack_env, no)[-1] == want
    [m] = [m for m in mails_to(stack_env, body["applicant"]["email"], count=3)
           if "cevaplandı" in m["Subject"]]
    assert TEXT in text_of(m)
    assert ("Bilgi Edinme Değerlendirme Kurulu" in text_of(m)) == appeal
    if reason:
        assert reason in text_of(m)


def test_negative_petition_is_reasoned_in_its_text(api, stack_env, staff):
    no, _ = new_app(api, stack_env, held_by="IL-MEB-06", staff=staff)
    r = answer(staff, "ankara.meb", no, "negative",
               text="Talebiniz mevzuata uygun bulunmadığından karşılanamamaktadır.")
    assert r.status_code == 200 and r.json()["reason_code"] is None
    assert row(stack_env, no, "status, outcome") == ["answered", "negative"]


# ---- the D2 extension ------------------------------------------------------------------

def business_days_after(env, start, n):
    """The n-th business day after date start (rules.md D6; half-day holidays are work days)."""
    full = {datetime.date.fromisoformat(d) for [d] in
            sql(env, "SELECT day FROM holidays WHERE half_day = 0")}
    d, left = start, n
    while left:
        d += datetime.timedelta(days=1)
        if d.weekday() < 5 and d not in full:
            left -= 1
    return d


def test_extension_once_before_day_15(api, stack_env, staff):
    body = information_request()
    no = submit(api, body)
    v = receive_by_mail(api, stack_env, body, no)
    assert route(staff, "merkez.operator", no, "SAGLIK").status_code == 200
    reason = "Talep edilen bilgiler Türkiye İstatistik Kurumundan temin edilecektir."
    r = staff.post("saglik.bakanlik", f"/api/v1/applications/{no}/extend", {"reason": reason})
    assert r.status_code == 200, r.text
    due = r.json()["due_at"]
    received = datetime.datetime.fromisoformat(
        sql(stack_env, "SELECT DATE_FORMAT(received_at, '%Y-%m-%dT%H:%i:%s+00:00') FROM "
            f"applications WHERE application_no = '{no}'")[0][0])
    local = (received + datetime.timedelta(hours=3)).date()
    days = int(stack_env.get("BIMER_INFO_EXTENDED_BUSINESS_DAYS") or 30)
    assert due == f"{business_days_after(stack_env, local, days).isoformat()}T23:59:59+03:00"
    assert due > v["due_at"]
    rec = staff.get("saglik.bakanlik", f"/api/v1/applications/{no}").json()
    assert rec["extended"] is True and rec["due_at"] == due
    [ev] = [e for e in rec["events"] if e["kind"] == "extended"]
    assert ev["note"] == reason and ev["due_at"] == due
    assert ev["actor"]["username"] == "saglik.bakanlik"
    mails = mails_to(stack_env, body["applicant"]["email"], count=4)
    [m] = [m for m in mails if "uzatıldı" in m["Subject"]]
    d = datetime.date.fromisoformat(due[:10])
    assert reason in text_of(m) and d.strftime("%d.%m.%Y") in text_of(m)
    again = staff.post("saglik.bakanlik", f"/api/v1/applications/{no}/extend", {"reason": reason})
    assert again.status_code == 409 and again.json()["code"] == "ALREADY_EXTENDED"
    assert kinds(stack_env, no).count("extended") == 1


def test_extension_is_for_information_requests_only(api, stack_env, staff):
    no, _ = new_app(api, stack_env, held_by="IL-MEB-06", staff=staff)
    r = staff.post("ankara.meb", f"/api/v1/applications/{no}/extend",
                   {"reason": "Başka kurumdan bilgi istenecektir."})
    assert r.status_code == 422 and r.json()["code"] == "NOT_AN_INFORMATION_REQUEST"
    assert row(stack_env, no, "extended_at IS NULL")[0] == "1"
    assert ("reason", "TOO_SHORT") in field_codes(
        staff.post("ankara.meb", f"/api/v1/applications/{no}/extend", {"reason": "Yok."}))


def test_extension_too_late_after_day_15(api, stack_env, staff):
    no, _ = new_app(api, stack_env, information_request(), held_by="SAGLIK", staff=staff)
    sql(stack_env, "UPDATE applications SET received_at = UTC_TIMESTAMP(3) - INTERVAL 25 DAY, "
        "due_at = UTC_TIMESTAMP(3) - INTERVAL 1 SECOND "
        f"WHERE application_no = '{no}'")
    r = staff.post("saglik.bakanlik", f"/api/v1/applications/{no}/extend",
                   {"reason": "Başka kurumdan bilgi istenecektir."})
    assert r.status_code == 409 and r.json()["code"] == "EXTENSION_TOO_LATE"
    assert row(stack_env, no, "extended_at IS NULL")[0] == "1"


# ---- the inbox ----------------------------------------------------------------------------

def test_inbox_filters_order_and_pages(api, stack_env, staff):
    mine = [new_app(api, stack_env, held_by="KAYMAKAMLIK-06-CANKAYA", staff=staff)[0]
            for _ in range(5)]
    late = mine[0]
    sql(stack_env, "UPDATE applications SET due_at = UTC_TIMESTAMP(3) - INTERVAL 1 HOUR "
        f"WHERE application_no = '{late}'")
    done = mine[1]
    assert answer(staff, "cankaya.kaymakamlik", done, "positive").status_code == 200
    # pages of two, followed to the end: each row once, most urgent first
    seen, cursor = [], None
    while True:
        q = "limit=2" + (f"&cursor={cursor}" if cursor else "")
        r = staff.get("cankaya.kaymakamlik", f"/api/v1/inbox?{q}")
        assert r.status_code == 200 and len(r.json()["items"]) <= 2
        seen += r.json()["items"]
        cursor = r.json()["next_cursor"]
        if not cursor:
            break
    nos = [i["application_no"] for i in seen]
    assert len(nos) == len(set(nos)) and set(mine) <= set(nos)
    dues = [i["due_at"] for i in seen]
    assert dues == sorted(dues)
    for i in seen:
        assert set(i) == {"application_no", "type", "category", "subject", "status",
                          "received_at", "due_at", "overdue"}
    by_no = {i["application_no"]: i for i in seen}
    assert by_no[late]["overdue"] is True and by_no[mine[2]]["overdue"] is False
    assert by_no[done]["status"] == "answered" and by_no[done]["overdue"] is False
    over = [i["application_no"] for i in inbox_all(staff, "cankaya.kaymakamlik", "overdue=true")]
    assert late in over and mine[2] not in over
    fine = [i["application_no"] for i in inbox_all(staff, "cankaya.kaymakamlik",
                                                   "overdue=false")]
    assert late not in fine and mine[2] in fine
    answered = inbox_all(staff, "cankaya.kaymakamlik", "status=answered")
    assert done in [i["application_no"] for i in answered]
    assert {i["status"] for i in answered} == {"answered"}
    # the governorship desk follows its province (R4); another province's desk does not exist
    # here, but the ministry sees none of it
    desk = [i["application_no"] for i in inbox_all(staff, "ankara.operator")]
    assert set(mine) <= set(desk)
    assert not set(mine) & {i["application_no"] for i in inbox_all(staff, "saglik.bakanlik")}


def test_inbox_holds_only_received_applications(api, stack_env, staff):
    waiting = submit(api, petition())  # not verified: not received, not listed
    received, _ = new_app(api, stack_env)  # received, not routed: the desk's and the centre's
    for user, want in (("ankara.operator", True), ("merkez.operator", True),
                       ("ankara.meb", False)):
        nos = {i["application_no"] for i in inbox_all(staff, user, "status=received")}
        assert (received in nos) == want, user
        assert waiting not in nos
    assert staff.get("ankara.meb", f"/api/v1/applications/{received}").status_code == 404


def test_inbox_rejects_bad_queries(staff):
    for q, field in (("limit=0", "limit"), ("limit=101", "limit"), ("status=open", "status"),
                     ("overdue=yes", "overdue"), ("cursor=AAAA", "cursor"),
                     ("cursor=" + "A" * 600, "cursor"), ("sort=due_at", "sort")):
        r = staff.get("ankara.meb", f"/api/v1/inbox?{q}")
        assert r.status_code == 422, q
        assert field in {e["field"] for e in r.json()["errors"]}, (q, r.text)


# ---- audit of staff reads ----------------------------------------------------------------

def test_staff_read_is_an_event_with_actor_and_request_id(api, stack_env, staff):
    body = petition()
    no, _ = new_app(api, stack_env, body, held_by="IL-MEB-06", staff=staff)
    r = staff.get("ankara.meb", f"/api/v1/applications/{no}")
    assert r.status_code == 200
    rid = r.headers["X-Request-Id"]
    last = events(stack_env, no, "e.kind, e.actor_user_id, e.actor_institution_code, "
                  "e.request_id")[-1]
    assert last == ["staff_read", user_id(stack_env, "ankara.meb"), "IL-MEB-06", rid]
    shown = r.json()["events"][-1]
    assert shown["kind"] == "staff_read"
    assert shown["actor"] == {"username": "ankara.meb", "institution_code": "IL-MEB-06",
                              "request_id": rid}
    n = len(kinds(stack_env, no))
    assert staff.get("cankaya.kaymakamlik", f"/api/v1/applications/{no}").status_code == 404
    assert staff.get("ankara.meb", "/api/v1/inbox").status_code == 200
    assert len(kinds(stack_env, no)) == n  # a refused read and a list leave no trace here
    staff.get("merkez.operator", f"/api/v1/applications/{no}")
    assert events(stack_env, no, "e.kind, u.username")[-1] == ["staff_read", "merkez.operator"]
    # the citizen's timeline never shows staff reads
    st = api.post("/api/v1/status", json={"tc_kimlik_no": body["applicant"]["tc_kimlik_no"],
                                          "application_no": no},
                  headers={"X-Forwarded-For": ip()}).json()
    assert "staff_read" not in [e["kind"] for e in st["events"]]
    chain_intact(stack_env, no)


# ---- two staff at once ------------------------------------------------------------------

def race(staff, calls):
    """Run the (user, path, body) calls at the same moment, each on its own connection."""
    start = threading.Barrier(len(calls))
    heads = [staff.headers(user) for user, _, _ in calls]
    results = [None] * len(calls)

    def one(i):
        _, path, body = calls[i]
        start.wait()
        r = requests.post(staff.api.base + path, json=body, headers=heads[i], timeout=30)
        openapi_check.check_response("POST", path, r)
        results[i] = r

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_route_and_answer_racing_end_in_one_state(api, stack_env, staff):
    wins = {"route": 0, "answer": 0}
    for _ in range(8):
        no, _ = new_app(api, stack_env, held_by="IL-MEB-06", staff=staff)
        rt, an = race(staff, [
            ("ankara.operator", f"/api/v1/applications/{no}/route",
             {"institution_code": "KAYMAKAMLIK-06-CANKAYA"}),
            ("ankara.meb", f"/api/v1/applications/{no}/answer",
             {"outcome": "positive", "text": TEXT}),
        ])
        codes = (rt.status_code, an.status_code)
        assert sorted(codes).count(200) == 1, codes
        state = row(stack_env, no, "status, assigned_institution_code, outcome")
        ks = kinds(stack_env, no)
        if rt.status_code == 200:
            wins["route"] += 1
            # the answer lost: it found the record gone from its reach, or changed under it
            assert an.status_code in (404, 409), an.text
            assert state == ["in_progress", "KAYMAKAMLIK-06-CANKAYA", "NULL"]
            assert ks.count("routed") == 2 and "answered" not in ks
        else:
            wins["answer"] += 1
            assert rt.status_code == 409, rt.text
            assert state == ["answered", "IL-MEB-06", "positive"]
            assert ks.count("routed") == 1 and ks.count("answered") == 1
        chain_intact(stack_env, no)
    assert sum(wins.values()) == 8


class RowLock:
    """An application's row locked FOR UPDATE in a session of the test's own, so that
    staff requests read the record, then queue at their UPDATE in the order sent."""

    def __init__(self, env, no):
        self.env = env
        self.p = subprocess.Popen(
            ["mariadb", "--default-character-set=utf8mb4", "--unbuffered", "-h", "127.0.0.1",
             "-P", env["BIMER_DB_PORT"], "-u", env["BIMER_DB_USER"], env["BIMER_DB_NAME"],
             "-N", "-B"],
            env={"PATH": "/usr/bin:/bin", "MYSQL_PWD": env["BIMER_DB_PASSWORD"]},
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.p.stdin.write("START TRANSACTION; SELECT id FROM applications "
                           f"WHERE application_no = '{no}' FOR UPDATE;\n")
        self.p.stdin.flush()
        assert self.p.stdout.readline().strip().isdigit()  # the lock is held

    def wait_for_updates(self, n):
        """Until n UPDATEs of applications are queued behind the lock."""
        deadline = time.time() + 15
        while time.time() < deadline:
            [[c]] = sql(self.env, "SELECT COUNT(*) FROM information_schema.PROCESSLIST "
                        "WHERE INFO LIKE 'UPDATE applications SET %'")
            if int(c) >= n:
                return
            time.sleep(0.05)
        raise AssertionError(f"{n} UPDATEs did not queue behind the lock")

    def release(self):
        self.p.communicate("ROLLBACK;\n", timeout=15)


def queued(staff, env, no, calls):
    """Send the calls one after another while the row is locked, each once the previous
    one waits at its UPDATE: all of them read the same state, then write in order."""
    lock = RowLock(env, no)
    results, threads = [None] * len(calls), []

    def one(i):
        _, path, body = calls[i][:3]
        r = requests.post(staff.api.base + path, json=body, headers=heads[i], timeout=30)
        openapi_check.check_response("POST", path, r)
        results[i] = r

    heads = [{**staff.headers(c[0]), **(c[3] if len(c) > 3 else {})} for c in calls]
    try:
        for i in range(len(calls)):
            threads.append(threading.Thread(target=one, args=(i,)))
            threads[-1].start()
            lock.wait_for_updates(i + 1)
    finally:
        lock.release()
        for t in threads:
            t.join()
    return results


@pytest.mark.parametrize("first", ["route", "answer"])
def test_stale_state_change_loses_at_its_update(api, stack_env, staff, first):
    """Both requests pass every check on the same state; the conditional UPDATE (rows
    affected checked) lets only the first write, the second is 409, never a lost update."""
    no, _ = new_app(api, stack_env, held_by="IL-MEB-06", staff=staff)
    calls = {"route": ("ankara.operator", f"/api/v1/applications/{no}/route",
                       {"institution_code": "KAYMAKAMLIK-06-CANKAYA"}),
             "answer": ("ankara.meb", f"/api/v1/applications/{no}/answer",
                        {"outcome": "positive", "text": TEXT})}
    second = "answer" if first == "route" else "route"
    a, b = queued(staff, stack_env, no, [calls[first], calls[second]])
    assert a.status_code == 200, a.text
    assert b.status_code == 409 and b.json()["code"] == "APPLICATION_CHANGED", b.text
    ks = kinds(stack_env, no)
    if first == "route":
        assert row(stack_env, no) == ["in_progress", "KAYMAKAMLIK-06-CANKAYA"]
        assert ks.count("routed") == 2 and "answered" not in ks
    else:
        assert row(stack_env, no) == ["answered", "IL-MEB-06"]
        assert ks.count("routed") == 1 and ks.count("answered") == 1
    chain_intact(stack_env, no)


def test_stale_extension_loses_at_its_update(api, stack_env, staff):
    ext = ("saglik.bakanlik", "/api/v1/applications/{}/extend",
           {"reason": "Başka kurumdan bilgi istenecektir."})
    fwd = ("saglik.bakanlik", "/api/v1/applications/{}/route",
           {"institution_code": "IL-SAGLIK-06"})
    # the second extension a minute later (on a test clock), so that it would change the
    # row were it not refused: MariaDB counts only rows whose values change
    later = {"X-Test-Now": (datetime.datetime.now(datetime.timezone.utc) +
                            datetime.timedelta(minutes=1)).isoformat(timespec="seconds")}
    for order, held in (([ext, ext], "SAGLIK"), ([fwd, ext], "IL-SAGLIK-06")):
        no, _ = new_app(api, stack_env, information_request(), held_by="SAGLIK", staff=staff)
        calls = [(u, path.format(no), body, later if i else {})
                 for i, (u, path, body) in enumerate(order)]
        a, b = queued(staff, stack_env, no, calls)
        assert a.status_code == 200, a.text
        assert b.status_code == 409 and b.json()["code"] == "APPLICATION_CHANGED", b.text
        assert row(stack_env, no) == ["in_progress", held]
        assert kinds(stack_env, no).count("extended") == (1 if order[0] is ext else 0)


def test_same_change_twice_at_once_happens_once(api, stack_env, staff):
    no, _ = new_app(api, stack_env, information_request(), held_by="SAGLIK", staff=staff)
    ext = ("saglik.bakanlik", f"/api/v1/applications/{no}/extend",
           {"reason": "Başka kurumdan bilgi istenecektir."})
    got = sorted(r.status_code for r in race(staff, [ext] * 4))
    assert got == [200, 409, 409, 409], got
    assert kinds(stack_env, no).count("extended") == 1
    ans = ("saglik.bakanlik", f"/api/v1/applications/{no}/answer",
           {"outcome": "positive", "text": TEXT})
    got = sorted(r.status_code for r in race(staff, [ans] * 4))
    assert got == [200, 409, 409, 409], got
    assert kinds(stack_env, no).count("answered") == 1
    chain_intact(stack_env, no)
