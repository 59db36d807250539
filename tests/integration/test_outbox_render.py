# SPDX-License-Identifier: MIT
"""The verification mail's outbox row holds its parameters, not its text
(deploy/sql/migrations/0016_outbox_params.sql); the worker renders it when it
delivers it (common/bm_notify.c bm_mail_render, services/worker/outbox.c).

On the real stack, through nginx, reading the mail from the real SMTP sink:
the rows written by the batched intake, the single-application path (an
application with an attachment) and a resend hold small parameters and no
subject or body while the worker is stopped; once it runs, each delivered
mail is exactly the mail the old rendered row held (subject, text, HTML,
rebuilt here from the template), its link verifies, and the delivered row
keeps no token. A row the worker cannot render (malformed parameters, a
kind without a renderer) is failed at once with a reason that names no
value, and the rows after it are delivered; a row with bodies (written
before the migration) is delivered as it is; a mail failed by the server
loses its parameters, a mail to be retried keeps them; rows of parameters
are delivered exactly once, each as rendered from its own parameters,
although the worker is SIGKILLed mid-way."""
import datetime
import email
import email.policy
import html
import json
import pathlib
import secrets
import subprocess
import uuid

import pytest

from citizen import mails_to, petition, sql, wait_for
from test_attachments import tiny_pdf
from test_citizen import ip, submit
from test_metrics import scrape, value
from test_worker import mail_index

TOKEN_LIKE = "Sc9_mIsSiNgPaRaMeTeRsTokenXyz0123456789abcd"  # never to appear in a reason




def public_url(env):
    return env.get("BIMER_PUBLIC_URL") or f"http://127.0.0.1:{env['BIMER_HTTP_PORT']}"


def expected_mail(env, p):
    """(subject, text, html) of the verification mail for parameters p, as bm_notify's
    template renders it (and as the rendered rows held it before 0016)."""
    no = p["no"]
    until = (datetime.datetime.fromtimestamp(p["expires"], datetime.timezone.utc)
             + datetime.timedelta(hours=3)).strftime("%d.%m.%Y %H:%M")
    hello = (f"Sayın {p['first']} {p['last']}," if p.get("first") and p.get("last")
             else "Sayın başvuru sahibi,")
    intro = ("BİMER'e yaptığınız başvurunun işleme alınabilmesi için e-posta adresinizi "
             "aşağıdaki bağlantıyla doğrulayınız.")
    link = f"{public_url(env)}/dogrulama.html?token={p['token']}"
    outro = (f"Bağlantı {until} tarihine kadar geçerlidir. Doğrulanmayan başvurular işleme "
             "alınmaz. Bu başvuruyu siz yapmadıysanız bu e-postayı dikkate almayınız.")
    subject = f"BİMER başvurunuz: e-posta adresinizi doğrulayın ({no})"
    text = (f"{hello}\n\n{intro}\n\n{link}\n\n{outro}\n\nBaşvuru numarası: {no}\n\n-- \n"
            "BİMER — Başbakanlık İletişim Merkezi\nBu e-posta otomatik olarak "
            "gönderilmiştir; lütfen yanıtlamayınız.\n")

    def esc(s):
        return html.escape(s, quote=True).replace("&#x27;", "&#39;")

    body = ('<!DOCTYPE html><html lang="tr"><head><meta charset="utf-8"><title>BİMER</title>'
            f'</head><body><p>{esc(hello)}</p><p style="white-space: pre-line">{esc(intro)}</p>'
            f'<p><a href="{esc(link)}">{esc(link)}</a></p><p>{esc(outro)}</p>'
            f"<p>Başvuru numarası: <strong>{no}</strong></p><hr><p><small>BİMER — Başbakanlık "
            "İletişim Merkezi. Bu e-posta otomatik olarak gönderilmiştir; lütfen "
            "yanıtlamayınız.</small></p></body></html>")
    return subject, text, body


def msgid(oid):
    return f"<outbox-{oid}@bimer.gov.tr>"


def message(env, oid, timeout=30):
    """The message the sink stored for outbox row oid (its Message-ID names the row)."""
    [path] = wait_for(f"the mail of outbox row {oid}",
                      lambda: mail_index(env["BIMER_MAIL_DIR"]).get(msgid(oid)), timeout)
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


@pytest.fixture(scope="module")
def metrics_url(stack_env):
    return f"http://127.0.0.1:{stack_env['BIMER_METRICS_PORT']}"


def parts(msg):
    plain = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    rich = msg.get_body(("html",)).get_content().replace("\r\n", "\n")
    return str(msg["Subject"]), plain, rich


