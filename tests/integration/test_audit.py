# SPDX-License-Identifier: MIT
"""The audit hash chain (issue 4 item 8): every event of an application
links to the one before; bimer-audit verifies the chains and, when a stored
event is altered (even by someone able to lift the append-only trigger),
fails and names the event."""
import contextlib
import os
import subprocess

from citizen import petition, sql, sql_script
from staff import bearer, token_for


def audit(env, *numbers):
    run_env = {"PATH": "/usr/bin:/bin", "ASAN_OPTIONS": env.get("ASAN_OPTIONS", ""),
               **{k: v for k, v in env.items() if k.startswith("BIMER_")}}
    return subprocess.run([os.path.join(env["BIMER_BIN_DIR"], "bimer-audit"), *numbers],
                          env=run_env, capture_output=True, text=True, timeout=60)


def unescape_batch(value):
    """A value as the client's batch mode printed it (newline as \\n, tab as \\t ...)."""
    out, i = [], 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value):
            out.append({"n": "\n", "t": "\t", "0": "\0", "\\": "\\"}.get(value[i + 1],
                                                                         value[i + 1]))
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


@contextlib.contextmanager
def trigger_lifted(env):
    """The append-only trigger dropped for the block, as someone able to lift it would, and
    put back exactly as it was afterwards (checked)."""
    trigger = unescape_batch(sql(
        env, "SELECT ACTION_STATEMENT FROM information_schema.TRIGGERS WHERE "
        "TRIGGER_NAME = 'tr_application_events_no_update'")[0][0])
    sql(env, "DROP TRIGGER tr_application_events_no_update")
    try:
        yield
    finally:
        sql_script(env, "DELIMITER $$\nCREATE TRIGGER tr_application_events_no_update "
                   f"BEFORE UPDATE ON application_events FOR EACH ROW {trigger}$$\n")
    assert sql(env, "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE "
               "TRIGGER_NAME = 'tr_application_events_no_update'") == [["1"]]


def keyed_in(api, env):
    body = petition()
    body["channel"] = "letter"
    r = api.post("/api/v1/staff/applications", json=body,
                 headers=bearer(token_for(api, env, "merkez.operator")))
    assert r.status_code == 201, r.text
    no = r.json()["application_no"]
    c = api.post(f"/api/v1/applications/{no}/cancel",
                 json={"tracking_code": r.json()["tracking_code"], "reason": "Vazgeçtim"})
    assert c.status_code == 200
    return no


def test_chain_verifies_then_names_the_altered_event(api, stack_env):
    no = keyed_in(api, stack_env)
    events = sql(stack_env, "SELECT e.id, HEX(e.prev_hash), HEX(e.hash) FROM "
                 "application_events e JOIN applications a ON a.id = e.application_id WHERE "
                 f"a.application_no = '{no}' ORDER BY e.id")
    assert len(events) == 2
    assert events[0][1] == "NULL" and events[1][1] == events[0][2]  # linked
    ok = audit(stack_env, no)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "0 broken" in ok.stdout
    # the append-only trigger refuses an update ...
    refused = subprocess.run(
        ["mariadb", "-h", "127.0.0.1", "-P", stack_env["BIMER_DB_PORT"], "-u",
         stack_env["BIMER_DB_USER"], stack_env["BIMER_DB_NAME"], "-e",
         f"UPDATE application_events SET note = 'x' WHERE id = {events[0][0]}"],
        env={"PATH": "/usr/bin:/bin", "MYSQL_PWD": stack_env["BIMER_DB_PASSWORD"]},
        capture_output=True, text=True, timeout=30)
    assert refused.returncode != 0
    # ... so lift it, alter the first event, and put it back
    with trigger_lifted(stack_env):
        sql(stack_env, "UPDATE application_events SET note = 'değiştirildi' "
            f"WHERE id = {events[0][0]}")
    bad = audit(stack_env, no)
    assert bad.returncode == 1
    assert f"event {events[0][0]} of application {no}" in bad.stdout
    assert "altered" in bad.stdout
