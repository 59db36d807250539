# SPDX-License-Identifier: MIT
"""POST /api/v1/attachments through nginx on the real stack (issue 3 item 6).

What is proven: PDF, PNG and JPEG uploads are stored content-addressed under
the attachment directory with the SHA-256 and size answered; the Content-Type
must be exactly one of the three (415 otherwise, or when absent) and agree with
the magic bytes (422); an empty body is 422; 10 MiB exactly passes, one byte
more is 413 from the service and 12 MiB is 413 from nginx before the service
sees it; the same content twice is two ids and one file; an Idempotency-Key
replays the first answer and refuses other content; uploads are limited per
client address (429 with Retry-After) and refused with 503 while Redis is
down, with nothing written; Redis connections lost under the service are
reopened without a failed upload. Every response is checked against
api-spec/openapi.yaml (the `api` fixture). Claiming attachments is tested with
the application intake.
"""
import base64
import concurrent.futures
import hashlib
import os
import pathlib
import re
import secrets
import socket
import subprocess
import struct
import time
import uuid
import zlib

import pytest
import requests
from requests.adapters import HTTPAdapter

import openapi_check
from conftest import Api
from citizen import as_service_logs, sql

ROOT = pathlib.Path(__file__).resolve().parents[2]
PATH = "/api/v1/attachments"
PROBLEM = "application/problem+json"
MiB = 1024 * 1024
LIMIT = 10 * MiB  # the contract's cap, 10485760 bytes

# A 1x1 grey baseline JPEG (JFIF), 159 bytes, written by libjpeg 6.2 with
# optimised Huffman tables; Python's standard library cannot encode JPEG.
TINY_JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASF"
    "xOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAAAP"
    "/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AP//Z")


