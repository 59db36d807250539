# SPDX-License-Identifier: MIT
"""The status answer cache (common/bm_stcache.c) serves repeated look-ups from Redis
and never serves an answer from before a change.

To see which answer is served, the test overwrites the cached entry in Redis with a
recognisable status: a look-up that returns it was served from the cache; a look-up
after a real change (made by another service: verification, routing, submission)
must show the change instead."""
import concurrent.futures
import hashlib
import hmac
import pathlib
import subprocess

import requests

from citizen import mails_to, petition, sql, tckn, token_from
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


# ---- a miss costs one Redis call (issue 3) ---------------------------------------------
# The cache call counts a miss for a look-up key it does not know at once; a first look-up
# that MariaDB answers after all takes that charge back in the call that stores the answer.

MISS = "1999-0000000-0"


def limit_of(env, name, default):
    return int((env.get(name) or default).split("/")[0])


def id_key(env, who):
    """The per-ID limit key of the status look-up (bm_limit_key_hash: 16 bytes of the HMAC)."""
    key = bytes.fromhex(pathlib.Path(env["BIMER_HMAC_KEY_FILE"]).read_text().strip())
    return "rl:status:id:" + hmac.new(key, who.encode(), hashlib.sha256).hexdigest()[:32]


def zcard(env, key):
    return int(redis(env, "ZCARD", key).split()[-1])


def evals(env):
    """(EVALSHA, EVAL) calls Redis has run so far (INFO commandstats)."""
    stats = redis(env, "INFO", "commandstats")
    calls = {}
    for line in stats.splitlines():
        name, _, rest = line.strip().partition(":")
        if name in ("cmdstat_evalsha", "cmdstat_eval"):
            calls[name] = int(rest.split("calls=", 1)[1].split(",", 1)[0])
    return calls.get("cmdstat_evalsha", 0), calls.get("cmdstat_eval", 0)


def by_number(base, who, no, ip):
    return requests.post(f"{base}/api/v1/status", json={"tc_kimlik_no": who, "application_no": no},
                         headers={"X-Forwarded-For": ip}, timeout=15)


def submitted(api, env):
    """A fresh application (its verification mail already sent, so the worker is idle)."""
    body = petition()
    r = api.post("/api/v1/applications", json=body, headers={"X-Forwarded-For": client_ip()})
    assert r.status_code == 202, r.text
    mails_to(env, body["applicant"]["email"])
    return body["applicant"]["tc_kimlik_no"], r.json()["application_no"], r.json()["tracking_code"]


def test_misses_are_counted_once_up_to_the_limit(api, stack_env):
    limit = limit_of(stack_env, "BIMER_RL_STATUS_ID", "10/600")
    who, ip = tckn(), client_ip()
    got = [api.post("/api/v1/status", json={"tc_kimlik_no": who, "application_no": MISS},
                    headers={"X-Forwarded-For": ip}) for _ in range(limit + 3)]
    assert [r.status_code for r in got] == [404] * limit + [429] * 3
    assert all(r.json()["code"] == "APPLICATION_NOT_FOUND" for r in got[:limit])
    for r in got[limit:]:
        assert r.json()["code"] == "RATE_LIMITED"
        assert 1 <= int(r.headers["Retry-After"]) <= 600
    # each miss counted once on each key, the refusals not at all
    key = id_key(stack_env, who)
    assert zcard(stack_env, key) == limit
    assert zcard(stack_env, f"rl:status:ip:{ip}") == limit
    assert 0 < int(redis(stack_env, "PTTL", key).split()[-1]) <= 600 * 1000
    # the tracking code's look-up counts on the client address alone
    for n in range(1, 4):
        r = api.get(f"/api/v1/status/{'Q' * 22}", headers={"X-Forwarded-For": ip}, check=False)
        assert r.status_code == 404
        assert zcard(stack_env, f"rl:status:ip:{ip}") == limit + n


def test_first_look_ups_take_their_charge_back(api, base_url, stack_env):
    limit = limit_of(stack_env, "BIMER_RL_STATUS_ID", "10/600")
    who, no, code = submitted(api, stack_env)
    ip = client_ip()
    idk, ipk = id_key(stack_env, who), f"rl:status:ip:{ip}"
    for _ in range(2):
        assert by_number(base_url, who, MISS, ip).status_code == 404
    assert (zcard(stack_env, idk), zcard(stack_env, ipk)) == (2, 2)
    # the first look-ups are unknown to the cache (charged, then found): the limits are
    # left as they were, by number and by tracking code
    r = by_number(base_url, who, no, ip)
    assert r.status_code == 200 and r.json()["application_no"] == no
    assert (zcard(stack_env, idk), zcard(stack_env, ipk)) == (2, 2)
    r = requests.get(f"{base_url}/api/v1/status/{code}", headers={"X-Forwarded-For": ip},
                     timeout=15)
    assert r.status_code == 200 and r.json()["application_no"] == no
    assert (zcard(stack_env, idk), zcard(stack_env, ipk)) == (2, 2)
    for _ in range(3):  # known, then cached: never counted either
        assert by_number(base_url, who, no, ip).status_code == 200
    assert (zcard(stack_env, idk), zcard(stack_env, ipk)) == (2, 2)
    # so the rest of the budget is still there for misses, then 429 even for the hit
    got = [by_number(base_url, who, MISS, ip).status_code for _ in range(limit - 2)]
    assert got == [404] * (limit - 2)
    assert by_number(base_url, who, no, ip).status_code == 429


def test_parallel_misses_for_one_id_number(stack_env, base_url):
    limit = limit_of(stack_env, "BIMER_RL_STATUS_ID", "10/600")
    who = tckn()
    with concurrent.futures.ThreadPoolExecutor(max_workers=4 * limit) as pool:
        got = list(pool.map(lambda _: by_number(base_url, who, MISS, client_ip()),
                            range(4 * limit)))
    codes = sorted(r.status_code for r in got)
    assert codes == [404] * limit + [429] * (3 * limit)
    assert all(int(r.headers["Retry-After"]) >= 1 for r in got if r.status_code == 429)
    assert zcard(stack_env, id_key(stack_env, who)) == limit


def test_a_miss_costs_one_redis_call_and_a_cached_hit_one(api, base_url, stack_env):
    who, no, code = submitted(api, stack_env)
    ip = client_ip()
    assert by_number(base_url, tckn(), MISS, ip).status_code == 404  # scripts loaded
    before = evals(stack_env)
    for _ in range(10):  # each from its own ID number: all misses, none refused
        assert by_number(base_url, tckn(), MISS, ip).status_code == 404
    after = evals(stack_env)
    assert (after[0] - before[0], after[1] - before[1]) == (10, 0)
    # a first look-up: the cache call, then the one that stores the key (and refunds)
    assert by_number(base_url, who, no, ip).status_code == 200
    first = evals(stack_env)
    assert (first[0] - after[0], first[1] - after[1]) == (2, 0)
    assert by_number(base_url, who, no, ip).status_code == 200  # stores the answer
    warm = evals(stack_env)
    for _ in range(5):
        assert by_number(base_url, who, no, ip).status_code == 200
    cached = evals(stack_env)
    assert (cached[0] - warm[0], cached[1] - warm[1]) == (5, 0)
