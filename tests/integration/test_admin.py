# SPDX-License-Identifier: MIT
"""The administrators' endpoints (issue 4 item 3) on the real stack, through
nginx: staff users, the institution tree, public holidays and agency API
clients under /api/v1/admin/.

Each operation is tried for its success and its validation errors; every
operation answers 401 without a token and 403 to every demo account that is
not an administrator. The effects are checked where they matter: a created
user logs in with the given password (or the generated one) and a deactivated
one cannot, a new password or a deactivation ends the sessions already open,
a created agency client gets a token and its old secret is refused after a
rotation, and a holiday added moves a deadline. No password or secret shows
up in a log. Records are created with random names, so the suite can run
again on the same stack and never changes a demo record. Every response is
checked against api-spec/openapi.yaml (the `api` fixture)."""
import datetime
import pathlib
import random
import string

import pytest

import openapi_check
from citizen import petition
from staff import DEMO_USERS, bearer, client_ip, token_for

ADMIN = "merkez.operator"
NON_ADMINS = [u for u in DEMO_USERS if u != ADMIN]
PASSWORD = "Yeni.Kullanici.Parolasi.2026"


def rnd(n=8):
    return "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(n))


def code(prefix="TEST"):
    return f"{prefix}-{rnd(6).upper()}"


@pytest.fixture(scope="module")
def admin(api, stack_env):
    """Headers of the demo administrator (a new client address per call)."""
    token = token_for(api, stack_env, ADMIN)
    return lambda: bearer(token)


def call(api, method, path, headers, body=None, **kw):
    if body is not None and method in ("POST", "PATCH"):
        kw["json"] = body
    return api.request(method, path, headers=headers, **kw)


def fields(resp):
    """{field: code} of a 422's errors[]."""
    assert resp.status_code == 422, resp.text
    return {e["field"]: e["code"] for e in resp.json()["errors"]}


def login(api, username, password):
    return api.post("/api/v1/auth/login", json={"username": username, "password": password},
                    headers={"X-Forwarded-For": client_ip()})


def agency_token(api, client_id, secret):
    return api.post("/api/v1/auth/token",
                    data={"grant_type": "client_credentials", "client_id": client_id,
                          "client_secret": secret},
                    headers={"X-Forwarded-For": client_ip()})


def new_user(api, admin, **over):
    body = {"username": f"test.{rnd()}", "display_name": "Deneme Kullanıcısı",
            "email": f"deneme.{rnd()}@bimer.example", "institution_code": "VALILIK-35",
            "roles": ["operator"], "password": PASSWORD}
    body.update(over)
    body = {k: v for k, v in body.items() if v is not None}
    openapi_check.check_request_body("POST", "/api/v1/admin/users", body)
    r = api.post("/api/v1/admin/users", json=body, headers=admin())
    assert r.status_code == 201, r.text
    return r.json()


def new_institution(api, admin, **over):
    body = {"code": code(), "name": "Deneme Genel Müdürlüğü", "kind": "general_directorate",
            "parent_code": "SAGLIK"}
    body.update(over)
    body = {k: v for k, v in body.items() if v is not None}
    openapi_check.check_request_body("POST", "/api/v1/admin/institutions", body)
    r = api.post("/api/v1/admin/institutions", json=body, headers=admin())
    assert r.status_code == 201, r.text
    return r.json()


def new_client(api, admin, **over):
    body = {"client_id": f"test-{rnd()}", "name": "Deneme Kurum Sistemi",
            "institution_code": "SAGLIK", "scopes": ["inbox:read", "applications:read"]}
    body.update(over)
    openapi_check.check_request_body("POST", "/api/v1/admin/agency-clients", body)
    r = api.post("/api/v1/admin/agency-clients", json=body, headers=admin())
    assert r.status_code == 201, r.text
    return r.json()


# ----------------------------------------------------------------- who may call

# One line per operation: method, path, a body that would be valid (None: no body).
OPERATIONS = [
    ("GET", "/api/v1/admin/users", None),
    ("POST", "/api/v1/admin/users", {"username": "x.yz", "display_name": "X", "email": "x@y.tr",
                                     "institution_code": "BIMER", "roles": ["operator"]}),
    ("GET", "/api/v1/admin/users/ankara.meb", None),
    ("PATCH", "/api/v1/admin/users/ankara.meb", {"display_name": "X"}),
    ("DELETE", "/api/v1/admin/users/ankara.meb", None),
    ("GET", "/api/v1/admin/institutions", None),
    ("POST", "/api/v1/admin/institutions", {"code": "X-Y", "name": "Xy", "kind": "ministry",
                                            "parent_code": "BIMER"}),
    ("GET", "/api/v1/admin/institutions/SAGLIK", None),
    ("PATCH", "/api/v1/admin/institutions/SAGLIK", {"name": "Xy"}),
    ("DELETE", "/api/v1/admin/institutions/SAGLIK", None),
    ("GET", "/api/v1/admin/holidays", None),
    ("POST", "/api/v1/admin/holidays", {"date": "2099-01-02", "name": "Xy"}),
    ("PATCH", "/api/v1/admin/holidays/2026-01-01", {"name": "Xy"}),
    ("DELETE", "/api/v1/admin/holidays/2026-01-01", None),
    ("GET", "/api/v1/admin/agency-clients", None),
    ("POST", "/api/v1/admin/agency-clients", {"client_id": "x-y", "name": "Xy",
                                              "institution_code": "SAGLIK",
                                              "scopes": ["inbox:read"]}),
    ("GET", "/api/v1/admin/agency-clients/saglik-sistemi", None),
    ("PATCH", "/api/v1/admin/agency-clients/saglik-sistemi", {"name": "Xy"}),
    ("DELETE", "/api/v1/admin/agency-clients/saglik-sistemi", None),
    ("POST", "/api/v1/admin/agency-clients/saglik-sistemi/secret", None),
]


