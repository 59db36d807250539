# SPDX-License-Identifier: MIT
"""Citizens file, verify, follow and cancel applications (issue 3), through
nginx on the real stack, reading mail from the real SMTP sink. Each rule of
rules.md that intake enforces has a passing and a failing case."""
import concurrent.futures
import random
import uuid

import pytest

from citizen import (count, html_of, information_request, mails_to, petition, sql, tckn,
                     text_of, token_from)

PROBLEM = "application/problem+json"


def ip():
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


def submit(api, body, **kw):
    headers = kw.pop("headers", {})
    headers.setdefault("X-Forwarded-For", ip())
    return api.post("/api/v1/applications", json=body, headers=headers, **kw)


def codes(resp):
    assert resp.status_code == 422, resp.text
    assert resp.headers["Content-Type"].startswith(PROBLEM)
    return {(e["field"], e["code"]) for e in resp.json()["errors"]}


def refused(api, env, body, field, code):
    before = count(env)
    r = submit(api, body)
    assert (field, code) in codes(r), r.text
    assert count(env) == before, "a refused application was written"


# ---- intake rules: one passing and one failing case each ----------------

def test_petition_accepted_and_stored_protected(api, stack_env):
    body = petition()
    r = submit(api, body)
    assert r.status_code == 202, r.text
    out = r.json()
    assert out["status"] == "awaiting_verification"
    assert len(out["tracking_code"]) >= 14
    no = out["application_no"]
    row = sql(stack_env, "SELECT status, channel, HEX(applicant_tckn_enc), "
              f"HEX(applicant_tckn_hmac), HEX(tracking_hash) FROM applications "
              f"WHERE application_no = '{no}'")[0]
    assert row[:2] == ["awaiting_verification", "internet"]
    tc = body["applicant"]["tc_kimlik_no"]
    assert tc.encode().hex().upper() not in row[2]  # sealed, never in clear
    assert len(row[3]) == 64 and len(row[4]) == 64
    assert out["tracking_code"].encode().hex().upper() not in row[4]  # stored hashed
    # one transaction wrote the event, the token and the mail
    assert sql(stack_env, "SELECT kind FROM application_events e JOIN applications a ON "
               f"a.id = e.application_id WHERE a.application_no = '{no}'") == [["submitted"]]
    assert sql(stack_env, "SELECT COUNT(*) FROM verification_tokens t JOIN applications a ON "
               f"a.id = t.application_id WHERE a.application_no = '{no}'") == [["1"]]
    # C6: not received until verified
    s = api.post("/api/v1/status", json={"tc_kimlik_no": tc, "application_no": no})
    assert s.status_code == 200 and s.json()["status"] == "awaiting_verification"


def test_w3_id_checksum(api, stack_env):
    body = petition()
    good = body["applicant"]["tc_kimlik_no"]
    body["applicant"]["tc_kimlik_no"] = good[:10] + str((int(good[10]) + 1) % 10)
    refused(api, stack_env, body, "applicant.tc_kimlik_no", "TCKN_CHECKSUM")


def test_w1_resident_foreigner_may_petition(api):
    body = petition()
    body["applicant"]["tc_kimlik_no"] = tckn(foreign=True)
    assert submit(api, body).status_code == 202


def test_w4_body_outside_the_system_is_not_a_target(api, stack_env):
    refused(api, stack_env, petition(target_institution_code="TBMM"),
            "target_institution_code", "INSTITUTION_OUT_OF_SCOPE")
    refused(api, stack_env, petition(target_institution_code="NO-SUCH-BODY"),
            "target_institution_code", "UNKNOWN_INSTITUTION")
    assert submit(api, petition(target_institution_code="IL-MEB-06")).status_code == 202


def test_c1_name_and_address_required(api, stack_env):
    for field in ("first_name", "last_name", "address"):
        body = petition()
        del body["applicant"][field]
        refused(api, stack_env, body, f"applicant.{field}", "REQUIRED")
    body = petition()
    body["applicant"]["address"] = "   "[:2]
    assert ("applicant.address", "TOO_SHORT") in codes(submit(api, body))


