# SPDX-License-Identifier: MIT
"""Fixtures shared by the integration tests.

The tests run against the private stack that tests/run.sh started (its
environment is in $BIMER_VAR_DIR/env, default var/test/env); they never
start servers of their own, so one stack serves the whole run.
"""
import os
import pathlib
import subprocess
import sys

import pytest
import requests

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import openapi_check  # noqa: E402


def _read_env():
    var = os.environ.get("BIMER_VAR_DIR", str(ROOT / "var" / "test"))
    path = pathlib.Path(var) / "env"
    if not path.exists():
        pytest.exit(f"{path} is missing: run the integration tests through `make test`", 2)
    env = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line.startswith("export "):
            line = line[len("export "):]
        if "=" in line and not line.startswith("#"):
            k, v = line.split("=", 1)
            if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
                v = v[1:-1]
            env[k] = v
    return env


@pytest.fixture(scope="session")
def stack_env():
    return _read_env()


@pytest.fixture(scope="session")
def base_url(stack_env):
    return f"http://127.0.0.1:{stack_env['BIMER_HTTP_PORT']}"


class Stack:
    """Start, stop or kill one component of the test stack (deploy/local/stack.sh)."""

    def __init__(self, env):
        self.env = dict(os.environ)
        self.env.update(env)

    def _run(self, verb, component):
        subprocess.run([str(ROOT / "deploy/local/stack.sh"), verb, component],
                       env=self.env, check=True, cwd=ROOT, timeout=120)

    def start(self, component):
        self._run("start", component)

    def stop(self, component):
        self._run("stop", component)

    def kill(self, component):
        self._run("kill", component)


@pytest.fixture(scope="session")
def stack(stack_env):
    return Stack(stack_env)


class Api:
    """A requests session bound to the stack that checks every response
    against api-spec/openapi.yaml before the test sees it."""

    def __init__(self, base):
        self.base = base
        self.http = requests.Session()

    def request(self, method, path, check=True, **kw):
        kw.setdefault("timeout", 15)
        resp = self.http.request(method, self.base + path, **kw)
        if check:
            openapi_check.check_response(method, path.split("?")[0], resp)
        return resp

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)


@pytest.fixture(scope="session")
def api(base_url):
    return Api(base_url)