def test_every_admin_operation_is_in_the_spec_and_implemented():
    spec = openapi_check.load_spec()
    ops = {(m.upper(), p) for p, item in spec["paths"].items() if p.startswith("/api/v1/admin/")
           for m, op in item.items() if isinstance(op, dict) and "operationId" in op}
    for method, path, _ in OPERATIONS:
        template, op = openapi_check.find_operation(method, path)
        assert op["x-implemented"] is True, op["operationId"]
        ops.discard((method, template))
    assert not ops, f"admin operations the tests do not try: {ops}"


@pytest.mark.parametrize("method,path,body", OPERATIONS)
def test_without_a_token_401(api, method, path, body):
    r = call(api, method, path, {"X-Forwarded-For": client_ip()}, body)
    assert r.status_code == 401, r.text
    assert r.json()["code"] == "UNAUTHORIZED"


@pytest.mark.parametrize("user", NON_ADMINS)
def test_every_non_admin_demo_user_403(api, stack_env, user):
    token = token_for(api, stack_env, user)
    for method, path, body in OPERATIONS:
        r = call(api, method, path, bearer(token), body)
        assert r.status_code == 403, f"{user} {method} {path}: {r.status_code} {r.text}"


def test_agency_system_403(api, stack_env):
    r = agency_token(api, "saglik-sistemi", stack_env["BIMER_DEMO_PASSWORD"])
    assert r.status_code == 200, r.text
    for method, path, body in OPERATIONS:
        got = call(api, method, path, bearer(r.json()["access_token"]), body)
        assert got.status_code == 403, f"{method} {path}: {got.status_code}"


# ------------------------------------------------------------------------ users

def test_create_user_and_log_in_with_the_given_password(api, admin):
    u = new_user(api, admin)
    assert u["roles"] == ["operator"] and u["active"] is True
    assert u["institution_code"] == "VALILIK-35" and "initial_password" not in u
    assert not {"password", "password_hash"} & set(u)
    r = login(api, u["username"], PASSWORD)
    assert r.status_code == 200, r.text
    # the new desk works: its inbox answers
    assert api.get("/api/v1/inbox", headers=bearer(r.json()["access_token"])).status_code == 200


def test_create_user_without_password_gets_a_generated_one_once(api, admin):
    u = new_user(api, admin, password=None, roles=["institution_user"],
                 institution_code="IL-MEB-06")
    pw = u["initial_password"]
    assert len(pw) >= 24
    assert login(api, u["username"], pw).status_code == 200
    again = api.get(f"/api/v1/admin/users/{u['username']}", headers=admin()).json()
    assert "initial_password" not in again and pw not in str(again)


def test_create_user_duplicate_409(api, admin):
    u = new_user(api, admin)
    body = {"username": u["username"], "display_name": "İkinci", "email": "iki@bimer.example",
            "institution_code": "BIMER", "roles": ["operator"], "password": PASSWORD}
    r = api.post("/api/v1/admin/users", json=body, headers=admin())
    assert r.status_code == 409 and r.json()["code"] == "USERNAME_TAKEN"


def test_create_user_field_errors_422(api, admin):
    body = {"username": "Büyük Harf", "display_name": "  ", "email": "not-an-address",
            "institution_code": "bimer", "roles": ["operator", "operator"],
            "password": "kısa", "extra": 1}
    got = fields(api.post("/api/v1/admin/users", json=body, headers=admin()))
    assert got == {"username": "INVALID_FORMAT", "display_name": "REQUIRED",
                   "email": "INVALID_FORMAT", "institution_code": "INVALID_FORMAT",
                   "roles": "DUPLICATE", "password": "TOO_SHORT", "extra": "UNKNOWN_FIELD"}
    got = fields(api.post("/api/v1/admin/users", json={"username": "abc"}, headers=admin()))
    assert got == {"display_name": "REQUIRED", "email": "REQUIRED",
                   "institution_code": "REQUIRED", "roles": "REQUIRED"}
    got = fields(api.post("/api/v1/admin/users", json={**body, "username": "a.b", "roles": [],
                                                       "extra": None}, headers=admin()))
    assert got["roles"] == "TOO_SHORT"
    bad_role = {"username": "abc", "display_name": "X", "email": "x@y.tr",
                "institution_code": "BIMER", "roles": ["admin"]}
    assert fields(api.post("/api/v1/admin/users", json=bad_role,
                           headers=admin())) == {"roles[0]": "INVALID_VALUE"}


