# SPDX-License-Identifier: MIT
"""Helpers for staff-side tests: log in as a demo account."""
import random

DEMO_USERS = ["merkez.operator", "ankara.operator", "ankara.meb", "cankaya.kaymakamlik",
              "saglik.bakanlik", "etik.kurul", "bedk.uye"]


def client_ip():
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


def login(api, env, username, password=None):
    password = password or env.get("BIMER_DEMO_PASSWORD", "Demo.Parola.2026")
    r = api.post("/api/v1/auth/login", json={"username": username, "password": password},
                 headers={"X-Forwarded-For": client_ip()})
    assert r.status_code == 200, r.text
    return r.json()


def bearer(token):
    return {"Authorization": f"Bearer {token}", "X-Forwarded-For": client_ip()}


_tokens = {}


def token_for(api, env, username):
    """An access token for a demo user, reused within the run (logins are slow: argon2id)."""
    if username not in _tokens:
        _tokens[username] = login(api, env, username)["access_token"]
    return _tokens[username]
