# SPDX-License-Identifier: MIT
"""Dependencies going away and coming back: every health check answers 503
naming what fails, and 200 again once it is back, with no service
restarted. Public status reads keep working while Redis is down (the local
fallback limit)."""
import time

import pytest

from test_foundation import SERVICES, stored_application  # noqa: F401 (fixture)


def wait_for(fn, timeout=30):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(0.3)
    return last


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
        ok = wait_for(lambda s=svc: health(api, s)[0] == 200)
        assert ok, f"{svc} did not recover after {component} came back"


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
    assert wait_for(lambda: health(api, "status")[0] == 200)


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
    assert wait_for(lambda: api.get("/api/v1/institutions").status_code == 200)
