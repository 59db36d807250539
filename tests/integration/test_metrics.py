# SPDX-License-Identifier: MIT
"""Operations metrics (issue 6 item 4): every service's Prometheus text,
scraped through nginx's loopback metrics port and parsed by a strict parser
of the text format (0.0.4) that also holds the naming conventions; the
public port never serves metrics or anything internal; the counters move
with requests; the routing service's outbox backlog gauges equal what the
table holds (the stack's worker stopped meanwhile), and when MariaDB is down
the scrape still answers and says so."""
import math
import re
import uuid

import pytest
import requests

from citizen import sql, tckn, wait_for
from staff import client_ip
from test_foundation import SERVICES

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


# ---- a strict parser of the text exposition format -----------------------------------

class ParseError(AssertionError):
    pass


def parse_value(text):
    if text in ("+Inf", "Inf"):
        return math.inf
    if text == "-Inf":
        return -math.inf
    if text == "NaN":
        return math.nan
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text):
        raise ParseError(f"bad value {text!r}")
    return float(text)


def parse_labels(text, line):
    """'a="x",b="y\\"z"' -> {a: x, b: y"z}; escapes \\\\, \\" and \\n only."""
    labels, i = {}, 0
    while i < len(text):
        m = LABEL.match(text, i)
        if not m or text[m.end():m.end() + 2] != '="':
            raise ParseError(f"bad label in {line!r}")
        name, i, value = m.group(), m.end() + 2, []
        while True:
            if i >= len(text):
                raise ParseError(f"unterminated label value in {line!r}")
            c = text[i]
            if c == "\\":
                esc = text[i + 1:i + 2]
                if esc not in ('\\', '"', "n"):
                    raise ParseError(f"bad escape in {line!r}")
                value.append("\n" if esc == "n" else esc)
                i += 2
            elif c == '"':
                i += 1
                break
            elif c == "\n":
                raise ParseError(f"newline in a label value: {line!r}")
            else:
                value.append(c)
                i += 1
        if name in labels or name.startswith("__"):
            raise ParseError(f"duplicate or reserved label {name} in {line!r}")
        labels[name] = "".join(value)
        if i < len(text):
            if text[i] != ",":
                raise ParseError(f"expected ',' in {line!r}")
            i += 1
    return labels


def parse_sample(line):
    m = NAME.match(line)
    if not m:
        raise ParseError(f"bad metric name in {line!r}")
    name, rest = m.group(), line[m.end():]
    labels = {}
    if rest.startswith("{"):
        end = rest.rfind("}")
        if end < 0:
            raise ParseError(f"unterminated labels in {line!r}")
        labels, rest = parse_labels(rest[1:end], line), rest[end + 1:]
    parts = rest.split(" ")
    if parts[0] != "" or len(parts) not in (2, 3):
        raise ParseError(f"expected ' value [timestamp]' in {line!r}")
    if len(parts) == 3 and not re.fullmatch(r"-?\d+", parts[2]):
        raise ParseError(f"bad timestamp in {line!r}")
    return name, labels, parse_value(parts[1])


def family_of(name, types):
    for suffix in ("_bucket", "_sum", "_count"):
        base = name[:-len(suffix)]
        if name.endswith(suffix) and types.get(base) in ("histogram", "summary"):
            return base
    return name


def parse(text):
    """{family: {"type", "help", "samples": [(name, labels, value)]}}, or ParseError."""
    if not text.endswith("\n"):
        raise ParseError("the exposition must end with a newline")
    families, types, done, current = {}, {}, set(), None
    for line in text[:-1].split("\n"):
        if line.startswith("#"):
            m = re.fullmatch(r"# (HELP|TYPE) (\S+) (.*)", line)
            if not m or not NAME.fullmatch(m.group(2)):
                raise ParseError(f"bad comment line {line!r}")
            kind, name, rest = m.groups()
            fam = families.setdefault(name, {"type": None, "help": None, "samples": []})
            key = kind.lower()
            if fam[key] is not None or fam["samples"]:
                raise ParseError(f"{kind} of {name} repeated or after its samples")
            if kind == "TYPE":
                if rest not in TYPES:
                    raise ParseError(f"unknown type {rest!r}")
                types[name] = rest
            fam[key] = rest
            continue
        if not line:
            raise ParseError("empty line")
        name, labels, value = parse_sample(line)
        fam_name = family_of(name, types)
        if fam_name != current:
            if fam_name in done:
                raise ParseError(f"samples of {fam_name} are not together")
            if current:
                done.add(current)
            current = fam_name
        fam = families.get(fam_name)
        if not fam or fam["type"] is None:
            raise ParseError(f"{name}: no TYPE before its first sample")
        fam["samples"].append((name, labels, value))
    return families


