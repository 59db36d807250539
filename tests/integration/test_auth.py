# SPDX-License-Identifier: MIT
"""Staff authentication through nginx (issue 4, security.md): login, one
answer for unknown users and wrong passwords, failure limits, refresh
rotation and reuse detection, logout revoking the session and the access
token, token attacks on a real protected endpoint, and a service that
refuses to start without its key."""
import base64
import hashlib
import hmac as hm
import json
import os
import pathlib
import subprocess
import time

import pytest

from citizen import petition
from staff import bearer, client_ip, login

PROTECTED = "/api/v1/staff/applications"


def staff_body():
    b = petition()
    b["channel"] = "phone"
    return b


def test_login_returns_tokens(api, stack_env):
    out = login(api, stack_env, "merkez.operator")
    assert out["token_type"] == "Bearer"
    assert 0 < out["expires_in"] <= 900
    header = json.loads(base64.urlsafe_b64decode(out["access_token"].split(".")[0] + "=="))
    assert header["alg"] == "RS256" and header["kid"]
    claims = json.loads(base64.urlsafe_b64decode(out["access_token"].split(".")[1] + "=="))
    assert claims["iss"] == "bimer" and claims["aud"] == "bimer-api"
    assert claims["sub"] == "merkez.operator" and claims["inst"] == "BIMER"
    assert set(claims["roles"]) == {"operator", "admin"}
    assert claims["exp"] - claims["iat"] <= 900 and claims["jti"]


def test_one_answer_for_unknown_user_and_wrong_password(api):
    h = {"X-Forwarded-For": client_ip()}
    wrong = api.post("/api/v1/auth/login", json={"username": "ankara.meb", "password": "x"},
                     headers=h)
    unknown = api.post("/api/v1/auth/login", json={"username": "no.such.user", "password": "x"},
                       headers=h)
    assert wrong.status_code == unknown.status_code == 401
    strip = lambda b: {k: v for k, v in b.items() if k != "request_id"}  # noqa: E731
    assert strip(wrong.json()) == strip(unknown.json())
    assert wrong.headers["WWW-Authenticate"].startswith("Bearer")


def test_failed_logins_limited_per_user_name(api, stack_env):
    limit = int(stack_env.get("BIMER_RL_LOGIN_USER", "5/900").split("/")[0])
    got = [api.post("/api/v1/auth/login", json={"username": "etik.kurul", "password": "nope"},
                    headers={"X-Forwarded-For": client_ip()}).status_code
           for _ in range(limit + 1)]
    assert got == [401] * limit + [429]
    # even the right password waits now, and says when to retry
    r = api.post("/api/v1/auth/login", json={"username": "etik.kurul",
                                             "password": stack_env["BIMER_DEMO_PASSWORD"]},
                 headers={"X-Forwarded-For": client_ip()})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    # let other tests log in as this user again
    key = "rl:login-user:id:" + hashlib.sha256(b"etik.kurul").hexdigest()[:32]
    subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", stack_env["BIMER_REDIS_PORT"], "DEL",
                    key], check=True, capture_output=True, timeout=30)


def test_refresh_rotates_and_reuse_revokes_the_session(api, stack_env):
    first = login(api, stack_env, "ankara.meb")
    r = api.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert r.status_code == 200
    second = r.json()
    assert second["refresh_token"] != first["refresh_token"]
    # the new access token works
    assert api.post(PROTECTED, json=staff_body(),
                    headers=bearer(second["access_token"])).status_code == 403  # not an operator
    # the old refresh token again: someone stole it — the whole session ends
    reuse = api.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert reuse.status_code == 401
    again = api.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert again.status_code == 401
    after = api.post(PROTECTED, json=staff_body(), headers=bearer(second["access_token"]))
    assert after.status_code == 401


