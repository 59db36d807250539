# SPDX-License-Identifier: MIT
"""Every operation against hostile input, driven by api-spec/openapi.yaml.

For each operation that takes a JSON body, its request schema yields a body
and, field by field, values the schema forbids (a wrong type, null where a
value is required, a string or a list one past its maximum). The spec itself
confirms each mutated body is invalid before it is sent, and the service must
then refuse it with a 4xx problem+json that the spec documents: never a 2xx
(a wrong value taken), never a 5xx, never a crash (the sanitizer scan at the
end of the run would report one), and no row written. Every operation also gets bodies that are
not JSON objects at all: broken JSON, a nesting bomb, invalid UTF-8, NUL and
lone surrogates, the wrong media type. Path and query parameters get
traversal, NUL, overlong and SQL-looking values, and must not cause a 5xx.
Operations behind staff or agency login are called with a demo staff token,
so the checks reach the field validation behind the authentication.
"""
import copy
import json
import re
import secrets

import pytest

import openapi_check
from citizen import petition, sql
from staff import bearer, client_ip, token_for

SPEC = openapi_check.load_spec()
REFS = openapi_check._load(openapi_check.spec_path())  # the same document, with $ref lookups
METHODS = ("get", "post", "put", "patch", "delete")

# A staff account that may call the operation (its role is checked after the body is).
ACCOUNT = {"/api/v1/admin/": "merkez.operator", "/api/v1/appeals/{id}/information-response":
           "ankara.meb", "/api/v1/appeals": "bedk.uye", "/api/v1/applications/{no}/answer":
           "ankara.meb", "/api/v1/applications/{no}/extend": "ankara.meb"}
DEFAULT_ACCOUNT = "merkez.operator"

HOSTILE_SEGMENTS = ["%00", "..%2F..%2Fetc%2Fpasswd", "%FF%FE%FD", "x" * 3000,
                    "1%27%20OR%20%271%27%3D%271", "%C4%B0STANBUL", "-1", "0",
                    "99999999999999999999999999"]
HOSTILE_QUERY = ["%00", "-1", "0", "99999999999999999999999999", "1e309", "x" * 3000,
                 "%FF%FE", "[]", "2026-13-45", "%27%3B--"]
RAW_BODIES = [b"", b"null", b"[]", b"\"text\"", b"12", b"true", b"{", b"{\"a\":",
              b"{\"a\":1,}", b"{\"a\" 1}", b"[" * 50000 + b"]" * 50000,
              b"{\"a\":" * 5000 + b"1" + b"}" * 5000, b"{\"subject\":\"\xff\xfe\"}",
              b"{\"subject\":\"\\u0000\"}", b"{\"subject\":\"\\ud800\"}",
              b"\xef\xbb\xbf{}", b"{}" * 1000, b"1e999999"]


def resolve(schema):
    """A schema with its $ref followed and an allOf merged (properties, required)."""
    while isinstance(schema, dict) and "$ref" in schema:
        schema = REFS.pointer(schema["$ref"])
    if isinstance(schema, dict) and "allOf" in schema:
        merged = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            part = resolve(part)
            merged.setdefault("properties", {}).update(part.get("properties", {}))
            merged["required"] = merged.get("required", []) + part.get("required", [])
            for k, v in part.items():
                merged.setdefault(k, v)
        return merged
    return schema


def types_of(schema):
    t = schema.get("type")
    if t is None and "enum" in schema:
        t = sorted({type(v).__name__.replace("str", "string").replace("int", "integer")
                    .replace("bool", "boolean") for v in schema["enum"]})
    return t if isinstance(t, list) else [t] if t else []