@pytest.mark.parametrize("inst,roles,field,code_", [
    ("NO-SUCH-INSTITUTION", ["operator"], "institution_code", "UNKNOWN_INSTITUTION"),
    ("TBMM", ["institution_user"], "institution_code", "INSTITUTION_OUT_OF_SCOPE"),
    ("IL-MEB-06", ["operator"], "roles[0]", "ROLE_NOT_ALLOWED"),
    ("VALILIK-06", ["operator", "administrator"], "roles[1]", "ROLE_NOT_ALLOWED"),
    ("SAGLIK", ["institution_user", "bedk_member"], "roles[1]", "ROLE_NOT_ALLOWED"),
    ("IL-MEB-06", ["coordinator"], "roles[0]", "ROLE_NOT_ALLOWED"),
])
def test_create_user_institution_and_role_rules_422(api, admin, inst, roles, field, code_):
    body = {"username": f"test.{rnd()}", "display_name": "X", "email": "x@bimer.example",
            "institution_code": inst, "roles": roles, "password": PASSWORD}
    assert fields(api.post("/api/v1/admin/users", json=body, headers=admin())) == {field: code_}


def test_roles_that_fit_their_institution(api, admin):
    assert new_user(api, admin, institution_code="BEDK", roles=["bedk_member"])
    assert new_user(api, admin, institution_code="SAGLIK",
                    roles=["institution_user", "coordinator"])
    u = new_user(api, admin, institution_code="BIMER", roles=["administrator", "operator"])
    assert sorted(u["roles"]) == ["administrator", "operator"]


def test_get_user_and_404(api, admin):
    r = api.get("/api/v1/admin/users/merkez.operator", headers=admin())
    assert r.status_code == 200
    assert r.json()["institution_code"] == "BIMER"
    assert sorted(r.json()["roles"]) == ["administrator", "operator"]
    for name in ("no.such.user", "UPPER", "a"):
        r = api.get(f"/api/v1/admin/users/{name}", headers=admin())
        assert r.status_code == 404 and r.json()["code"] == "USER_NOT_FOUND"


