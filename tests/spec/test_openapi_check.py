# SPDX-License-Identifier: MIT
"""Tests of the contract checker (tests/integration/openapi_check.py) and of
the contract itself (api-spec/openapi.yaml). No server is needed: responses are
real requests.Response objects built in memory.

Run: /usr/bin/python3 -m pytest tests/spec -q
"""
import json
import os
import re
import sys

import pytest
import requests
from requests.structures import CaseInsensitiveDict

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))

import openapi_check as oc  # noqa: E402

SERVICES = ("submission", "verification", "routing", "status", "appeal")
RID = "4f1c2b9a8e7d6c5b4a3f2e1d0c9b8a7f"
TCKN = "10000000146"


def make_response(status, body=None, content_type="application/json", headers=None,
                  request_id=RID):
    """A requests.Response as the HTTP adapter would build it."""
    r = requests.Response()
    r.status_code = status
    if body is None:
        r._content = b""
    elif isinstance(body, bytes):
        r._content = body
    elif isinstance(body, str):
        r._content = body.encode("utf-8")
    else:
        r._content = json.dumps(body, ensure_ascii=False).encode("utf-8")
    h = CaseInsensitiveDict()
    if body is not None and content_type:
        h["Content-Type"] = content_type
    if request_id:
        h["X-Request-Id"] = request_id
    h.update(headers or {})
    r.headers = h
    r.encoding = "utf-8"
    return r


def problem(status, code, **extra):
    body = {
        "type": "https://bimer.gov.tr/problems/" + code.lower().replace("_", "-"),
        "title": "Başlık",
        "status": status,
        "detail": "Ayrıntı",
        "code": code,
        "request_id": RID,
    }
    body.update(extra)
    return make_response(status, body, "application/problem+json")


def status_view(**extra):
    body = {
        "application_no": "2026-0000123-4",
        "type": "dilekce",
        "category": "sikayet",
        "status": "in_progress",
        "outcome": None,
        "assigned_institution": {"code": "IL-MEB-06", "name": "Ankara İl Milli Eğitim Müdürlüğü"},
        "received_at": "2026-03-02T10:15:00+03:00",
        "due_at": "2026-04-01T23:59:59+03:00",
        "events": [
            {"at": "2026-03-01T09:00:00+03:00", "kind": "submitted"},
            {"at": "2026-03-02T10:15:00+03:00", "kind": "received", "status": "received"},
            {"at": "2026-03-03T11:00:00.250+03:00", "kind": "routed",
             "to_institution": {"code": "IL-MEB-06", "name": "Ankara İl Milli Eğitim Müdürlüğü"}},
        ],
    }
    body.update(extra)
    return body


HEALTH_OK = {"status": "ok", "checks": {"db": "ok", "redis": "ok"}}


# ------------------------------------------------------------------ health

@pytest.mark.parametrize("svc", SERVICES)
def test_valid_health_body_is_accepted(svc):
    body = oc.check_response("GET", f"/api/v1/{svc}/health", make_response(200, HEALTH_OK))
    assert body == HEALTH_OK


@pytest.mark.parametrize("svc", SERVICES)
def test_health_503_naming_the_failure_is_accepted(svc):
    body = {"status": "fail", "checks": {"db": "ok", "redis": "fail"}}
    oc.check_response("GET", f"/api/v1/{svc}/health", make_response(503, body))


@pytest.mark.parametrize("body", [
    {"status": "ok", "checks": {"db": "ok"}},                       # redis missing
    {"status": "ok"},                                               # checks missing
    {"status": "OK", "checks": {"db": "ok", "redis": "ok"}},        # wrong enum value
    {"status": "ok", "checks": {"db": "ok", "redis": "fail"}},      # 200 with a failure
    {"status": "fail", "checks": {"db": "fail", "redis": "ok"}},    # 200 saying fail
    {"status": "ok", "checks": {"db": True, "redis": "ok"}},        # wrong type
    ["ok"],
])
def test_wrong_health_body_is_rejected(body):
    with pytest.raises(AssertionError, match="does not match the spec"):
        oc.check_response("GET", "/api/v1/routing/health", make_response(200, body))