def sample(schema, depth=0):
    """A value of the schema's shape (valid enough to get past the parser)."""
    schema = resolve(schema)
    for key in ("example", "default"):
        if key in schema:
            return copy.deepcopy(schema[key])
    if schema.get("examples"):
        return copy.deepcopy(schema["examples"][0])
    if "enum" in schema:
        return schema["enum"][0]
    if "oneOf" in schema or "anyOf" in schema:
        return sample((schema.get("oneOf") or schema.get("anyOf"))[0], depth + 1)
    t = [x for x in types_of(schema) if x != "null"]
    t = t[0] if t else "object"
    if t == "object":
        if depth > 4:
            return {}
        props = schema.get("properties", {})
        return {k: sample(v, depth + 1) for k, v in props.items()
                if k in schema.get("required", [])}
    if t == "array":
        return []
    if t == "integer":
        return max(1, schema.get("minimum", 1))
    if t == "number":
        return 1
    if t == "boolean":
        return True
    fmt = schema.get("format")
    if fmt == "date":
        return "2026-06-01"
    if fmt == "date-time":
        return "2026-06-01T10:00:00+03:00"
    if fmt == "email":
        return "vatandas@example.com.tr"
    return "a" * max(1, schema.get("minLength", 1))


def wrong_values(schema, required):
    """Values this schema forbids, each with a name for the report."""
    schema = resolve(schema)
    if "oneOf" in schema or "anyOf" in schema:
        return []  # a union: no single type is surely wrong
    types = types_of(schema)
    out = []
    if "null" not in types and required:
        out.append(("null", None))
    for name, value in (("number", 12345), ("boolean", True), ("list", [1]),
                        ("object", {"x": 1}), ("string", "12")):
        kind = {"number": {"integer", "number"}, "boolean": {"boolean"}, "list": {"array"},
                "object": {"object"}, "string": {"string"}}[name]
        if types and not kind & set(types):
            out.append((name, value))
    if "string" in types and "maxLength" in schema:
        out.append(("too long", "ş" * (schema["maxLength"] + 1)))
    if "array" in types and "maxItems" in schema:
        item = sample(schema.get("items", {}))
        out.append(("too many", [item] * (schema["maxItems"] + 1)))
    if "integer" in types and "maximum" in schema:
        out.append(("too big", schema["maximum"] + 1))
    if "integer" in types:
        out.append(("fraction", 1.5))
    return out


def mutations(schema):
    """(where, body) for each forbidden value of each field, one level of nesting deep."""
    schema = resolve(schema)
    if "oneOf" in schema or "anyOf" in schema:  # each branch; the spec weeds out the valid
        return [m for branch in schema.get("oneOf") or schema["anyOf"]
                for m in mutations(branch)]
    base = sample(schema)
    if not isinstance(base, dict):
        return []
    out = []
    for key, sub in schema.get("properties", {}).items():
        required = key in schema.get("required", [])
        for name, value in wrong_values(sub, required):
            body = copy.deepcopy(base)
            body[key] = value
            out.append((f"{key}: {name}", body))
        inner = resolve(sub)
        if "object" in types_of(inner) and inner.get("properties"):
            for ikey, isub in inner["properties"].items():
                for name, value in wrong_values(isub, ikey in inner.get("required", [])):
                    body = copy.deepcopy(base)
                    nested = body.get(key) if isinstance(body.get(key), dict) else \
                        sample(inner)
                    nested = copy.deepcopy(nested)
                    nested[ikey] = value
                    body[key] = nested
                    out.append((f"{key}.{ikey}: {name}", body))
    return out


def operations():
    for template, item in SPEC["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                yield method.upper(), template, op


def json_schema_of(op):
    body = op.get("requestBody")
    if not body:
        return None
    body = REFS.deref(body)
    media = (body.get("content") or {}).get("application/json")
    return media.get("schema") if media else None


def fill(template, values):
    path = template
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    return path


@pytest.fixture(scope="module")
def path_values(api):
    """Parameters naming things that exist where that matters (an application)."""
    r = api.post("/api/v1/applications", json=petition(), headers={"X-Forwarded-For": client_ip()})
    assert r.status_code == 202, r.text
    return {"no": r.json()["application_no"], "id": "IT-2026-000001",
            "tracking_code": secrets.token_urlsafe(16), "token": secrets.token_urlsafe(32),
            "username": "olmayan.kullanici", "code": "OLMAYAN-KURUM", "date": "2026-06-01",
            "client_id": "olmayan-istemci"}


@pytest.fixture(scope="module")
def headers_for(api, stack_env):
    def headers(template, op):
        h = {"X-Forwarded-For": client_ip()}
        if op.get("security") and {} not in op["security"]:
            account = next((a for p, a in ACCOUNT.items() if template.startswith(p)),
                           DEFAULT_ACCOUNT)
            h = bearer(token_for(api, stack_env, account))
        return h
    return headers


# What the API writes and nothing else on the test stack does while a test runs.
WRITTEN = ("applications", "attachments", "users", "user_roles", "institutions", "holidays",
           "agency_clients", "appeals", "appeal_copies", "appeal_information_requests",
           "verification_tokens")


def row_counts(env):
    return sql(env, "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {t})" for t in WRITTEN))[0]


