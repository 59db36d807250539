#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Data for the benchmark's status hits (tests/bench/run.sh).

Creates N internet applications through the real API (POST /api/v1/applications
on the bench stack, several keep-alive connections at once) and writes one line
"tc_kimlik_no application_no" per application to the pairs file, which the wrk
scripts read. run.sh then marks them verified with one SQL batch, so a hit shows
a received application with its timeline, as most look-ups in real life do.

The ID numbers are random valid ones (rules.md W3), nobody's; the file is still
kept inside the bench var dir, which is not world-readable.

usage: prepare.py PORT COUNT PAIRS_FILE [CONNECTIONS]
"""
import concurrent.futures
import http.client
import json
import os
import random
import sys



def tckn():
    d = [random.randint(1, 9)] + [random.randint(0, 9) for _ in range(8)]
    d.append(((d[0] + d[2] + d[4] + d[6] + d[8]) * 7 - (d[1] + d[3] + d[5] + d[7])) % 10)
    d.append(sum(d) % 10)
    return "".join(map(str, d))


def application(i, id_no):
    return {
        "type": "dilekce",
        "category": "istek",
        "subject": f"Park düzenlemesi talebi {i}",
        "body": "Mahallemizdeki parkın aydınlatmasının yenilenmesini rica ederim.",
        "province_code": "06",
        "applicant": {
            "tc_kimlik_no": id_no,
            "first_name": "Zeynep",
            "last_name": "Kaya",
            "email": f"bench.prep.{i}@example.com.tr",
            "address": "Bahçelievler Mah. 7. Cadde No:3 Çankaya/Ankara",
        },
    }


def create(port, indices):
    """Submit the applications of indices over one connection; their pairs."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    out = []
    try:
        for i in indices:
            id_no = tckn()
            conn.request("POST", "/api/v1/applications",
                         body=json.dumps(application(i, id_no)).encode(),
                         headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            data = resp.read()
            if resp.status != 202:
                raise RuntimeError(f"POST /api/v1/applications answered {resp.status}: "
                                   f"{data[:300]!r}")
            out.append((id_no, json.loads(data)["application_no"]))
    finally:
        conn.close()
    return out


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__.strip().splitlines()[-1])
    port, count, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    conns = int(sys.argv[4]) if len(sys.argv) == 5 else 16
    chunks = [range(k, count, conns) for k in range(conns)]
    pairs = []
    with concurrent.futures.ThreadPoolExecutor(conns) as pool:
        for part in pool.map(lambda c: create(port, c), chunks):
            pairs.extend(part)
    fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        for id_no, no in pairs:
            f.write(f"{id_no} {no}\n")
    os.replace(path + ".tmp", path)
    print(f"prepare: {len(pairs)} applications created through the API")


if __name__ == "__main__":
    main()