def tiny_png(salt=b""):
    """A valid 1x1 RGB PNG; salt goes into a tEXt chunk so each call can differ."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
    if salt:
        png += chunk(b"tEXt", b"Comment\x00" + salt)
    return png + chunk(b"IDAT", zlib.compress(b"\x00\xff\x80\x00")) + chunk(b"IEND", b"")


def tiny_pdf(text="BIMER"):
    """A valid one-page PDF 1.4 with a correct cross-reference table."""
    stream = f"BT /F1 12 Tf 20 20 Td ({text}) Tj ET".encode()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 50] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objs) + 1, xref)
    return bytes(out)


def unique(data_kind):
    """A file of the given kind whose bytes no other test (or run) uploads."""
    salt = uuid.uuid4().hex
    if data_kind == "png":
        return tiny_png(salt.encode())
    if data_kind == "pdf":
        return tiny_pdf(salt)
    return TINY_JPEG + salt.encode()  # bytes after EOI are ignored by decoders


def problem(resp, status, code):
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"].startswith(PROBLEM), resp.headers
    body = resp.json()
    assert body["status"] == status and body["code"] == code, body
    return body


def upload(api, data, ctype, **kw):
    headers = dict(kw.pop("headers", {}))
    if ctype is not None:
        headers["Content-Type"] = ctype
    return api.post(PATH, data=data, headers=headers, **kw)


class _FromAddress(HTTPAdapter):
    """Connects from another loopback address (all of 127/8 is local): to nginx and
    the services that is another client address, with limits of its own."""

    def __init__(self, source):
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


def fresh_loopback():
    return "127.{}.{}.{}".format(*(secrets.randbelow(254) + 1 for _ in range(3)))


@pytest.fixture
def api(base_url):
    """conftest's Api (every response checked against the spec), connecting from a
    loopback address of its own: each test gets a fresh upload allowance, so these
    tests neither spend 127.0.0.1's (other suites upload too) nor depend on what an
    earlier run against the same stack spent."""
    checked = Api(base_url)
    checked.http.mount("http://", _FromAddress(fresh_loopback()))
    return checked


@pytest.fixture(scope="module")
def store(stack_env):
    return pathlib.Path(stack_env.get("BIMER_ATTACHMENT_DIR")
                        or pathlib.Path(stack_env["BIMER_VAR_DIR"]) / "attachments")


def stored_path(store, sha):
    return store / sha[:2] / sha[2:4] / sha


def rows_with_sha(env, sha):
    return int(sql(env, f"SELECT COUNT(*) FROM attachments WHERE sha256 = UNHEX('{sha}')")[0][0])


def assert_created(resp, data, ctype, store):
    assert resp.status_code == 201, resp.text
    body = resp.json()
    sha = hashlib.sha256(data).hexdigest()
    assert body["sha256"] == sha
    assert body["size"] == len(data)
    assert body["content_type"] == ctype
    assert re.fullmatch(r"[A-Za-z0-9_-]{22,}", body["attachment_id"]), body
    path = stored_path(store, sha)
    assert path.read_bytes() == data
    assert path.stat().st_mode & 0o007 == 0, "stored files are not world-accessible"
    return body


# ---- accepted -------------------------------------------------------------

@pytest.mark.parametrize("kind,ctype", [("png", "image/png"), ("jpeg", "image/jpeg"),
                                        ("pdf", "application/pdf")])
def test_accepted_types_are_stored(api, stack_env, store, kind, ctype):
    data = unique(kind)
    body = assert_created(upload(api, data, ctype), data, ctype, store)
    row = sql(stack_env, "SELECT HEX(sha256), size, content_type, application_id IS NULL, "
                         "claimed_at IS NULL FROM attachments "
                         f"WHERE id = '{body['attachment_id']}'")[0]
    assert row == [body["sha256"].upper(), str(len(data)), ctype, "1", "1"]


def test_exact_tiny_files(api, store):
    """The fixed files themselves, not only salted variants."""
    for data, ctype in [(TINY_JPEG, "image/jpeg"), (tiny_png(), "image/png"),
                        (tiny_pdf(), "application/pdf")]:
        assert_created(upload(api, data, ctype), data, ctype, store)


def test_media_type_is_case_insensitive(api, store):
    data = unique("png")
    assert_created(upload(api, data, "IMAGE/PNG"), data, "image/png", store)


def test_ids_are_unguessable_and_distinct(api):
    ids = {upload(api, tiny_png(), "image/png").json()["attachment_id"] for _ in range(5)}
    assert len(ids) == 5
    assert all(len(base64.urlsafe_b64decode(i + "==")) >= 16 for i in ids)


def test_same_content_twice_is_two_ids_one_file(api, stack_env, store):
    data = unique("pdf")
    sha = hashlib.sha256(data).hexdigest()
    a = assert_created(upload(api, data, "application/pdf"), data, "application/pdf", store)
    b = assert_created(upload(api, data, "application/pdf"), data, "application/pdf", store)
    assert a["attachment_id"] != b["attachment_id"]
    assert rows_with_sha(stack_env, sha) == 2
    leaf = stored_path(store, sha).parent
    assert [p.name for p in leaf.iterdir() if p.name.startswith(sha)] == [sha]


# ---- refused ------------------------------------------------------------------

def test_png_declared_as_pdf_is_422(api, stack_env):
    data = unique("png")
    body = problem(upload(api, data, "application/pdf"), 422, "VALIDATION_FAILED")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [
        ("body", "ATTACHMENT_TYPE_MISMATCH")]
    assert body["errors"][0]["message"]
    assert rows_with_sha(stack_env, hashlib.sha256(data).hexdigest()) == 0


@pytest.mark.parametrize("data,ctype", [
    (TINY_JPEG, "image/png"),
    (tiny_pdf(), "image/jpeg"),
    (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/png"),
    (b"just some text, not a picture", "image/jpeg"),
    (b" %PDF-1.4\n", "application/pdf"),  # the magic must open the file
    (b"\x89PNG", "image/png"),            # a truncated signature
], ids=["jpeg-as-png", "pdf-as-jpeg", "gif-as-png", "text-as-jpeg", "late-pdf-magic",
        "short-png-signature"])
def test_content_that_is_not_the_declared_type_is_422(api, data, ctype):
    body = problem(upload(api, data, ctype), 422, "VALIDATION_FAILED")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [
        ("body", "ATTACHMENT_TYPE_MISMATCH")]


@pytest.mark.parametrize("ctype", ["text/plain", "application/octet-stream", "image/jpg",
                                   "image/gif", "application/json", "image/png; charset=utf-8",
                                   "image/png, image/jpeg", "multipart/form-data; boundary=x"])
def test_other_content_types_are_415(api, ctype):
    problem(upload(api, tiny_png(), ctype), 415, "UNSUPPORTED_MEDIA_TYPE")


def test_no_content_type_is_415(api):
    # requests adds no Content-Type to a bytes body unless asked to
    r = api.post(PATH, data=tiny_png())
    assert "Content-Type" not in r.request.headers
    problem(r, 415, "UNSUPPORTED_MEDIA_TYPE")


def test_empty_body_is_422(api):
    for ctype in ["image/png", "application/pdf"]:
        body = problem(upload(api, b"", ctype), 422, "VALIDATION_FAILED")
        assert [(e["field"], e["code"]) for e in body["errors"]] == [("body", "ATTACHMENT_EMPTY")]


def test_errors_in_english(api):
    r = upload(api, tiny_png(), "application/pdf", headers={"Accept-Language": "en"})
    body = problem(r, 422, "VALIDATION_FAILED")
    assert body["title"] == "Validation failed"


# ---- size limits ----------------------------------------------------------------

def request_ids_in_service_log(env):
    log = pathlib.Path(env.get("BIMER_LOG_DIR") or pathlib.Path(env["BIMER_VAR_DIR"]) / "log")
    return (log / "submission.log").read_text(errors="replace")


def test_exactly_10_mib_is_accepted(api, store):
    data = b"\x89PNG\r\n\x1a\n" + os.urandom(LIMIT - 8)
    assert_created(upload(api, data, "image/png", timeout=60), data, "image/png", store)


def test_one_byte_over_10_mib_is_413_from_the_service(api, stack_env):
    data = b"\x89PNG\r\n\x1a\n" + os.urandom(LIMIT - 8 + 1)
    r = upload(api, data, "image/png", timeout=60)
    problem(r, 413, "PAYLOAD_TOO_LARGE")
    rid = as_service_logs(r.headers["X-Request-Id"])
    deadline = time.time() + 5
    while f'"req":"{rid}"' not in request_ids_in_service_log(stack_env):
        assert time.time() < deadline, "the service never saw the 10 MiB + 1 request"
        time.sleep(0.1)
    assert rows_with_sha(stack_env, hashlib.sha256(data).hexdigest()) == 0


def test_12_mib_is_413_from_nginx(api, stack_env):
    data = b"\x89PNG\r\n\x1a\n" + os.urandom(12 * MiB - 8)
    r = upload(api, data, "image/png", timeout=60)
    problem(r, 413, "PAYLOAD_TOO_LARGE")
    time.sleep(0.5)
    rid = as_service_logs(r.headers["X-Request-Id"])
    assert f'"req":"{rid}"' not in request_ids_in_service_log(stack_env)


# ---- idempotency ------------------------------------------------------------------

def test_idempotency_key_replays_the_first_answer(api, stack_env, store):
    key = str(uuid.uuid4())
    data = unique("jpeg")
    first = assert_created(upload(api, data, "image/jpeg", headers={"Idempotency-Key": key}),
                           data, "image/jpeg", store)
    again = upload(api, data, "image/jpeg", headers={"Idempotency-Key": key})
    assert again.status_code == 201 and again.json() == first
    assert rows_with_sha(stack_env, first["sha256"]) == 1
    other = unique("jpeg")
    body = problem(upload(api, other, "image/jpeg", headers={"Idempotency-Key": key}),
                   422, "IDEMPOTENCY_KEY_REUSED")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [
        ("Idempotency-Key", "IDEMPOTENCY_KEY_REUSED")]
    assert rows_with_sha(stack_env, hashlib.sha256(other).hexdigest()) == 0
    assert not stored_path(store, hashlib.sha256(other).hexdigest()).exists()


def test_concurrent_retries_with_one_key_make_one_attachment(api, stack_env, store):
    key = str(uuid.uuid4())
    data = unique("pdf")
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(
            lambda _: upload(api, data, "application/pdf", headers={"Idempotency-Key": key}),
            range(8)))
    assert {r.status_code for r in answers} == {201}, [r.text for r in answers]
    assert len({r.json()["attachment_id"] for r in answers}) == 1
    assert rows_with_sha(stack_env, hashlib.sha256(data).hexdigest()) == 1


def test_concurrent_uploads_of_one_content_store_one_file(api, stack_env, store):
    data = unique("png")
    sha = hashlib.sha256(data).hexdigest()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: upload(api, data, "image/png"), range(8)))
    ids = {assert_created(r, data, "image/png", store)["attachment_id"] for r in answers}
    assert len(ids) == 8
    assert rows_with_sha(stack_env, sha) == 8
    leaf = stored_path(store, sha).parent
    assert [p.name for p in leaf.iterdir() if p.name.startswith(sha)] == [sha]


def test_bad_idempotency_key_is_422(api):
    for key in ["short", "x" * 129, "has space in it", "semi;colon;key"]:
        body = problem(upload(api, tiny_png(), "image/png", headers={"Idempotency-Key": key}),
                       422, "VALIDATION_FAILED")
        assert [(e["field"], e["code"]) for e in body["errors"]] == [
            ("Idempotency-Key", "INVALID_FORMAT")]


# ---- rate limit and Redis down ---------------------------------------------------

def upload_limit(env):
    """Uploads allowed per client address (BIMER_RL_UPLOAD_IP, default 60/3600)."""
    return int(env.get("BIMER_RL_UPLOAD_IP", "60/3600").split("/")[0])


def test_uploads_are_limited_per_client_address(base_url, stack_env):
    n = upload_limit(stack_env)
    if n > 300:
        pytest.skip(f"BIMER_RL_UPLOAD_IP allows {n} uploads: too many to exhaust here")
    http = requests.Session()
    http.mount("http://", _FromAddress(fresh_loopback()))

    def post(data, ctype="image/png"):
        r = http.post(base_url + PATH, data=data, headers={"Content-Type": ctype}, timeout=15)
        openapi_check.check_response("POST", PATH, r)
        return r

    # refused uploads are not counted: only what would be stored is
    for _ in range(3):
        assert post(b"not a png").status_code == 422
    for i in range(n):
        r = post(tiny_png())
        assert r.status_code == 201, (i, r.text)
    r = post(tiny_png())
    problem(r, 429, "RATE_LIMITED")
    assert int(r.headers["Retry-After"]) >= 1
    # another address is not affected
    other = requests.Session()
    other.mount("http://", _FromAddress(fresh_loopback()))
    r = other.post(base_url + PATH, data=tiny_png(), headers={"Content-Type": "image/png"},
                   timeout=15)
    openapi_check.check_response("POST", PATH, r)
    assert r.status_code == 201, r.text


def restart_submission(env, **override):
    """Restart the submission service, with settings overridden for this start only."""
    subprocess.run([str(ROOT / "deploy/local/stack.sh"), "restart", "submission"],
                   env={**os.environ, **env, **override}, cwd=ROOT, check=True, timeout=120,
                   stdout=subprocess.DEVNULL)


def wait_healthy(api, svc="submission", timeout=30):
    deadline = time.time() + timeout
    while api.get(f"/api/v1/{svc}/health").status_code != 200:
        assert time.time() < deadline, f"{svc} is not healthy"
        time.sleep(0.3)


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_redis_down_refuses_uploads_with_503_and_writes_nothing(api, stack_env, store):
    """The submission service alone loses Redis (it is restarted pointing at a port
    and a socket nobody listens on): the real Redis stays up for the other suites, whose
    connections a stopped Redis would break."""
    data = unique("png")
    sha = hashlib.sha256(data).hexdigest()
    # both ways to Redis lead nowhere: the port and the Unix socket the local runner sets
    restart_submission(stack_env, BIMER_REDIS_PORT=str(closed_port()),
                       BIMER_REDIS_SOCKET=f"/nonexistent/{uuid.uuid4().hex}.sock")
    try:
        problem(upload(api, data, "image/png"), 503, "SERVICE_UNAVAILABLE")
        # what is refused anyway still gets its own answer
        problem(upload(api, data, "text/plain"), 415, "UNSUPPORTED_MEDIA_TYPE")
        problem(upload(api, data, "image/jpeg"), 422, "VALIDATION_FAILED")
    finally:
        restart_submission(stack_env)
    assert rows_with_sha(stack_env, sha) == 0
    assert not stored_path(store, sha).exists()
    wait_healthy(api)
    assert_created(upload(api, data, "image/png"), data, "image/png", store)


def test_store_failure_is_500_and_writes_no_row(api, stack_env, tmp_path):
    """The row is written only after the file: a store that cannot be written
    (here the attachment directory is a plain file) leaves no attachment id."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_bytes(b"")
    data = unique("pdf")
    restart_submission(stack_env, BIMER_ATTACHMENT_DIR=str(blocker))
    try:
        problem(upload(api, data, "application/pdf"), 500, "INTERNAL_ERROR")
    finally:
        restart_submission(stack_env)
    assert rows_with_sha(stack_env, hashlib.sha256(data).hexdigest()) == 0
    wait_healthy(api)