def spec_takes(method, path, body):
    try:
        openapi_check.check_request_body(method, path, body)
    except AssertionError:
        return False
    return True


# Refusals of the input itself: not of the caller (401, 403), not a limit (429).
INPUT_REFUSALS = (400, 413, 415, 422)


def refused(resp, what):
    assert resp.status_code in INPUT_REFUSALS, f"{what}: {resp.status_code} {resp.text[:300]}"
    assert resp.headers.get("Content-Type", "").startswith("application/problem+json"), \
        f"{what}: {resp.headers.get('Content-Type')}"
    assert resp.json().get("code"), what


JSON_OPS = [(m, t, op) for m, t, op in operations() if json_schema_of(op)]


@pytest.mark.parametrize("method,template,op", JSON_OPS,
                         ids=[f"{m} {t}" for m, t, _ in JSON_OPS])
def test_every_forbidden_field_value_is_refused(api, stack_env, path_values, headers_for,
                                                method, template, op):
    path = fill(template, path_values)
    cases = [(what, body) for what, body in mutations(json_schema_of(op))
             if not spec_takes(method, path, body)]
    assert cases, f"{method} {template}: the schema yielded no forbidden values"
    before = row_counts(stack_env)
    for what, body in cases:
        r = api.request(method, path, json=body, headers=headers_for(template, op))
        refused(r, f"{method} {template} {what}")
    assert dict(zip(WRITTEN, row_counts(stack_env))) == dict(zip(WRITTEN, before)), \
        f"{method} {template}: a refused request wrote a row"


@pytest.mark.parametrize("method,template,op", JSON_OPS,
                         ids=[f"{m} {t}" for m, t, _ in JSON_OPS])
def test_bodies_that_are_no_json_object_are_refused(api, stack_env, path_values, headers_for,
                                                    method, template, op):
    path = fill(template, path_values)
    before = row_counts(stack_env)
    for raw in RAW_BODIES:
        h = {**headers_for(template, op), "Content-Type": "application/json"}
        r = api.request(method, path, data=raw, headers=h)
        refused(r, f"{method} {template} {raw[:40]!r}")
    h = {**headers_for(template, op), "Content-Type": "text/plain"}
    r = api.request(method, path, data=json.dumps(sample(json_schema_of(op))), headers=h)
    refused(r, f"{method} {template} as text/plain")
    assert row_counts(stack_env) == before, f"{method} {template}: a refused request wrote a row"


PARAM_OPS = [(m, t, op) for m, t, op in operations()
             if "{" in t or any(REFS.deref(p)
                                .get("in") == "query" for p in op.get("parameters", []))]


@pytest.mark.parametrize("method,template,op", PARAM_OPS,
                         ids=[f"{m} {t}" for m, t, _ in PARAM_OPS])
def test_hostile_path_and_query_parameters_never_fail_the_server(api, path_values, headers_for,
                                                                 method, template, op):
    names = [n[1:-1] for n in re.findall(r"\{[^}]+\}", template)]
    body = sample(json_schema_of(op)) if json_schema_of(op) else None
    seen = 0
    for name in names:
        for value in HOSTILE_SEGMENTS:
            path = fill(template, {**path_values, name: value})
            r = api.request(method, path, json=body, headers=headers_for(template, op))
            assert r.status_code < 500, f"{method} {path[:120]}: {r.status_code} {r.text[:300]}"
            seen += 1
    for p in op.get("parameters", []):
        p = REFS.deref(p)
        if p.get("in") != "query":
            continue
        for value in HOSTILE_QUERY:
            path = fill(template, path_values) + f"?{p['name']}={value}"
            r = api.request(method, path, json=body, headers=headers_for(template, op))
            assert r.status_code < 500, f"{method} {path[:120]}: {r.status_code} {r.text[:300]}"
            seen += 1
    assert seen


