# SPDX-License-Identifier: MIT
"""Runs last: no log of the test run holds an ID number (11 digits), the
demo password, a JWT or a secret key. Every test above has already pushed
ID numbers, passwords and tracking codes through the stack."""
import pathlib
import re

ELEVEN = re.compile(rb"(?<![0-9])[0-9]{11}(?![0-9])")
JWT = re.compile(rb"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.")


def test_no_secrets_in_logs(stack_env):
    logs = sorted(pathlib.Path(stack_env["BIMER_LOG_DIR"]).glob("*.log"))
    assert logs, "no logs found"
    secrets = [stack_env.get("BIMER_DEMO_PASSWORD", "Demo.Parola.2026").encode(),
               stack_env["BIMER_DB_PASSWORD"].encode()]
    for key in ("BIMER_DATA_KEY_FILE", "BIMER_HMAC_KEY_FILE"):
        secrets.append(pathlib.Path(stack_env[key]).read_bytes().strip())
    for log in logs:
        data = log.read_bytes()
        m = ELEVEN.search(data)
        assert not m, f"{log.name}: an 11-digit number: ...{data[max(0, m.start() - 60):m.end()]!r}"
        assert not JWT.search(data), f"{log.name}: a JWT"
        for s in secrets:
            assert s not in data, f"{log.name}: a secret"