def outbox_rows(env, where):
    """id, kind, status, subject, body_text, body_html, params, last_error, attempts ('NULL'
    for SQL NULL) of the rows matching where, by id."""
    return sql(env, "SELECT id, kind, status, IFNULL(subject, 'NULL'), IFNULL(body_text, "
               "'NULL'), IFNULL(body_html, 'NULL'), IFNULL(params, 'NULL'), "
               f"IFNULL(last_error, 'NULL'), attempts FROM outbox WHERE {where} ORDER BY id")


def rows_of_application(env, no):
    return outbox_rows(env, "kind = 'verification' AND application_id = (SELECT id FROM "
                       f"applications WHERE application_no = '{no}')")


def insert(env, values):
    """Insert outbox rows (tuples of SQL literals for kind, recipient, subject, body_text,
    body_html, params, attempts) in one statement; their ids in order."""
    tuples = ", ".join("(" + ", ".join(v) + ")" for v in values)
    [[first]] = sql(env, "INSERT INTO outbox (kind, recipient, subject, body_text, body_html, "
                    f"params, attempts) VALUES {tuples}; SELECT LAST_INSERT_ID();")
    return list(range(int(first), int(first) + len(values)))


def lit(s):
    return "NULL" if s is None else "'" + s.replace("\\", "\\\\").replace("'", "''") + "'"


def address(tag, domain="example.com.tr"):
    return f"{tag}.{uuid.uuid4().hex[:10]}@{domain}"


def worker_log(env):
    return pathlib.Path(env["BIMER_LOG_DIR"], "worker.log").read_text(encoding="utf-8")


def verify(api, token):
    return api.post("/api/v1/verifications", json={"token": token})


# ------------------------------------------------------------------ the three writers


def test_rows_hold_parameters_and_the_worker_delivers_the_same_mail(api, stack, stack_env):
    batched, single = petition(), petition()
    stack.stop("worker")
    try:
        r = submit(api, batched)
        assert r.status_code == 202, r.text
        no_a = r.json()["application_no"]
        up = api.post("/api/v1/attachments", data=tiny_pdf(uuid.uuid4().hex),
                      headers={"Content-Type": "application/pdf", "X-Forwarded-For": ip()})
        assert up.status_code == 201, up.text
        single["attachment_ids"] = [up.json()["attachment_id"]]  # the single-application path
        r = submit(api, single)
        assert r.status_code == 202, r.text
        no_b = r.json()["application_no"]
        rs = api.post("/api/v1/verifications/resend",
                      json={"application_no": no_a,
                            "tc_kimlik_no": batched["applicant"]["tc_kimlik_no"]},
                      headers={"X-Forwarded-For": ip()})
        assert rs.status_code == 202

        rows = {no_a: rows_of_application(stack_env, no_a),
                no_b: rows_of_application(stack_env, no_b)}
        assert [len(rows[no_a]), len(rows[no_b])] == [2, 1], rows
        params = {}
        for no, body in ((no_a, batched), (no_b, single)):
            for oid, kind, status, subj, text, rich, p, err, attempts in rows[no]:
                assert (kind, status, subj, text, rich, err, attempts) == (
                    "verification", "pending", "NULL", "NULL", "NULL", "NULL", "0")
                assert len(p.encode()) < 200, p  # the point: no text, no HTML
                got = json.loads(p)
                assert set(got) == {"no", "first", "last", "token", "expires"}, got
                assert got["no"] == no
                assert (got["first"], got["last"]) == (body["applicant"]["first_name"],
                                                       body["applicant"]["last_name"])
                # the token is the one whose hash the application's token row holds
                assert sql(stack_env, "SELECT COUNT(*) FROM verification_tokens t JOIN "
                           "applications a ON a.id = t.application_id WHERE a.application_no "
                           f"= '{no}' AND t.token_hash = UNHEX(SHA2({lit(got['token'])}, 256)) "
                           "AND TIMESTAMPDIFF(SECOND, '1970-01-01', t.expires_at) = "
                           f"{int(got['expires'])}") == [["1"]]
                params[int(oid)] = (got, body["applicant"]["email"])
        assert len({p["token"] for p, _ in params.values()}) == 3
    finally:
        stack.start("worker")

    for oid, (p, to) in params.items():
        msg = message(stack_env, oid)
        assert msg["To"].addresses[0].addr_spec == to
        assert parts(msg) == expected_mail(stack_env, p), oid
        assert [x.get_content_type() for x in msg.iter_parts()] == ["text/plain", "text/html"]
    # delivered: nothing of the mail and no token is left in the rows
    for no in (no_a, no_b):
        wait_for("the rows marked sent", lambda: all(
            row[2] == "sent" for row in rows_of_application(stack_env, no)), 10)
        for row in rows_of_application(stack_env, no):
            assert row[3:8] == ["NULL"] * 5, row

    first_a, resent_a = sorted(oid for oid, (p, _) in params.items() if p["no"] == no_a)
    stale = verify(api, params[first_a][0]["token"])
    assert stale.status_code == 422 and stale.json()["code"] == "VERIFICATION_TOKEN_SUPERSEDED"
    for oid in (resent_a, next(o for o, (p, _) in params.items() if p["no"] == no_b)):
        v = verify(api, params[oid][0]["token"])
        assert v.status_code == 200 and v.json()["status"] == "received", v.text