def test_health_503_claiming_ok_is_rejected():
    with pytest.raises(AssertionError, match="does not match the spec"):
        oc.check_response("GET", "/api/v1/routing/health", make_response(503, HEALTH_OK))


def test_body_that_is_not_json_is_rejected():
    with pytest.raises(AssertionError, match="not UTF-8 JSON"):
        oc.check_response("GET", "/api/v1/routing/health", make_response(200, "ok"))


# ------------------------------------------------- statuses, paths, methods

@pytest.mark.parametrize("status", [201, 204, 404, 418, 501])
def test_undocumented_status_is_rejected(status):
    with pytest.raises(AssertionError, match=f"status {status} is not documented"):
        oc.check_response("GET", "/api/v1/status/health",
                          make_response(status, HEALTH_OK))


@pytest.mark.parametrize("path", [
    "/api/v1/nope",
    "/api/v1/applications/",                 # trailing slash
    "/api/v2/applications",
    "/api/v1/applications/2026-0000123-4/delete",
    "/api/v1/status/a/b",
    "/",
])
def test_unknown_path_is_rejected(path):
    with pytest.raises(AssertionError, match="no path of .* matches"):
        oc.check_response("GET", path, make_response(200, HEALTH_OK))


def test_undocumented_method_is_rejected():
    with pytest.raises(AssertionError, match="documents only GET"):
        oc.check_response("DELETE", "/api/v1/submission/health",
                          make_response(200, HEALTH_OK))


def test_unknown_path_or_method_may_only_get_a_global_error():
    oc.check_response("GET", "/api/v1/status/abc/def", problem(404, "NOT_FOUND"))
    r = problem(405, "METHOD_NOT_ALLOWED")
    r.headers["Allow"] = "POST"
    oc.check_response("GET", "/api/v1/status", r)
    with pytest.raises(AssertionError, match="no path of .* matches"):
        oc.check_response("GET", "/api/v1/nope", r)           # 405 needs a real path
    with pytest.raises(AssertionError, match="documents only POST"):
        oc.check_response("GET", "/api/v1/status", problem(409, "CONFLICT"))
    with pytest.raises(AssertionError, match="does not match code"):
        bad = problem(404, "NOT_FOUND")
        bad._content = bad.content.replace(b'"code": "NOT_FOUND"', b'"code": "GONE"')
        oc.check_response("GET", "/api/v1/nope", bad)


def test_literal_segment_wins_over_template():
    template, op = oc.find_operation("GET", "/api/v1/status/health")
    assert template == "/api/v1/status/health"
    assert op["operationId"] == "getStatusHealth"
    template, op = oc.find_operation("GET", "/api/v1/status/Qx7vK2mN9pLr4TzW8yBc")
    assert template == "/api/v1/status/{tracking_code}"


def test_query_string_and_full_url_are_accepted():
    oc.check_response("GET", "http://127.0.0.1:18080/api/v1/appeal/health?x=1",
                      make_response(200, HEALTH_OK))
    template, _ = oc.find_operation("GET", "/api/v1/inbox?status=received&overdue=true")
    assert template == "/api/v1/inbox"


# ------------------------------------------------------ headers, media types

def test_missing_request_id_is_rejected():
    with pytest.raises(AssertionError, match="X-Request-Id is required"):
        oc.check_response("GET", "/api/v1/routing/health",
                          make_response(200, HEALTH_OK, request_id=None))


def test_undocumented_content_type_is_rejected():
    with pytest.raises(AssertionError, match="is not documented"):
        oc.check_response("GET", "/api/v1/routing/health",
                          make_response(200, json.dumps(HEALTH_OK), "text/plain"))


def test_content_type_parameters_are_ignored():
    oc.check_response("GET", "/api/v1/routing/health",
                      make_response(200, HEALTH_OK, "application/json; charset=utf-8"))


def test_rate_limited_needs_retry_after():
    r = problem(429, "RATE_LIMITED")
    with pytest.raises(AssertionError, match="Retry-After is required"):
        oc.check_response("POST", "/api/v1/status", r)
    r.headers["Retry-After"] = "30"
    oc.check_response("POST", "/api/v1/status", r)
    r.headers["Retry-After"] = "soon"
    with pytest.raises(AssertionError, match="header Retry-After"):
        oc.check_response("POST", "/api/v1/status", r)


