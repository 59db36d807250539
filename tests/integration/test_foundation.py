# SPDX-License-Identifier: MIT
"""The foundation through nginx on the real stack: health checks, the guard
chain's errors as problem+json in Turkish and English, the institution tree
and the public status look-up (misses, a hit, rate limits)."""
import hashlib
import hmac
import json
import os
import pathlib
import subprocess
import time
import uuid

import pytest

from citizen import sql

SERVICES = ["submission", "verification", "routing", "status", "appeal"]
PROBLEM = "application/problem+json"


def problem(resp, status, code):
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"].startswith(PROBLEM), resp.headers
    body = resp.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"].startswith("https://bimer.gov.tr/problems/")
    assert body["title"] and body["detail"]
    assert len(resp.headers["X-Request-Id"]) == 32
    return body


@pytest.mark.parametrize("svc", SERVICES)
def test_health_ok_through_nginx(api, svc):
    r = api.get(f"/api/v1/{svc}/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "checks": {"db": "ok", "redis": "ok"}}
    assert len(r.headers["X-Request-Id"]) == 32


def test_unknown_path_in_service_is_404(api):
    body = problem(api.get("/api/v1/status/abc/def"), 404, "NOT_FOUND")
    assert body["request_id"]


def test_wrong_method_is_405_with_allow(api):
    r = api.post("/api/v1/routing/health", json={})
    problem(r, 405, "METHOD_NOT_ALLOWED")
    assert r.headers["Allow"] == "GET"
    r = api.get("/api/v1/status")
    problem(r, 405, "METHOD_NOT_ALLOWED")
    assert r.headers["Allow"] == "POST"


@pytest.mark.parametrize("payload", [b"{", b"{\"a\":}", b"[1,2]", b"{\"a\":1}x",
                                     b"{\"a\":1,\"a\":2}", b"\"text\"",
                                     b"{\"a\":" + b"[" * 40 + b"]" * 40 + b"}"])
def test_malformed_json_is_400(api, payload):
    r = api.post("/api/v1/status", data=payload, headers={"Content-Type": "application/json"})
    problem(r, 400, "MALFORMED_JSON")


def test_wrong_content_type_is_415(api):
    for ctype in ["text/plain", "application/x-www-form-urlencoded", "application/jsonx",
                  "application/json; charset=latin1"]:
        r = api.post("/api/v1/status", data=b"{}", headers={"Content-Type": ctype})
        problem(r, 415, "UNSUPPORTED_MEDIA_TYPE")
    r = api.post("/api/v1/status", data=b"{}")  # no Content-Type at all
    problem(r, 415, "UNSUPPORTED_MEDIA_TYPE")


def test_body_over_route_limit_is_413_from_service(api):
    big = json.dumps({"tc_kimlik_no": "1" * 5000, "application_no": "x"})
    problem(api.post("/api/v1/status", data=big, headers={"Content-Type": "application/json"}),
            413, "PAYLOAD_TOO_LARGE")


def test_body_over_nginx_limit_is_413_problem(api):
    r = api.post("/api/v1/status", data=b"x" * (1024 * 1024 + 10),
                 headers={"Content-Type": "application/json"})
    problem(r, 413, "PAYLOAD_TOO_LARGE")


def test_errors_in_turkish_and_english(api):
    tr = api.get("/api/v1/status")
    en = api.get("/api/v1/status", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert tr.json()["code"] == en.json()["code"] == "METHOD_NOT_ALLOWED"
    assert tr.json()["title"] == "Yöntem desteklenmiyor"
    assert en.json()["title"] == "Method not allowed"
    fr = api.get("/api/v1/status", headers={"Accept-Language": "fr, en"})
    assert fr.json()["title"] == tr.json()["title"]  # English only when asked first


def test_validation_is_422_with_fields(api):
    r = api.post("/api/v1/status", json={"tc_kimlik_no": "10000000147",
                                        "application_no": "abc", "extra": 1})
    body = problem(r, 422, "VALIDATION_FAILED")
    got = {(e["field"], e["code"]) for e in body["errors"]}
    assert got == {("tc_kimlik_no", "TCKN_CHECKSUM"), ("application_no", "INVALID_FORMAT"),
                   ("extra", "UNKNOWN_FIELD")}
    assert all(e["message"] for e in body["errors"])
    en = api.post("/api/v1/status", json={}, headers={"Accept-Language": "en"})
    msgs = {e["field"]: e["message"] for e in en.json()["errors"]}
    assert msgs["tc_kimlik_no"] == "This field is required."


def test_embedded_nul_and_control_characters_rejected(api):
    raw = b'{"tc_kimlik_no":"1000000014\\u0000","application_no":"2026-0000001-1"}'
    problem(api.post("/api/v1/status", data=raw, headers={"Content-Type": "application/json"}),
            400, "MALFORMED_JSON")
    r = api.post("/api/v1/status", json={"tc_kimlik_no": "10000000146",
                                        "application_no": "2026-0000001-1\n"})
    problem(r, 422, "VALIDATION_FAILED")


def test_bad_query_string(api):
    problem(api.get("/api/v1/institutions?kind=%00"), 400, "BAD_REQUEST")
    problem(api.get("/api/v1/institutions?kind=a&kind=b"), 400, "BAD_REQUEST")
    body = problem(api.get("/api/v1/institutions?kind=bakery"), 422, "VALIDATION_FAILED")
    assert body["errors"][0]["field"] == "kind"
    body = problem(api.get("/api/v1/institutions?foo=1"), 422, "VALIDATION_FAILED")
    assert body["errors"][0]["code"] == "UNKNOWN_FIELD"


def test_fuzz_findings_are_client_errors(api):
    """Regressions of two bugs tests/fuzz found (the unit tests name them): a query or
    form key that is not UTF-8 was a 500, and a long unknown field name cut inside a
    character sent a 422 with an empty errors[]."""
    problem(api.get("/api/v1/institutions?%FF=1"), 400, "BAD_REQUEST")
    r = api.post("/api/v1/auth/token", data=b"grant_type=client_credentials&%C3=x",
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    problem(r, 400, "BAD_REQUEST")
    long_key = "ş" * 60  # 120 bytes: a field path is cut at 95, inside a character
    body = problem(api.post("/api/v1/status", json={"tc_kimlik_no": "10000000146",
                                                    "application_no": "2026-0000001-1",
                                                    long_key: 1}),
                   422, "VALIDATION_FAILED")
    assert [e["code"] for e in body["errors"]] == ["UNKNOWN_FIELD"]
    assert long_key.startswith(body["errors"][0]["field"])
    assert len(body["errors"][0]["field"]) == 47


# ---- the institution tree (MariaDB end to end) ----------------------------

def test_institutions_tree(api):
    r = api.get("/api/v1/institutions?kind=governorship")
    assert r.status_code == 200
    items = r.json()["items"]
    codes = {i["code"] for i in items}
    assert codes == {f"VALILIK-{n:02d}" for n in range(1, 82)}
    ankara = next(i for i in items if i["code"] == "VALILIK-06")
    assert ankara["province_code"] == "06"
    assert "Ankara" in ankara["name"]


def test_institutions_filters(api):
    under = api.get("/api/v1/institutions?parent=VALILIK-06").json()["items"]
    assert "KAYMAKAMLIK-06-CANKAYA" in {i["code"] for i in under}
    assert all(i["parent_code"] == "VALILIK-06" for i in under)
    found = api.get("/api/v1/institutions?q=Sağlık").json()["items"]
    assert "SAGLIK" in {i["code"] for i in found}
    # W4: bodies outside the system are never offered as targets
    everything = api.get("/api/v1/institutions").json()["items"]
    kinds = {i["kind"] for i in everything}
    assert "external" not in kinds
    assert {"BIMER", "ETIK-KURUL", "BEDK", "IL-MEB-06", "MEB", "ICISLERI"} <= {
        i["code"] for i in everything}
    # LIKE wildcards in q are literal
    assert api.get("/api/v1/institutions?q=%25").json()["items"] == []


# ---- the public status look-up ------------------------------------------

def hmac_hex(env, tckn):
    key = bytes.fromhex(pathlib.Path(env["BIMER_HMAC_KEY_FILE"]).read_text().strip())
    return hmac.new(key, tckn.encode(), hashlib.sha256).hexdigest()


@pytest.fixture(scope="module")
def stored_application(stack_env):
    """An application written straight into MariaDB (intake arrives with the
    citizen issue); returns its number, ID number and tracking code."""
    no = f"2026-{int(time.time()) % 10000000:07d}-3"
    tckn = "10000000146"
    code = uuid.uuid4().hex + "Ab_-"
    th = hashlib.sha256(code.encode()).hexdigest()
    sql(stack_env,
        "INSERT INTO applications (application_no, tracking_hash, type, category, channel, "
        "subject, body, status, applicant_tckn_enc, applicant_tckn_hmac, applicant_first_name, "
        "applicant_last_name, applicant_email, applicant_address, assigned_institution_code, "
        "received_at, due_at) VALUES "
        f"('{no}', UNHEX('{th}'), 'dilekce', 'sikayet', 'internet', 'Yol', 'Çukur var', "
        f"'in_progress', UNHEX('{os.urandom(39).hex()}'), UNHEX('{hmac_hex(stack_env, tckn)}'), "
        "'Ayşe', 'Yılmaz', "
        "'ayse@example.org', 'Ankara', 'VALILIK-06', '2026-03-18 09:00:00', "
        "'2026-04-17 20:59:59');"
        "INSERT INTO application_events (application_id, at, kind, to_institution_code, note) "
        f"SELECT id, '2026-03-18 09:00:00', 'received', NULL, NULL FROM applications "
        f"WHERE application_no = '{no}';"
        "INSERT INTO application_events (application_id, at, kind, to_institution_code, note) "
        f"SELECT id, '2026-03-18 10:00:00', 'routed', 'VALILIK-06', 'iç not' FROM applications "
        f"WHERE application_no = '{no}';"
        "INSERT INTO application_events (application_id, at, kind, note) "
        f"SELECT id, '2026-03-18 11:00:00', 'staff_read', 'okundu' FROM applications "
        f"WHERE application_no = '{no}';")
    return {"no": no, "tckn": tckn, "code": code}


def test_status_hit_by_number_and_code(api, stored_application):
    a = stored_application
    r = api.post("/api/v1/status", json={"tc_kimlik_no": a["tckn"], "application_no": a["no"]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["application_no"] == a["no"]
    assert body["status"] == "in_progress"
    assert body["assigned_institution"]["code"] == "VALILIK-06"
    assert body["received_at"] == "2026-03-18T12:00:00+03:00"
    assert [e["kind"] for e in body["events"]] == ["received", "routed"]  # no staff reads
    text = r.text
    for secret in ["Ayşe", "Yılmaz", "ayse@example.org", a["tckn"], "iç not", "Çukur"]:
        assert secret not in text
    same = api.get(f"/api/v1/status/{a['code']}")
    assert same.status_code == 200
    assert same.json() == body


def test_status_miss_is_identical_whether_or_not_number_exists(api, stored_application):
    a = stored_application
    other_tckn = "19090909018"
    exists = api.post("/api/v1/status", json={"tc_kimlik_no": other_tckn,
                                             "application_no": a["no"]})
    missing = api.post("/api/v1/status", json={"tc_kimlik_no": other_tckn,
                                              "application_no": "1999-0000000-0"})
    for r in (exists, missing):
        problem(r, 404, "APPLICATION_NOT_FOUND")
    strip = lambda b: {k: v for k, v in b.items() if k != "request_id"}  # noqa: E731
    assert strip(exists.json()) == strip(missing.json())
    problem(api.get("/api/v1/status/" + "x" * 22), 404, "APPLICATION_NOT_FOUND")


def test_status_misses_are_rate_limited_per_id_number(api, stack_env):
    # BIMER_RL_STATUS_ID allows a few misses per ID number; then 429 even for a hit
    tckn = "29090909086"
    limit = int(stack_env.get("BIMER_RL_STATUS_ID", "10/600").split("/")[0])
    for _ in range(limit):
        r = api.post("/api/v1/status", json={"tc_kimlik_no": tckn,
                                             "application_no": "1999-0000000-0"})
        assert r.status_code == 404
    r = api.post("/api/v1/status", json={"tc_kimlik_no": tckn,
                                         "application_no": "1999-0000000-0"})
    problem(r, 429, "RATE_LIMITED")
    assert 1 <= int(r.headers["Retry-After"]) <= 600


def redis_cli(env, *args):
    return subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", env["BIMER_REDIS_PORT"], *args],
                          check=True, capture_output=True, text=True, timeout=30).stdout


def test_status_misses_are_rate_limited_per_client(api, stack_env, stored_application):
    limit = int(stack_env.get("BIMER_RL_STATUS_IP", "30/600").split("/")[0])
    try:
        statuses = [api.get(f"/api/v1/status/{uuid.uuid4().hex}", check=False).status_code
                    for _ in range(limit + 1)]
        assert 429 in statuses
        first = statuses.index(429)
        assert all(s == 404 for s in statuses[:first])
        # over the limit even a correct look-up is refused: hits cannot be mined
        r = api.get(f"/api/v1/status/{stored_application['code']}")
        problem(r, 429, "RATE_LIMITED")
        assert int(r.headers["Retry-After"]) >= 1
    finally:
        redis_cli(stack_env, "DEL", "rl:status:ip:127.0.0.1")
    assert api.get(f"/api/v1/status/{stored_application['code']}").status_code == 200
