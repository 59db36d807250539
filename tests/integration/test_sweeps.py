# SPDX-License-Identifier: MIT
"""The worker's deadline sweeps (issue 4 item 6, rules.md D4 and D6) on the real stack:
deemed rejection after the silence period with its event and the citizen's mail, the
`overdue` event, the reminder to the holding institution, all of it once per application
(once per round: a reopened application starts again) even with two workers sweeping at
once.

Applications are keyed in through the staff intake API with the test clock
(BIMER_TEST_CLOCK=1: `X-Test-Now` makes received_at that moment and due_at follows from
it), or moved with SQL where only the state matters. The worker itself runs in real time,
so received_at is put far enough in the past that the boundary has been crossed. Expected
dates are counted by hand in comments, or with the same D6 rules over the stack's own
`holidays` table where they depend on today.

The test stack's own worker runs with the sweeps off (BIMER_DEADLINE_SWEEP_MS=0): the
other suites key in applications on moved clocks, in the past, and act on them later, and
a real-time sweep would deem them rejected in between. So this module starts a sweeping
worker of its own (same binary, same environment, BIMER_DEADLINE_SWEEP_MS=SWEEP_MS) for its
duration; should the stack's worker sweep too, nothing changes, since several workers may
sweep at once (the last test checks exactly that)."""
import datetime
import hashlib
import json
import os
import pathlib
import secrets
import signal
import subprocess
import time

import pytest

from citizen import html_of, mails_to, petition, sql, text_of, wait_for
from staff import bearer, client_ip, token_for

IST = datetime.timezone(datetime.timedelta(hours=3))
SWEEP_MS = 200  # the pace of this module's own sweeping workers


# ------------------------------------------------------------------ settings, workers, calendar


class Settings:
    def __init__(self, env):
        self.sweep_s = SWEEP_MS / 1000
        self.tick_s = int(env.get("BIMER_WORKER_TICK_MS") or 500) / 1000
        self.deemed_days = int(env.get("BIMER_DEEMED_REJECTION_DAYS") or 30)
        self.reminder_days = int(env.get("BIMER_REMINDER_DAYS") or 2)
        # a few sweeps, with room for a slow sanitizer build
        self.wait_s = 15 + 3 * self.sweep_s
        self.settle_s = max(1.0, 4 * self.sweep_s + 2 * self.tick_s)


@pytest.fixture(scope="module")
def cfg(stack_env):
    return Settings(stack_env)


def start_worker(env, name):
    """Another bimer-worker on the stack, sweeping at SWEEP_MS; its log beside the others."""
    run_env = {k: v for k, v in os.environ.items() if not k.startswith("BIMER_")}
    run_env.update(env)
    run_env["BIMER_DEADLINE_SWEEP_MS"] = str(SWEEP_MS)
    with open(pathlib.Path(env["BIMER_LOG_DIR"], f"{name}.log"), "ab") as log:
        return subprocess.Popen([str(pathlib.Path(env["BIMER_BIN_DIR"], "bimer-worker"))],
                                env=run_env, stdin=subprocess.DEVNULL, stdout=log, stderr=log)


def stop_workers(workers):
    """SIGTERM each, and every one must stop cleanly."""
    for w in workers:
        w.send_signal(signal.SIGTERM)
    return [w.wait(timeout=30) for w in workers]


class Sweeper:
    """This module's sweeping worker; the last test stops and restarts it."""

    def __init__(self, env):
        self.env = env
        self.proc = None

    def start(self):
        self.proc = start_worker(self.env, "worker-sweeps")

    def stop(self):
        assert self.proc.poll() is None, "the sweeping worker died"
        assert stop_workers([self.proc]) == [0]


@pytest.fixture(scope="module", autouse=True)
def sweeper(stack_env):
    s = Sweeper(stack_env)
    s.start()
    yield s
    s.stop()


class Calendar:
    """rules.md D6 over the stack's holidays table: business days are Monday to Friday
    except full holidays (half days, arife and 28 Ekim afternoon, are business days)."""

    def __init__(self, env):
        self.full = {datetime.date.fromisoformat(d)
                     for d, half in sql(env, "SELECT day, half_day FROM holidays") if half == "0"}

    def business(self, day):
        return day.weekday() < 5 and day not in self.full

    def add_days(self, event, n):
        day = event + datetime.timedelta(days=n)
        while not self.business(day):
            day += datetime.timedelta(days=1)
        return day

    def add_business_days(self, event, n):
        day = event
        while n > 0:
            day += datetime.timedelta(days=1)
            n -= self.business(day)
        return day