def test_no_body_documented_means_no_body():
    oc.check_response("POST", "/api/v1/verifications/resend", make_response(202))
    with pytest.raises(AssertionError, match="documents no body"):
        oc.check_response("POST", "/api/v1/verifications/resend",
                          make_response(202, {"ok": True}))


def test_report_media_types():
    path = "/api/v1/reports/monthly?month=2026-02&scope=all&format=csv"
    csv = "metric,value\r\ntotal,12\r\n"
    assert oc.check_response("GET", path, make_response(200, csv, "text/csv; charset=utf-8")) == csv
    oc.check_response("GET", path, make_response(200, "<!doctype html><svg></svg>", "text/html"))
    with pytest.raises(AssertionError, match="is not documented"):
        oc.check_response("GET", path, make_response(200, "<r/>", "application/xml"))


# ------------------------------------------------------------------ problems

def test_valid_problem_is_accepted():
    r = problem(422, "VALIDATION_FAILED",
                errors=[{"field": "applicant.tc_kimlik_no", "code": "TCKN_CHECKSUM",
                         "message": "T.C. kimlik numarası geçersiz."}])
    body = oc.check_response("POST", "/api/v1/applications", r)
    assert body["code"] == "VALIDATION_FAILED"
    oc.check_response("POST", "/api/v1/applications", problem(422, "IDEMPOTENCY_KEY_REUSED"))


def test_validation_failed_needs_errors():
    with pytest.raises(AssertionError, match="errors"):
        oc.check_response("POST", "/api/v1/applications", problem(422, "VALIDATION_FAILED"))


def test_problem_type_must_follow_code():
    r = problem(400, "MALFORMED_JSON")
    body = json.loads(r.content)
    body["type"] = "https://bimer.gov.tr/problems/bad-request"
    r._content = json.dumps(body).encode()
    with pytest.raises(AssertionError, match="does not match code"):
        oc.check_response("POST", "/api/v1/applications", r)


def test_problem_code_must_fit_status():
    with pytest.raises(AssertionError, match="does not match the spec"):
        oc.check_response("POST", "/api/v1/status", problem(404, "FORBIDDEN"))
    with pytest.raises(AssertionError, match="does not match the spec"):
        oc.check_response("POST", "/api/v1/status", problem(404, "not_found"))
    # a finer domain code is fine on its status
    oc.check_response("POST", "/api/v1/status", problem(404, "APPLICATION_NOT_FOUND"))


def test_problem_without_detail_is_rejected():
    r = problem(404, "NOT_FOUND")
    body = json.loads(r.content)
    del body["detail"]
    r._content = json.dumps(body).encode()
    with pytest.raises(AssertionError, match="'detail' is a required property"):
        oc.check_response("POST", "/api/v1/status", r)


def test_global_404_and_405():
    oc.check_global_response("GET", "/api/v1/nope", problem(404, "NOT_FOUND"))
    r = problem(405, "METHOD_NOT_ALLOWED")
    with pytest.raises(AssertionError, match="Allow is required"):
        oc.check_global_response("DELETE", "/api/v1/status/health", r)
    r.headers["Allow"] = "GET"
    oc.check_global_response("DELETE", "/api/v1/status/health", r)
    r.headers["Allow"] = "GET, PUT"
    with pytest.raises(AssertionError, match="does not match the methods"):
        oc.check_global_response("DELETE", "/api/v1/status/health", r)
    with pytest.raises(AssertionError, match="not in x-global-responses"):
        oc.check_global_response("GET", "/api/v1/nope", problem(409, "CONFLICT"))


# ----------------------------------------------------- bodies, refs, formats

def test_status_view_with_refs_and_nulls_is_accepted():
    oc.check_response("POST", "/api/v1/status", make_response(200, status_view()))
    oc.check_response("GET", "/api/v1/status/Qx7vK2mN9pLr4TzW8yBc",
                      make_response(200, status_view(category=None, type="bilgi_edinme",
                                                     appeal={"appeal_id": "17", "status": "appeal_filed"})))


