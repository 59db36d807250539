# SPDX-License-Identifier: MIT
"""The monthly run (issue 6 item 2, rules.md M1) on the real stack: the worker builds and
stores every report of a finished month (all, the 81 provinces, every ministry), a stored
report is what GET answers afterwards and does not change when later data arrives, each
coordinator of the centre, a ministry or a governorship gets one mail with the link to its
report (the Interior Ministry's with every governorship's), and all of it happens once —
run twice, or by two workers at the same time.

Months: test_reports.py uses 2023 up to August; here the first two months from October 2023
on that no run has built yet (October and November on a fresh stack, so the module can run
again on the same stack). The first is built with the one-shot
`bimer-worker --monthly-reports YYYY-MM`, the second by two daemon workers started here
whose clock for the monthly run is moved to the first of the month after it
(BIMER_REPORTS_TEST_NOW, honoured only with BIMER_TEST_CLOCK=1). The stack's own worker
builds the real previous month at start-up and delivers the mail."""
import datetime
import email
import email.policy
import json
import os
import pathlib
import random
import signal
import subprocess
import time

import pytest

from citizen import sql, text_of, html_of
from test_reports import (Staff, expected, get_json, insert_apps, new_user, rnd)

ROOT = pathlib.Path(__file__).resolve().parents[2]
MONTHS_TR = ["Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül",
             "Ekim", "Kasım", "Aralık"]


def next_month(month):
    y, m = map(int, month.split("-"))
    return f"{y + (m == 12):04d}-{m % 12 + 1:02d}"


def tr(month):
    y, m = map(int, month.split("-"))
    return f"{MONTHS_TR[m - 1]} {y}"


@pytest.fixture(scope="module")
def months(stack_env):
    """(first, second, the day after): two consecutive months no run has built."""
    built = {r[0] for r in sql(stack_env, "SELECT month FROM monthly_report_runs")}
    m = "2023-10"
    while m in built or next_month(m) in built:
        m = next_month(m)
    assert m < "2026-01", "no free month left on this stack"
    return m, next_month(m), next_month(next_month(m))


@pytest.fixture(scope="module")
def staff(api, stack_env):
    return Staff(api, stack_env)


def worker_env(env, **extra):
    run_env = {k: v for k, v in os.environ.items() if not k.startswith("BIMER_")}
    run_env.update(env)
    run_env.update(extra)
    return run_env


def worker_bin(env):
    return str(pathlib.Path(env["BIMER_BIN_DIR"], "bimer-worker"))


def run_once(env, *args):
    return subprocess.run([worker_bin(env), *args], env=worker_env(env), capture_output=True,
                          text=True, timeout=300)


def scopes(env):
    """Every scope the monthly run stores: all, each province, each ministry."""
    provinces = [f"province:{r[0]}" for r in sql(env, "SELECT code FROM provinces")]
    ministries = [f"institution:{r[0]}" for r in sql(
        env, "SELECT code FROM institutions WHERE kind = 'ministry' AND in_scope = 1")]
    return {"all", *provinces, *ministries}


def stored(env, month):
    return {r[0]: (r[1], r[2]) for r in sql(
        env, f"SELECT scope, generated_at, SHA2(report, 256) FROM monthly_reports "
             f"WHERE month = '{month}'")}


def coordinators(env):
    """(email, institution code, kind, province) of the coordinators the run mails."""
    return sql(env, "SELECT u.email, i.code, i.kind, IFNULL(i.province_code, '') FROM users u "
                    "JOIN user_roles r ON r.user_id = u.id AND r.role = 'coordinator' "
                    "JOIN institutions i ON i.code = u.institution_code WHERE u.active = 1 "
                    "AND i.active = 1 AND i.kind IN ('centre', 'ministry', 'governorship')")


def mails(env, subject):
    """{recipient: [message]} of the sink's mails with this subject."""
    out = {}
    for f in sorted(pathlib.Path(env["BIMER_MAIL_DIR"]).glob("*.eml")):
        msg = email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
        if str(msg["Subject"]) == subject:
            out.setdefault(str(msg["To"]), []).append(msg)
    return out


def wait_mails(env, subject, recipients, timeout=30):
    deadline = time.time() + timeout
    got = {}
    while time.time() < deadline:
        got = mails(env, subject)
        if set(got) >= set(recipients):
            break
        time.sleep(0.3)
    return got


def outbox_count(env, month_tr):
    return int(sql(env, "SELECT COUNT(*) FROM outbox WHERE kind = 'monthly_report' AND "
                        f"subject = 'BİMER aylık raporu: {month_tr}'")[0][0])