def test_c2_hidden_identity_only_for_sikayet_and_ihbar(api, stack_env):
    refused(api, stack_env, petition(category="istek", identity_hidden=True),
            "identity_hidden", "IDENTITY_HIDDEN_NOT_ALLOWED")
    refused(api, stack_env, information_request(identity_hidden=True),
            "identity_hidden", "IDENTITY_HIDDEN_NOT_ALLOWED")
    for cat in ("sikayet", "ihbar"):
        r = submit(api, petition(category=cat, identity_hidden=True))
        assert r.status_code == 202, r.text
        assert sql(stack_env, "SELECT identity_hidden FROM applications WHERE "
                   f"application_no = '{r.json()['application_no']}'") == [["1"]]


def test_c4_category_pairs(api, stack_env):
    refused(api, stack_env, information_request(category="istek"), "category", "NOT_ALLOWED")
    refused(api, stack_env, petition(category=None), "category", "REQUIRED")
    r = submit(api, information_request())
    assert r.status_code == 202, r.text


def test_c6_email_required_and_checked(api, stack_env):
    body = petition()
    del body["applicant"]["email"]
    refused(api, stack_env, body, "applicant.email", "REQUIRED")
    body = petition()
    body["applicant"]["email"] = "ayse@"
    refused(api, stack_env, body, "applicant.email", "INVALID_FORMAT")


def test_lengths_types_and_unknown_fields(api, stack_env):
    refused(api, stack_env, petition(subject="x" * 201), "subject", "TOO_LONG")
    refused(api, stack_env, petition(body="kısa"), "body", "TOO_SHORT")
    refused(api, stack_env, petition(province_code="82"), "province_code", "INVALID_FORMAT")
    refused(api, stack_env, petition(type="mektup"), "type", "INVALID_VALUE")
    refused(api, stack_env, petition(identity_hidden="yes"), "identity_hidden", "INVALID_TYPE")
    refused(api, stack_env, petition(admin=True), "admin", "UNKNOWN_FIELD")
    refused(api, stack_env, petition(attachment_ids=["nonexistent-attachment"]),
            "attachment_ids[0]", "ATTACHMENT_NOT_FOUND")
    refused(api, stack_env, petition(attachment_ids=[f"a{i}" * 8 for i in range(11)]),
            "attachment_ids", "TOO_LONG")
    r = submit(api, petition(subject="Çğıöşü İĞÜŞÖÇ " * 13))  # 195 characters, 2-byte letters
    assert r.status_code == 202, r.text


def test_english_field_messages(api):
    body = petition()
    body["applicant"]["tc_kimlik_no"] = "10000000147"
    r = submit(api, body, headers={"Accept-Language": "en", "X-Forwarded-For": ip()})
    err = r.json()["errors"][0]
    assert err["message"] == "The T.C. identity number is not valid."


# ---- verification, mail, status ----------------------------------------

def test_verification_flow_with_mail(api, stack_env):
    body = information_request()
    r = submit(api, body)
    assert r.status_code == 202, r.text
    no = r.json()["application_no"]
    to = body["applicant"]["email"]
    [mail] = mails_to(stack_env, to)
    assert no in mail["Subject"] and no in text_of(mail) and no in html_of(mail)
    assert "doğrula" in text_of(mail)
    token = token_from(mail)
    assert len(token) >= 22
    info = api.get(f"/api/v1/verifications/{token}")
    assert info.status_code == 200 and info.json()["application_no"] == no
    v = api.post("/api/v1/verifications", json={"token": token})
    assert v.status_code == 200, v.text
    assert v.json()["status"] == "received"
    assert v.json()["due_at"].endswith("T23:59:59+03:00")  # end of the last day, Istanbul
    again = api.post("/api/v1/verifications", json={"token": token})
    assert again.status_code == 409
    assert api.get(f"/api/v1/verifications/{token}").status_code == 404
    # the second mail carries the tracking link; the code works for the status look-up
    mails = mails_to(stack_env, to, count=2)
    tracking = [m for m in mails if "alındı" in m["Subject"]][0]
    code = r.json()["tracking_code"]
    assert f"kod={code}" in text_of(tracking)
    s = api.get(f"/api/v1/status/{code}")
    assert s.status_code == 200
    st = s.json()
    assert st["status"] == "received" and st["due_at"] == v.json()["due_at"]
    assert [e["kind"] for e in st["events"]] == ["submitted", "received"]
    for secret in (body["applicant"]["tc_kimlik_no"], to, "Ayşe"):
        assert secret not in s.text