@pytest.mark.parametrize("change, message", [
    ({"received_at": "2026-03-02 10:15:00"}, "date-time"),
    ({"received_at": "2026-03-02T10:15:00Z"}, "does not match"),         # not Istanbul time
    ({"received_at": "2026-02-30T10:15:00+03:00"}, "date-time"),
    ({"status": "closed"}, "is not valid under any of the given schemas|is not one of"),
    ({"events": [{"at": "2026-03-01T09:00:00+03:00", "kind": "teleported"}]}, "teleported"),
    ({"events": [{"kind": "submitted"}]}, "'at' is a required property"),
    ({"applicant": {"first_name": "Ayşe"}}, "False schema"),            # no personal data
    ({"assigned_institution": {"code": "il meb"}}, "name"),
])
def test_wrong_status_view_is_rejected(change, message):
    with pytest.raises(AssertionError, match=message):
        oc.check_response("POST", "/api/v1/status", make_response(200, status_view(**change)))


def test_category_follows_the_type():
    body = status_view()
    del body["category"]                           # a petition always has one
    with pytest.raises(AssertionError, match="'category' is a required property"):
        oc.check_response("POST", "/api/v1/status", make_response(200, body))
    body["type"] = "bilgi_edinme"                  # an information request has none
    oc.check_response("POST", "/api/v1/status", make_response(200, body))
    body["category"] = "istek"
    with pytest.raises(AssertionError, match="is not of type 'null'"):
        oc.check_response("POST", "/api/v1/status", make_response(200, body))


def test_extra_response_fields_are_allowed():
    oc.check_response("POST", "/api/v1/status", make_response(200, status_view(channel="internet")))


def test_agency_token_must_not_carry_refresh_token():
    body = {"access_token": "aaa.bbb.ccc", "token_type": "Bearer", "expires_in": 900}
    oc.check_response("POST", "/api/v1/auth/token", make_response(200, body))
    body["refresh_token"] = "r" * 30
    with pytest.raises(AssertionError, match="False schema"):
        oc.check_response("POST", "/api/v1/auth/token", make_response(200, body))


# -------------------------------------------------------------- request bodies

def valid_application(**extra):
    body = {
        "type": "dilekce",
        "category": "sikayet",
        "subject": "Okul servis aracı",
        "body": "Servis aracında emniyet kemeri bulunmuyor.",
        "identity_hidden": True,
        "applicant": {
            "tc_kimlik_no": TCKN,
            "first_name": "Ayşe",
            "last_name": "Yılmaz",
            "email": "ayse@example.com.tr",
            "address": "Kızılay Mah. No:1 Çankaya/Ankara",
        },
    }
    body.update(extra)
    return body


def test_valid_request_body_is_accepted():
    oc.check_request_body("POST", "/api/v1/applications", valid_application())
    oc.check_request_body("POST", "/api/v1/applications",
                          json.dumps(valid_application(type="bilgi_edinme", category=None,
                                                       identity_hidden=False)).replace(
                                                           '"category": null, ', ""))
    oc.check_request_body("POST", "/api/v1/status",
                          {"tc_kimlik_no": TCKN, "application_no": "2026-0000123-4"})
    oc.check_request_body("POST", "/api/v1/auth/token",
                          "grant_type=client_credentials&client_id=saglik-ebys&client_secret=x",
                          "application/x-www-form-urlencoded")
    oc.check_request_body("POST", "/api/v1/attachments", b"%PDF-1.7\n", "application/pdf")


@pytest.mark.parametrize("body, message", [
    (valid_application(colour="blue"), "Additional properties"),
    (valid_application(type="bilgi_edinme", identity_hidden=False), "False schema"),
    ({k: v for k, v in valid_application().items() if k != "category"}, "'category' is a required"),
    (valid_application(category="istek"), "is not one of"),                  # hidden identity
    (valid_application(province_code="82"), "does not match"),
    (valid_application(applicant={"tc_kimlik_no": "01234567890"}), "does not match"),
    (valid_application(attachment_ids=["att_12345678"] * 2), "non-unique"),
])
def test_invalid_request_body_is_rejected(body, message):
    with pytest.raises(AssertionError, match=message):
        oc.check_request_body("POST", "/api/v1/applications", body)