def test_logout_revokes_access_token_and_session(api, stack_env):
    t = login(api, stack_env, "ankara.operator")
    ok = api.post(PROTECTED, json=staff_body(), headers=bearer(t["access_token"]))
    assert ok.status_code == 201, ok.text
    out = api.post("/api/v1/auth/logout", json={"refresh_token": t["refresh_token"]},
                   headers=bearer(t["access_token"]))
    assert out.status_code == 204
    r = api.post(PROTECTED, json=staff_body(), headers=bearer(t["access_token"]))
    assert r.status_code == 401
    assert api.post("/api/v1/auth/refresh",
                    json={"refresh_token": t["refresh_token"]}).status_code == 401


def b64(obj):
    raw = json.dumps(obj, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def forged(header, claims, sig="AAAA"):
    return f"{b64(header)}.{b64(claims)}.{sig}"


def test_token_attacks_on_a_real_endpoint(api, stack_env):
    good = login(api, stack_env, "merkez.operator")["access_token"]
    head = json.loads(base64.urlsafe_b64decode(good.split(".")[0] + "=="))
    claims = json.loads(base64.urlsafe_b64decode(good.split(".")[1] + "=="))
    now = int(time.time())
    pem = pathlib.Path(stack_env["BIMER_JWT_PUBLIC_KEY_FILE"]).read_bytes()
    def hs256_with_public_key(alg):
        h = {"alg": alg, "typ": "JWT", "kid": head["kid"]}
        signing = f"{b64(h)}.{b64(claims)}".encode()
        sig = base64.urlsafe_b64encode(hm.new(pem, signing, hashlib.sha256).digest())
        return f"{signing.decode()}.{sig.rstrip(b'=').decode()}"

    body = good.split(".")
    attacks = {
        "alg none": forged({"alg": "none", "typ": "JWT", "kid": head["kid"]}, claims, ""),
        "lower-case hs256": hs256_with_public_key("hs256"),
        "HS256 with the public key": hs256_with_public_key("HS256"),
        "wrong signature": f"{body[0]}.{body[1]}.{body[2][::-1]}",
        "claims changed": f"{body[0]}.{b64({**claims, 'inst': 'SAGLIK'})}.{body[2]}",
        "oversized": "eyJ" + "A" * 5000 + "." + "B" * 10 + "." + "C" * 10,
        "garbage": "not-a-token",
    }
    for name, token in attacks.items():
        r = api.post(PROTECTED, json=staff_body(), headers=bearer(token))
        assert r.status_code == 401, (name, r.status_code, r.text)
        assert r.json()["code"] == "UNAUTHORIZED"
    # past nginx's header buffers it is nginx's own 400, still a problem, never a 5xx
    huge = api.post(PROTECTED, json=staff_body(), headers=bearer("eyJ" + "A" * 9000))
    assert huge.status_code == 400 and huge.json()["code"] == "BAD_REQUEST"
    assert api.post(PROTECTED, json=staff_body(),
                    headers={"X-Forwarded-For": client_ip()}).status_code == 401
    assert api.post(PROTECTED, json=staff_body(), headers={
        "Authorization": "Basic " + base64.b64encode(b"a:b").decode(),
        "X-Forwarded-For": client_ip()}).status_code == 401
    # and the genuine one passes
    assert api.post(PROTECTED, json=staff_body(), headers=bearer(good)).status_code == 201
    assert now  # (claims' times are checked in the unit tests: tests/unit/test_auth.c)


def test_service_refuses_to_start_without_its_key(stack_env, tmp_path):
    env = {k: v for k, v in stack_env.items() if k.startswith("BIMER_")}
    env.update({"PATH": "/usr/bin:/bin", "BIMER_RUN_DIR": str(tmp_path),
                "BIMER_JWT_PUBLIC_KEY_FILE": "", "BIMER_JWT_PRIVATE_KEY_FILE": "",
                "ASAN_OPTIONS": "detect_leaks=0"})
    for svc in ("verification", "submission"):
        p = subprocess.run([os.path.join(stack_env["BIMER_BIN_DIR"], f"bimer-{svc}")], env=env,
                           capture_output=True, text=True, timeout=30)
        assert p.returncode == 2, (svc, p.returncode, p.stderr)
        assert "JWT" in p.stderr and "refusing to start" in p.stderr
        assert not (tmp_path / f"{svc}.sock").exists()


def test_agency_client_credentials(api, stack_env):
    form = {"grant_type": "client_credentials", "client_id": "saglik-sistemi",
            "client_secret": stack_env.get("BIMER_DEMO_PASSWORD", "Demo.Parola.2026")}
    r = api.post("/api/v1/auth/token", data=form, headers={"X-Forwarded-For": client_ip()})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["token_type"] == "Bearer" and "refresh_token" not in out
    claims = json.loads(base64.urlsafe_b64decode(out["access_token"].split(".")[1] + "=="))
    assert claims["roles"] == ["agency"] and claims["inst"] == "SAGLIK"
    assert claims["sub"] == "saglik-sistemi"
    # an agency system is no operator
    assert api.post(PROTECTED, json=staff_body(),
                    headers=bearer(out["access_token"])).status_code == 403
    bad = api.post("/api/v1/auth/token", data={**form, "client_secret": "wrong"},
                   headers={"X-Forwarded-For": client_ip()})
    assert bad.status_code == 401 and bad.json()["code"] == "INVALID_CLIENT"
    unknown = api.post("/api/v1/auth/token", data={**form, "client_id": "no-such-client"},
                       headers={"X-Forwarded-For": client_ip()})
    assert unknown.status_code == 401 and unknown.json()["code"] == "INVALID_CLIENT"
    as_json = api.post("/api/v1/auth/token", json=form, headers={"X-Forwarded-For": client_ip()})
    assert as_json.status_code == 415
    wrong_grant = api.post("/api/v1/auth/token", data={**form, "grant_type": "password"},
                           headers={"X-Forwarded-For": client_ip()})
    assert wrong_grant.status_code == 422


def agency_token(api, stack_env, scope=None):
    form = {"grant_type": "client_credentials", "client_id": "saglik-sistemi",
            "client_secret": stack_env.get("BIMER_DEMO_PASSWORD", "Demo.Parola.2026")}
    if scope is not None:
        form["scope"] = scope
    return api.post("/api/v1/auth/token", data=form, headers={"X-Forwarded-For": client_ip()})


def test_agency_tokens_act_within_their_scopes(api, stack_env):
    """An agency system's token carries its client's scopes (or fewer, if asked), and each
    operation open to agencies needs its own: without it, 403 before anything is read."""
    granted = "inbox:read applications:read applications:route applications:answer"
    full = agency_token(api, stack_env)
    assert full.status_code == 200, full.text
    assert full.json()["scope"] == granted
    claims = json.loads(base64.urlsafe_b64decode(full.json()["access_token"].split(".")[1]
                                                 + "=="))
    assert claims["scope"] == granted
    narrow = agency_token(api, stack_env, "inbox:read")
    assert narrow.status_code == 200, narrow.text
    assert narrow.json()["scope"] == "inbox:read"
    tok = narrow.json()["access_token"]
    assert api.get("/api/v1/inbox", headers=bearer(tok)).status_code == 200
    missing = "/api/v1/applications/2026-0000001-8"
    for method, path, body in (("GET", missing, None),
                               ("POST", missing + "/answer",
                                {"outcome": "positive", "text": "Talebiniz karşılanmıştır."}),
                               ("POST", missing + "/route", {"institution_code": "MEB"}),
                               ("GET", "/api/v1/appeals", None)):
        r = api.request(method, path, json=body, headers=bearer(tok))
        assert r.status_code == 403, (path, r.status_code, r.text)
    # the full token passes the guard on the same calls (then: no such application)
    ftok = full.json()["access_token"]
    r = api.post(missing + "/answer", json={"outcome": "positive",
                                            "text": "Talebiniz karşılanmıştır."},
                 headers=bearer(ftok))
    assert r.status_code == 404, r.text
    # appeals:respond was never granted to this client
    assert api.get("/api/v1/appeals", headers=bearer(ftok)).status_code == 403
    for asked in ("appeals:respond", "inbox:read reports:read", "no:such_scope"):
        r = agency_token(api, stack_env, asked)
        assert r.status_code == 422, (asked, r.text)
        assert {(e["field"], e["code"]) for e in r.json()["errors"]} == {
            ("scope", "SCOPE_NOT_GRANTED")}