@pytest.fixture(scope="module")
def cal(stack_env):
    return Calendar(stack_env)


def end_of(day):
    return datetime.datetime.combine(day, datetime.time(23, 59, 59), IST)


def iso(moment):
    return moment.astimezone(IST).isoformat(timespec="seconds")


def ist_now():
    return datetime.datetime.now(IST)


def away_from_midnight():
    """Tests that count from today must not straddle Istanbul's midnight."""
    now = ist_now()
    if now.hour == 23 and now.minute >= 58:
        time.sleep((60 - now.minute) * 60 - now.second + 5)


# ------------------------------------------------------------------ applications


def keyed_in(api, env, when, type_="dilekce", **over):
    """An application keyed in by the central operator, received at `when` (test clock)."""
    body = petition(**over)
    body["channel"] = "letter"
    if type_ == "bilgi_edinme":
        body["type"] = "bilgi_edinme"
        body.pop("category", None)
        body.pop("identity_hidden", None)
    h = bearer(token_for(api, env, "merkez.operator"))
    h["X-Test-Now"] = iso(when)
    r = api.post("/api/v1/staff/applications", json=body, headers=h)
    assert r.status_code == 201, r.text
    out = r.json()
    out["body"] = body
    out["id"] = int(sql(env, "SELECT id FROM applications WHERE application_no = "
                             f"'{out['application_no']}'")[0][0])
    return out


def days_ago(n, hour=10):
    day = (ist_now() - datetime.timedelta(days=n)).date()
    return datetime.datetime.combine(day, datetime.time(hour, 0), IST)


def status_of(env, app):
    return sql(env, f"SELECT status FROM applications WHERE id = {app['id']}")[0][0]


def events(env, app):
    """[(kind, data or None)] of an application, in order."""
    rows = sql(env, "SELECT kind, IFNULL(data, '') FROM application_events "
                    f"WHERE application_id = {app['id']} ORDER BY id")
    return [(k, json.loads(d) if d else None) for k, d in rows]


def kinds(env, app):
    return [k for k, _ in events(env, app)]


def outbox(env, app, kind):
    return [r[0] for r in sql(env, "SELECT recipient FROM outbox WHERE application_id = "
                                   f"{app['id']} AND kind = '{kind}' ORDER BY id")]




def wait_status(env, app, want, cfg):
    wait_for(f"{app['application_no']} to be {want}", lambda: status_of(env, app) == want,
             cfg.wait_s)


def db_moment(env, app, column):
    """A DATETIME column of the application as an aware datetime (stored in UTC)."""
    v = sql(env, f"SELECT DATE_FORMAT({column}, '%Y-%m-%dT%H:%i:%s+00:00') FROM applications "
                 f"WHERE id = {app['id']}")[0][0]
    return datetime.datetime.fromisoformat(v)


def look_up(api, app):
    r = api.post("/api/v1/status", json={"tc_kimlik_no": app["body"]["applicant"]["tc_kimlik_no"],
                                         "application_no": app["application_no"]},
                 headers={"X-Forwarded-For": client_ip()})
    assert r.status_code == 200, r.text
    return r.json()


def deemed_mails(env, app):
    return [m for m in mails_to(env, app["body"]["applicant"]["email"], count=2)
            if "reddedilmiş sayıldı" in str(m["Subject"])]


# ------------------------------------------------------------------ deemed rejection (D4)


@pytest.mark.parametrize("type_", ["dilekce", "bilgi_edinme"])
def test_silence_past_the_period_is_deemed_rejected_with_event_and_mail(api, stack_env, cfg,
                                                                         cal, type_):
    received = days_ago(cfg.deemed_days + 10)
    app = keyed_in(api, stack_env, received, type_)
    wait_status(stack_env, app, "deemed_rejected", cfg)

    assert sql(stack_env, f"SELECT closed_at IS NOT NULL FROM applications "
                          f"WHERE id = {app['id']}") == [["1"]]
    evs = events(stack_env, app)
    assert [k for k, _ in evs] == ["received", "overdue", "deemed_rejected"], evs
    # The period: deemed_days calendar days from the day after receipt (D6), to the end
    # of its last day, moved to the next business day.
    end = end_of(cal.add_days(received.date(), cfg.deemed_days))
    due = db_moment(stack_env, app, "due_at")
    assert evs[1][1] == {"due_at": iso(due)}
    assert evs[2][1] == {"period_days": cfg.deemed_days, "period_end": iso(end),
                         "basis": "d4", "from": "received", "due_at": iso(due)}
    assert due <= end

    [mail] = deemed_mails(stack_env, app)
    text, html = text_of(mail), html_of(mail)
    assert app["application_no"] in str(mail["Subject"]) and app["application_no"] in text
    assert "Ayşe Yılmaz" in text  # the citizen's own mail
    if type_ == "bilgi_edinme":  # rules.md A1/A2: the route to BEDK
        for part in (text, html):
            assert "Bilgi Edinme Değerlendirme Kurulu" in part and "15 gün" in part
    else:
        assert "Değerlendirme Kurulu" not in text and "İdari yargı" in text
    assert outbox(stack_env, app, "deemed_rejected") == [app["body"]["applicant"]["email"]]

    seen = look_up(api, app)  # the citizen's timeline (checked against the spec)
    assert seen["status"] == "deemed_rejected"
    assert [e["kind"] for e in seen["events"]][-2:] == ["overdue", "deemed_rejected"]


