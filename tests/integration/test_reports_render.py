# SPDX-License-Identifier: MIT
"""The HTML report in a real browser (issue 6 item 1): Debian's `chromium`, headless,
loads the page from nginx with the headers nginx sends — its Content-Security-Policy
included — and the screenshot must show the page styled and every chart drawn.

Chromium cannot send a bearer token by itself, so a small proxy of this module's own
passes its requests to nginx with the token added and hands back nginx's answer (status,
headers and body) untouched. The evidence is in the pixels: each chart has bars of its own
colours (SVG presentation attributes), and the page's title band has a colour that only the
page's one <style> element gives it, which the policy allows by its hash and nothing else.
A second load through the same proxy with that hash taken out of the policy must lose the
band (the browser really enforces the policy) and keep the charts. The headers of the
report's location must equal the rest of the API's, bar that policy. No PNG library is
needed: the screenshot is decoded here (zlib and the PNG filters). If chromium is missing
the test fails: nothing is skipped."""
import base64
import hashlib
import http.client
import http.server
import re
import shutil
import struct
import subprocess
import threading
import zlib

import pytest

from test_reports import Staff, handmade_set, new_institution, insert_apps, insert_appeal  # noqa: F401

PATH = "/api/v1/reports/monthly"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

BAND = (0x0B, 0x3D, 0x6E)  # .band background: only the <style> element gives it
BARS = {  # the charts' fills (common/bm_report_html.c)
    "applications": (0x1F, 0x5F, 0xA8),
    "positive": (0x2E, 0x7D, 0x32),
    "negative": (0xC6, 0x28, 0x28),
    "partial": (0xF9, 0xA8, 0x25),
    "not_processed": (0x6D, 0x4C, 0x41),
    "response_time": (0x6A, 0x1B, 0x9A),
    "this_month": (0x00, 0x83, 0x8F),
    "previous_month": (0x9E, 0x9E, 0x9E),
}


@pytest.fixture(scope="module")
def staff(api, stack_env):
    return Staff(api, stack_env)


# ------------------------------------------------------------------ PNG


def _add_bytes(x, y, n):
    """Bytewise (x + y) mod 256 of two n-byte strings, without a Python loop (SWAR)."""
    lo7 = int.from_bytes(b"\x7f" * n, "big")
    hi1 = int.from_bytes(b"\x80" * n, "big")
    a, b = int.from_bytes(x, "big"), int.from_bytes(y, "big")
    return (((a & lo7) + (b & lo7)) ^ ((a ^ b) & hi1)).to_bytes(n, "big")