# ------------------------------------------------------------------ rows the worker refuses


def test_rows_that_cannot_be_rendered_fail_and_the_others_go_out(stack_env, metrics_url):
    failed_before = value(scrape(metrics_url, "routing"), "bimer_outbox_mails", status="failed")
    good = {"no": "2026-0001234-0", "first": "Zeynep", "last": "Kaya", "token": TOKEN_LIKE,
            "expires": 1772485140}  # 2026-0001234-0: a valid check digit (test_notify.c)
    missing = {k: v for k, v in good.items() if k != "expires"}
    wrong = dict(good, token=TOKEN_LIKE + "/x")
    to = [address(t) for t in ("bozuk", "eksik", "yanlis", "bilinmez", "eski", "iyi")]
    text, rich = "Eski biçimde yazılmış bir ileti.", "<p>Eski biçim</p>"
    ids = insert(stack_env, [
        ("'verification'", lit(to[0]), "NULL", "NULL", "NULL", lit('{"no":'), "0"),
        ("'verification'", lit(to[1]), "NULL", "NULL", "NULL", lit(json.dumps(missing)), "0"),
        ("'verification'", lit(to[2]), "NULL", "NULL", "NULL", lit(json.dumps(wrong)), "0"),
        ("'mystery_kind'", lit(to[3]), "NULL", "NULL", "NULL", lit(json.dumps(good)), "0"),
        ("'test_render'", lit(to[4]), lit("Eski biçim"), lit(text), lit(rich), "NULL", "0"),
        ("'verification'", lit(to[5]), "NULL", "NULL", "NULL", lit(json.dumps(good)), "0"),
    ])
    wait_for("every row to be finished", lambda: all(
        r[2] in ("sent", "failed") for r in outbox_rows(
            stack_env, f"id BETWEEN {ids[0]} AND {ids[-1]}")))
    rows = outbox_rows(stack_env, f"id BETWEEN {ids[0]} AND {ids[-1]}")
    reasons = ["parameters are not well-formed JSON", "bad parameters: expires REQUIRED",
               "bad parameters: token INVALID_FORMAT", "no renderer for this kind of mail"]
    for row, reason in zip(rows[:4], reasons):
        # failed at once (one attempt), the reason given, the parameters dropped
        assert row[2] == "failed" and row[8] == "1", row
        assert row[6] == "NULL" and row[7] == reason, row
    assert [r[2] for r in rows[4:]] == ["sent", "sent"], rows
    assert parts(message(stack_env, ids[4])) == ("Eski biçim", text, rich)
    assert parts(message(stack_env, ids[5])) == expected_mail(stack_env, good)
    sent = mail_index(stack_env["BIMER_MAIL_DIR"])
    assert not [oid for oid in ids[:4] if msgid(oid) in sent]
    log = worker_log(stack_env)
    assert f"mail {ids[1]} kind=verification: failed (bad parameters: expires REQUIRED), " \
        "not retried" in log
    assert f"mail {ids[3]} kind=mystery_kind: failed (no renderer" in log
    assert TOKEN_LIKE not in log and "Zeynep" not in log and to[2] not in log
    failed_after = value(scrape(metrics_url, "routing"), "bimer_outbox_mails", status="failed")
    assert failed_after - failed_before == 4


def test_a_waiting_row_needs_a_body_or_parameters(stack_env):
    with pytest.raises(subprocess.CalledProcessError) as refused:
        insert(stack_env, [("'verification'", lit(address("bos")), "NULL", "NULL", "NULL",
                            "NULL", "0")])
    assert "ck_outbox_content" in refused.value.stderr
    with pytest.raises(subprocess.CalledProcessError) as both:
        insert(stack_env, [("'verification'", lit(address("iki")), "'Konu'", "'Metin'", "NULL",
                            lit('{"no":"x"}'), "0")])
    assert "ck_outbox_content" in both.value.stderr