def test_cancel_takes_exactly_one_proof():
    path = "/api/v1/applications/2026-0000123-4/cancel"
    oc.check_request_body("POST", path, {"tracking_code": "Qx7vK2mN9pLr4TzW8yBc"})
    with pytest.raises(AssertionError, match="oneOf|valid under each|not valid under any"):
        oc.check_request_body("POST", path, {"tracking_code": "Qx7vK2mN9pLr4TzW8yBc",
                                             "tc_kimlik_no": TCKN})


def test_answer_rules():
    path = "/api/v1/applications/2026-0000123-4/answer"
    text = "Gerekli inceleme yapılmıştır."
    oc.check_request_body("POST", path, {"outcome": "negative", "reason_code": "BE_EXC_21", "text": text})
    with pytest.raises(AssertionError, match="'reason_code' is a required"):
        oc.check_request_body("POST", path, {"outcome": "not_processed", "text": text})
    with pytest.raises(AssertionError, match="False schema"):
        oc.check_request_body("POST", path, {"outcome": "positive", "reason_code": "JUDICIAL", "text": text})


def test_request_body_errors():
    with pytest.raises(AssertionError, match="takes no request body"):
        oc.check_request_body("GET", "/api/v1/inbox", {})
    with pytest.raises(AssertionError, match="is not documented"):
        oc.check_request_body("POST", "/api/v1/attachments", b"GIF89a", "image/gif")
    with pytest.raises(AssertionError, match="not JSON"):
        oc.check_request_body("POST", "/api/v1/status", "{nope")


# ------------------------------------------------------- the contract itself

SPEC = oc.load_spec()


def operations():
    for template, item in SPEC["paths"].items():
        for method, op in item.items():
            if method in ("get", "put", "post", "delete", "patch"):
                yield template, method, op


def test_spec_is_loaded_once():
    assert oc.load_spec() is oc.load_spec()


def test_every_example_validates():
    """Every request example passes check_request_body; every response example its schema."""
    seen = 0
    for template, method, op in operations():
        path = re.sub(r"\{[^}]+\}", "x1234567890abcdefghijk", template)
        path = path.replace("/applications/x1234567890abcdefghijk", "/applications/2026-0000123-4")
        for media, mt in (op.get("requestBody", {}).get("content") or {}).items():
            for ex in (mt.get("examples") or {}).values():
                oc.check_request_body(method, path, ex["value"], media)
                seen += 1
    for name, resp in SPEC["components"]["responses"].items():
        for media, mt in (resp.get("content") or {}).items():
            if "example" in mt:
                headers = {"Retry-After": "1"}
                r = make_response(int({"HealthOk": 200, "HealthFail": 503}.get(
                    name, mt["example"].get("status", 200))), mt["example"], media, headers)
                oc._check_message(oc._load(oc.spec_path()), name, resp, r)
                seen += 1
    assert seen >= 20


def test_operations_are_complete():
    ids = set()
    for template, method, op in operations():
        where = f"{method.upper()} {template}"
        assert op.get("operationId") and op["operationId"] not in ids, where
        ids.add(op["operationId"])
        assert isinstance(op.get("x-implemented"), bool), f"{where}: x-implemented"
        assert op.get("x-service") in SERVICES, f"{where}: x-service"
        if template.endswith("/health"):
            assert op["x-implemented"] is True, where
        statuses = set(op["responses"])
        assert any(s.startswith("2") for s in statuses), where
        assert {"500", "502", "503", "504"} <= statuses, where
        assert "429" in statuses, where
        if "requestBody" in op:
            assert {"400", "413", "415"} <= statuses or "requestBody" not in op, where
            for media, mt in op["requestBody"]["content"].items():
                schema = mt.get("schema", {})
                if "$ref" in schema:
                    schema = oc._load(oc.spec_path()).pointer(schema["$ref"])
                if media.endswith("json") or media.endswith("urlencoded"):
                    branches = schema.get("oneOf", [schema])
                    assert all(b.get("additionalProperties") is False for b in branches), where
        if op.get("security") not in ([], [{}]):
            optional = {} in op["security"]      # a bearer token is accepted, not needed
            assert {"401", "403"} <= statuses or (optional and "401" in statuses), where
    assert len(ids) >= 50


