# SPDX-License-Identifier: MIT
"""Staff intake (issue 4 item 5): phone, fax, letter and in-person
applications keyed in by operators, with the channel and identity rules of
rules.md C1, C3, C4, C5, received at once with a due date."""
import pytest

from citizen import count, mails_to, petition, sql, tckn, text_of
from staff import bearer, token_for

URL = "/api/v1/staff/applications"


def keyed(channel, **over):
    b = petition(**over)
    b["channel"] = channel
    return b


def post(api, env, body, user="ankara.operator"):
    return api.post(URL, json=body, headers=bearer(token_for(api, env, user)))


def errors(r):
    assert r.status_code == 422, r.text
    return {(e["field"], e["code"]) for e in r.json()["errors"]}


def test_phone_petition_received_at_once(api, stack_env):
    body = keyed("phone", province_code=None)
    r = post(api, stack_env, body)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["status"] == "received" and out["due_at"].endswith("T23:59:59+03:00")
    row = sql(stack_env, "SELECT channel, status, province_code, received_at IS NOT NULL "
              f"FROM applications WHERE application_no = '{out['application_no']}'")
    assert row == [["phone", "received", "06", "1"]]  # the Ankara desk's province by default
    ev = sql(stack_env, "SELECT e.kind, u.username, e.actor_institution_code FROM "
             "application_events e JOIN applications a ON a.id = e.application_id LEFT JOIN "
             f"users u ON u.id = e.actor_user_id WHERE a.application_no = '{out['application_no']}'")
    assert ev == [["received", "ankara.operator", "VALILIK-06"]]
    mail = mails_to(stack_env, body["applicant"]["email"])[0]
    assert out["application_no"] in text_of(mail) and out["tracking_code"] in text_of(mail)
    # it says how the application came (no e-mail was verified) and offers the look-up
    # by ID number, which the applicant gave
    assert "Telefonla yaptığınız başvuru kaydedildi" in text_of(mail)
    assert "doğrulandı" not in text_of(mail)
    assert "T.C. kimlik numaranız ve başvuru numaranızla" in text_of(mail)


def test_received_mail_of_a_letter_without_id_number(api, stack_env):
    body = keyed("letter")
    del body["applicant"]["tc_kimlik_no"]
    r = post(api, stack_env, body)
    assert r.status_code == 201, r.text
    text = text_of(mails_to(stack_env, body["applicant"]["email"])[0])
    assert "Posta ile gönderdiğiniz başvuru kaydedildi" in text and "doğrulandı" not in text
    assert "T.C. kimlik" not in text  # no ID number was given: only the tracking link
    assert r.json()["tracking_code"] in text


def test_c5_information_request_never_by_phone(api, stack_env):
    body = keyed("phone", type="bilgi_edinme", category=None)
    before = count(stack_env)
    assert ("channel", "BE_PHONE_NOT_ALLOWED") in errors(post(api, stack_env, body))
    assert count(stack_env) == before
    assert post(api, stack_env, keyed("letter", type="bilgi_edinme",
                                      category=None)).status_code == 201


def test_c4_fax_information_request_needs_the_id_number(api, stack_env):
    body = keyed("fax", type="bilgi_edinme", category=None)
    del body["applicant"]["tc_kimlik_no"]
    assert ("applicant.tc_kimlik_no", "BE_MISSING_TCKN_OR_FORM") in errors(
        post(api, stack_env, body))
    ok = keyed("fax", type="bilgi_edinme", category=None)
    assert post(api, stack_env, ok).status_code == 201


def test_c1_petition_needs_name_and_address(api, stack_env):
    body = keyed("in_person", category="istek")
    del body["applicant"]["address"]
    assert ("applicant.address", "MISSING_IDENTITY") in errors(post(api, stack_env, body))
    nobody = keyed("letter", category="oneri")
    del nobody["applicant"]
    assert ("applicant.first_name", "MISSING_IDENTITY") in errors(post(api, stack_env, nobody))


def test_c3_anonymous_complaints(api, stack_env):
    phone = keyed("phone", category="ihbar")
    del phone["applicant"]
    r = post(api, stack_env, phone)
    assert r.status_code == 201, r.text
    no = r.json()["application_no"]
    assert sql(stack_env, "SELECT anonymous, applicant_first_name IS NULL FROM applications "
               f"WHERE application_no = '{no}'") == [["1", "1"]]
    # the tracking code is the only way to follow it
    assert api.get(f"/api/v1/status/{r.json()['tracking_code']}").status_code == 200
    letter = keyed("letter", category="sikayet")
    del letter["applicant"]
    assert ("has_evidence", "ANON_NO_EVIDENCE") in errors(post(api, stack_env, letter))
    letter["has_evidence"] = True
    assert post(api, stack_env, letter).status_code == 201
    in_person = keyed("in_person", category="sikayet")
    del in_person["applicant"]
    assert ("applicant.first_name", "MISSING_IDENTITY") in errors(post(api, stack_env, in_person))


def test_only_operators_key_in(api, stack_env):
    for user in ("ankara.meb", "bedk.uye", "saglik.bakanlik"):
        r = post(api, stack_env, keyed("phone"), user=user)
        assert r.status_code == 403, (user, r.text)
    assert post(api, stack_env, keyed("phone"), user="merkez.operator").status_code == 201
    assert api.post(URL, json=keyed("phone")).status_code == 401


def test_staff_idempotency(api, stack_env):
    body = keyed("letter")
    h = bearer(token_for(api, stack_env, "merkez.operator"))
    h["Idempotency-Key"] = "staff-" + tckn()
    a = api.post(URL, json=body, headers=h)
    b = api.post(URL, json=body, headers=h)
    assert a.status_code == b.status_code == 201
    assert a.json()["application_no"] == b.json()["application_no"]