def test_unknown_and_expired_tokens(api, stack_env):
    assert api.post("/api/v1/verifications", json={"token": "A" * 43}).status_code == 404
    assert api.get("/api/v1/verifications/" + "A" * 43).status_code == 404
    body = petition()
    r = submit(api, body)
    no = r.json()["application_no"]
    token = token_from(mails_to(stack_env, body["applicant"]["email"])[0])
    sql(stack_env, "UPDATE verification_tokens t JOIN applications a ON a.id = t.application_id "
        "SET t.created_at = t.created_at - INTERVAL 3 DAY, t.expires_at = UTC_TIMESTAMP(3) - "
        f"INTERVAL 1 SECOND WHERE a.application_no = '{no}'")
    v = api.post("/api/v1/verifications", json={"token": token})
    assert v.status_code == 422 and v.json()["code"] == "VERIFICATION_TOKEN_EXPIRED"
    assert count(stack_env, f"application_no = '{no}' AND status = 'awaiting_verification'") == 1


def test_resend_issues_a_new_link_and_retires_the_old(api, stack_env):
    body = petition()
    r = submit(api, body)
    no, tc, to = r.json()["application_no"], body["applicant"]["tc_kimlik_no"], \
        body["applicant"]["email"]
    old = token_from(mails_to(stack_env, to)[0])
    rs = api.post("/api/v1/verifications/resend", json={"application_no": no, "tc_kimlik_no": tc},
                  headers={"X-Forwarded-For": ip()})
    assert rs.status_code == 202 and rs.content == b""
    new = token_from([m for m in mails_to(stack_env, to, count=2) if old not in text_of(m)][0])
    assert new != old
    stale = api.post("/api/v1/verifications", json={"token": old})
    assert stale.status_code == 422 and stale.json()["code"] == "VERIFICATION_TOKEN_SUPERSEDED"
    assert api.post("/api/v1/verifications", json={"token": new}).status_code == 200
    # the same answer when nothing matches, and no mail
    other = api.post("/api/v1/verifications/resend",
                     json={"application_no": no, "tc_kimlik_no": tckn()},
                     headers={"X-Forwarded-For": ip()})
    assert other.status_code == 202 and other.content == b""


def test_resend_is_rate_limited(api, stack_env):
    body = petition()
    no = submit(api, body).json()["application_no"]
    limit = int(stack_env.get("BIMER_RL_RESEND", "3/3600").split("/")[0])
    req = {"application_no": no, "tc_kimlik_no": body["applicant"]["tc_kimlik_no"]}
    got = [api.post("/api/v1/verifications/resend", json=req,
                    headers={"X-Forwarded-For": ip()}).status_code for _ in range(limit + 1)]
    assert got == [202] * limit + [429]


# ---- idempotency ----------------------------------------------------------

def test_idempotent_retry_same_answer(api, stack_env):
    key = str(uuid.uuid4())
    body = petition()
    h = {"Idempotency-Key": key, "X-Forwarded-For": ip()}
    a = submit(api, body, headers=dict(h))
    b = submit(api, body, headers=dict(h))
    assert a.status_code == b.status_code == 202
    assert a.json() == b.json()
    other = petition()
    c = submit(api, other, headers=dict(h))
    assert c.status_code == 422 and c.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert count(stack_env, f"idempotency_key = '{key}'") == 1
    bad = submit(api, body, headers={"Idempotency-Key": "short", "X-Forwarded-For": ip()})
    assert ("Idempotency-Key", "INVALID_FORMAT") in codes(bad)