def month_apps(env, month, day, n, topic):
    month_day = f"{month}-{day:02d}"
    common = dict(type="dilekce", category="sikayet", channel="internet", topic=topic,
                  province_code="07", status="in_progress",
                  received_at=f"{month_day} 09:00:00.000", due_at=f"{month_day} 10:00:00.000")
    return insert_apps(env, {f"x{i}": dict(common) for i in range(n)})


@pytest.fixture(scope="module")
def extra_coordinators(api, staff):
    """An Interior Ministry coordinator and a governorship coordinator, beside the demo ones."""
    return {"icisleri": new_user(api, staff, "ICISLERI", ["coordinator"]),
            "izmir": new_user(api, staff, "VALILIK-35", ["operator", "coordinator"])}


# ------------------------------------------------------------------ one-shot


@pytest.fixture(scope="module")
def october(stack_env, months, extra_coordinators):
    """The first free month, built once by `bimer-worker --monthly-reports YYYY-MM`."""
    month = months[0]
    topic = f"rapor_ay1_{rnd().lower()}"
    month_apps(stack_env, month, 10, 3, topic)
    recipients = {r[0] for r in coordinators(stack_env)}
    first = stored(stack_env, month)
    out = run_once(stack_env, "--monthly-reports", month)
    return {"month": month, "topic": topic, "recipients": recipients, "before": first,
            "out": out}


def test_one_shot_builds_every_report_of_the_month(stack_env, october):
    out, month = october["out"], october["month"]
    assert october["before"] == {}, f"{month} was built before this test"
    assert out.returncode == 0, out.stderr
    assert f"monthly reports of {month} built" in out.stdout
    got = stored(stack_env, month)
    assert set(got) == scopes(stack_env)
    run = sql(stack_env, "SELECT finished_at IS NOT NULL, reports, mails FROM "
                         f"monthly_report_runs WHERE month = '{month}'")
    assert run == [["1", str(len(got)), str(len(october["recipients"]))]]


def test_stored_report_is_answered_and_never_changes(staff, stack_env, october):
    topic, month = october["topic"], october["month"]
    doc = get_json(staff, "merkez.operator", month=month, scope="province:07")
    assert doc["stored"] is True and doc["scope"] == "province:07"
    gen = sql(stack_env, f"SELECT generated_at FROM monthly_reports WHERE month = '{month}' "
                         "AND scope = 'province:07'")[0][0]
    assert doc["generated_at"] == (datetime.datetime.fromisoformat(gen)
                                   + datetime.timedelta(hours=3)).strftime(
        "%Y-%m-%dT%H:%M:%S+03:00")
    topics = {t["topic"]: t["count"] for t in doc["figures"]["applications"]["by_topic"]}
    assert topics[topic] == 3
    assert doc["figures"] == expected(stack_env, month, "province:07")
    # later data: the stored report stays as it was, the record has moved on
    month_apps(stack_env, month, 20, 2, topic)
    again = get_json(staff, "merkez.operator", month=month, scope="province:07")
    assert again == doc
    live = expected(stack_env, month, "province:07")
    assert {t["topic"]: t["count"] for t in live["applications"]["by_topic"]}[topic] == 5
    # its HTML and CSV say so too
    page = staff.report("merkez.operator", month=month, scope="province:07",
                        format="html").text
    assert "aylık çalışmayla oluşturulup saklanmıştır" in page
    rows = staff.report("merkez.operator", month=month, scope="province:07",
                        format="csv").text.split("\r\n")
    assert "report,stored,Saklanmış rapor,true," in "\n".join(rows)
    # the next month compares with the stored figures
    following = get_json(staff, "merkez.operator", month=next_month(month), scope="province:07")
    assert following["previous_month"] == {"month": month, "stored": True,
                                           "figures": doc["figures"]}


def test_the_database_refuses_to_change_a_stored_report(stack_env, october):
    month = october["month"]
    with pytest.raises(subprocess.CalledProcessError) as e:
        sql(stack_env, f"UPDATE monthly_reports SET report = '{{}}' WHERE month = '{month}' "
                       "AND scope = 'all'")
    assert "never change" in e.value.stderr


def test_one_shot_twice_changes_nothing_and_mails_nobody_again(stack_env, october):
    month = october["month"]
    before = stored(stack_env, month)
    mailed = outbox_count(stack_env, tr(month))
    out = run_once(stack_env, "--monthly-reports", month)
    assert out.returncode == 0, out.stderr
    assert "already built" in out.stderr
    assert stored(stack_env, month) == before
    assert outbox_count(stack_env, tr(month)) == mailed == len(october["recipients"])