def test_list_users_filters_and_pages(api, admin):
    inst = new_institution(api, admin, kind="provincial_directorate", province_code="35",
                           parent_code="MEB")["code"]
    made = sorted(new_user(api, admin, institution_code=inst, roles=["institution_user"],
                           display_name=f"Sayfa {i}")["username"] for i in range(3))
    seen, cursor = [], None
    while True:
        q = f"?institution={inst}&limit=2" + (f"&cursor={cursor}" if cursor else "")
        r = api.get("/api/v1/admin/users" + q, headers=admin())
        assert r.status_code == 200, r.text
        page = r.json()
        assert len(page["items"]) <= 2
        seen += [u["username"] for u in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == made
    r = api.get("/api/v1/admin/users?role=bedk_member&active=true", headers=admin())
    assert r.status_code == 200
    assert all("bedk_member" in u["roles"] for u in r.json()["items"])
    assert "bedk.uye" in [u["username"] for u in r.json()["items"]]
    r = api.get("/api/v1/admin/users?role=administrator&limit=100", headers=admin())
    assert "merkez.operator" in [u["username"] for u in r.json()["items"]]
    assert all("administrator" in u["roles"] for u in r.json()["items"])
    r = api.get("/api/v1/admin/users?q=merkez", headers=admin())
    assert [u["username"] for u in r.json()["items"]] == ["merkez.operator"]
    for bad in ("limit=0", "limit=101", "active=yes", "role=admin", "cursor=AAAA",
                "cursor=%21", "institution=x", "unknown=1"):
        r = api.get(f"/api/v1/admin/users?{bad}", headers=admin())
        assert r.status_code == 422, bad


def test_update_user_fields_and_role_rules(api, admin):
    u = new_user(api, admin)
    path = f"/api/v1/admin/users/{u['username']}"
    body = {"display_name": "Yeni Ad", "email": "yeni@bimer.example"}
    openapi_check.check_request_body("PATCH", path, body)
    r = api.request("PATCH", path, json=body, headers=admin())
    assert r.status_code == 200, r.text
    assert r.json()["display_name"] == "Yeni Ad" and r.json()["email"] == "yeni@bimer.example"
    assert r.json()["roles"] == ["operator"]
    # moving a desk operator to a provincial directorate breaks its role: named on the institution
    r = api.request("PATCH", path, json={"institution_code": "IL-MEB-06"}, headers=admin())
    assert fields(r) == {"institution_code": "ROLE_NOT_ALLOWED"}
    session = login(api, u["username"], PASSWORD).json()
    r = api.request("PATCH", path, json={"institution_code": "IL-MEB-06",
                                         "roles": ["institution_user"]}, headers=admin())
    assert r.status_code == 200 and r.json()["roles"] == ["institution_user"]
    assert r.json()["institution_code"] == "IL-MEB-06"
    # the token still names the old desk: the session ends, a new login carries the new roles
    assert api.get("/api/v1/inbox", headers=bearer(session["access_token"])).status_code == 401
    assert login(api, u["username"], PASSWORD).status_code == 200
    assert fields(api.request("PATCH", path, json={}, headers=admin())) == {"": "NO_CHANGES"}
    assert fields(api.request("PATCH", path, json={"username": "x.y"},
                              headers=admin())) == {"username": "UNKNOWN_FIELD"}
    assert fields(api.request("PATCH", path, json={"password": "short"},
                              headers=admin())) == {"password": "TOO_SHORT"}
    r = api.request("PATCH", "/api/v1/admin/users/no.such.user", json={"display_name": "X"},
                    headers=admin())
    assert r.status_code == 404


def test_new_password_ends_sessions(api, admin):
    u = new_user(api, admin)
    session = login(api, u["username"], PASSWORD).json()
    assert api.get("/api/v1/inbox", headers=bearer(session["access_token"])).status_code == 200
    other = "Baska.Bir.Parola.2027"
    r = api.request("PATCH", f"/api/v1/admin/users/{u['username']}", json={"password": other},
                    headers=admin())
    assert r.status_code == 200, r.text
    assert api.get("/api/v1/inbox", headers=bearer(session["access_token"])).status_code == 401
    r = api.post("/api/v1/auth/refresh", json={"refresh_token": session["refresh_token"]})
    assert r.status_code == 401
    assert login(api, u["username"], PASSWORD).status_code == 401
    assert login(api, u["username"], other).status_code == 200


def test_deactivated_user_cannot_log_in_and_its_session_ends(api, admin):
    u = new_user(api, admin)
    session = login(api, u["username"], PASSWORD).json()
    r = api.request("DELETE", f"/api/v1/admin/users/{u['username']}", headers=admin())
    assert r.status_code == 204 and r.content == b""
    assert api.get("/api/v1/inbox", headers=bearer(session["access_token"])).status_code == 401
    assert api.post("/api/v1/auth/refresh",
                    json={"refresh_token": session["refresh_token"]}).status_code == 401
    assert login(api, u["username"], PASSWORD).status_code == 401
    got = api.get(f"/api/v1/admin/users/{u['username']}", headers=admin()).json()
    assert got["active"] is False
    # again: nothing to do, same answer
    r = api.request("DELETE", f"/api/v1/admin/users/{u['username']}", headers=admin())
    assert r.status_code == 204
    listed = api.get("/api/v1/admin/users?active=false&limit=100&q=" + u["username"],
                     headers=admin()).json()["items"]
    assert [x["username"] for x in listed] == [u["username"]]
    # reactivated by PATCH, the user logs in again
    r = api.request("PATCH", f"/api/v1/admin/users/{u['username']}", json={"active": True},
                    headers=admin())
    assert r.status_code == 200 and r.json()["active"] is True
    assert login(api, u["username"], PASSWORD).status_code == 200
    r = api.request("DELETE", "/api/v1/admin/users/no.such.user", headers=admin())
    assert r.status_code == 404 and r.json()["code"] == "USER_NOT_FOUND"


def test_administrator_cannot_lock_themselves_out(api, admin):
    # a second administrator, so that the demo one is never touched
    u = new_user(api, admin, institution_code="BIMER", roles=["administrator"])
    own = bearer(login(api, u["username"], PASSWORD).json()["access_token"])
    path = f"/api/v1/admin/users/{u['username']}"
    for method, body in (("DELETE", None), ("PATCH", {"active": False}),
                         ("PATCH", {"roles": ["operator"]})):
        r = call(api, method, path, own, body)
        assert r.status_code == 409 and r.json()["code"] == "OWN_ACCOUNT", (method, body)
    assert api.get(path, headers=own).json()["active"] is True
    # another administrator may
    assert api.request("DELETE", path, headers=admin()).status_code == 204
    assert api.get("/api/v1/admin/users", headers=own).status_code == 401


# ----------------------------------------------------------------- institutions

def test_create_district_governorship_and_it_is_listed(api, admin):
    c = code("KAYMAKAMLIK-06")
    inst = new_institution(api, admin, code=c, name="Deneme Kaymakamlığı",
                           kind="district_governorship", parent_code="VALILIK-06",
                           province_code="06")
    assert inst == {"code": c, "name": "Deneme Kaymakamlığı", "kind": "district_governorship",
                    "parent_code": "VALILIK-06", "province_code": "06", "in_scope": True,
                    "active": True}
    assert api.get(f"/api/v1/admin/institutions/{c}", headers=admin()).json() == inst
    public = api.get("/api/v1/institutions?parent=VALILIK-06").json()["items"]
    assert c in [i["code"] for i in public]
    r = api.get(f"/api/v1/admin/institutions?q={c}", headers=admin())
    assert [i["code"] for i in r.json()["items"]] == [c]


def test_external_body_is_outside_the_system(api, admin):
    c = code("MAHKEME")
    inst = new_institution(api, admin, code=c, name="Deneme Mahkemesi", kind="external",
                           parent_code=None)
    assert inst["in_scope"] is False and inst["parent_code"] is None
    public = api.get(f"/api/v1/institutions?q={c}").json()["items"]
    assert public == []
    # a citizen cannot target it, nor can a user or a client belong to it
    body = {"username": f"test.{rnd()}", "display_name": "X", "email": "x@bimer.example",
            "institution_code": c, "roles": ["institution_user"]}
    assert fields(api.post("/api/v1/admin/users", json=body,
                           headers=admin())) == {"institution_code": "INSTITUTION_OUT_OF_SCOPE"}
    # nor can a unit inside the system hang under it
    r = api.post("/api/v1/admin/institutions", json={
        "code": code(), "name": "Alt Birim", "kind": "department", "parent_code": c},
        headers=admin())
    assert fields(r) == {"parent_code": "INSTITUTION_OUT_OF_SCOPE"}


def test_create_institution_duplicate_409(api, admin):
    r = api.post("/api/v1/admin/institutions", json={
        "code": "SAGLIK", "name": "Sağlık", "kind": "ministry", "parent_code": "BIMER"},
        headers=admin())
    assert r.status_code == 409 and r.json()["code"] == "INSTITUTION_EXISTS"


@pytest.mark.parametrize("body,errors", [
    ({"kind": "centre", "parent_code": None}, {"kind": "ONLY_ONE_CENTRE"}),
    ({"kind": "ministry", "parent_code": None}, {"parent_code": "REQUIRED"}),
    ({"kind": "governorship", "parent_code": "ICISLERI"}, {"province_code": "REQUIRED"}),
    ({"kind": "provincial_directorate", "parent_code": "MEB"}, {"province_code": "REQUIRED"}),
    ({"parent_code": "NO-SUCH-PARENT"}, {"parent_code": "UNKNOWN_INSTITUTION"}),
    ({"kind": "district_governorship", "parent_code": "MEB", "province_code": "06"},
     {"parent_code": "PARENT_KIND_MISMATCH"}),
    ({"kind": "district_governorship", "parent_code": "VALILIK-06", "province_code": "35"},
     {"province_code": "PROVINCE_MISMATCH"}),
    ({"code": "kucuk-harf"}, {"code": "INVALID_FORMAT"}),
    ({"name": "X"}, {"name": "TOO_SHORT"}),
    ({"kind": "bakanlik"}, {"kind": "INVALID_VALUE"}),
    ({"province_code": "82"}, {"province_code": "INVALID_FORMAT"}),
    ({"in_scope": True}, {"in_scope": "UNKNOWN_FIELD"}),
])
def test_create_institution_rules_422(api, admin, body, errors):
    full = {"code": code(), "name": "Deneme Birimi", "kind": "general_directorate",
            "parent_code": "SAGLIK"}
    full.update(body)
    full = {k: v for k, v in full.items() if v is not None}
    assert fields(api.post("/api/v1/admin/institutions", json=full, headers=admin())) == errors


def test_update_institution_and_no_cycles(api, admin):
    a = new_institution(api, admin)["code"]
    b = new_institution(api, admin, kind="department", parent_code=a)["code"]
    path = f"/api/v1/admin/institutions/{a}"
    body = {"name": "Yeni Adı Genel Müdürlüğü"}
    openapi_check.check_request_body("PATCH", path, body)
    r = api.request("PATCH", path, json=body, headers=admin())
    assert r.status_code == 200 and r.json()["name"] == "Yeni Adı Genel Müdürlüğü"
    for parent in (a, b):
        r = api.request("PATCH", path, json={"parent_code": parent}, headers=admin())
        assert fields(r) == {"parent_code": "PARENT_CYCLE"}
    r = api.request("PATCH", path, json={"parent_code": "MEB"}, headers=admin())
    assert r.status_code == 200 and r.json()["parent_code"] == "MEB"
    r = api.request("PATCH", path, json={"kind": "centre"}, headers=admin())
    assert fields(r) == {"kind": "ONLY_ONE_CENTRE"}
    r = api.request("PATCH", "/api/v1/admin/institutions/BIMER", json={"parent_code": "MEB"},
                    headers=admin())
    assert fields(r) == {"parent_code": "CENTRE_IS_ROOT"}
    r = api.request("PATCH", path, json={"kind": "governorship"}, headers=admin())
    assert fields(r) == {"province_code": "REQUIRED"}
    assert fields(api.request("PATCH", path, json={}, headers=admin())) == {"": "NO_CHANGES"}
    r = api.request("PATCH", "/api/v1/admin/institutions/NO-SUCH-INST", json={"name": "Xy"},
                    headers=admin())
    assert r.status_code == 404 and r.json()["code"] == "INSTITUTION_NOT_FOUND"


def test_deactivate_institution_only_when_unused(api, admin):
    a = new_institution(api, admin)["code"]
    b = new_institution(api, admin, kind="department", parent_code=a)["code"]
    u = new_user(api, admin, institution_code=b, roles=["institution_user"])
    cl = new_client(api, admin, institution_code=b)
    for blocker in ("child", "user", "client"):
        target = a if blocker == "child" else b
        r = api.request("DELETE", f"/api/v1/admin/institutions/{target}", headers=admin())
        assert r.status_code == 409 and r.json()["code"] == "INSTITUTION_IN_USE", blocker
        if blocker == "child":
            continue
        if blocker == "user":
            api.request("DELETE", f"/api/v1/admin/users/{u['username']}", headers=admin())
        else:
            api.request("DELETE", f"/api/v1/admin/agency-clients/{cl['client_id']}",
                        headers=admin())
    assert api.request("DELETE", f"/api/v1/admin/institutions/{b}",
                       headers=admin()).status_code == 204
    # PATCH active=false is the same operation
    r = api.request("PATCH", f"/api/v1/admin/institutions/{a}", json={"active": False},
                    headers=admin())
    assert r.status_code == 200 and r.json()["active"] is False
    assert api.request("DELETE", f"/api/v1/admin/institutions/{a}",
                       headers=admin()).status_code == 204
    assert a not in [i["code"] for i in api.get(f"/api/v1/institutions?q={a}").json()["items"]]
    r = api.get(f"/api/v1/admin/institutions?active=false&q={a}", headers=admin())
    assert [i["code"] for i in r.json()["items"]] == [a]
    # an inactive institution takes no users, clients or children; its child cannot come back
    body = {"username": f"test.{rnd()}", "display_name": "X", "email": "x@bimer.example",
            "institution_code": a, "roles": ["institution_user"]}
    assert fields(api.post("/api/v1/admin/users", json=body,
                           headers=admin())) == {"institution_code": "INSTITUTION_INACTIVE"}
    r = api.request("PATCH", f"/api/v1/admin/institutions/{b}", json={"active": True},
                    headers=admin())
    assert fields(r) == {"parent_code": "INSTITUTION_INACTIVE"}
    r = api.request("DELETE", "/api/v1/admin/institutions/NO-SUCH-INST", headers=admin())
    assert r.status_code == 404


def test_demo_institution_in_use_stays_active(api, admin):
    r = api.request("DELETE", "/api/v1/admin/institutions/VALILIK-06", headers=admin())
    assert r.status_code == 409 and r.json()["code"] == "INSTITUTION_IN_USE"
    assert api.get("/api/v1/admin/institutions/VALILIK-06",
                   headers=admin()).json()["active"] is True


def test_list_institutions_filters_and_pages(api, admin):
    r = api.get("/api/v1/admin/institutions?kind=external&limit=100", headers=admin())
    items = r.json()["items"]
    assert items and all(i["kind"] == "external" and i["in_scope"] is False for i in items)
    assert "TBMM" in [i["code"] for i in items]
    seen, cursor = [], None
    for _ in range(10):
        q = "?kind=governorship&limit=25" + (f"&cursor={cursor}" if cursor else "")
        page = api.get("/api/v1/admin/institutions" + q, headers=admin()).json()
        seen += [i["code"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) >= 81 and seen == sorted(seen)
    for bad in ("kind=bakanlik", "parent=x", "limit=abc", "cursor=AAAA"):
        assert api.get(f"/api/v1/admin/institutions?{bad}",
                       headers=admin()).status_code == 422, bad


# ---------------------------------------------------------------------- holidays

def test_list_holidays_of_a_year(api, admin):
    r = api.get("/api/v1/admin/holidays?year=2026", headers=admin())
    assert r.status_code == 200
    items = r.json()["items"]
    days = [h["date"] for h in items]
    assert days == sorted(days) and all(d.startswith("2026-") for d in days)
    assert {"date": "2026-03-19", "name": "Ramazan Bayramı arifesi", "half_day": True} in items
    assert {"date": "2026-10-29", "name": "Cumhuriyet Bayramı", "half_day": False} in items
    every = api.get("/api/v1/admin/holidays", headers=admin()).json()["items"]
    assert len(every) > len(items)
    for bad in ("year=1999", "year=2101", "year=26", "year=abcd"):
        assert api.get(f"/api/v1/admin/holidays?{bad}",
                       headers=admin()).status_code == 422, bad


def test_holiday_add_change_delete(api, admin):
    day = f"2099-{random.randint(1, 12):02d}-{random.randint(1, 28):02d}"
    api.request("DELETE", f"/api/v1/admin/holidays/{day}", headers=admin())  # a leftover
    body = {"date": day, "name": "Deneme Bayramı arifesi", "half_day": True}
    openapi_check.check_request_body("POST", "/api/v1/admin/holidays", body)
    r = api.post("/api/v1/admin/holidays", json=body, headers=admin())
    assert r.status_code == 201 and r.json() == body
    r = api.post("/api/v1/admin/holidays", json=body, headers=admin())
    assert r.status_code == 409 and r.json()["code"] == "HOLIDAY_EXISTS"
    path = f"/api/v1/admin/holidays/{day}"
    r = api.request("PATCH", path, json={"half_day": False}, headers=admin())
    assert r.status_code == 200 and r.json() == {**body, "half_day": False}
    r = api.request("PATCH", path, json={"name": "Deneme Bayramı"}, headers=admin())
    assert r.json() == {"date": day, "name": "Deneme Bayramı", "half_day": False}
    assert fields(api.request("PATCH", path, json={}, headers=admin())) == {"": "NO_CHANGES"}
    assert fields(api.request("PATCH", path, json={"date": day},
                              headers=admin())) == {"date": "UNKNOWN_FIELD"}
    year = api.get("/api/v1/admin/holidays?year=2099", headers=admin()).json()["items"]
    assert {"date": day, "name": "Deneme Bayramı", "half_day": False} in year
    assert api.request("DELETE", path, headers=admin()).status_code == 204
    r = api.request("DELETE", path, headers=admin())
    assert r.status_code == 404 and r.json()["code"] == "HOLIDAY_NOT_FOUND"
    assert api.request("PATCH", path, json={"name": "Xy"}, headers=admin()).status_code == 404
    for bad in ("2099-02-30", "tomorrow", "2099-1-1"):
        r = api.request("DELETE", f"/api/v1/admin/holidays/{bad}", headers=admin())
        assert r.status_code == 404, bad


@pytest.mark.parametrize("body,errors", [
    ({"date": "2099-02-30", "name": "Xy"}, {"date": "INVALID_FORMAT"}),
    ({"date": "02.01.2099", "name": "Xy"}, {"date": "INVALID_FORMAT"}),
    ({"date": "2099-1-2", "name": "Xy"}, {"date": "TOO_SHORT"}),
    ({"date": "1999-01-01", "name": "Xy"}, {"date": "OUT_OF_RANGE"}),
    ({"date": "2099-01-02", "name": "  "}, {"name": "REQUIRED"}),
    ({"date": "2099-01-02"}, {"name": "REQUIRED"}),
    ({"date": "2099-01-02", "name": "Xy", "half_day": "yes"}, {"half_day": "INVALID_TYPE"}),
])
def test_holiday_field_errors_422(api, admin, body, errors):
    assert fields(api.post("/api/v1/admin/holidays", json=body, headers=admin())) == errors


def keyed_in(api, stack_env, when):
    """A letter keyed in by the central operator at `when`: its due_at."""
    b = petition()
    b["channel"] = "letter"
    h = bearer(token_for(api, stack_env, ADMIN))
    h["X-Test-Now"] = when
    r = api.post("/api/v1/staff/applications", json=b, headers=h)
    assert r.status_code == 201, r.text
    return r.json()["due_at"]


def test_holiday_added_moves_a_deadline(api, admin, stack, stack_env):
    """A petition received Mon 2031-03-03 is due 30 days later, Wed 2031-04-02 (D1); with a
    holiday added on that day it is due Thu 2031-04-03 (D6). The services reload their
    calendar when it is five minutes old; restarting the submission service makes the new
    table count at once, so the test does not wait. No other test uses 2031."""
    when, due, holiday = "2031-03-03T10:00:00+03:00", "2031-04-02", "2031-04-02"
    path = f"/api/v1/admin/holidays/{holiday}"
    if api.request("DELETE", path, headers=admin()).status_code == 204:  # a leftover
        stack.stop("submission")
        stack.start("submission")
    assert keyed_in(api, stack_env, when) == f"{due}T23:59:59+03:00"
    r = api.post("/api/v1/admin/holidays", json={"date": holiday, "name": "Deneme Tatili"},
                 headers=admin())
    assert r.status_code == 201, r.text
    try:
        stack.stop("submission")
        stack.start("submission")
        assert keyed_in(api, stack_env, when) == "2031-04-03T23:59:59+03:00"
    finally:
        assert api.request("DELETE", path, headers=admin()).status_code == 204
        stack.stop("submission")
        stack.start("submission")
    assert keyed_in(api, stack_env, when) == f"{due}T23:59:59+03:00"


# ----------------------------------------------------------------- agency clients

def test_agency_client_gets_a_token_and_rotation_refuses_the_old_secret(api, admin):
    c = new_client(api, admin, scopes=["inbox:read", "applications:read", "applications:answer"])
    secret = c["client_secret"]
    assert len(secret) >= 43
    assert c["institution_code"] == "SAGLIK" and c["active"] is True
    assert c["scopes"] == ["inbox:read", "applications:read", "applications:answer"]
    r = agency_token(api, c["client_id"], secret)
    assert r.status_code == 200, r.text
    assert api.get("/api/v1/inbox", headers=bearer(r.json()["access_token"])).status_code == 200
    got = api.get(f"/api/v1/admin/agency-clients/{c['client_id']}", headers=admin())
    assert got.status_code == 200 and secret not in got.text
    assert got.json()["last_used_at"] is not None
    r = api.post(f"/api/v1/admin/agency-clients/{c['client_id']}/secret", headers=admin())
    assert r.status_code == 200, r.text
    fresh = r.json()["client_secret"]
    assert fresh != secret and r.json()["client_id"] == c["client_id"]
    assert agency_token(api, c["client_id"], secret).status_code == 401
    assert agency_token(api, c["client_id"], fresh).status_code == 200


def test_agency_client_revoked(api, admin):
    c = new_client(api, admin)
    path = f"/api/v1/admin/agency-clients/{c['client_id']}"
    assert api.request("DELETE", path, headers=admin()).status_code == 204
    assert agency_token(api, c["client_id"], c["client_secret"]).status_code == 401
    assert api.get(path, headers=admin()).json()["active"] is False
    r = api.post(path + "/secret", headers=admin())
    assert r.status_code == 409 and r.json()["code"] == "CLIENT_REVOKED"
    assert api.request("DELETE", path, headers=admin()).status_code == 204
    r = api.request("PATCH", path, json={"active": True}, headers=admin())
    assert r.status_code == 200 and r.json()["active"] is True
    assert agency_token(api, c["client_id"], c["client_secret"]).status_code == 200


def test_agency_client_update_list_and_errors(api, admin):
    c = new_client(api, admin, institution_code="IL-MEB-06")
    path = f"/api/v1/admin/agency-clients/{c['client_id']}"
    body = {"scopes": ["inbox:read"], "name": "Yeni Adı"}
    openapi_check.check_request_body("PATCH", path, body)
    r = api.request("PATCH", path, json=body, headers=admin())
    assert r.status_code == 200 and r.json()["scopes"] == ["inbox:read"]
    assert r.json()["name"] == "Yeni Adı" and "client_secret" not in r.json()
    r = api.get("/api/v1/admin/agency-clients?institution=IL-MEB-06&active=true",
                headers=admin())
    assert c["client_id"] in [x["client_id"] for x in r.json()["items"]]
    assert all(x["institution_code"] == "IL-MEB-06" for x in r.json()["items"])
    r = api.post("/api/v1/admin/agency-clients", json={
        "client_id": c["client_id"], "name": "Aynı", "institution_code": "SAGLIK",
        "scopes": ["inbox:read"]}, headers=admin())
    assert r.status_code == 409 and r.json()["code"] == "CLIENT_EXISTS"
    assert fields(api.request("PATCH", path, json={}, headers=admin())) == {"": "NO_CHANGES"}
    assert fields(api.request("PATCH", path, json={"scopes": []},
                              headers=admin())) == {"scopes": "TOO_SHORT"}
    for method in ("GET", "DELETE"):
        r = api.request(method, "/api/v1/admin/agency-clients/no-such-client", headers=admin())
        assert r.status_code == 404 and r.json()["code"] == "CLIENT_NOT_FOUND"
    r = api.post("/api/v1/admin/agency-clients/no-such-client/secret", headers=admin())
    assert r.status_code == 404


@pytest.mark.parametrize("body,errors", [
    ({"scopes": ["inbox:write"]}, {"scopes[0]": "INVALID_VALUE"}),
    ({"scopes": ["inbox:read", "inbox:read"]}, {"scopes": "DUPLICATE"}),
    ({"scopes": "inbox:read"}, {"scopes": "INVALID_TYPE"}),
    ({"client_id": "Büyük"}, {"client_id": "INVALID_FORMAT"}),
    ({"client_id": "a-"}, {"client_id": "TOO_SHORT"}),
    ({"institution_code": "NO-SUCH-INST"}, {"institution_code": "UNKNOWN_INSTITUTION"}),
    ({"institution_code": "YARGITAY"}, {"institution_code": "INSTITUTION_OUT_OF_SCOPE"}),
    ({"client_secret": "benim-secimim"}, {"client_secret": "UNKNOWN_FIELD"}),
])
def test_agency_client_field_errors_422(api, admin, body, errors):
    full = {"client_id": f"test-{rnd()}", "name": "Deneme", "institution_code": "SAGLIK",
            "scopes": ["inbox:read"]}
    full.update(body)
    assert fields(api.post("/api/v1/admin/agency-clients", json=full, headers=admin())) == errors


# --------------------------------------------------------------------------- logs

def test_changes_are_logged_without_passwords_or_secrets(api, admin, stack_env):
    u = new_user(api, admin, password=None)
    c = new_client(api, admin)
    r = api.request("PATCH", f"/api/v1/admin/users/{u['username']}",
                    json={"password": "Gizli.Parola.Degisti.99"}, headers=admin())
    assert r.status_code == 200
    log = pathlib.Path(stack_env["BIMER_LOG_DIR"]) / "routing.log"
    text = log.read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if "admin change by user" in ln]
    assert any("user" in ln and "created" in ln for ln in lines)
    assert any(f"agency client {c['client_id']} created" in ln for ln in lines)
    assert any("password" in ln and "changed" in ln for ln in lines)
    for secret in (u["initial_password"], c["client_secret"], "Gizli.Parola.Degisti.99",
                   PASSWORD):
        assert secret not in text
    # the user name of a staff member is not in the change lines: ids only
    assert not any(u["username"] in ln for ln in lines)