def test_twenty_concurrent_identical_requests_make_one_application(api, stack_env):
    key = str(uuid.uuid4())
    body = petition()

    def one(_):
        return submit(api, body, headers={"Idempotency-Key": key, "X-Forwarded-For": ip()})

    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(one, range(20)))
    assert all(r.status_code == 202 for r in results), [r.text for r in results
                                                        if r.status_code != 202]
    assert len({r.json()["application_no"] for r in results}) == 1
    assert count(stack_env, f"idempotency_key = '{key}'") == 1
    no = results[0].json()["application_no"]
    mails = sql(stack_env, "SELECT COUNT(*) FROM outbox o JOIN applications a ON "
                f"a.id = o.application_id WHERE a.application_no = '{no}'")
    assert mails == [["1"]]


# ---- rate limits and Redis down ------------------------------------------

def test_submissions_limited_per_id_number(api, stack_env):
    limit = int(stack_env.get("BIMER_RL_SUBMIT_ID", "10/3600").split("/")[0])
    tc = tckn()
    got = []
    for _ in range(limit + 1):
        b = petition()
        b["applicant"]["tc_kimlik_no"] = tc
        got.append(submit(api, b))
    assert [r.status_code for r in got] == [202] * limit + [429]
    assert int(got[-1].headers["Retry-After"]) >= 1


def test_submissions_limited_per_client_address(api, stack_env):
    limit = int(stack_env.get("BIMER_RL_SUBMIT_IP", "20/3600").split("/")[0])
    addr = ip()
    got = [submit(api, petition(), headers={"X-Forwarded-For": addr}).status_code
           for _ in range(limit + 1)]
    assert got == [202] * limit + [429]


def test_redis_down_submission_is_503_and_nothing_written(api, stack, stack_env):
    before = count(stack_env)
    stack.stop("redis")
    try:
        r = submit(api, petition())
        assert r.status_code == 503 and r.headers["Content-Type"].startswith(PROBLEM)
        assert count(stack_env) == before
    finally:
        stack.start("redis")


# ---- cancel ----------------------------------------------------------------

def test_cancel_by_id_number_then_409(api, stack_env):
    body = petition()
    no = submit(api, body).json()["application_no"]
    tc, to = body["applicant"]["tc_kimlik_no"], body["applicant"]["email"]
    r = api.post(f"/api/v1/applications/{no}/cancel",
                 json={"tc_kimlik_no": tc, "reason": "Sorun çözüldü."},
                 headers={"X-Forwarded-For": ip()})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert any("iptal" in m["Subject"] for m in mails_to(stack_env, to, count=2))
    again = api.post(f"/api/v1/applications/{no}/cancel", json={"tc_kimlik_no": tc},
                     headers={"X-Forwarded-For": ip()})
    assert again.status_code == 409
    kinds = sql(stack_env, "SELECT kind FROM application_events e JOIN applications a ON "
                f"a.id = e.application_id WHERE a.application_no = '{no}' ORDER BY e.id")
    assert kinds == [["submitted"], ["cancelled"]]


def test_cancel_by_tracking_code_and_not_after_answer(api, stack_env):
    r = submit(api, petition())
    no, code = r.json()["application_no"], r.json()["tracking_code"]
    sql(stack_env, "UPDATE applications SET status = 'answered', outcome = 'positive', "
        f"received_at = UTC_TIMESTAMP(3) WHERE application_no = '{no}'")
    c = api.post(f"/api/v1/applications/{no}/cancel", json={"tracking_code": code},
                 headers={"X-Forwarded-For": ip()})
    assert c.status_code == 409
    r2 = submit(api, petition())
    ok = api.post(f"/api/v1/applications/{r2.json()['application_no']}/cancel",
                  json={"tracking_code": r2.json()["tracking_code"]},
                  headers={"X-Forwarded-For": ip()})
    assert ok.status_code == 200


def test_cancel_wrong_owner_is_404_and_both_proofs_422(api):
    body = petition()
    no = submit(api, body).json()["application_no"]
    r = api.post(f"/api/v1/applications/{no}/cancel", json={"tc_kimlik_no": tckn()},
                 headers={"X-Forwarded-For": ip()})
    assert r.status_code == 404 and r.json()["code"] == "APPLICATION_NOT_FOUND"
    both = api.post(f"/api/v1/applications/{no}/cancel",
                    json={"tc_kimlik_no": body["applicant"]["tc_kimlik_no"],
                          "tracking_code": "x" * 22}, headers={"X-Forwarded-For": ip()})
    assert both.status_code == 422
