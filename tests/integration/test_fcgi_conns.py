# SPDX-License-Identifier: MIT
"""The services' FastCGI connections (common/bm_conn.h).

nginx keeps connections to each service (BIMER_NGINX_UPSTREAM_KEEPALIVE). A
service parks idle connections in an epoll set instead of giving each a thread,
so any number of idle, silent or kept connections must leave its few threads
free for the connections that carry a request. These tests speak FastCGI to the
status service's socket directly (it runs BIMER_STATUS_THREADS threads, 6 in the
test stack), as nginx does, with far more connections than threads; then they
check that a restart of a service behind nginx's kept connections costs no
request.
"""
import concurrent.futures
import pathlib
import socket
import struct
import time

import pytest
import requests

from test_citizen import ip

BEGIN, END, PARAMS, STDIN, STDOUT = 1, 3, 4, 5, 6
KEEP_CONN = 1


def record(kind, body, req_id=1):
    pad = (8 - len(body) % 8) % 8
    return struct.pack(">BBHHBx", 1, kind, req_id, len(body), pad) + body + b"\0" * pad


def pair(name, value):
    n, v = name.encode(), value.encode()
    return bytes([len(n), len(v)]) + n + v  # every name and value here is < 128 bytes


def request(path, keep=True, req_id=1, method="GET", body=b"", ctype=""):
    """One request as nginx sends it: BEGIN_REQUEST, the parameters, the body in STDIN
    records of at most 8 KiB, an empty STDIN record."""
    params = [("REQUEST_METHOD", method), ("DOCUMENT_URI", path), ("SCRIPT_NAME", path),
              ("QUERY_STRING", ""), ("REMOTE_ADDR", "127.0.0.1"),
              ("REQUEST_ID", "%032x" % req_id)]
    if body or method == "POST":
        params += [("CONTENT_TYPE", ctype), ("CONTENT_LENGTH", str(len(body)))]
    begin = struct.pack(">HB5x", 1, KEEP_CONN if keep else 0)
    stdin = b"".join(record(STDIN, body[i:i + 8192], req_id) for i in range(0, len(body), 8192))
    return (record(BEGIN, begin, req_id) +
            record(PARAMS, b"".join(pair(k, v) for k, v in params), req_id) +
            record(PARAMS, b"", req_id) + stdin + record(STDIN, b"", req_id))


def read_answer(sock):
    """The stdout of one request up to its END_REQUEST record; returns (status, body)."""
    buf, out = b"", b""
    while True:
        while len(buf) < 8:
            chunk = sock.recv(65536)
            assert chunk, "the service closed the connection before END_REQUEST"
            buf += chunk
        _, kind, _, length, pad = struct.unpack(">BBHHBx", buf[:8])
        while len(buf) < 8 + length + pad:
            chunk = sock.recv(65536)
            assert chunk, "the service closed the connection inside a record"
            buf += chunk
        body, buf = buf[8:8 + length], buf[8 + length + pad:]
        if kind == STDOUT:
            out += body
        elif kind == END:
            assert buf == b"", "bytes after END_REQUEST"
            head, _, payload = out.partition(b"\r\n\r\n")
            status = 200
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"status:"):
                    status = int(line.split()[1])
            return status, payload


@pytest.fixture
def status_sock(stack_env):
    path = pathlib.Path(stack_env["BIMER_RUN_DIR"]) / "status.sock"
    threads = int(stack_env.get("BIMER_STATUS_THREADS", stack_env.get("BIMER_THREADS", "16")))
    opened = []

    def connect():
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(5)  # a request not answered in 5 s waited for a thread: a failure
        s.connect(str(path))
        opened.append(s)
        return s

    yield connect, threads
    for s in opened:
        s.close()


HEALTH = "/api/v1/status/health"


def ask(sock, req_id, keep=True):
    sock.sendall(request(HEALTH, keep=keep, req_id=req_id))
    status, body = read_answer(sock)
    assert status == 200, body
    assert b'"status"' in body


