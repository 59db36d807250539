# SPDX-License-Identifier: MIT
"""Legal deadlines on chosen dates (rules.md D1, D2, D5, D6), through the
real API with the test stack's clock moved by X-Test-Now. Each expected
date is counted by hand in the comment above it; the business-day
calendar's own unit tests are in tests/unit/test_cal.c."""
import pytest

from citizen import petition
from staff import bearer, token_for


def keyed_in(api, env, when, type_):
    b = petition()
    b["channel"] = "letter"
    if type_ == "bilgi_edinme":
        b["type"] = "bilgi_edinme"
        b.pop("category")
    h = bearer(token_for(api, env, "merkez.operator"))
    h["X-Test-Now"] = when
    r = api.post("/api/v1/staff/applications", json=b, headers=h)
    assert r.status_code == 201, r.text
    return r.json()


CASES = [
    # Petition, 30 calendar days (D1) from the day after receipt; an end on a weekend or
    # holiday moves to the next business day (D6).
    # Fri 2026-05-08 + 30 = Sun 2026-06-07 → Mon 2026-06-08.
    ("2026-05-08T16:00:00+03:00", "dilekce", "2026-06-08"),
    # Tue 2025-05-06 + 30 = Thu 2025-06-05: Kurban arife, a half day — a business day (D6).
    ("2025-05-06T09:00:00+03:00", "dilekce", "2025-06-05"),
    # Wed 2025-05-07 + 30 = Fri 2025-06-06: Kurban Bayramı (6–9 Jun) → Tue 2025-06-10.
    ("2025-05-07T09:00:00+03:00", "dilekce", "2025-06-10"),
    # Sat 2026-02-21 + 30 = Mon 2026-03-23: after Ramazan Bayramı (20–22 Mar), a business day.
    ("2026-02-21T12:00:00+03:00", "dilekce", "2026-03-23"),
    # Fri 2026-02-20 + 30 = Sun 2026-03-22 (bayram, Sunday) → Mon 2026-03-23.
    ("2026-02-20T12:00:00+03:00", "dilekce", "2026-03-23"),
    # Information request, 15 business days (D2) from the day after receipt.
    # Received Fri 2026-03-13 evening: Mon 16 (1) 17 (2) 18 (3) Thu 19 arife half day (4),
    # Fri 20 bayram, Mon 23 (5) … Fri 27 (9), Mon 30 (10) 31 (11), Wed 1 Apr (12) 2 (13)
    # 3 (14), Mon 6 Apr (15).
    ("2026-03-13T21:00:00+03:00", "bilgi_edinme", "2026-04-06"),
    # Received Sat 2025-05-31: Mon 2 Jun (1) … Thu 5 arife (4), 6 and 9 Jun bayram,
    # Tue 10 (5) … Fri 13 (8), Mon 16 (9) … Fri 20 (13), Mon 23 (14), Tue 24 (15).
    ("2025-05-31T10:00:00+03:00", "bilgi_edinme", "2025-06-24"),
    # Received Fri 2025-12-26: Mon 29 (1) 30 (2) 31 (3), 1 Jan holiday, Fri 2 (4),
    # Mon 5 (5) … Fri 9 (9), Mon 12 (10) … Fri 16 (14), Mon 2026-01-19 (15).
    ("2025-12-26T15:00:00+03:00", "bilgi_edinme", "2026-01-19"),
    # Receipt is the Istanbul date: 23:30 UTC on the 12th is already Fri 2026-03-13 there.
    ("2026-03-12T23:30:00+00:00", "bilgi_edinme", "2026-04-06"),
]


@pytest.mark.parametrize("when,type_,due_day", CASES)
def test_due_dates(api, stack_env, when, type_, due_day):
    out = keyed_in(api, stack_env, when, type_)
    assert out["due_at"] == f"{due_day}T23:59:59+03:00"