def redis_call(env, *args):
    """One command to the stack's Redis (RESP over TCP); the raw reply."""
    msg = b"*%d\r\n" % len(args) + b"".join(
        b"$%d\r\n%s\r\n" % (len(a), a) for a in (x.encode() for x in args))
    with socket.create_connection((env.get("BIMER_REDIS_HOST", "127.0.0.1"),
                                   int(env["BIMER_REDIS_PORT"])), timeout=5) as s:
        s.sendall(msg)
        reply = s.recv(65536)
        if reply.startswith(b"$"):  # a bulk string may come in several pieces
            size = int(reply[1:reply.index(b"\r\n")])
            head = reply.index(b"\r\n") + 2
            while len(reply) < head + size + 2:
                reply += s.recv(65536)
            return reply[head:head + size]
        return reply


def redis_clients_named(env, name):
    """Ids of the Redis connections with this client name (each service names its own
    connections bimer-<service>, whether over TCP or the Unix socket)."""
    listing = redis_call(env, "CLIENT", "LIST").decode()
    ids = []
    for line in listing.splitlines():
        fields = dict(f.split("=", 1) for f in line.split() if "=" in f)
        if fields.get("name") == name:
            ids.append(fields["id"])
    return ids


def test_redis_connections_dropped_under_the_service_are_reopened(api, stack_env, store):
    """Regression: when Redis dropped the service's connections (a Redis restart),
    the first upload each worker thread served afterwards was answered 503. Only
    the submission service's connections are cut here (CLIENT KILL), so no other
    service is disturbed."""
    wait_healthy(api)
    ids = redis_clients_named(stack_env, "bimer-submission")
    assert ids, "the submission service holds no Redis connection"
    for cid in ids:
        assert redis_call(stack_env, "CLIENT", "KILL", "ID", cid) == b":1\r\n"
    n = min(40, upload_limit(stack_env) - 2)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: upload(api, tiny_png(), "image/png"), range(n)))
    assert [r.status_code for r in answers] == [201] * n, [r.text for r in answers
                                                            if r.status_code != 201]
