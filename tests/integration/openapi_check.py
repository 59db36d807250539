# SPDX-License-Identifier: MIT
"""Check real HTTP exchanges against the API contract, api-spec/openapi.yaml.

The integration tests call check_response() on every response they receive and
check_request_body() on the valid bodies they send, so that the services, nginx
and the contract cannot drift apart silently. Each check raises AssertionError
with a message that names the operation, the status and what differs.

    from openapi_check import check_response, check_request_body
    r = session.post(url + "/api/v1/status", json=body)
    check_response("POST", "/api/v1/status", r)       # returns the parsed body

Answers that no operation gives (unknown path, wrong method, nginx's own limits
and upstream failures) are documented once under the top-level
`x-global-responses`; check them with check_global_response().

Semantics: OpenAPI 3.1, whose schemas are JSON Schema 2020-12 (jsonschema's
Draft202012Validator, `$ref` resolved inside the spec). Formats date-time, date,
email and uri are asserted by this module's own checkers, so the result does not
depend on optional Python packages. The spec is loaded once per process (set
BIMER_OPENAPI_SPEC to use another file). Only the system python3 with Debian's
python3-yaml, python3-jsonschema (4.10) and python3-requests is needed.
"""
import copy
import datetime
import functools
import json
import os
import re
import urllib.parse

import jsonschema
import yaml
from jsonschema import Draft202012Validator, FormatChecker

__all__ = [
    "check_response",
    "check_global_response",
    "check_request_body",
    "find_operation",
    "load_spec",
    "spec_path",
]

_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_MAX_ERRORS = 8
_EXCERPT = 300


# --------------------------------------------------------------------- loading