def test_open_within_the_period_and_closed_ones_are_left_alone(api, stack_env, cfg):
    young = keyed_in(api, stack_env, days_ago(cfg.deemed_days - 10))
    closed = {}
    for status, extra in (("answered", "outcome = 'positive', answered_at = UTC_TIMESTAMP(3)"),
                          ("not_processed", "reason_code = 'JUDICIAL', "
                                            "answered_at = UTC_TIMESTAMP(3)"),
                          ("cancelled", "closed_at = UTC_TIMESTAMP(3)")):
        app = keyed_in(api, stack_env, ist_now())
        # Closed first, then moved 40 days back, in one statement: the worker never sees it
        # open and old.
        sql(stack_env, f"UPDATE applications SET status = '{status}', {extra}, "
                       f"received_at = received_at - INTERVAL {cfg.deemed_days + 10} DAY, "
                       f"due_at = due_at - INTERVAL {cfg.deemed_days + 10} DAY "
                       f"WHERE id = {app['id']}")
        closed[status] = app
    marker = keyed_in(api, stack_env, days_ago(cfg.deemed_days + 10))
    wait_status(stack_env, marker, "deemed_rejected", cfg)
    time.sleep(cfg.settle_s)  # several more sweeps

    assert status_of(stack_env, young) == "received"
    assert kinds(stack_env, young) == ["received"]  # due in ten days: not even overdue
    for status, app in closed.items():
        assert status_of(stack_env, app) == status
        assert kinds(stack_env, app) == ["received"], status
        assert outbox(stack_env, app, "deemed_rejected") == []
    assert kinds(stack_env, marker) == ["received", "overdue", "deemed_rejected"]


# Received Tue 2026-04-28: day 1 is Wed 29 Apr, day 30 is Thu 2026-05-28, the second day of
# Kurban Bayramı (27–30 May); Fri 29 and Sat 30 are bayram, Sun 31 a Sunday, so the period
# ends at the end of Mon 2026-06-01 (D6).
# Received Wed 2026-04-01: day 30 is Fri 2026-05-01, Emek ve Dayanışma Günü; Sat 2 and
# Sun 3 follow, so it ends at the end of Mon 2026-05-04.
# Received Mon 2026-02-16: day 30 is Wed 2026-03-18, a business day: no move.
HOLIDAY_CASES = [
    ("2026-04-28T16:30:00+03:00", "dilekce", "2026-06-01T23:59:59+03:00"),
    ("2026-04-01T09:00:00+03:00", "bilgi_edinme", "2026-05-04T23:59:59+03:00"),
    ("2026-02-16T11:00:00+03:00", "bilgi_edinme", "2026-03-18T23:59:59+03:00"),
]


@pytest.mark.parametrize("received,type_,end", HOLIDAY_CASES)
def test_d6_moves_the_end_of_the_period_past_holidays(api, stack_env, cfg, received, type_,
                                                      end):
    if cfg.deemed_days != 30:
        pytest.skip("the hand-counted ends are for the 30-day period")
    app = keyed_in(api, stack_env, datetime.datetime.fromisoformat(received), type_)
    wait_status(stack_env, app, "deemed_rejected", cfg)
    [data] = [d for k, d in events(stack_env, app) if k == "deemed_rejected"]
    assert data["period_end"] == end and data["period_days"] == 30 and data["basis"] == "d4"