def check_conventions(families):
    """Names, units and types as Prometheus wants them; histograms that add up."""
    for name, fam in families.items():
        assert name.startswith("bimer_"), name
        assert fam["help"], f"{name} has no HELP"
        series = [(n, tuple(sorted(labels.items()))) for n, labels, _ in fam["samples"]]
        assert len(series) == len(set(series)), f"{name}: a series appears twice"
        if fam["type"] == "counter":
            assert name.endswith("_total"), name
            assert all(v >= 0 and n == name for n, _, v in fam["samples"]), name
        else:
            assert not name.endswith("_total"), name
        if "seconds" in name:
            assert name.endswith("_seconds"), name
        if fam["type"] == "histogram":
            check_histogram(name, fam["samples"])
        for n, labels, _ in fam["samples"]:
            assert "service" in labels, n


def check_histogram(name, samples):
    buckets = [(labels, v) for n, labels, v in samples if n == name + "_bucket"]
    count = [v for n, _, v in samples if n == name + "_count"]
    total = [v for n, _, v in samples if n == name + "_sum"]
    assert buckets and len(count) == 1 and len(total) == 1, name
    bounds = [parse_value(labels["le"]) for labels, _ in buckets]
    assert bounds == sorted(bounds) and bounds[-1] == math.inf, name
    values = [v for _, v in buckets]
    assert values == sorted(values), f"{name}: buckets are not cumulative"
    assert values[-1] == count[0] and total[0] >= 0, name


def test_the_parser_is_strict():
    good = ("# HELP bimer_x_total X.\n# TYPE bimer_x_total counter\n"
            'bimer_x_total{service="a",route="/a/{no}"} 3\n')
    assert parse(good)["bimer_x_total"]["samples"] == [
        ("bimer_x_total", {"service": "a", "route": "/a/{no}"}, 3.0)]
    assert len(parse(good + 'bimer_x_total{service="b"} 1\n')["bimer_x_total"]["samples"]) == 2
    for bad in (good[:-1],                                          # no final newline
                "bimer_y 1\n",                                       # no TYPE
                good.replace("3\n", "three\n"),                      # bad value
                good.replace('service="a"', "service=a"),            # unquoted
                good.replace('service="a"', 'service="a",service="b"'),
                good.replace('"a"', '"a\\q"'),                      # bad escape
                good + "# TYPE bimer_x_total counter\n",             # TYPE again
                good + "\n",                                         # empty line
                good + "# HELP bimer_z Z.\n# TYPE bimer_z gauge\nbimer_z{service=\"a\"} 1\n"
                       'bimer_x_total{service="c"} 1\n'):            # not together
        with pytest.raises(ParseError):
            parse(bad)
    with pytest.raises(AssertionError):  # a counter without _total
        check_conventions(parse("# HELP bimer_c C.\n# TYPE bimer_c counter\n"
                                'bimer_c{service="a"} 1\n'))
    with pytest.raises(AssertionError):  # buckets that do not add up
        check_histogram("h", [("h_bucket", {"le": "1"}, 5), ("h_bucket", {"le": "+Inf"}, 4),
                              ("h_count", {}, 4), ("h_sum", {}, 1)])


# ---- scraping ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def metrics_url(stack_env):
    return f"http://127.0.0.1:{stack_env['BIMER_METRICS_PORT']}"