def png_rows(data):
    """(width, height, rows as RGB bytes) of an 8-bit RGB or RGBA, non-interlaced PNG.
    Chromium filters most rows with Up, done here a whole row at a time."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, head = 8, [], None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IHDR":
            head = struct.unpack(">IIBBBBB", data[pos + 8:pos + 8 + n])
        elif kind == b"IDAT":
            idat.append(data[pos + 8:pos + 8 + n])
        pos += 12 + n
    w, h, depth, ctype, _c, _f, interlace = head
    assert depth == 8 and ctype in (2, 6) and interlace == 0, head
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = w * bpp
    prev = bytes(stride)
    rows = []
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)]
        if f == 2:
            line = _add_bytes(line, prev, stride)
        elif f != 0:
            line = bytearray(line)
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                if f == 1:
                    line[i] = (line[i] + a) & 0xFF
                elif f == 3:
                    line[i] = (line[i] + (a + b) // 2) & 0xFF
                else:
                    c = prev[i - bpp] if i >= bpp else 0
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc
                                          else c)) & 0xFF
            line = bytes(line)
        prev = line
        rows.append(line if bpp == 3 else b"".join(line[i:i + 3]
                                                   for i in range(0, stride, 4)))
    return w, h, rows


def colour_counts(rows, colours):
    """How many pixels have exactly each colour (pixel-aligned), and the rows they are on."""
    count = {name: 0 for name in colours}
    where = {name: set() for name in colours}
    for y, row in enumerate(rows):
        for name, rgb in colours.items():
            pat = bytes(rgb)
            if pat not in row:
                continue
            n = sum(1 for m in re.finditer(re.escape(pat), row) if m.start() % 3 == 0)
            if n:
                count[name] += n
                where[name].add(y)
    return count, where


def pixel(rows, x, y):
    return tuple(rows[y][3 * x:3 * x + 3])


# ------------------------------------------------------------------ the proxy


class Proxy:
    """GET http://127.0.0.1:<port>/<path> → nginx with the bearer token; the answer as is.
    csp_filter, when set, rewrites the Content-Security-Policy on the way back."""

    def __init__(self, env, token):
        self.port_out = int(env["BIMER_HTTP_PORT"])
        self.token = token
        self.csp_filter = None
        self.seen = []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                conn = http.client.HTTPConnection("127.0.0.1", proxy.port_out, timeout=30)
                conn.request("GET", self.path, headers={
                    "Authorization": f"Bearer {proxy.token}", "X-Forwarded-For": "10.9.8.7"})
                resp = conn.getresponse()
                body = resp.read()
                proxy.seen.append((self.path, resp.status))
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() in ("connection", "transfer-encoding", "keep-alive"):
                        continue
                    if k.lower() == "content-security-policy" and proxy.csp_filter:
                        v = proxy.csp_filter(v)
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)
                conn.close()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def proxy(stack_env, staff):
    p = Proxy(stack_env, staff.token("merkez.operator"))
    yield p
    p.close()


def chromium(*args, timeout=90):
    assert CHROMIUM, "Debian's chromium is not installed (deploy/packages.txt lists it)"
    out = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                          "--disable-dev-shm-usage", "--hide-scrollbars", "--no-first-run",
                          "--force-color-profile=srgb", "--force-device-scale-factor=1",
                          *args], capture_output=True, timeout=timeout)
    return out


def screenshot(tmp_path, url, name):
    png = tmp_path / f"{name}.png"
    out = chromium("--window-size=1000,5200", f"--screenshot={png}", url)
    assert png.exists(), out.stderr.decode(errors="replace")[-2000:]
    return png_rows(png.read_bytes())


@pytest.fixture(scope="module")
def report_url(proxy, handmade_set):  # noqa: F811 (the fixture imported above)
    x, _, _ = handmade_set
    return (f"http://127.0.0.1:{proxy.port}{PATH}?month=2023-03&scope=institution:{x}"
            "&format=html")


# ------------------------------------------------------------------ tests


def test_chromium_renders_the_styled_page_and_every_chart(tmp_path, proxy, report_url):
    proxy.seen.clear()
    w, h, rows = screenshot(tmp_path, report_url, "report")
    assert [s for p, s in proxy.seen if p.startswith(PATH)] == [200], proxy.seen
    count, where = colour_counts(rows, dict(BARS, band=BAND))
    # the title band, styled by the hashed <style>, spans the page's width at the top
    assert count["band"] > w * 40, count
    assert min(where["band"]) < 10
    # every chart's bars are drawn (18 px high, 14 px in the comparison)
    for name in BARS:
        assert count[name] >= 100, (name, count)
    # the outcome bars keep their proportions: positive 2, negative 1, partial 1, np 1
    assert 1.8 < count["positive"] / count["negative"] < 2.2, count
    assert abs(count["partial"] - count["negative"]) <= 0.1 * count["negative"], count
    # the charts come in the page's order: comparison, applications, outcomes, times
    assert min(where["this_month"]) < min(where["applications"]) < min(where["positive"]) \
        < min(where["response_time"])
    # the page is white outside the band and the bars (the body background comes from CSS)
    assert pixel(rows, 5, h // 2) == (255, 255, 255)


def test_without_the_hash_the_browser_refuses_the_style_but_draws_the_charts(
        tmp_path, proxy, report_url):
    proxy.seen.clear()
    proxy.csp_filter = lambda v: re.sub(r"style-src [^;]*", "style-src 'none'", v)
    try:
        _, _, rows = screenshot(tmp_path, report_url, "report-no-style")
    finally:
        proxy.csp_filter = None
    count, _ = colour_counts(rows, dict(BARS, band=BAND))
    assert count["band"] == 0, "the browser applied a style the policy refuses"
    assert count["applications"] >= 100 and count["positive"] >= 100, count


def test_the_page_prints_on_a4(tmp_path, report_url):
    pdf = tmp_path / "report.pdf"
    out = chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", report_url)
    assert pdf.exists(), out.stderr.decode(errors="replace")[-2000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    sizes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([0-9.]+) ([0-9.]+)\s*\]", data)
    assert sizes and all(abs(float(a) - 595.92) < 2 and abs(float(b) - 842.88) < 2
                         for a, b in sizes), sizes[:3]
    assert len(re.findall(rb"/Type\s*/Page\b", data)) >= 2


def test_dom_has_no_script_and_the_style_is_the_hashed_one(staff, handmade_set,  # noqa: F811
                                                           report_url):
    x, _, _ = handmade_set
    r = staff.report("merkez.operator", month="2023-03", scope=f"institution:{x}",
                     format="html")
    style = re.search(r"<style>(.*?)</style>", r.text, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    csp = dict(d.strip().split(" ", 1) for d in r.headers["Content-Security-Policy"].split(";"))
    assert csp["style-src"] == f"'sha256-{digest}'"
    dom = chromium("--dump-dom", report_url).stdout.decode()
    assert "<script" not in dom and dom.count("<svg") >= 8 and "Aylık rapor" in dom


def test_report_headers_equal_the_rest_of_the_api_but_the_style_policy(api, staff):
    report = staff.report("merkez.operator", month="2023-03", format="html")
    other = api.get("/api/v1/inbox", headers=staff.headers("merkez.operator"))
    assert report.status_code == other.status_code == 200
    names = ("X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy",
             "Permissions-Policy", "Cross-Origin-Opener-Policy",
             "Cross-Origin-Resource-Policy", "Cache-Control")
    for n in names:
        assert report.headers.get(n) == other.headers.get(n), n
    assert report.headers["X-Request-Id"]

    def directives(h):
        return dict((d.strip().split(" ", 1) + [""])[:2] for d in h.split(";") if d.strip())

    mine = directives(report.headers["Content-Security-Policy"])
    theirs = directives(other.headers["Content-Security-Policy"])
    assert mine.pop("style-src").startswith("'sha256-")
    theirs.pop("style-src")
    # nothing allowed that the rest of the API does not allow (a script-src there may be
    # absent here: default-src 'none' refuses scripts)
    assert mine["default-src"] == "'none'"
    for k, v in mine.items():
        assert theirs.get(k) == v, (k, v, theirs.get(k))
    assert set(theirs) - set(mine) <= {"script-src"}