def test_the_period_ends_at_the_end_of_its_last_day(api, stack_env, cfg, cal):
    """Today's boundary, whatever today is: the last receipt day whose period has ended
    (its last day, moved per D6, is before today) and the day after it."""
    away_from_midnight()
    today = ist_now().date()
    last = today - datetime.timedelta(days=cfg.deemed_days + 1)
    while cal.add_days(last, cfg.deemed_days) >= today:
        last -= datetime.timedelta(days=1)
    first_open = last + datetime.timedelta(days=1)
    assert cal.add_days(first_open, cfg.deemed_days) >= today
    ended = keyed_in(api, stack_env, datetime.datetime.combine(last, datetime.time(23, 59), IST))
    running = keyed_in(api, stack_env,
                       datetime.datetime.combine(first_open, datetime.time(0, 1), IST))
    wait_status(stack_env, ended, "deemed_rejected", cfg)
    time.sleep(cfg.settle_s)
    assert status_of(stack_env, running) == "received"
    assert "deemed_rejected" not in kinds(stack_env, running)


def test_extended_information_request_is_not_deemed_rejected_before_its_due_time(
        api, stack_env, cfg):
    # D2: an extension to 30 business days can outlast D4's 30 calendar days; the
    # institution keeps the time the law gives it.
    # Received now, then moved back and extended in one statement: never a candidate before.
    app = keyed_in(api, stack_env, ist_now(), "bilgi_edinme")
    back = cfg.deemed_days + 5
    sql(stack_env, f"UPDATE applications SET received_at = received_at - INTERVAL {back} DAY, "
                   f"extended_at = received_at + INTERVAL 10 DAY, "
                   f"due_at = UTC_TIMESTAMP(3) + INTERVAL 1 DAY WHERE id = {app['id']}")
    marker = keyed_in(api, stack_env, days_ago(cfg.deemed_days + 10))
    wait_status(stack_env, marker, "deemed_rejected", cfg)
    time.sleep(cfg.settle_s)
    assert status_of(stack_env, app) == "received"
    assert kinds(stack_env, app) == ["received"]
    sql(stack_env, "UPDATE applications SET due_at = UTC_TIMESTAMP(0) - INTERVAL 1 MINUTE "
                   f"WHERE id = {app['id']}")
    due = db_moment(stack_env, app, "due_at")
    wait_status(stack_env, app, "deemed_rejected", cfg)
    evs = events(stack_env, app)
    assert [k for k, _ in evs] == ["received", "overdue", "deemed_rejected"]
    assert evs[2][1] == {"period_days": cfg.deemed_days, "period_end": iso(due),
                         "basis": "due_at", "from": "received", "due_at": iso(due)}


# ------------------------------------------------------------------ overdue


def test_overdue_event_is_written_once_while_the_application_stays_open(api, stack_env, cfg):
    late = keyed_in(api, stack_env, ist_now())
    sql(stack_env, "UPDATE applications SET due_at = UTC_TIMESTAMP(0) - INTERVAL 1 HOUR "
                   f"WHERE id = {late['id']}")
    due = db_moment(stack_env, late, "due_at")
    answered = keyed_in(api, stack_env, ist_now())
    sql(stack_env, "UPDATE applications SET status = 'answered', outcome = 'negative', "
                   "answered_at = UTC_TIMESTAMP(3), due_at = UTC_TIMESTAMP(3) - INTERVAL 1 HOUR "
                   f"WHERE id = {answered['id']}")
    wait_for("the overdue event", lambda: "overdue" in kinds(stack_env, late), cfg.wait_s)
    time.sleep(cfg.settle_s)  # more sweeps: still one
    assert kinds(stack_env, late) == ["received", "overdue"]
    assert [d for k, d in events(stack_env, late) if k == "overdue"] == [{"due_at": iso(due)}]
    assert status_of(stack_env, late) == "received"  # overdue is not a status
    assert kinds(stack_env, answered) == ["received"]
    assert [e["kind"] for e in look_up(api, late)["events"]] == ["received", "overdue"]


# ------------------------------------------------------------------ reminder


def add_user(env, institution, active=True):
    name = f"sweep.{secrets.token_hex(4)}"
    email = f"{name}@kurum.example"
    sql(env, "INSERT INTO users (username, password_hash, full_name, email, institution_code, "
             f"active) VALUES ('{name}', '!', 'Süre Hatırlatma Deneme', '{email}', "
             f"'{institution}', {1 if active else 0})")
    # every account the admin API makes has a role (Roles: minItems 1), so this one too
    sql(env, "INSERT INTO user_roles (user_id, role) SELECT id, 'institution_user' FROM users "
             f"WHERE username = '{name}'")
    return email


