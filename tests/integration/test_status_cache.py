# SPDX-License-Identifier: MIT
"""The status answer cache (common/bm_stcache.c) serves repeated look-ups from Redis
and never serves an answer from before a change.

To see which answer is served, the test overwrites the cached entry in Redis with a
recognisable status: a look-up that returns it was served from the cache; a look-up
after a real change (made by another service: verification, routing, submission)
must show the change instead."""
import subprocess

import requests

from citizen import mails_to, petition, sql, token_from
from staff import bearer, client_ip, token_for


def redis(env, *args):
    out = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", env["BIMER_REDIS_PORT"],
                          "--no-raw", *args], check=True, capture_output=True, text=True,
                         timeout=10)
    return out.stdout.strip()


def raw_get(env, *args):
    out = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", env["BIMER_REDIS_PORT"],
                          "--raw", "GET", *args], check=True, capture_output=True,
                         text=True, timeout=10)
    return out.stdout.rstrip("\n")


def app_id(env, no):
    return sql(env, f"SELECT id FROM applications WHERE application_no = '{no}'")[0][0]


def look_up(base, body):
    # plain requests: the tampered answers below are not the contract's to check
    r = requests.post(f"{base}/api/v1/status", json=body,
                      headers={"X-Forwarded-For": client_ip()}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def tamper(env, aid, status):
    """Rewrite the cached answer of application aid to claim status."""
    entry = raw_get(env, f"bimer:sc:{aid}")
    assert entry, "nothing cached after repeated look-ups"
    gen, answer = entry.split("|", 1)
    status_now = answer.split('"status":"', 1)[1].split('"', 1)[0]
    forged = answer.replace(f'"status":"{status_now}"', f'"status":"{status}"', 1)
    subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", env["BIMER_REDIS_PORT"], "SET",
                    f"bimer:sc:{aid}", f"{gen}|{forged}", "EX", "600"], check=True,
                   capture_output=True, timeout=10)


def test_cached_answers_are_served_until_the_application_changes(api, base_url, stack_env):
    body = petition()
    r = api.post("/api/v1/applications", json=body, headers={"X-Forwarded-For": client_ip()})
    assert r.status_code == 202, r.text
    no, code = r.json()["application_no"], r.json()["tracking_code"]
    aid = app_id(stack_env, no)
    ask = {"tc_kimlik_no": body["applicant"]["tc_kimlik_no"], "application_no": no}

    # 1st look-up learns the id, 2nd caches the answer, 3rd is served from Redis
    first = [look_up(base_url, ask) for _ in range(3)]
    assert all(a == first[0] for a in first) and first[0]["status"] == "awaiting_verification"
    cached = raw_get(stack_env, f"bimer:sc:{aid}")
    assert cached.split("|", 1)[1] == requests.post(
        f"{base_url}/api/v1/status", json=ask, headers={"X-Forwarded-For": client_ip()},
        timeout=10).text  # the cached text is exactly the answer
    tamper(stack_env, aid, "expired")
    assert look_up(base_url, ask)["status"] == "expired"  # served from the cache
    # the same entry answers the tracking code's look-up (keyed by the application): the
    # first one learns the code's application from MariaDB, the second is the cached entry
    r = requests.get(f"{base_url}/api/v1/status/{code}", timeout=10)
    assert r.status_code == 200 and r.json()["status"] == "awaiting_verification"
    r = requests.get(f"{base_url}/api/v1/status/{code}", timeout=10)
    assert r.status_code == 200 and r.json()["status"] == "expired"

    # verification (another service) changes it: the forged entry is never served again
    [mail] = mails_to(stack_env, body["applicant"]["email"])
    assert api.post("/api/v1/verifications",
                    json={"token": token_from(mail)}).status_code == 200
    after = look_up(base_url, ask)
    assert after["status"] == "received"
    assert [e["kind"] for e in after["events"]][-1] == "received"

    # cached again, then routed by an operator (the routing service)
    for _ in range(2):
        look_up(base_url, ask)
    tamper(stack_env, aid, "expired")
    assert look_up(base_url, ask)["status"] == "expired"
    tok = token_for(api, stack_env, "merkez.operator")
    r = api.post(f"/api/v1/applications/{no}/route", json={"institution_code": "IL-MEB-06"},
                 headers=bearer(tok))
    assert r.status_code == 200, r.text
    routed = look_up(base_url, ask)
    assert routed["status"] == "in_progress"
    assert routed["assigned_institution"]["code"] == "IL-MEB-06"

    # a staff read changes nothing the citizen sees: the cache stays valid
    look_up(base_url, ask)
    gen_before = raw_get(stack_env, f"bimer:sg:{aid}")
    assert api.get(f"/api/v1/applications/{no}", headers=bearer(tok)).status_code == 200
    assert raw_get(stack_env, f"bimer:sg:{aid}") == gen_before

    # cancelled by the citizen (the submission service)
    for _ in range(2):
        look_up(base_url, ask)
    tamper(stack_env, aid, "expired")
    r = api.post(f"/api/v1/applications/{no}/cancel", json={"tracking_code": code},
                 headers={"X-Forwarded-For": client_ip()})
    assert r.status_code == 200, r.text
    assert look_up(base_url, ask)["status"] == "cancelled"
    r = requests.get(f"{base_url}/api/v1/status/{code}", timeout=10)
    assert r.json()["status"] == "cancelled"


def test_an_entry_written_under_an_old_generation_is_never_served(base_url, stack_env, api):
    """The race the generations close: an answer read before a change and stored after
    it carries the old generation, so it is refused."""
    body = petition()
    r = api.post("/api/v1/applications", json=body, headers={"X-Forwarded-For": client_ip()})
    no = r.json()["application_no"]
    aid = app_id(stack_env, no)
    ask = {"tc_kimlik_no": body["applicant"]["tc_kimlik_no"], "application_no": no}
    for _ in range(2):
        look_up(base_url, ask)
    tamper(stack_env, aid, "expired")
    assert look_up(base_url, ask)["status"] == "expired"
    redis(stack_env, "INCR", f"bimer:sg:{aid}")  # what a committed change does
    assert look_up(base_url, ask)["status"] == "awaiting_verification"
