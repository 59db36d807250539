# SPDX-License-Identifier: MIT
#
# Black-box tests of the edge of the stack: nginx (routing of unknown paths, its own
# problem+json errors in Turkish and English, body limits, request ids, security
# headers, the metrics port, the access log), the landing page, the stack runner's
# kill/start, and docker-compose.yml. They talk to the test stack started by
# conftest.py (fixtures stack_env, base_url, stack) and need no service feature beyond
# the health checks.

import concurrent.futures
import http.client
import json
import re
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests

from citizen import as_service_logs, wait_for

REPO = Path(__file__).resolve().parents[2]
SERVICES = ("submission", "verification", "routing", "status", "appeal")
PROBLEM_TYPE = "application/problem+json"
REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")
TIMEOUT = 15


def session():
    """A session that never goes through a proxy from the environment."""
    s = requests.Session()
    s.trust_env = False
    return s


HTTP = session()


def get(url, **kw):
    kw.setdefault("timeout", TIMEOUT)
    return HTTP.get(url, **kw)


def post(url, **kw):
    kw.setdefault("timeout", TIMEOUT)
    return HTTP.post(url, **kw)


def raw_get(port, path, headers=None):
    """GET with the path sent byte for byte (requests would normalise dot segments)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def assert_problem(resp, status, code, lang="tr"):
    """An nginx-made error: RFC 9457 body per the error contract, ids consistent."""
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"].split(";")[0].strip() == PROBLEM_TYPE
    body = resp.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == "https://bimer.gov.tr/problems/" + code.lower().replace("_", "-")
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    assert REQUEST_ID.match(resp.headers["X-Request-Id"])
    if "request_id" in body:
        assert body["request_id"] == resp.headers["X-Request-Id"]
    return body


def assert_security_headers(resp):
    h = resp.headers
    assert h.get("X-Content-Type-Options") == "nosniff"
    assert h.get("X-Frame-Options") == "DENY"
    assert h.get("Referrer-Policy") == "no-referrer"
    csp = h.get("Content-Security-Policy", "")
    assert "default-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert h.get("Permissions-Policy")
    assert REQUEST_ID.match(h.get("X-Request-Id", ""))


@pytest.fixture(scope="module")
def metrics_url(stack_env):
    return "http://127.0.0.1:%s" % stack_env["BIMER_METRICS_PORT"]


@pytest.fixture(scope="module")
def http_port(stack_env):
    return int(stack_env["BIMER_HTTP_PORT"])


# ------------------------------------------------------------------ routing and errors

@pytest.mark.parametrize("path", [
    "/api/v1/does-not-exist",
    "/api/v2/applications",
    "/api/v1/submission/other",
    "/api/v1/applications/2026-000001/unknown-action",
    "/api/v1/applications/",
    "/api/",
])
def test_unknown_api_path_is_404_problem_in_both_languages(base_url, path):
    tr = assert_problem(get(base_url + path), 404, "NOT_FOUND")
    en = assert_problem(get(base_url + path, headers={"Accept-Language": "en"}), 404, "NOT_FOUND")
    assert tr["title"] != en["title"]
    assert tr["detail"] != en["detail"]
    assert en["title"] == "Not found"
    assert tr["title"] == "Bulunamadı"


@pytest.mark.parametrize("header,lang", [
    ("en-US,en;q=0.9", "en"),
    ("EN", "en"),
    ("tr-TR,tr;q=0.9,en;q=0.8", "tr"),
    ("de-DE", "tr"),
    ("", "tr"),
])
def test_problem_language_follows_first_language_tag(base_url, header, lang):
    body = assert_problem(get(base_url + "/api/v1/nope", headers={"Accept-Language": header}),
                          404, "NOT_FOUND")
    assert body["title"] == ("Not found" if lang == "en" else "Bulunamadı")


def test_problem_ids_are_fresh_per_request(base_url):
    ids = {get(base_url + "/api/v1/nope").headers["X-Request-Id"] for _ in range(5)}
    assert len(ids) == 5


def test_body_over_one_mib_is_413_problem(base_url):
    body = b"{" + b" " * (1024 * 1024) + b"}"
    resp = post(base_url + "/api/v1/applications", data=body,
                headers={"Content-Type": "application/json"})
    tr = assert_problem(resp, 413, "PAYLOAD_TOO_LARGE")
    assert_security_headers(resp)
    resp = post(base_url + "/api/v1/status", data=body,
                headers={"Content-Type": "application/json", "Accept-Language": "en"})
    en = assert_problem(resp, 413, "PAYLOAD_TOO_LARGE")
    assert tr["title"] != en["title"]


def test_attachments_allow_ten_mib_but_not_eleven(base_url):
    # nginx lets up to 11 MiB through to the service, which enforces 10 MiB exactly.
    resp = post(base_url + "/api/v1/attachments", data=b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024),
                headers={"Content-Type": "application/pdf"})
    assert resp.status_code not in (413, 502, 504), resp.text
    resp = post(base_url + "/api/v1/attachments", data=b"0" * (11 * 1024 * 1024 + 1),
                headers={"Content-Type": "application/pdf"})
    assert_problem(resp, 413, "PAYLOAD_TOO_LARGE")


def test_wrong_method_on_static_root_is_405_problem_with_allow(base_url):
    resp = post(base_url + "/", data=b"x", headers={"Accept-Language": "en"})
    assert_problem(resp, 405, "METHOD_NOT_ALLOWED")
    allow = {m.strip() for m in resp.headers["Allow"].split(",")}
    assert "GET" in allow and "POST" not in allow


def test_malformed_request_is_400_problem(http_port):
    conn = http.client.HTTPConnection("127.0.0.1", http_port, timeout=TIMEOUT)
    try:
        conn.putrequest("GET", "/api/v1/nope", skip_host=True)
        conn.putheader("Host", "a")
        conn.putheader("Host", "b")  # a duplicate Host header is a bad request
        conn.endheaders()
        resp = conn.getresponse()
        body = json.loads(resp.read())
        assert resp.status == 400
        assert resp.getheader("Content-Type").startswith(PROBLEM_TYPE)
        assert body["code"] == "BAD_REQUEST"
        assert REQUEST_ID.match(resp.getheader("X-Request-Id"))
    finally:
        conn.close()


# ------------------------------------------------------------------ headers

def test_every_response_carries_a_request_id(base_url):
    responses = [
        get(base_url + "/"),
        get(base_url + "/site.css"),
        get(base_url + "/api/v1/nope"),
        get(base_url + "/no-such-page.html"),
        post(base_url + "/", data=b"x"),
    ] + [get(base_url + "/api/v1/%s/health" % s) for s in SERVICES]
    seen = set()
    for resp in responses:
        rid = resp.headers.get("X-Request-Id", "")
        assert REQUEST_ID.match(rid), (resp.url, resp.status_code, rid)
        seen.add(rid)
    assert len(seen) == len(responses)


@pytest.mark.parametrize("svc", SERVICES)
def test_health_through_nginx_has_security_headers_and_no_store(base_url, svc):
    resp = get(base_url + "/api/v1/%s/health" % svc)
    assert resp.status_code == 200, resp.text
    assert_security_headers(resp)
    assert "no-store" in resp.headers.get("Cache-Control", "")
    body = resp.json()
    assert body == {"status": "ok", "checks": {"db": "ok", "redis": "ok"}}


def test_security_headers_on_errors(base_url):
    for resp in (get(base_url + "/api/v1/nope"),
                 get(base_url + "/nope.html"),
                 post(base_url + "/", data=b"x")):
        assert_security_headers(resp)
        assert "no-store" in resp.headers.get("Cache-Control", "")


def test_server_header_has_no_version(base_url):
    for resp in (get(base_url + "/"), get(base_url + "/api/v1/nope"),
                 get(base_url + "/api/v1/status/health")):
        server = resp.headers.get("Server", "")
        assert not re.search(r"[0-9/]", server), server


# ------------------------------------------------------------------ internal and metrics

@pytest.mark.parametrize("path", [
    "/internal/metrics",
    "/internal/",
    "/api/v1/status/../../internal/metrics",
    "/api/v1/status/%2e%2e/%2e%2e/internal/metrics",
    "//internal/metrics",
    "/metrics/submission",
    "/api/v1/submission/../../internal/metrics",
])
def test_internal_paths_are_not_reachable_on_the_public_port(http_port, path):
    status, headers, body = raw_get(http_port, path)
    assert status == 404, (path, status, body[:200])
    assert headers.get("Content-Type", "").startswith(PROBLEM_TYPE)
    assert b"# TYPE" not in body and b"# HELP" not in body


@pytest.mark.parametrize("path", [
    "/",
    "/metrics",
    "/metrics/",
    "/metrics/unknown",
    "/metrics/submission/extra",
    "/internal/metrics",
    "/api/v1/submission/health",
])
def test_metrics_port_refuses_unlisted_paths(metrics_url, path):
    resp = get(metrics_url + path)
    assert_problem(resp, 404, "NOT_FOUND")


@pytest.mark.parametrize("svc", SERVICES)
def test_metrics_port_forwards_listed_paths(metrics_url, svc):
    resp = get(metrics_url + "/metrics/" + svc)
    # The service is reached (no 502/504 from nginx); when it serves its metrics they
    # are Prometheus text.
    assert resp.status_code not in (502, 503, 504), resp.text
    if resp.status_code == 200:
        assert resp.headers["Content-Type"].startswith("text/plain")
    assert REQUEST_ID.match(resp.headers.get("X-Request-Id", ""))


def test_metrics_port_is_read_only(metrics_url):
    resp = post(metrics_url + "/metrics/submission", data=b"x")
    assert resp.status_code in (403, 405)
    assert resp.headers["Content-Type"].startswith(PROBLEM_TYPE)


# ------------------------------------------------------------------ static pages

def test_landing_page_is_turkish_with_csp_and_no_inline_code(base_url):
    resp = get(base_url + "/")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/html")
    assert_security_headers(resp)
    html = resp.content.decode("utf-8")
    assert '<html lang="tr">' in html
    assert "BİMER" in html
    assert "<script" not in html.lower()
    assert "<style" not in html.lower()
    assert not re.search(r"\sstyle\s*=", html, re.I)
    assert not re.search(r"\son[a-z]+\s*=", html, re.I)  # no inline event handlers
    assert not re.search(r"(src|href)\s*=\s*\"(https?:)?//", html, re.I)  # no CDN
    assert 'href="/api-spec/openapi.yaml"' in html
    css = get(base_url + "/site.css")
    assert css.status_code == 200
    assert css.headers["Content-Type"].startswith("text/css")


def test_api_spec_is_served_where_the_landing_page_links(base_url):
    if not (REPO / "api-spec" / "openapi.yaml").is_file():
        pytest.skip("api-spec/openapi.yaml does not exist yet")
    resp = get(base_url + "/api-spec/openapi.yaml")
    assert resp.status_code == 200
    assert resp.text.lstrip().startswith("openapi:")


def test_dot_files_are_not_served(base_url):
    assert_problem(get(base_url + "/.git/config"), 404, "NOT_FOUND")
    assert_problem(get(base_url + "/.htaccess"), 404, "NOT_FOUND")


# ------------------------------------------------------------------ access log

def test_access_log_is_json_without_query_strings_or_path_secrets(base_url, stack_env):
    # Letters only: the log scan of test_zz_logs.py must not see an 11-digit run here.
    marker = "".join(chr(ord("a") + b % 26) for b in uuid.uuid4().bytes)
    responses = [get(base_url + "/api/v1/institutions?q=" + marker),
                 get(base_url + "/api/v1/status/TRK" + marker),
                 get(base_url + "/api/v1/verifications/TOK" + marker),
                 get(base_url + "/api/v1/nope?tc_kimlik_no=" + marker),
                 get(base_url + "/api/v1/applications/12345678901",
                     headers={"User-Agent": "t/10000000146"})]
    # The log masks an 11-digit run inside a request id, as the services' logs do.
    rids = [re.sub(r"[0-9]{11}", "*" * 11, r.headers["X-Request-Id"], count=2)
            for r in responses]
    rid = rids[3]
    log = Path(stack_env["BIMER_LOG_DIR"]) / "nginx-access.log"

    def flushed():
        # nginx buffers the access log (one write a second): wait for all five lines
        lines = log.read_text(encoding="utf-8").splitlines()
        return lines if all(any(r in line for line in lines[-400:]) for r in rids) else None

    lines = wait_for("nginx to write the five requests to its access log", flushed, timeout=10)
    text = "\n".join(lines)
    assert marker not in text
    assert "12345678901" not in text and "10000000146" not in text
    entries = [json.loads(line) for line in lines[-200:]]
    for e in entries:
        assert not re.search(r"(?<![0-9])[0-9]{11}(?![0-9])", e["request_id"]), e
    mine = [e for e in entries if e["request_id"] == rid]
    assert len(mine) == 1
    assert mine[0]["path"] == "/api/v1/nope"
    assert mine[0]["status"] == 404
    paths = {e["path"] for e in entries}
    assert "/api/v1/status/{tracking_code}" in paths
    assert "/api/v1/verifications/{token}" in paths


# ------------------------------------------------------------------ rate limit

def _rate(stack_env):
    rate = stack_env.get("BIMER_NGINX_API_RATE", "50r/s")
    burst = int(stack_env.get("BIMER_NGINX_API_BURST", "100"))
    m = re.match(r"^(\d+)r/([sm])$", rate)
    per_s = int(m.group(1)) / (1 if m.group(2) == "s" else 60)
    return per_s, burst


def test_nginx_rate_limit_answers_429_problem_with_retry_after(base_url, stack_env):
    per_s, burst = _rate(stack_env)
    if per_s > 1000 or burst > 2000:
        pytest.skip("the nginx backstop limit is set too high to trip in a test")
    # An unknown /api/ path: limited like the others, answered by nginx alone, so the
    # burst never reaches (or ties up) a service.
    url = base_url + "/api/v1/rate-limit-probe"
    n = int(burst + per_s * 2 + 100)

    def one(_):
        with session() as s:
            r = s.get(url, timeout=TIMEOUT)
            return r.status_code, r.headers.get("Retry-After"), r.headers.get("Content-Type"), r.content

    try:
        with concurrent.futures.ThreadPoolExecutor(32) as pool:
            results = list(pool.map(one, range(n)))
        limited = [r for r in results if r[0] == 429]
        assert limited, "no 429 after %d requests" % n
        status, retry_after, ctype, body = limited[0]
        assert retry_after and retry_after.isdigit() and int(retry_after) >= 1
        assert ctype.startswith(PROBLEM_TYPE)
        problem = json.loads(body)
        assert problem["code"] == "RATE_LIMITED" and problem["status"] == 429
        assert {r[0] for r in results} <= {404, 429}
    finally:
        # Let the bucket drain so later tests are not limited.
        time.sleep(burst / per_s + 1.5)


# ------------------------------------------------------------------ stack runner

def test_killed_service_gives_502_problem_then_comes_back(base_url, stack):
    url = base_url + "/api/v1/status/health"
    assert get(url).status_code == 200
    stack.kill("status")
    try:
        resp = get(url, headers={"Accept-Language": "en"})
        assert_problem(resp, 502, "BAD_GATEWAY")
        assert_security_headers(resp)
    finally:
        stack.start("status")
    deadline = time.time() + 30
    while time.time() < deadline:
        if get(url).status_code == 200:
            break
        time.sleep(0.3)
    assert get(url).status_code == 200


# ------------------------------------------------------------------ docker-compose

def test_docker_compose_file_is_valid():
    exe = shutil.which("docker-compose")
    if exe is None:
        pytest.skip("docker-compose is not installed (Debian package docker-compose)")
    proc = subprocess.run([exe, "-f", str(REPO / "docker-compose.yml"), "config", "-q"],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_an_idle_service_writes_its_request_line_at_once(base_url, stack_env):
    """A service thread holds its request lines and writes them in blocks (bm_log.h); when
    it has nothing more to do it must write them before it waits (bm_conns_next), or the
    line of the last request before a quiet spell would stay in memory. One request to
    the status service, then nothing: its line must reach status.log within seconds."""
    marker = "".join(chr(ord("a") + b % 26) for b in uuid.uuid4().bytes)
    r = requests.get(base_url + "/api/v1/status/TRK" + marker, timeout=10)
    assert r.status_code == 404
    rid = as_service_logs(r.headers["X-Request-Id"])
    log = Path(stack_env["BIMER_LOG_DIR"]) / "status.log"

    def written():
        for line in log.read_text(encoding="utf-8").splitlines()[-2000:]:
            if f'"req":"{rid}"' in line and '"event":"request"' in line:
                return json.loads(line)
        return None

    entry = wait_for(f"the idle status service to write the line of request {rid}", written,
                     timeout=3)
    assert entry["route"] == "/api/v1/status/{tracking_code}"
    assert entry["method"] == "GET" and entry["status"] == 404
    assert marker not in json.dumps(entry)


def test_docker_compose_has_the_whole_topology():
    yaml = pytest.importorskip("yaml")
    doc = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    services = doc["services"]
    for name in ("secrets-init", "mariadb", "redis", "mailsink", "migrate", "worker",
                 "nginx") + SERVICES:
        assert name in services, name
    for name in SERVICES:
        assert services[name]["command"] == ["bimer-" + name]
        assert "healthcheck" in services[name]
    for port in services["nginx"]["ports"]:
        assert str(port).startswith("127.0.0.1:"), port


def test_one_service_can_have_its_own_thread_count(stack_env, tmp_path):
    """BIMER_<SERVICE>_THREADS overrides BIMER_THREADS for that service alone: the local
    runner gives the status service 6 (its answers mostly come from Redis) and the
    submission service 64 (its threads mostly wait for their intake batch)."""
    log = Path(stack_env.get("BIMER_LOG_DIR") or Path(stack_env["BIMER_VAR_DIR"]) / "log")
    want = stack_env.get("BIMER_STATUS_THREADS")
    assert want == "6" and stack_env.get("BIMER_SUBMISSION_THREADS") == "64"
    assert f"with {want} threads" in (log / "status.log").read_text()
    assert "with 64 threads" in (log / "submission.log").read_text()
    assert f"with {stack_env['BIMER_THREADS']} threads" in (log / "verification.log").read_text()
    env = {k: v for k, v in stack_env.items() if k.startswith("BIMER_")}
    env.update({"PATH": "/usr/bin:/bin", "BIMER_RUN_DIR": str(tmp_path),
                "BIMER_STATUS_THREADS": "0", "ASAN_OPTIONS": "detect_leaks=0"})
    p = subprocess.run([str(Path(stack_env["BIMER_BIN_DIR"]) / "bimer-status")], env=env,
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 2 and "BIMER_STATUS_THREADS" in p.stderr, p.stderr
    assert not (tmp_path / "status.sock").exists()


@pytest.mark.parametrize("setting,value", [("BIMER_INTAKE_BATCH", "33"),
                                           ("BIMER_INTAKE_BATCH", "x"),
                                           ("BIMER_INTAKE_WRITERS", "0")])
def test_submission_refuses_a_bad_intake_setting(stack_env, tmp_path, setting, value):
    """The batched intake's settings (README "Batched intake") are checked at start: a bad
    one stops the service with a message naming it, before it listens."""
    env = {k: v for k, v in stack_env.items() if k.startswith("BIMER_")}
    env.update({"PATH": "/usr/bin:/bin", "BIMER_RUN_DIR": str(tmp_path), setting: value,
                "ASAN_OPTIONS": "detect_leaks=0"})
    p = subprocess.run([str(Path(stack_env["BIMER_BIN_DIR"]) / "bimer-submission")], env=env,
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 2 and setting in p.stderr, p.stderr
    assert not (tmp_path / "submission.sock").exists()