def held_by(env, app, institution, due):
    sql(env, "UPDATE applications SET status = 'in_progress', assigned_institution_code = "
             f"{'NULL' if institution is None else repr(institution)}, due_at = "
             f"'{due.astimezone(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M:%S')}' "
             f"WHERE id = {app['id']}")


def test_reminder_goes_once_to_the_holding_institution_without_personal_data(
        api, stack_env, cfg, cal):
    away_from_midnight()
    inst = "IL-MEB-06"
    reader = add_user(stack_env, inst)
    gone = add_user(stack_env, inst, active=False)
    today = ist_now().date()
    # Due at the end of the N-th business day from today: reminded now. One business day
    # later: not yet. Not held by any institution: nobody to remind.
    soon = end_of(cal.add_business_days(today, cfg.reminder_days))
    later = end_of(cal.add_business_days(today, cfg.reminder_days + 1))
    hidden = keyed_in(api, stack_env, ist_now(), category="sikayet", identity_hidden=True,
                      subject="Okul müdürü hakkında şikâyet")
    held_by(stack_env, hidden, inst, soon)
    not_yet = keyed_in(api, stack_env, ist_now())
    held_by(stack_env, not_yet, inst, later)
    nobody = keyed_in(api, stack_env, ist_now())
    held_by(stack_env, nobody, None, soon)

    wait_for("the reminder", lambda: "reminder_sent" in kinds(stack_env, hidden), cfg.wait_s)
    time.sleep(cfg.settle_s)
    active = {r[0] for r in sql(stack_env, "SELECT email FROM users WHERE institution_code = "
                                           f"'{inst}' AND active = 1")}
    assert reader in active and gone not in active
    reminders = [d for k, d in events(stack_env, hidden) if k == "reminder_sent"]
    assert reminders == [{"institution_code": inst, "recipients": len(active),
                          "due_at": iso(soon), "business_days": cfg.reminder_days}]
    rcpts = outbox(stack_env, hidden, "reminder")
    assert sorted(rcpts) == sorted(active), "one mail per active user, once"
    assert "reminder_sent" not in kinds(stack_env, not_yet) and outbox(
        stack_env, not_yet, "reminder") == []
    assert "reminder_sent" not in kinds(stack_env, nobody)

    [mail] = mails_to(stack_env, reader)
    text, html = text_of(mail), html_of(mail)
    no = hidden["application_no"]
    assert no in str(mail["Subject"]) and no in text and no in html
    assert "dilekçe" in text and soon.strftime("%d.%m.%Y 23:59") in text
    applicant = hidden["body"]["applicant"]
    for secret in (applicant["first_name"], applicant["last_name"], applicant["email"],
                   applicant["tc_kimlik_no"], applicant["address"], hidden["body"]["subject"],
                   hidden["body"]["body"], hidden["tracking_code"]):
        assert secret not in text and secret not in html and secret not in str(
            mail["Subject"])
    # the citizen's timeline does not show it
    assert "reminder_sent" not in [e["kind"] for e in look_up(api, hidden)["events"]]


# ------------------------------------------------------------------ a reopened application


def append_event(env, app, kind):
    """Append an event now, extending the audit chain exactly as bm_event_append does
    (the appeal service writes `reopened`; here only its effect on the sweeps matters)."""
    prev = sql(env, "SELECT LOWER(HEX(hash)) FROM application_events WHERE application_id = "
                    f"{app['id']} ORDER BY id DESC LIMIT 1")
    prev_hex = prev[0][0] if prev else ""
    at = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.000")
    chain = [prev_hex, app["id"], at, kind, 0, None, None, None, None, None, None]
    digest = hashlib.sha256(json.dumps(chain, separators=(",", ":"),
                                       ensure_ascii=False).encode()).hexdigest()
    sql(env, "INSERT INTO application_events (application_id, at, kind, prev_hash, hash) "
             f"VALUES ({app['id']}, '{at}', '{kind}', "
             f"{f'UNHEX({prev_hex!r})' if prev_hex else 'NULL'}, UNHEX('{digest}'))")