def test_path_parameters_are_strings():
    """`no` must stay a string (YAML 1.1 would read it as false)."""
    for template, item in SPEC["paths"].items():
        for p in item.get("parameters", []):
            if "$ref" in p:
                p = oc._load(oc.spec_path()).pointer(p["$ref"])
            assert isinstance(p["name"], str)
            if p["in"] == "path":
                assert "{" + p["name"] + "}" in template


def test_every_endpoint_of_the_design_is_documented():
    wanted = """
        POST /applications
        POST /staff/applications
        POST /applications/{no}/cancel
        POST /attachments
        POST /verifications
        POST /verifications/resend
        GET /verifications/{token}
        POST /auth/login
        POST /auth/token
        POST /auth/refresh
        POST /auth/logout
        GET /inbox
        GET /applications/{no}
        POST /applications/{no}/route
        POST /applications/{no}/answer
        POST /applications/{no}/extend
        GET /institutions
        GET /reports/monthly
        POST /status
        GET /status/{tracking_code}
        POST /appeals
        GET /appeals
        GET /appeals/{id}
        POST /appeals/{id}/information-request
        POST /appeals/{id}/decision
    """.split("\n")
    for line in filter(None, (w.strip() for w in wanted)):
        method, path = line.split()
        assert method.lower() in SPEC["paths"]["/api/v1" + path], line
    for svc in SERVICES:
        assert "get" in SPEC["paths"][f"/api/v1/{svc}/health"]


def test_enums_follow_the_design():
    s = SPEC["components"]["schemas"]
    assert s["ApplicationStatus"]["enum"] == [
        "awaiting_verification", "received", "in_progress", "answered", "not_processed",
        "cancelled", "deemed_rejected", "expired"]
    assert s["InstitutionKind"]["enum"] == [
        "centre", "ministry", "general_directorate", "department", "governorship",
        "district_governorship", "provincial_directorate", "regional_directorate",
        "ethics_board", "bedk", "external"]
    assert s["Channel"]["enum"] == ["internet", "phone", "fax", "letter", "in_person"]
    assert s["Category"]["enum"] == ["istek", "sikayet", "ihbar", "gorus", "oneri"]
    assert s["AppealStatus"]["enum"] == ["appeal_filed", "appeal_decided"]
    assert s["AppealDecision"]["enum"] == ["accepted", "partially_accepted", "rejected"]
    reasons = s["ReasonCode"]["enum"]
    assert [f"BE_EXC_{n}" for n in range(16, 28)] == [r for r in reasons if r.startswith("BE_EXC_")]
    for code in ("NO_SUBJECT", "JUDICIAL", "MISSING_IDENTITY", "ANON_NO_EVIDENCE",
                 "INSULT_PERSONAL_RIGHTS", "FALSE_ACCUSATION", "FOREIGNER_INELIGIBLE",
                 "INSTITUTION_OUT_OF_SCOPE", "REPEAT_NO_NEW_EVIDENCE", "BE_PUBLISHED",
                 "BE_NEEDS_RESEARCH", "BE_INCOMPLETE_ACT", "BE_FEE_UNPAID_WITHDRAWN"):
        assert code in reasons


def test_messages_hide_id_numbers_and_tokens():
    body = {"access_token": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", "token_type": "bearer",
            "expires_in": 900, "refresh_token": "r" * 30}
    with pytest.raises(AssertionError) as e:
        oc.check_response("POST", "/api/v1/auth/login", make_response(200, body))
    assert "eyJ" not in str(e.value) and "r" * 30 not in str(e.value)
    with pytest.raises(AssertionError) as e:
        oc.check_request_body("POST", "/api/v1/status", {"tc_kimlik_no": TCKN, "application_no": "x"})
    assert TCKN not in str(e.value)


def test_checks_from_many_threads_at_once():
    """Integration tests fire concurrent requests (idempotency) and check each answer."""
    from concurrent.futures import ThreadPoolExecutor

    def one(i):
        if i % 2:
            oc.check_response("POST", "/api/v1/status", make_response(200, status_view()))
            return True
        try:
            oc.check_response("POST", "/api/v1/status",
                              make_response(200, status_view(events=[{"kind": "x"}])))
        except AssertionError:
            return True
        return False

    with ThreadPoolExecutor(max_workers=16) as pool:
        assert all(pool.map(one, range(200)))