def test_idle_kept_connections_hold_no_thread(status_sock):
    connect, threads = status_sock
    n = 5 * threads + 10
    conns = [connect() for _ in range(n)]
    # One request on each in turn, every connection kept open afterwards: with a thread per
    # connection the (threads+1)-th would wait for ever behind the idle ones.
    for i, c in enumerate(conns):
        ask(c, i + 1)
    # A second round in the other order, on the same connections: each was parked and
    # comes back when its next request arrives.
    for i, c in enumerate(reversed(conns)):
        ask(c, n + i + 1)
    # And a new connection is still accepted while all of them sit idle.
    ask(connect(), 2 * n + 1)


def test_silent_and_closed_connections_hold_no_thread(status_sock):
    connect, threads = status_sock
    silent = [connect() for _ in range(3 * threads)]  # connected, never send anything
    for i in range(2 * threads):  # a request sent, the answer not read, the peer gone
        c = connect()
        c.sendall(request(HEALTH, req_id=i + 1))
        c.close()
    for i in range(2 * threads):  # an idle kept connection that the peer closes
        c = connect()
        ask(c, 100 + i)
        c.close()
    t0 = time.monotonic()
    for i in range(threads + 2):
        ask(connect(), 200 + i)
    assert time.monotonic() - t0 < 5
    assert len(silent) == 3 * threads


@pytest.mark.parametrize("ctype,size,status,kept", [
    ("text/plain", 3000, 415, True),            # refused before the body is read
    ("application/json", 20000, 413, True),     # over the route's 4 KiB cap: never read
    ("application/json", 1 << 20, 413, False),  # as much as nginx lets through: not kept
    ("application/json", 3000, 400, True),      # read, and not JSON
])
def test_an_unread_body_never_spoils_the_next_request_on_a_kept_connection(
        status_sock, ctype, size, status, kept):
    """nginx sends its next request on the same connection once it has the answer. A body
    the service answered without reading is read and dropped first (up to 64 KiB), or the
    connection is closed after the answer; it is never taken for the next request (which
    libfcgi would refuse, closing the connection with that request in it)."""
    connect, _ = status_sock
    c = connect()
    c.sendall(request("/api/v1/status", method="POST", body=b"x" * size, ctype=ctype))
    got, _ = read_answer(c)
    assert got == status
    if kept:
        ask(c, 2)  # the same connection answers its next requests
        ask(c, 3)
    else:
        assert c.recv(1) == b""  # closed once answered: nginx opens another


def test_a_connection_not_kept_is_closed_after_its_answer(status_sock):
    connect, _ = status_sock
    c = connect()
    ask(c, 1, keep=False)
    assert c.recv(1) == b""  # closed by the service once the request was answered


def test_parallel_requests_on_kept_connections(status_sock):
    connect, threads = status_sock
    conns = [connect() for _ in range(4 * threads)]

    def work(i):
        for k in range(10):
            ask(conns[i], 1000 * (i + 1) + k)
        return i

    with concurrent.futures.ThreadPoolExecutor(len(conns)) as pool:
        assert sorted(pool.map(work, range(len(conns)))) == list(range(len(conns)))


def test_a_restarted_service_behind_kept_connections_loses_no_request(stack, base_url):
    url = f"{base_url}{HEALTH}"

    def one(_):
        # each from its own address (a trusted proxy names it): nginx's per-address
        # backstop limit must not answer for the service
        return requests.get(url, headers={"X-Forwarded-For": ip()}, timeout=10).status_code

    def burst():
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            return list(pool.map(one, range(64)))

    assert burst() == [200] * 64  # nginx now keeps connections to the service
    stack.stop("status")
    stack.start("status")
    # nginx learns that its kept connections closed when the old process exits, and
    # opens new ones: no request fails on a stale connection.
    assert burst() == [200] * 64