def scrape(metrics_url, svc):
    r = requests.get(f"{metrics_url}/metrics/{svc}", timeout=15)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    fams = parse(r.text)
    check_conventions(fams)
    return fams


def value(fams, family, sample=None, **labels):
    """The value of the one sample of family (sample name, default the family's) with labels;
    0 when no such series has been exported yet (a counter that never moved)."""
    found = [v for n, lab, v in fams.get(family, {"samples": []})["samples"]
             if n == (sample or family) and all(lab.get(k) == w for k, w in labels.items())]
    assert len(found) <= 1, (family, labels, found)
    return found[0] if found else 0


def test_every_service_is_scraped_through_the_metrics_port(metrics_url):
    for svc in SERVICES:
        fams = scrape(metrics_url, svc)
        for family, kind in (("bimer_http_requests_total", "counter"),
                             ("bimer_http_request_duration_seconds", "histogram"),
                             ("bimer_db_errors_total", "counter"),
                             ("bimer_redis_errors_total", "counter"),
                             ("bimer_rate_limit_denials_total", "counter")):
            assert fams[family]["type"] == kind, (svc, family)
        for fam in fams.values():
            assert {lab["service"] for _, lab, _ in fam["samples"]} <= {svc}
        outbox = {f for f in fams if f.startswith("bimer_outbox_")}
        assert bool(outbox) == (svc == "routing"), svc  # one service reports the outbox
    fams = scrape(metrics_url, "routing")
    assert fams["bimer_outbox_up"]["type"] == "gauge"
    assert value(fams, "bimer_outbox_up") == 1
    assert {lab["status"] for _, lab, _ in fams["bimer_outbox_mails"]["samples"]} == \
        {"pending", "sending", "failed"}
    assert fams["bimer_outbox_oldest_waiting_age_seconds"]["type"] == "gauge"


def test_the_public_port_refuses_metrics_and_internal_paths(base_url, metrics_url):
    for path in [f"/metrics/{s}" for s in SERVICES] + [
            "/metrics", "/internal/metrics", "/internal/", "/internal/x",
            "/api/v1/../internal/metrics", "/api/v1/status/../../internal/metrics",
            "/%69nternal/metrics"]:
        r = requests.get(base_url + path, timeout=15, allow_redirects=False)
        assert r.status_code == 404, (path, r.status_code)
        assert "bimer_http_requests_total" not in r.text, path
    # the metrics port itself serves only GET /metrics/<service>
    for path in ("/internal/metrics", "/metrics/worker", "/metrics/", "/api/v1/status/health"):
        assert requests.get(metrics_url + path, timeout=15).status_code == 404, path
    assert requests.post(metrics_url + "/metrics/status", timeout=15).status_code in (403, 405)


def test_counters_move_after_requests(api, metrics_url):
    before = scrape(metrics_url, "status")
    health = dict(route="/api/v1/status/health", code="2xx")
    for _ in range(3):
        assert api.get("/api/v1/status/health").status_code == 200
    assert api.get("/api/v1/status/" + "A" * 22).status_code == 404
    # misses for one ID number from one address until its limit answers 429
    who, ip, limited = tckn(), client_ip(), False
    for _ in range(40):
        r = api.post("/api/v1/status", json={"tc_kimlik_no": who,
                                             "application_no": "1999-0000000-0"},
                     headers={"X-Forwarded-For": ip})
        if r.status_code == 429:
            limited = True
            break
    assert limited
    after = scrape(metrics_url, "status")
    count = "bimer_http_request_duration_seconds_count"
    assert value(after, "bimer_http_requests_total", **health) >= \
        value(before, "bimer_http_requests_total", **health) + 3
    assert value(after, "bimer_http_requests_total", code="4xx",
                 route="/api/v1/status/{tracking_code}") >= \
        value(before, "bimer_http_requests_total", code="4xx",
              route="/api/v1/status/{tracking_code}") + 1
    assert value(after, "bimer_http_request_duration_seconds", count) >= \
        value(before, "bimer_http_request_duration_seconds", count) + 5
    assert value(after, "bimer_rate_limit_denials_total") >= \
        value(before, "bimer_rate_limit_denials_total") + 1