FORM_BODIES = [b"", b"grant_type", b"grant_type=", b"=x", b"&&&", b"%ZZ=1", b"grant_type=%00",
               b"grant_type=client_credentials&grant_type=client_credentials",
               b"grant_type=client_credentials&client_id=%FF%FE&client_secret=x",
               b"grant_type=client_credentials&client_id=" + b"a" * 5000 + b"&client_secret=x",
               b"grant_type=password&username=a&password=b", b"{\"grant_type\":1}"]


def test_hostile_form_bodies_are_refused_as_input_or_credentials(api):
    """POST /auth/token takes a form: a malformed or hostile one is a 400 or 422 (413 when
    over the route's body cap), or a 401 where it is well formed but names no client;
    never a 2xx or a 5xx."""
    for raw in FORM_BODIES:
        r = api.post("/api/v1/auth/token", data=raw, headers={
            "Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": client_ip()})
        assert r.status_code in (400, 401, 413, 422), f"{raw[:60]!r}: {r.status_code} {r.text[:200]}"
        assert r.headers.get("Content-Type", "").startswith("application/problem+json")


PATHS = list(SPEC["paths"].items())


@pytest.mark.parametrize("template,item", PATHS, ids=[t for t, _ in PATHS])
def test_every_undocumented_method_is_405_naming_the_documented_ones(api, path_values, template,
                                                                      item):
    documented = {m.upper() for m in item if m in METHODS}
    path = fill(template, path_values)
    for method in sorted({m.upper() for m in METHODS} - documented):
        r = api.request(method, path, check=False, data=b"{}",
                        headers={"Content-Type": "application/json",
                                 "X-Forwarded-For": client_ip()})
        assert r.status_code == 405, f"{method} {template}: {r.status_code} {r.text[:200]}"
        assert r.headers.get("Content-Type", "").startswith("application/problem+json")
        allowed = {m.strip() for m in r.headers.get("Allow", "").split(",")} - {"HEAD"}
        assert allowed == documented, f"{method} {template}: Allow {r.headers.get('Allow')}"


HOSTILE_HEADERS = [
    ("X-Request-Id", 'evil"}{"level":"error'), ("X-Request-Id", "x" * 4000),
    ("Accept-Language", "e" * 3000), ("Accept-Language", "en;q=abc, *;q=-1, ,,,"),
    ("X-Forwarded-For", "garbage, ::1, 999.1.1.1"), ("X-Forwarded-For", ", " * 500),
    ("Authorization", "Bearer"), ("Authorization", "Bearer " + "a" * 9000),
    ("Authorization", "Basic YWRtaW46YWRtaW4="), ("Authorization", "Bearer a.b.c"),
    ("Idempotency-Key", "ş" * 20), ("Idempotency-Key", "k" * 300), ("Idempotency-Key", ""),
    ("Idempotency-Key", "key\x7f\x01with-controls-000000"),
    ("Content-Type", "application/json; charset=utf-8; boundary=x"),
    ("Content-Type", "application/json\t;;;"), ("Cookie", "a=" + "b" * 4000),
]


@pytest.mark.parametrize("name,value", HOSTILE_HEADERS,
                         ids=[f"{n}:{v[:12]!r}" for n, v in HOSTILE_HEADERS])