def test_a_reopened_application_starts_a_new_round(api, stack_env, cfg, cal):
    away_from_midnight()
    inst = "IL-MEB-06"
    app = keyed_in(api, stack_env, days_ago(cfg.deemed_days + 10), "bilgi_edinme")
    wait_status(stack_env, app, "deemed_rejected", cfg)
    # BEDK accepted the appeal: back to the institution with a new due time (services/appeal
    # does this; here the `reopened` event first, while the row is still closed, then the
    # row). Due within the reminder window, so round two starts with a reminder.
    append_event(stack_env, app, "reopened")
    soon = end_of(cal.add_business_days(ist_now().date(), cfg.reminder_days))
    held_by(stack_env, app, inst, soon)
    sql(stack_env, f"UPDATE applications SET closed_at = NULL WHERE id = {app['id']}")
    wait_for("the reminder of round two",
             lambda: "reminder_sent" in kinds(stack_env, app), cfg.wait_s)
    # The new due time passes: overdue again. The silence period now counts from the
    # reopening (30 days from today), so it is not deemed rejected again.
    sql(stack_env, "UPDATE applications SET due_at = UTC_TIMESTAMP(3) - INTERVAL 1 MINUTE "
                   f"WHERE id = {app['id']}")
    wait_for("the overdue event of round two",
             lambda: kinds(stack_env, app).count("overdue") == 2, cfg.wait_s)
    time.sleep(cfg.settle_s)
    assert status_of(stack_env, app) == "in_progress"
    assert kinds(stack_env, app) == ["received", "overdue", "deemed_rejected", "reopened",
                                     "reminder_sent", "overdue"]
    assert len(outbox(stack_env, app, "deemed_rejected")) == 1
    rows = sql(stack_env, "SELECT IFNULL(HEX(prev_hash), ''), HEX(hash) FROM "
                          f"application_events WHERE application_id = {app['id']} ORDER BY id")
    assert [p for p, _ in rows] == [""] + [h for _, h in rows[:-1]]


# ------------------------------------------------------------------ several workers


def test_two_workers_sweeping_at_once_change_each_application_once(api, stack_env, cfg,
                                                                    cal, sweeper):
    away_from_midnight()
    inst = "KAYMAKAMLIK-06-CANKAYA"
    add_user(stack_env, inst)
    soon = end_of(cal.add_business_days(ist_now().date(), cfg.reminder_days))
    # The candidates pile up while this module's worker is stopped (the stack's does not
    # sweep), then two start at the same moment.
    sweeper.stop()
    workers = []
    try:
        old = [keyed_in(api, stack_env, days_ago(cfg.deemed_days + 10 + i),
                        "bilgi_edinme" if i % 2 else "dilekce") for i in range(10)]
        late = [keyed_in(api, stack_env, ist_now()) for _ in range(10)]
        for app in late:
            sql(stack_env, "UPDATE applications SET due_at = UTC_TIMESTAMP(3) - INTERVAL 1 "
                           f"MINUTE WHERE id = {app['id']}")
        due_soon = [keyed_in(api, stack_env, ist_now()) for _ in range(10)]
        for app in due_soon:
            held_by(stack_env, app, inst, soon)
        workers = [start_worker(stack_env, f"worker-sweeps-{i}") for i in (1, 2)]

        for app in old:
            wait_status(stack_env, app, "deemed_rejected", cfg)
        wait_for("every overdue event",
                 lambda: all("overdue" in kinds(stack_env, a) for a in late), cfg.wait_s)
        wait_for("every reminder",
                 lambda: all("reminder_sent" in kinds(stack_env, a) for a in due_soon),
                 cfg.wait_s)
        time.sleep(cfg.settle_s)
        assert [w.poll() for w in workers] == [None, None], "a worker died"
    finally:
        codes = stop_workers(workers)
        sweeper.start()
    assert codes == [0, 0]
    for app in old:
        assert kinds(stack_env, app) == ["received", "overdue", "deemed_rejected"]
        assert outbox(stack_env, app, "deemed_rejected") == [app["body"]["applicant"]["email"]]
    for app in late:
        assert kinds(stack_env, app) == ["received", "overdue"]
    users = sql(stack_env, f"SELECT COUNT(*) FROM users WHERE institution_code = '{inst}' "
                           "AND active = 1")[0][0]
    for app in due_soon:
        assert kinds(stack_env, app) == ["received", "reminder_sent"]
        assert len(outbox(stack_env, app, "reminder")) == int(users)
    # each audit chain stays one unbroken line
    for app in old + late + due_soon:
        rows = sql(stack_env, "SELECT IFNULL(HEX(prev_hash), ''), HEX(hash) FROM "
                              f"application_events WHERE application_id = {app['id']} ORDER BY id")
        assert [p for p, _ in rows] == [""] + [h for _, h in rows[:-1]]