# ---- the outbox backlog -----------------------------------------------------------------

def table_backlog(env):
    """What the gauges must say, computed here from the outbox table."""
    by_status = dict(sql(env, "SELECT status, COUNT(*) FROM outbox GROUP BY status"))
    [[age]] = sql(env, "SELECT IFNULL(TIMESTAMPDIFF(MICROSECOND, MIN(created_at), "
                       "UTC_TIMESTAMP(6)) / 1e6, 0) FROM outbox WHERE status IN "
                       "('pending', 'sending')")
    return {s: int(by_status.get(s, 0)) for s in ("pending", "sending", "failed")}, float(age)


def gauges(metrics_url):
    fams = scrape(metrics_url, "routing")
    assert value(fams, "bimer_outbox_up") == 1
    mails = {s: value(fams, "bimer_outbox_mails", status=s)
             for s in ("pending", "sending", "failed")}
    return mails, value(fams, "bimer_outbox_oldest_waiting_age_seconds")


def test_backlog_gauges_equal_the_outbox_table(stack_env, stack, metrics_url):
    tag = uuid.uuid4().hex[:12]
    stack.stop("worker")  # nothing is delivered while the gauges are compared
    try:
        for age, status in (("1 HOUR", "pending"), ("5 MINUTE", "pending"),
                            ("0 SECOND", "pending"), ("2 DAY", "failed")):
            sql(stack_env, "INSERT INTO outbox (kind, recipient, subject, body_text, status, "
                           "attempts, created_at) VALUES ('metrics_test', "
                           f"'metrics-{tag}@test.example', 'Ölçüm', 'Ölçüm denemesi.', "
                           f"'{status}', {10 if status == 'failed' else 0}, "
                           f"UTC_TIMESTAMP(3) - INTERVAL {age})")
        got, got_age = gauges(metrics_url)
        want, want_age = table_backlog(stack_env)
        assert got == want
        assert got["pending"] >= 3 and got["failed"] >= 1
        assert 3600 <= got_age and abs(got_age - want_age) < 5  # the hour-old mail waits
        sql(stack_env, f"UPDATE outbox SET status = 'sent', sent_at = UTC_TIMESTAMP(3) WHERE "
                       f"recipient = 'metrics-{tag}@test.example' AND status = 'pending' AND "
                       "created_at < UTC_TIMESTAMP(3) - INTERVAL 30 MINUTE")
        got, got_age = gauges(metrics_url)  # the gauge follows the table
        want, want_age = table_backlog(stack_env)
        assert got == want and abs(got_age - want_age) < 5
    finally:
        stack.start("worker")
    # the worker delivers the rest; the backlog drains and the gauge says so
    wait_for("the worker to deliver the backlog",
             lambda: int(sql(stack_env, "SELECT COUNT(*) FROM outbox WHERE recipient = "
                                        f"'metrics-{tag}@test.example' AND status IN "
                                        "('pending', 'sending')")[0][0]) == 0)
    got, _ = gauges(metrics_url)
    want, _ = table_backlog(stack_env)
    assert got["failed"] == want["failed"]


def test_the_scrape_answers_and_says_so_when_mariadb_is_down(api, stack, metrics_url):
    before = scrape(metrics_url, "routing")
    stack.stop("mariadb")
    try:
        assert api.get("/api/v1/institutions").status_code == 503
        fams = scrape(metrics_url, "routing")  # 200, and it parses
        assert value(fams, "bimer_outbox_up") == 0
        assert "bimer_outbox_mails" not in fams
        assert "bimer_outbox_oldest_waiting_age_seconds" not in fams
        assert value(fams, "bimer_db_errors_total") >= value(before, "bimer_db_errors_total") + 1
    finally:
        stack.start("mariadb")
    wait_for("the institution list to answer again",
             lambda: api.get("/api/v1/institutions").status_code == 200)
    wait_for("the outbox gauge to be up again",
             lambda: value(scrape(metrics_url, "routing"), "bimer_outbox_up") == 1)