def test_each_coordinator_is_mailed_its_links_once(stack_env, october, extra_coordinators):
    month = october["month"]
    subject = f"BİMER aylık raporu: {tr(month)}"
    got = wait_mails(stack_env, subject, october["recipients"])
    assert set(got) == october["recipients"]
    assert all(len(m) == 1 for m in got.values()), {k: len(v) for k, v in got.items()}
    base = stack_env.get("BIMER_PUBLIC_URL") or f"http://127.0.0.1:{stack_env['BIMER_HTTP_PORT']}"
    link = base + f"/personel/rapor.html?ay={month}&kapsam={{}}"

    def links(address):
        text = text_of(got[address][0])
        return {line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("- ")}

    assert links("ankara.operator@bimer.example") == {link.format("province:06")}
    assert links("saglik.bakanlik@bimer.example") == {link.format("institution:SAGLIK")}
    assert links(f"{extra_coordinators['izmir']}@bimer.example") == {link.format("province:35")}
    icisleri = links(f"{extra_coordinators['icisleri']}@bimer.example")
    assert icisleri == {link.format("institution:ICISLERI")} | {
        link.format(f"province:{p:02d}") for p in range(1, 82)}
    msg = got["ankara.operator@bimer.example"][0]
    assert "Ankara Valiliği" in text_of(msg) and "Sayın" in text_of(msg)
    assert link.format("province:06").replace("&", "&amp;") in html_of(msg)


def test_one_shot_refuses_an_unfinished_or_malformed_month(stack_env):
    now = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=3)
    for args in (["--monthly-reports", f"{now.year:04d}-{now.month:02d}"],
                 ["--monthly-reports", "2099-01"], ["--monthly-reports", "2023-13"],
                 ["--monthly-reports", "yesterday"], ["--monthly-report", "2023-10"],
                 ["--monthly-reports"], ["2023-10"], ["--report-aggregate", "2099-01"],
                 ["--report-aggregate", "2023-13"], ["--report-aggregate"]):
        out = run_once(stack_env, *args)
        assert out.returncode == 2, (args, out.stdout, out.stderr)
        assert out.stderr.strip(), args
    this = f"{now.year:04d}-{now.month:02d}"
    assert sql(stack_env, f"SELECT COUNT(*) FROM monthly_reports WHERE month IN "
                          f"('{this}', '2099-01')") == [["0"]]


# ------------------------------------------------------------------ the daemon


