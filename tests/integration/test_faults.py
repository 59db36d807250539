# SPDX-License-Identifier: MIT
"""Dependencies going away and coming back: every health check answers 503
naming what fails, and 200 again once it is back, with no service
restarted. Public status reads keep working while Redis is down (the local
fallback limit). Submissions while MariaDB is down write nothing, and the intake
writers resume by themselves."""
import concurrent.futures

import pytest

from citizen import petition, sql, wait_for
from test_citizen import ip, submit
from test_intake_batch import counters
from test_foundation import SERVICES, stored_application  # noqa: F401 (fixture)


def health(api, svc):
    r = api.get(f"/api/v1/{svc}/health")
    return r.status_code, r.json()


@pytest.mark.parametrize("component,check", [("redis", "redis"), ("mariadb", "db")])
def test_dependency_down_then_back(api, stack, component, check):
    other = "db" if check == "redis" else "redis"
    stack.stop(component)
    try:
        for svc in SERVICES:
            status, body = health(api, svc)
            assert status == 503, (svc, body)
            assert body["status"] == "fail"
            assert body["checks"][check] == "fail"
            assert body["checks"][other] == "ok"
    finally:
        stack.start(component)
    for svc in SERVICES:
        wait_for(f"{svc} to recover after {component} came back",
                 lambda s=svc: health(api, s)[0] == 200)


def test_status_reads_survive_redis_down(api, stack, stored_application):  # noqa: F811
    a = stored_application
    stack.stop("redis")
    try:
        r = api.post("/api/v1/status", json={"tc_kimlik_no": a["tckn"],
                                             "application_no": a["no"]})
        assert r.status_code == 200, r.text
        miss = api.post("/api/v1/status", json={"tc_kimlik_no": a["tckn"],
                                                "application_no": "1999-0000000-0"})
        assert miss.status_code == 404
    finally:
        stack.start("redis")
    wait_for("the status service to recover", lambda: health(api, "status")[0] == 200)


def test_database_down_answers_503_problem_not_500(api, stack, stored_application):  # noqa: F811
    a = stored_application
    stack.stop("mariadb")
    try:
        r = api.post("/api/v1/status", json={"tc_kimlik_no": a["tckn"],
                                             "application_no": a["no"]})
        assert r.status_code == 503
        assert r.headers["Content-Type"].startswith("application/problem+json")
        assert r.json()["code"] == "SERVICE_UNAVAILABLE"
        r = api.get("/api/v1/institutions")
        assert r.status_code == 503
    finally:
        stack.start("mariadb")
    wait_for("the institution list to answer again",
             lambda: api.get("/api/v1/institutions").status_code == 200)


def test_submissions_while_mariadb_is_down_write_nothing_then_resume(api, stack, stack_env):
    """The batched intake's writers (services/submission/batch.h) with MariaDB gone: each
    application answers 503 as a problem, none is half-written, and once MariaDB is back
    the writers reconnect by themselves and concurrent applications are written again."""
    down = [petition() for _ in range(6)]
    stack.stop("mariadb")
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
            got = list(pool.map(lambda b: submit(api, b, headers={"X-Forwarded-For": ip()}),
                                down))
        assert [r.status_code for r in got] == [503] * 6, [r.text for r in got]
        assert all(r.headers["Content-Type"].startswith("application/problem+json")
                   for r in got)
    finally:
        stack.start("mariadb")
    wait_for("the submission service to recover", lambda: health(api, "submission")[0] == 200)
    emails = ", ".join(f"'{b['applicant']['email']}'" for b in down)
    assert sql(stack_env, "SELECT COUNT(*) FROM applications WHERE applicant_email IN "
               f"({emails})") == [["0"]]
    assert sql(stack_env, f"SELECT COUNT(*) FROM outbox WHERE recipient IN ({emails})") == [["0"]]
    before = counters(stack_env)
    again = [petition() for _ in range(6)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        got = list(pool.map(lambda b: submit(api, b, headers={"X-Forwarded-For": ip()}), again))
    assert [r.status_code for r in got] == [202] * 6, [r.text for r in got]
    _, batched, alone = (a - b for a, b in zip(counters(stack_env), before))
    assert (batched, alone) == (6, 0)  # written by the writers, not handed back