def test_an_old_verification_row_with_bodies_is_delivered_as_it_is(stack_env):
    subject = "BİMER başvurunuz: e-posta adresinizi doğrulayın (2025-0000001-8)"
    text = "Sayın Ali Veli,\n\nhttp://127.0.0.1/dogrulama.html?token=" + "A" * 43 + "\n"
    rich = "<!DOCTYPE html><html><body><p>Sayın Ali Veli,</p></body></html>"
    [oid] = insert(stack_env, [("'verification'", lit(address("eski")), lit(subject), lit(text),
                                lit(rich), "NULL", "0")])
    assert parts(message(stack_env, oid)) == (subject, text, rich)
    wait_for("the row marked sent", lambda: outbox_rows(stack_env, f"id = {oid}")[0][2] == "sent")
    [row] = outbox_rows(stack_env, f"id = {oid}")
    assert row[3:7] == [subject, "", "NULL", "NULL"], row  # bodies blanked, as before


# ------------------------------------------------------------------ retries


def test_a_refused_mail_keeps_its_parameters_until_it_fails(stack_env):
    max_attempts = int(stack_env.get("BIMER_MAIL_MAX_ATTEMPTS") or 10)
    p = json.dumps({"no": "2026-0001234-0", "token": TOKEN_LIKE, "expires": 1772485140})
    retried, last = insert(stack_env, [
        ("'verification'", lit(address("ret", "refuse.invalid")), "NULL", "NULL", "NULL",
         lit(p), "0"),
        ("'verification'", lit(address("son", "refuse.invalid")), "NULL", "NULL", "NULL",
         lit(p), str(max_attempts - 1)),
    ])
    try:
        wait_for("the last attempt to fail", lambda: outbox_rows(
            stack_env, f"id = {last}")[0][2] == "failed")
        [row] = outbox_rows(stack_env, f"id = {last}")
        assert row[6] == "NULL" and "550" in row[7] and row[8] == str(max_attempts), row
        # after its first failure the row waits for its retry with its parameters
        row = wait_for("the first attempt to fail", lambda: next(
            (r for r in outbox_rows(stack_env, f"id = {retried}")
             if r[2] == "pending" and int(r[8]) >= 1), None), step=0.02)
        assert json.loads(row[6])["token"] == TOKEN_LIKE and "550" in row[7], row
    finally:
        sql(stack_env, "UPDATE outbox SET status = 'failed', params = NULL "
            f"WHERE id = {retried} AND status <> 'sent'")
    assert TOKEN_LIKE not in worker_log(stack_env)


# ------------------------------------------------------------------ exactly once


def test_parameter_rows_go_out_exactly_once_across_worker_kills(stack, stack_env):
    n, lock_s = 60, int(stack_env.get("BIMER_MAIL_LOCK_S") or 60)
    params = [{"no": "2026-0001234-0", "first": "Kişi", "last": f"Numara {i}",
               "token": secrets.token_urlsafe(32), "expires": 1772485140 + 60 * i}
              for i in range(n)]
    ids = insert(stack_env, [("'verification'", lit(address(f"kisi{i}")), "NULL", "NULL",
                              "NULL", lit(json.dumps(p, ensure_ascii=False)), "0")
                             for i, p in enumerate(params)])
    where = f"id BETWEEN {ids[0]} AND {ids[-1]}"

    def sent():
        return int(sql(stack_env, f"SELECT COUNT(*) FROM outbox WHERE {where} AND "
                       "status = 'sent'")[0][0])

    kills = []
    try:
        for threshold in (5, 25):
            wait_for(f"{threshold} mails sent", lambda: sent() >= threshold, 60, step=0.01)
            stack.kill("worker")
            kills.append(sent())
            stack.start("worker")
    finally:
        stack.start("worker")
    assert any(0 < k < n for k in kills), f"the kills did not land mid-delivery: {kills}"
    wait_for("every mail sent", lambda: sent() == n, 60 + 2 * lock_s, step=0.2)
    assert sql(stack_env, f"SELECT COUNT(*) FROM outbox WHERE {where} AND (params IS NOT NULL "
               "OR body_text IS NOT NULL OR subject IS NOT NULL)") == [["0"]]
    index = mail_index(stack_env["BIMER_MAIL_DIR"])
    copies = {oid: len(index.get(msgid(oid), [])) for oid in ids}
    assert set(copies.values()) == {1}, {k: v for k, v in copies.items() if v != 1}
    for oid, p in zip(ids, params):
        msg = email.message_from_bytes(index[msgid(oid)][0].read_bytes(),
                                       policy=email.policy.default)
        assert parts(msg) == expected_mail(stack_env, p), oid