def start_worker(env, name, now):
    extra = {"BIMER_MONTHLY_REPORTS": "1", "BIMER_DEADLINE_SWEEP_MS": "0",
             "BIMER_REPORTS_TEST_NOW": f"{now}-01T00:05:00+03:00"}
    log = open(pathlib.Path(env["BIMER_LOG_DIR"], f"{name}.log"), "ab")
    proc = subprocess.Popen([worker_bin(env)], env=worker_env(env, **extra),
                            stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    log.close()
    return proc


def test_two_daemons_build_the_next_month_once(stack_env, months, october,
                                              extra_coordinators):
    month, after = months[1], months[2]
    topic = f"rapor_ay2_{rnd().lower()}"
    month_apps(stack_env, month, 15, 4, topic)
    recipients = {r[0] for r in coordinators(stack_env)}
    assert stored(stack_env, month) == {}
    logs = [pathlib.Path(stack_env["BIMER_LOG_DIR"], f"worker-reports-{i}.log") for i in (1, 2)]
    sizes = [p.stat().st_size if p.exists() else 0 for p in logs]
    workers = [start_worker(stack_env, f"worker-reports-{i}", after) for i in (1, 2)]
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            done = sql(stack_env, "SELECT finished_at IS NOT NULL FROM monthly_report_runs "
                                  f"WHERE month = '{month}'")
            if done == [["1"]]:
                break
            time.sleep(0.5)
        assert done == [["1"]], f"the monthly run of {month} did not finish"
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        codes = [w.wait(timeout=60) for w in workers]
    assert codes == [0, 0]
    assert set(stored(stack_env, month)) == scopes(stack_env)
    assert outbox_count(stack_env, tr(month)) == len(recipients)
    said = [p.read_bytes()[s:].decode() for p, s in zip(logs, sizes)]
    built = [t.count(f"monthly reports of {month}: done") for t in said]
    assert sorted(built) == [0, 1], said
    got = wait_mails(stack_env, f"BİMER aylık raporu: {tr(month)}", recipients)
    assert set(got) == recipients and all(len(m) == 1 for m in got.values())
    doc = json.loads(sql(stack_env, "SELECT report FROM monthly_reports WHERE month = "
                                    f"'{month}' AND scope = 'province:07'")[0][0])
    assert doc["stored"] is True
    assert {t["topic"]: t["count"] for t in doc["figures"]["applications"]["by_topic"]}[topic] == 4
    # the first month's report, stored before, is this one's comparison
    assert doc["previous_month"]["stored"] is True


# ------------------------------------------------------------------ the current month's aggregate


def test_the_worker_aggregate_answers_the_current_month(staff, stack_env, months):
    """A worker whose clock is in `month` stores that month's parts (report_aggregates); the
    API sums its reports from them while they are valid, then from the record again."""
    month = months[2]
    topic = f"rapor_ay3_{rnd().lower()}"
    sql(stack_env, f"DELETE FROM report_aggregates WHERE month = '{month}'")
    month_apps(stack_env, month, 12, 3, topic)
    env = worker_env(stack_env, BIMER_MONTHLY_REPORTS="0", BIMER_DEADLINE_SWEEP_MS="0",
                     BIMER_REPORT_REFRESH_S="20",
                     BIMER_REPORTS_TEST_NOW=f"{month}-15T12:00:00+03:00")
    with open(pathlib.Path(stack_env["BIMER_LOG_DIR"], "worker-aggregate.log"), "ab") as log:
        proc = subprocess.Popen([worker_bin(stack_env)], env=env, stdin=subprocess.DEVNULL,
                                stdout=log, stderr=log)
    try:
        deadline = time.time() + 60
        while time.time() < deadline and not sql(
                stack_env, f"SELECT 1 FROM report_aggregates WHERE month = '{month}'"):
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    [[computed, valid]] = sql(stack_env, "SELECT computed_at, TIMESTAMPDIFF(SECOND, "
                                         f"computed_at, valid_until) FROM report_aggregates "
                                         f"WHERE month = '{month}'")
    assert int(valid) == 60  # three refresh periods
    at = (datetime.datetime.fromisoformat(computed) + datetime.timedelta(hours=3)).strftime(
        "%Y-%m-%dT%H:%M:%S+03:00")
    doc = get_json(staff, "merkez.operator", month=month, scope="all")
    assert doc["generated_at"] == at and doc["stored"] is False
    assert doc["figures"] == expected(stack_env, month, "all")
    prov = get_json(staff, "merkez.operator", month=month, scope="province:07")
    assert prov["generated_at"] == at
    assert prov["figures"] == expected(stack_env, month, "province:07")
    # new data: the aggregate is answered until it is no longer valid …
    month_apps(stack_env, month, 13, 2, topic)
    again = get_json(staff, "merkez.operator", month=month, scope="all")
    assert again["figures"] == doc["figures"] and again["generated_at"] == at
    # … and without it the report comes from the record
    sql(stack_env, f"DELETE FROM report_aggregates WHERE month = '{month}'")
    live = get_json(staff, "merkez.operator", month=month, scope="all")
    # computed now (it may fall in the aggregate's second: the new rows below tell them apart)
    assert live["generated_at"] >= at
    assert live["figures"] == expected(stack_env, month, "all")
    counts = {t["topic"]: t["count"] for t in live["figures"]["applications"]["by_topic"]}
    assert counts[topic] == 5


def test_one_shot_aggregate_of_a_month(staff, stack_env):
    """`bimer-worker --report-aggregate YYYY-MM` stores any begun month's parts at once."""
    month = "2023-09"
    sql(stack_env, f"DELETE FROM report_aggregates WHERE month = '{month}'")
    out = run_once(stack_env, "--report-aggregate", month)
    assert out.returncode == 0, out.stderr
    assert f"report aggregate of {month} stored" in out.stdout
    try:
        [[computed, valid]] = sql(stack_env, "SELECT computed_at, TIMESTAMPDIFF(SECOND, "
                                             "computed_at, valid_until) FROM report_aggregates "
                                             f"WHERE month = '{month}'")
        period = int(stack_env.get("BIMER_REPORT_REFRESH_S") or 300) or 300
        assert int(valid) == 3 * period
        doc = get_json(staff, "merkez.operator", month=month, scope="all")
        assert doc["generated_at"] == (datetime.datetime.fromisoformat(computed) +
                                       datetime.timedelta(hours=3)).strftime(
            "%Y-%m-%dT%H:%M:%S+03:00")
        assert doc["figures"] == expected(stack_env, month, "all")
        for scope in ("province:06", "institution:SAGLIK", "institution:VALILIK-34"):
            assert get_json(staff, "merkez.operator", month=month,
                            scope=scope)["figures"] == expected(stack_env, month, scope)
    finally:
        sql(stack_env, f"DELETE FROM report_aggregates WHERE month = '{month}'")