def test_hostile_headers_never_fail_the_server(api, path_values, name, value):
    """One public and one staff operation of each kind of body: a hostile header is a 4xx
    problem or is ignored, never a 5xx; the request id answered is always nginx's own."""
    calls = [("POST", "/api/v1/applications", petition()),
             ("POST", "/api/v1/status", {"tc_kimlik_no": "10000000146",
                                         "application_no": path_values["no"]}),
             ("GET", "/api/v1/inbox", None),
             ("GET", f"/api/v1/status/{path_values['tracking_code']}", None)]
    for method, path, body in calls:
        h = {"X-Forwarded-For": client_ip(), name: value.encode("utf-8")}  # raw UTF-8 bytes
        if body is not None and name != "Content-Type":
            h["Content-Type"] = "application/json"
        r = api.request(method, path, check=False, headers=h,
                        data=json.dumps(body).encode() if body is not None else None)
        assert r.status_code < 500, f"{method} {path} {name}: {r.status_code} {r.text[:200]}"
        assert re.fullmatch(r"[0-9a-f]{32}", r.headers.get("X-Request-Id", "")), \
            f"{method} {path} {name}: X-Request-Id {r.headers.get('X-Request-Id')!r}"
        if r.status_code >= 400:
            assert r.headers.get("Content-Type", "").startswith("application/problem+json"), \
                f"{method} {path} {name}: {r.status_code} {r.headers.get('Content-Type')}"
            openapi_check.check_response(method, path, r)


def boundary_values(schema, prefix=""):
    """(field, value) at the very edge the schema allows, for fields with nothing else to
    satisfy: strings of exactly maxLength characters (two UTF-8 bytes each: the schema
    counts characters), integers at their maximum, lists of maxItems; the fields of an
    object field too, named "object.field" as the services name them."""
    schema = resolve(schema)
    out = []
    for key, sub in schema.get("properties", {}).items():
        sub = resolve(sub)
        types = types_of(sub)
        plain = not ({"pattern", "enum", "const"} & set(sub)) and \
            sub.get("format") in (None, "password")
        if "string" in types and "maxLength" in sub and plain:
            out.append((prefix + key, "ş" * sub["maxLength"]))
        if "integer" in types and "maximum" in sub and "enum" not in sub:
            out.append((prefix + key, sub["maximum"]))
        if "array" in types and "maxItems" in sub and "uniqueItems" not in sub:
            out.append((prefix + key, [sample(sub.get("items", {}))] * sub["maxItems"]))
        if "object" in types and not prefix:
            out += boundary_values(sub, key + ".")
    return out


def with_value(base, field, value):
    body = copy.deepcopy(base)
    *outer, last = field.split(".")
    node = body
    for k in outer:
        node = node.setdefault(k, {})
    node[last] = value
    return body


def branches(schema):
    """The alternatives of a request schema (one unless it is a oneOf)."""
    schema = resolve(schema)
    return schema.get("oneOf") or [schema]


EDGE_OPS = [(m, t, op) for m, t, op in JSON_OPS
            if any(boundary_values(b) for b in branches(json_schema_of(op)))]


@pytest.mark.parametrize("method,template,op", EDGE_OPS,
                         ids=[f"{m} {t}" for m, t, _ in EDGE_OPS])
def test_values_at_the_edge_the_spec_allows_are_not_refused(api, stack_env, path_values,
                                                            headers_for, method, template, op):
    """The services are not stricter than the contract. Each body also carries a field no
    schema has, so it is refused (nothing is written) and the answer lists every field in
    error: the edge value must not be among them."""
    path = fill(template, path_values)
    checked = 0
    before = row_counts(stack_env)
    for branch in branches(json_schema_of(op)):
        base = sample(branch)
        for field, value in boundary_values(branch):
            body = {**with_value(base, field, value), "zz_probe": 1}
            r = api.request(method, path, json=body, headers=headers_for(template, op))
            assert r.status_code == 422, f"{method} {template} {field}: {r.status_code}"
            errors = {e["field"]: e["code"] for e in r.json()["errors"]}
            assert errors.get("zz_probe") == "UNKNOWN_FIELD", f"{method} {template}: {errors}"
            assert field not in errors, \
                f"{method} {template}: {field} at the spec's edge refused ({errors[field]})"
            checked += 1
    assert checked
    assert row_counts(stack_env) == before