class _SpecLoader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2 scalars, as Redocly reads the file.

    YAML 1.1 (PyYAML's default) turns `no`, `yes`, `on`, `off` into booleans and
    unquoted dates into datetime objects; in an OpenAPI document those are
    strings (a path parameter named `no`, an example date)."""


_SpecLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers
            if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")]
    for first, resolvers in copy.deepcopy(yaml.SafeLoader.yaml_implicit_resolvers).items()
}
_SpecLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def spec_path():
    """The contract this module checks against (BIMER_OPENAPI_SPEC overrides)."""
    env = os.environ.get("BIMER_OPENAPI_SPEC")
    if env:
        return os.path.abspath(env)
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "..", "api-spec", "openapi.yaml"))


class _Spec:
    """The parsed document plus its path templates compiled to regexes."""

    def __init__(self, path):
        self.path = path
        with open(path, encoding="utf-8") as f:
            self.doc = yaml.load(f, Loader=_SpecLoader)  # noqa: S506 (safe loader subclass)
        if not isinstance(self.doc, dict) or not str(self.doc.get("openapi", "")).startswith("3.1"):
            raise AssertionError(f"{path}: not an OpenAPI 3.1 document")
        servers = self.doc.get("servers") or [{"url": "/"}]
        self.base_path = urllib.parse.urlsplit(servers[0].get("url", "/")).path.rstrip("/")
        self.routes = []
        for template, item in (self.doc.get("paths") or {}).items():
            segments = template.strip("/").split("/")
            regexes = [_segment_regex(s) for s in segments]
            # Literal segments sort before templated ones, position by position.
            rank = tuple(0 if "{" not in s else 1 for s in segments)
            self.routes.append((rank, template, regexes, item))
        self.routes.sort(key=lambda r: r[0])

    def deref(self, obj, seen=None):
        """Follow `$ref` of a non-schema object (response, header, parameter …)."""
        seen = seen or set()
        while isinstance(obj, dict) and "$ref" in obj:
            ref = obj["$ref"]
            if ref in seen:
                raise AssertionError(f"{self.path}: $ref cycle at {ref}")
            seen.add(ref)
            obj = self.pointer(ref)
        return obj

    def pointer(self, ref):
        if not ref.startswith("#/"):
            raise AssertionError(f"{self.path}: only local $ref are supported, got {ref}")
        node = self.doc
        for part in ref[2:].split("/"):
            part = urllib.parse.unquote(part).replace("~1", "/").replace("~0", "~")
            try:
                node = node[part]
            except (KeyError, TypeError):
                raise AssertionError(f"{self.path}: unresolvable $ref {ref}") from None
        return node


def _segment_regex(segment):
    out, pos = [], 0
    for m in re.finditer(r"\{[^{}/]+\}", segment):
        out.append(re.escape(segment[pos:m.start()]))
        out.append(r"[^/]+")
        pos = m.end()
    out.append(re.escape(segment[pos:]))
    return re.compile("^" + "".join(out) + "$")


@functools.lru_cache(maxsize=None)
def _load(path):
    return _Spec(path)


def load_spec():
    """The parsed spec (a dict), loaded once per process."""
    return _load(spec_path()).doc


# ----------------------------------------------------------------- JSON Schema

def _check_date_time(value):
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", value):
        return False
    try:
        datetime.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _check_date(value):
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _check_email(value):
    if not isinstance(value, str):
        return True
    return re.fullmatch(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+", value) is not None


def _check_uri(value):
    if not isinstance(value, str):
        return True
    return re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s]+", value) is not None


_FORMATS = FormatChecker(formats=())
_FORMATS.checks("date-time")(_check_date_time)
_FORMATS.checks("date")(_check_date)
_FORMATS.checks("email")(_check_email)
_FORMATS.checks("uri")(_check_uri)


def _validate(spec, schema, instance, what):
    """Validate against a schema of the spec; raise AssertionError listing errors."""
    # A resolver keeps a scope stack while it works: one per call keeps
    # concurrent checks (tests that fire requests from threads) independent.
    resolver = jsonschema.RefResolver(base_uri="", referrer=spec.doc)
    validator = Draft202012Validator(schema, resolver=resolver, format_checker=_FORMATS)
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    if not errors:
        return
    lines = []
    for err in errors[:_MAX_ERRORS]:
        msg = _short(err.message)
        if err.context:
            closest = "; ".join(f"{_json_path(sub.absolute_path)}: {_short(sub.message)}"
                                for sub in _closest(err))
            msg += f" (closest branch: {closest})"
        lines.append(f"  at {_json_path(err.absolute_path)}: {msg}")
    if len(errors) > _MAX_ERRORS:
        lines.append(f"  … and {len(errors) - _MAX_ERRORS} more")
    raise AssertionError(f"{what} does not match the spec:\n" + "\n".join(lines)
                         + f"\n  body: {_short(json.dumps(_redact(instance), ensure_ascii=False))}")


def _closest(err):
    """The errors of the oneOf/anyOf branch the instance came closest to.

    A branch that fails only because the instance is not even of its type (the
    `null` of an optional field, say) is the least interesting one."""
    while True:
        branches = {}
        for sub in err.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        ranked = sorted(branches.values(), key=lambda subs: all(
            s.validator == "type" and not s.relative_path for s in subs))
        subs = ranked[0]
        if len(subs) == 1 and subs[0].context:
            err = subs[0]
            continue
        return sorted(subs, key=lambda e: list(e.absolute_path))[:3]


def _json_path(path):
    out = "$"
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


_SECRET_KEY = re.compile(r"token|password|secret|tc_kimlik_no|tracking_code", re.I)
_SECRET_TEXT = [
    # An ID number, a JWT: messages end up in test output, which is kept and scanned.
    (re.compile(r"(?<![0-9])[1-9][0-9]{10}(?![0-9])"), "<11 digits>"),
    (re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), "<jwt>"),
]


def _redact(value):
    """A copy of a JSON value with secrets and personal numbers blanked out."""
    if isinstance(value, dict):
        return {k: "<redacted>" if _SECRET_KEY.search(str(k)) and isinstance(v, str)
                else _redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v) for v in value]
    return value


def _short(text):
    text = str(text)
    for rx, repl in _SECRET_TEXT:
        text = rx.sub(repl, text)
    return text if len(text) <= _EXCERPT else text[:_EXCERPT] + "…"


# ------------------------------------------------------------------- matching

def _split_url(url_path):
    parts = urllib.parse.urlsplit(url_path)
    return parts.path or "/"


def _match_path(spec, url_path):
    """(template, path item) of the most literal matching path, or (None, None)."""
    path = _split_url(url_path)
    if spec.base_path:
        if not path.startswith(spec.base_path + "/"):
            return None, None
        path = path[len(spec.base_path):]
    segments = path.strip("/").split("/") if path != "/" else [""]
    if path.endswith("/") and path != "/":
        return None, None  # no template of this API ends with a slash
    for _rank, template, regexes, item in spec.routes:
        if len(regexes) == len(segments) and all(
                rx.match(seg) for rx, seg in zip(regexes, segments)):
            return template, item
    return None, None


def _methods_of(item):
    return sorted(m.upper() for m in item if m in _HTTP_METHODS)


def find_operation(method, url_path):
    """(path template, operation object) for a request; AssertionError if none."""
    spec = _load(spec_path())
    template, item = _match_path(spec, url_path)
    where = f"{method.upper()} {_split_url(url_path)}"
    if template is None:
        raise AssertionError(f"{where}: no path of {spec.path} matches (undocumented endpoint)")
    op = item.get(method.lower())
    if op is None:
        raise AssertionError(f"{where}: the spec documents only {', '.join(_methods_of(item))} "
                             f"for {template}, not {method.upper()}")
    return template, op


# ------------------------------------------------------------------- messages

def _media_type(value):
    return (value or "").split(";", 1)[0].strip().lower()


def _is_json(media):
    return media == "application/json" or media.endswith("+json")


def _pick_media(content, media):
    if media in content:
        return media
    lowered = {k.lower(): k for k in content}
    if media in lowered:
        return lowered[media]
    major = media.split("/", 1)[0]
    for key in (f"{major}/*", "*/*"):
        if key in lowered:
            return lowered[key]
    return None


def _kebab(code):
    return code.lower().replace("_", "-")


def _check_headers(spec, where, response_obj, resp):
    for name, header in (response_obj.get("headers") or {}).items():
        if name.lower() == "content-type":
            continue  # OpenAPI ignores a Content-Type header definition
        header = spec.deref(header)
        value = resp.headers.get(name)
        if value is None:
            if header.get("required"):
                raise AssertionError(f"{where}: header {name} is required by the spec but missing "
                                     f"(headers: {', '.join(sorted(resp.headers))})")
            continue
        schema = header.get("schema")
        if schema is None:
            continue
        instance = value
        if spec.deref(schema).get("type") == "integer":
            instance = int(value) if re.fullmatch(r"-?[0-9]+", value.strip()) else value
        _validate(spec, schema, instance, f"{where}: header {name}")


def _check_body(spec, where, response_obj, resp):
    content = response_obj.get("content")
    raw = resp.content or b""
    if not content:
        if raw.strip():
            raise AssertionError(f"{where}: the spec documents no body for this status, "
                                 f"got {len(raw)} bytes: {_short(raw[:_EXCERPT])}")
        return None
    ctype = resp.headers.get("Content-Type")
    if not ctype:
        raise AssertionError(f"{where}: no Content-Type; the spec documents {', '.join(content)}")
    media = _media_type(ctype)
    key = _pick_media(content, media)
    if key is None:
        raise AssertionError(f"{where}: Content-Type {ctype!r} is not documented "
                             f"(documented: {', '.join(content)})")
    schema = (content[key] or {}).get("schema")
    if not _is_json(media):
        if media.startswith("text/"):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                raise AssertionError(f"{where}: {media} body is not UTF-8: {e}") from None
            if schema is not None:
                _validate(spec, schema, text, f"{where}: body")
            return text
        return raw
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise AssertionError(f"{where}: {media} body is not UTF-8 JSON ({e}): "
                             f"{_short(raw[:_EXCERPT])}") from None
    if schema is not None:
        _validate(spec, schema, body, f"{where}: body")
    if media == "application/problem+json" and isinstance(body, dict):
        _check_problem(where, body, resp.status_code)
    return body


def _check_problem(where, body, status):
    """What JSON Schema cannot say about the error contract."""
    code = body.get("code")
    if isinstance(code, str):
        want = "https://bimer.gov.tr/problems/" + _kebab(code)
        if body.get("type") != want:
            raise AssertionError(f"{where}: problem type {body.get('type')!r} does not match "
                                 f"code {code!r} (expected {want!r})")
    if body.get("status") != status:
        raise AssertionError(f"{where}: problem status {body.get('status')!r} differs from "
                             f"the HTTP status {status}")


def _check_message(spec, where, response_obj, resp):
    response_obj = spec.deref(response_obj)
    _check_headers(spec, where, response_obj, resp)
    return _check_body(spec, where, response_obj, resp)


def _pick_response(responses, status):
    status = str(status)
    for key in (status, status[0] + "XX", status[0] + "xx", "default"):
        if key in responses:
            return responses[key]
    return None


# ---------------------------------------------------------------------- public

def check_response(method, url_path, resp):
    """Check a requests.Response against the operation for method + url_path.

    url_path may carry a query string or be a whole URL. Checks that the path
    and method are an operation of the spec, that the status is documented (or
    covered by `NXX` / `default`), that every required header is present and
    valid, that the Content-Type is documented for that status, and that the
    body validates against its schema. Returns the parsed body (JSON value, text,
    bytes, or None when there is none). Raises AssertionError otherwise.

    A request that matches no operation passes only with an error status of
    `x-global-responses` (an unknown path answered 404, a wrong method 405 with
    `Allow` …), checked as check_global_response() does; anything else, such as
    a 200 for an unknown path, raises.
    """
    spec = _load(spec_path())
    template, item = _match_path(spec, url_path)
    if template is None or method.lower() not in item:
        # No operation: only an answer given before any operation will do.
        if _is_global_answer(spec, template, resp.status_code):
            return check_global_response(method, url_path, resp)
        find_operation(method, url_path)  # raises, naming what is missing
    template, op = find_operation(method, url_path)
    status = resp.status_code
    where = f"{method.upper()} {_split_url(url_path)} ({op.get('operationId', template)}) → {status}"
    responses = op.get("responses") or {}
    response_obj = _pick_response(responses, status)
    if response_obj is None:
        raise AssertionError(f"{where}: status {status} is not documented "
                             f"(documented: {', '.join(responses)}); body: {_short(resp.text)}")
    return _check_message(spec, where, response_obj, resp)


def _is_global_answer(spec, template, status):
    """Whether a request that matches no operation may get this status."""
    if str(status) not in (spec.doc.get("x-global-responses") or {}):
        return False
    if 200 <= status < 300:
        return False
    return template is not None or status != 405  # 405 needs a path that exists


def check_global_response(method, url_path, resp):
    """Check an answer given before any operation: `x-global-responses`.

    For unknown paths (404), wrong methods (405, whose `Allow` must list methods
    the spec documents for that path) and nginx's own answers (408, 413, 429, 502,
    504 …). Returns the parsed body; raises AssertionError otherwise.
    """
    spec = _load(spec_path())
    status = resp.status_code
    where = f"{method.upper()} {_split_url(url_path)} → {status} (global)"
    responses = spec.doc.get("x-global-responses") or {}
    response_obj = _pick_response(responses, status)
    if response_obj is None:
        raise AssertionError(f"{where}: status {status} is not in x-global-responses "
                             f"(documented: {', '.join(responses)}); body: {_short(resp.text)}")
    body = _check_message(spec, where, response_obj, resp)
    if status == 405:
        _check_allow(spec, where, method, url_path, resp)
    return body


def _check_allow(spec, where, method, url_path, resp):
    template, item = _match_path(spec, url_path)
    allowed = {m.strip().upper() for m in resp.headers.get("Allow", "").split(",") if m.strip()}
    if method.upper() in allowed:
        raise AssertionError(f"{where}: 405 but Allow lists the method itself ({sorted(allowed)})")
    if template is None:
        raise AssertionError(f"{where}: 405 for a path the spec does not document")
    documented = set(_methods_of(item)) | {"HEAD", "OPTIONS"}
    extra = allowed - documented
    if extra or not allowed:
        raise AssertionError(f"{where}: Allow {sorted(allowed)} does not match the methods the "
                             f"spec documents for {template} ({_methods_of(item)})")


def check_request_body(method, url_path, body, content_type="application/json"):
    """Validate a request body the tests send against the operation's schema.

    body is a JSON value (dict, list …), or a str/bytes holding JSON or, for
    application/x-www-form-urlencoded, a query string (a dict is taken as the
    decoded form). Raises AssertionError when the operation takes no body, the
    media type is not documented, or the body does not validate.
    """
    spec = _load(spec_path())
    template, op = find_operation(method, url_path)
    where = f"{method.upper()} {_split_url(url_path)} ({op.get('operationId', template)}) request"
    request_body = spec.deref(op.get("requestBody")) if op.get("requestBody") else None
    if not request_body:
        raise AssertionError(f"{where}: the operation takes no request body")
    content = request_body.get("content") or {}
    media = _media_type(content_type)
    key = _pick_media(content, media)
    if key is None:
        raise AssertionError(f"{where}: Content-Type {content_type!r} is not documented "
                             f"(documented: {', '.join(content)})")
    schema = (content[key] or {}).get("schema")
    if media == "application/x-www-form-urlencoded" and isinstance(body, (str, bytes)):
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        pairs = urllib.parse.parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text))
        body = {}
        for k, v in pairs:
            if k in body:
                raise AssertionError(f"{where}: form field {k!r} repeated")
            body[k] = v
    elif _is_json(media) and isinstance(body, (str, bytes)):
        try:
            body = json.loads(body)
        except ValueError as e:
            raise AssertionError(f"{where}: not JSON ({e})") from None
    elif not _is_json(media) and media != "application/x-www-form-urlencoded":
        return  # raw uploads: nothing to validate but the media type
    if schema is not None:
        _validate(spec, schema, body, f"{where}: body")
