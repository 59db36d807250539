# SPDX-License-Identifier: MIT
"""Helpers for the citizen-flow tests: valid ID numbers, application bodies,
the mail sink and direct SQL (for checks the API must not offer)."""
import email
import email.policy
import os
import pathlib
import random
import re
import subprocess
import time

import pytest


def tckn(first="1", foreign=False):
    """A random valid T.C. kimlik no (rules.md W3); YKN (99…) when foreign."""
    d = [int(c) for c in ("99" if foreign else first)]
    while len(d) < 9:
        d.append(random.randint(0, 9))
    d.append(((d[0] + d[2] + d[4] + d[6] + d[8]) * 7 - (d[1] + d[3] + d[5] + d[7])) % 10)
    d.append(sum(d) % 10)
    return "".join(map(str, d))


def petition(**over):
    body = {
        "type": "dilekce",
        "category": "sikayet",
        "subject": "Okul servis aracı güvenliği",
        "body": "Çocuğumun okul servis aracında emniyet kemeri bulunmuyor, gereğini rica ederim.",
        "province_code": "06",
        "applicant": {
            "tc_kimlik_no": tckn(),
            "first_name": "Ayşe",
            "last_name": "Yılmaz",
            "email": f"ayse.{random.randrange(10**9)}@example.com.tr",
            "address": "Kızılay Mah. Atatürk Bulvarı No:1 Çankaya/Ankara",
        },
    }
    for k, v in over.items():
        if v is None:
            body.pop(k, None)
        else:
            body[k] = v
    return body


def information_request(**over):
    b = petition(type="bilgi_edinme", category=None,
                 subject="2025 yılı aşı istatistikleri",
                 body="2025 yılında Ankara ilinde uygulanan aşı sayılarının aylara göre dağılımı.",
                 target_institution_code="SAGLIK")
    b.update(over)
    return b


def mails_to(env, address, timeout=20, count=1):
    """Messages the sink received for address (waits until count arrived)."""
    box = pathlib.Path(env["BIMER_MAIL_DIR"])
    deadline = time.time() + timeout
    found = []
    while time.time() < deadline:
        found = []
        for f in sorted(box.glob("*.eml")):
            msg = email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
            if address in str(msg["To"]):
                found.append(msg)
        if len(found) >= count:
            return found
        time.sleep(0.2)
    raise AssertionError(f"{len(found)} of {count} mails to {address} within {timeout}s")


def text_of(msg):
    return msg.get_body(preferencelist=("plain",)).get_content()


def html_of(msg):
    return msg.get_body(preferencelist=("html",)).get_content()


def token_from(msg):
    m = re.search(r"token=([A-Za-z0-9_-]+)", text_of(msg))
    assert m, text_of(msg)
    return m.group(1)


def db_address(env):
    """Client options reaching MariaDB the way the services do: over the Unix socket
    the local runner sets (the same account, bimer@localhost, so the processlist shows
    the services' statements), else over TCP."""
    if env.get("BIMER_DB_SOCKET"):
        return ["--socket", env["BIMER_DB_SOCKET"]]
    return ["-h", "127.0.0.1", "-P", env["BIMER_DB_PORT"]]


def sql(env, statement):
    out = subprocess.run(
        ["mariadb", "--default-character-set=utf8mb4", *db_address(env),
         "-u", env["BIMER_DB_USER"], env["BIMER_DB_NAME"], "-N", "-B", "-e", statement],
        env={"PATH": "/usr/bin:/bin", "MYSQL_PWD": env["BIMER_DB_PASSWORD"]},
        check=True, capture_output=True, text=True, timeout=30)
    return [line.split("\t") for line in out.stdout.splitlines()]


def sql_script(env, script):
    """Run a script through the client's standard input, where DELIMITER works (triggers
    with compound bodies); fails the test on an error."""
    subprocess.run(
        ["mariadb", "--default-character-set=utf8mb4", *db_address(env),
         "-u", env["BIMER_DB_USER"], env["BIMER_DB_NAME"]], input=script,
        env={"PATH": "/usr/bin:/bin", "MYSQL_PWD": env["BIMER_DB_PASSWORD"]},
        check=True, capture_output=True, text=True, timeout=30)


def count(env, where="1=1"):
    return int(sql(env, f"SELECT COUNT(*) FROM applications WHERE {where}")[0][0])


def as_service_logs(text):
    """A request id or a digest's prefix as a service writes it in its log: bm_log_scrub
    masks every run of 11 or more digits whole (nginx's access log masks 11 at a time, see
    test_stack)."""
    return re.sub(r"[0-9]{11,}", lambda m: "*" * len(m.group()), text)


def wait_for(what, fn, timeout=30, step=0.05):
    """fn()'s first truthy value, asked every step seconds; the test fails, naming what it
    waited for, when none comes within timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        got = fn()
        if got:
            return got
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(step)
