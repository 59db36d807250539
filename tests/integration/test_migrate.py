# SPDX-License-Identifier: MIT
"""bimer-migrate against a scratch database of the test stack's MariaDB.

Each test creates its own database bimer_scratch_<random> (the stack's DB user
may create databases named bimer%), runs the built tool on a temporary copy of
deploy/sql/migrations and deploy/sql/demo, checks the result with the mariadb
client, and drops the database. What is proven (issue 2, "Done when"): `up`
twice changes nothing; an applied file that changed is refused with exit 3
naming it; a failing file stops the run; `demo` twice leaves the same rows,
81 governorships, the seven accounts with argon2id hashes of the demo
password; no password ever appears in the tool's output.
"""

import ctypes
import ctypes.util
import hashlib
import os
import re
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MIGRATIONS_SRC = REPO / "deploy" / "sql" / "migrations"
DEMO_SRC = REPO / "deploy" / "sql" / "demo"
DEFAULT_DEMO_PASSWORD = "Demo.Parola.2026"
HASH_PREFIX = "$argon2id$v=19$m=65536,t=3,p=1$"
TIMEOUT = 180

EXPECTED_TABLES = {
    "provinces", "institutions", "users", "user_roles", "applications",
    "application_events", "outbox", "holidays", "schema_migrations",
}

DEMO_USERS = {
    "merkez.operator": ("BIMER", {"operator", "admin"}),
    "ankara.operator": ("VALILIK-06", {"operator", "coordinator"}),
    "ankara.meb": ("IL-MEB-06", {"institution_user"}),
    "cankaya.kaymakamlik": ("KAYMAKAMLIK-06-CANKAYA", {"institution_user"}),
    "saglik.bakanlik": ("SAGLIK", {"institution_user", "coordinator"}),
    "etik.kurul": ("ETIK-KURUL", {"institution_user"}),
    "bedk.uye": ("BEDK", {"bedk_member"}),
}


def _db_password(stack_env):
    if "BIMER_DB_PASSWORD" in stack_env:
        return stack_env["BIMER_DB_PASSWORD"]
    path = stack_env.get("BIMER_DB_PASSWORD_FILE") or \
        Path(stack_env["BIMER_VAR_DIR"]) / "secrets" / "db.password"
    return Path(path).read_text().strip()


class Scratch:
    """A scratch database plus private copies of the SQL directories."""

    def __init__(self, stack_env, tmp_path):
        self.stack_env = stack_env
        self.name = "bimer_scratch_" + secrets.token_hex(6)
        self.password = _db_password(stack_env)
        self.demo_password = stack_env.get("BIMER_DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD)
        self.binary = Path(stack_env["BIMER_BIN_DIR"]) / "bimer-migrate"
        self.migrations = tmp_path / "migrations"
        self.demo = tmp_path / "demo"
        shutil.copytree(MIGRATIONS_SRC, self.migrations)
        shutil.copytree(DEMO_SRC, self.demo)
        self.outputs = []  # every stdout/stderr of the tool, scanned for secrets

    # --- the mariadb client -------------------------------------------------

    def _client_env(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BIMER_", "MYSQL"))}
        env["MYSQL_PWD"] = self.password  # not on the command line, not in ps
        return env

    def client(self, query, database=True, check=True):
        env = self.stack_env
        cmd = ["mariadb", "--no-defaults", "--batch", "--skip-column-names",
               "--default-character-set=utf8mb4",
               "-h", env.get("BIMER_DB_HOST", "127.0.0.1"),
               "-P", str(env.get("BIMER_DB_PORT", "13306")),
               "-u", env.get("BIMER_DB_USER", "bimer"),
               "-e", "SET time_zone = '+00:00'; " + query]
        if database:
            cmd.append(self.name)
        proc = subprocess.run(cmd, env=self._client_env(), capture_output=True, text=True,
                              timeout=TIMEOUT)
        if check:
            assert proc.returncode == 0, f"mariadb failed: {proc.stderr}"
        return proc

    def rows(self, query):
        out = self.client(query).stdout
        return [line.split("\t") for line in out.splitlines()]

    def value(self, query):
        rows = self.rows(query)
        assert len(rows) == 1 and len(rows[0]) == 1, rows
        return rows[0][0]

    def create(self):
        self.client(f"CREATE DATABASE `{self.name}` CHARACTER SET utf8mb4 "
                    "COLLATE utf8mb4_unicode_ci", database=False)

    def drop(self):
        self.client(f"DROP DATABASE IF EXISTS `{self.name}`", database=False, check=False)

    # --- the tool ----------------------------------------------------------

    def tool_env(self, **overrides):
        env = {k: v for k, v in os.environ.items() if not k.startswith("BIMER_")}
        env.update({k: str(v) for k, v in self.stack_env.items()})
        env["BIMER_DB_NAME"] = self.name
        env["BIMER_MIGRATIONS_DIR"] = str(self.migrations)
        env["BIMER_DEMO_DIR"] = str(self.demo)
        env.update(overrides)
        return env

    def start(self, command, **overrides):
        return subprocess.Popen([str(self.binary), command], env=self.tool_env(**overrides),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def finish(self, proc):
        out, err = proc.communicate(timeout=TIMEOUT)
        self.outputs.append(out + err)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)

    def run(self, command, **overrides):
        return self.finish(self.start(command, **overrides))

    def ok(self, command, **overrides):
        res = self.run(command, **overrides)
        assert res.returncode == 0, f"{command}: exit {res.returncode}\n{res.stdout}{res.stderr}"
        return res

    def assert_no_secrets_in_output(self):
        for text in self.outputs:
            assert self.password not in text
            assert self.demo_password not in text

    # --- views of the database ----------------------------------------------

    def tables(self):
        return sorted(r[0] for r in self.rows("SHOW TABLES"))

    def schema_dump(self):
        """SHOW CREATE TABLE of every table, the triggers and the history."""
        parts = []
        for table in self.tables():
            parts.append(self.rows(f"SHOW CREATE TABLE `{table}`"))
        parts.append(self.rows(
            "SELECT trigger_name, event_manipulation, action_timing, action_statement"
            " FROM information_schema.triggers WHERE trigger_schema = DATABASE()"
            " ORDER BY trigger_name"))
        parts.append(self.history())
        return parts

    def history(self):
        return self.rows("SELECT filename, sha256, applied_at FROM schema_migrations"
                         " ORDER BY filename")

    def counts(self):
        return {t: self.value(f"SELECT COUNT(*) FROM `{t}`") for t in self.tables()}


@pytest.fixture
def scratch(stack_env, tmp_path):
    db = Scratch(stack_env, tmp_path)
    db.create()
    try:
        yield db
        db.assert_no_secrets_in_output()
    finally:
        db.drop()


def migration_files():
    return sorted(p.name for p in MIGRATIONS_SRC.glob("*.sql"))


def argon2_verify(encoded, password):
    """argon2id_verify from the system libargon2 (the one the tool links)."""
    name = ctypes.util.find_library("argon2") or "libargon2.so.1"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        pytest.skip("libargon2 not loadable from python")
    lib.argon2id_verify.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t]
    lib.argon2id_verify.restype = ctypes.c_int
    pw = password.encode()
    return lib.argon2id_verify(encoded.encode(), pw, len(pw)) == 0


# --- up ----------------------------------------------------------------------


def test_up_twice_changes_nothing(scratch):
    files = migration_files()
    assert files and all(re.fullmatch(r"\d{4}_[a-z0-9_-]+\.sql", f) for f in files)

    status = scratch.ok("status")
    assert f"0 applied, {len(files)} pending" in status.stdout

    first = scratch.ok("up")
    applied = re.findall(r"^applied (\S+)", first.stdout, re.M)
    assert applied == files
    assert EXPECTED_TABLES <= set(scratch.tables())
    dump = scratch.schema_dump()

    second = scratch.ok("up")
    assert second.stdout.strip() == "up to date"
    assert scratch.schema_dump() == dump

    # What is recorded is the sha256 of each file's exact bytes.
    for name, sha, _ in scratch.history():
        assert sha == hashlib.sha256((MIGRATIONS_SRC / name).read_bytes()).hexdigest()

    status = scratch.ok("status")
    assert f"{len(files)} applied, 0 pending" in status.stdout


def test_changed_applied_file_is_refused(scratch):
    scratch.ok("up")
    history = scratch.history()
    target = scratch.migrations / migration_files()[2]
    original = target.read_bytes()
    target.write_bytes(original + b"\n-- an innocent-looking comment\n")
    (scratch.migrations / "9990_after_change.sql").write_text(
        "CREATE TABLE should_not_exist (id INT PRIMARY KEY);\n")

    res = scratch.run("up")
    assert res.returncode == 3, res.stderr
    assert target.name in res.stderr and "changed" in res.stderr
    assert "should_not_exist" not in scratch.tables()
    assert scratch.history() == history

    status = scratch.run("status")
    assert status.returncode == 3
    assert re.search(rf"^CHANGED\s.*{re.escape(target.name)}$", status.stdout, re.M)

    target.write_bytes(original)
    res = scratch.ok("up")
    assert res.stdout.startswith("applied 9990_after_change.sql")
    assert "should_not_exist" in scratch.tables()


def test_missing_or_late_files_are_refused(scratch):
    scratch.ok("up")
    early = scratch.migrations / "0000_merged_late.sql"
    early.write_text("CREATE TABLE late_one (id INT PRIMARY KEY);\n")
    res = scratch.run("up")
    assert res.returncode == 3 and "0000_merged_late.sql" in res.stderr
    assert "late_one" not in scratch.tables()
    early.unlink()

    last = scratch.migrations / migration_files()[-1]
    saved = last.read_bytes()
    last.unlink()
    res = scratch.run("up")
    assert res.returncode == 3 and last.name in res.stderr
    last.write_bytes(saved)
    assert scratch.ok("up").stdout.strip() == "up to date"


def test_failing_file_stops_the_run(scratch):
    scratch.ok("up")
    history = scratch.history()
    (scratch.migrations / "9991_broken.sql").write_text(
        "INSERT INTO holidays (day, half_day, name) VALUES ('2031-01-01', 0, 'Yılbaşı');\n"
        "SELEC 1;\n")
    (scratch.migrations / "9992_after_broken.sql").write_text(
        "CREATE TABLE after_broken (id INT PRIMARY KEY);\n")

    res = scratch.run("up")
    assert res.returncode == 1
    assert "9991_broken.sql" in res.stderr and "statement 2" in res.stderr
    assert "ERROR 1064" in res.stderr  # the server's own error is shown
    assert scratch.history() == history
    assert "after_broken" not in scratch.tables()
    # A file of data changes is all or nothing.
    assert scratch.value("SELECT COUNT(*) FROM holidays WHERE day = '2031-01-01'") == "0"


def test_concurrent_runs_apply_each_file_once(scratch):
    procs = [scratch.start("up") for _ in range(3)]
    results = [scratch.finish(p) for p in procs]
    assert [r.returncode for r in results] == [0, 0, 0], [r.stderr for r in results]
    applied = [n for r in results for n in re.findall(r"^applied (\S+)", r.stdout, re.M)]
    assert sorted(applied) == migration_files()
    assert len(scratch.history()) == len(migration_files())


def test_bad_configuration_is_a_clear_error(scratch):
    res = scratch.run("up", BIMER_DB_PORT="13306x")
    assert res.returncode == 2 and "BIMER_DB_PORT" in res.stderr
    res = scratch.run("up", BIMER_DB_NAME="bimer;drop")
    assert res.returncode == 2 and "BIMER_DB_NAME" in res.stderr
    res = scratch.run("sideways")
    assert res.returncode == 2 and "usage" in res.stderr
    wrong = "Wrong." + secrets.token_hex(8)
    res = scratch.run("status", BIMER_DB_PASSWORD=wrong)
    assert res.returncode == 1 and "Access denied" in res.stderr
    assert wrong not in res.stdout + res.stderr
    res = scratch.run("demo", BIMER_DEMO_PASSWORD="short")
    assert res.returncode == 2 and "BIMER_DEMO_PASSWORD" in res.stderr
    assert "short" not in res.stdout


# --- reference data ------------------------------------------------------------


def test_provinces_and_holidays(scratch):
    scratch.ok("up")
    assert scratch.value("SELECT COUNT(*) FROM provinces") == "81"
    assert scratch.rows("SELECT name FROM provinces WHERE code IN ('06', '34', '81')"
                        " ORDER BY code") == [["Ankara"], ["İstanbul"], ["Düzce"]]

    days = dict((d, h) for d, h in scratch.rows(
        "SELECT day, half_day FROM holidays WHERE day BETWEEN '2025-01-01' AND '2028-12-31'"))
    for year in range(2025, 2029):
        for md in ("01-01", "04-23", "05-01", "05-19", "07-15", "08-30", "10-29"):
            assert days[f"{year}-{md}"] == "0"
        assert days[f"{year}-10-28"] == "1"
    # Religious holidays with their arife as half days (rules.md).
    for arife, first, last in (("2025-03-29", "2025-03-30", "2025-04-01"),
                               ("2025-06-05", "2025-06-06", "2025-06-09"),
                               ("2026-03-19", "2026-03-20", "2026-03-22"),
                               ("2026-05-26", "2026-05-27", "2026-05-30"),
                               ("2027-03-08", "2027-03-09", "2027-03-11"),
                               ("2027-05-15", "2027-05-16", "2027-05-19"),
                               ("2028-02-25", "2028-02-26", "2028-02-28"),
                               ("2028-05-04", "2028-05-05", "2028-05-08")):
        assert days[arife] == "1"
        assert days[first] == "0" and days[last] == "0"
    assert len(days) == 67


def test_schema_guards(scratch):
    scratch.ok("up")
    scratch.ok("demo")
    app = ("INSERT INTO applications (application_no, type, channel, subject, body{cols})"
           " VALUES ('{no}', 'dilekce', 'letter', 'Konu', 'Metin'{vals})")
    scratch.client(app.format(no="2026-000001", cols="", vals=""))
    app_id = scratch.value("SELECT id FROM applications WHERE application_no = '2026-000001'")
    scratch.client(f"INSERT INTO application_events (application_id, kind) "
                   f"VALUES ({app_id}, 'submitted')")
    bad = {
        "anonymous with identity": app.format(
            no="2026-000002", cols=", anonymous, applicant_first_name", vals=", 1, 'Ali'"),
        "unknown institution": app.format(
            no="2026-000003", cols=", target_institution_code", vals=", 'NO-SUCH'"),
        "category on an information request":
            "INSERT INTO applications (application_no, type, category, channel, subject, body)"
            " VALUES ('2026-000004', 'bilgi_edinme', 'istek', 'internet', 'a', 'b')",
        "answered without outcome":
            f"UPDATE applications SET status = 'answered', received_at = UTC_TIMESTAMP(3)"
            f" WHERE id = {app_id}",
        "event rewritten": "UPDATE application_events SET note = 'x'",
        "event deleted": "DELETE FROM application_events",
        "external in scope": "UPDATE institutions SET in_scope = 1 WHERE code = 'TBMM'",
        "upper-case user name":
            "INSERT INTO users (username, password_hash, full_name, email, institution_code)"
            " VALUES ('Ankara.Operator', '!', 'X', 'x@example.org', 'BIMER')",
    }
    for what, sql in bad.items():
        assert scratch.client(sql, check=False).returncode != 0, what


# --- demo ----------------------------------------------------------------------


def test_demo_needs_migrations(scratch):
    res = scratch.run("demo")
    assert res.returncode == 1 and "bimer-migrate up" in res.stderr


def test_demo_twice_is_idempotent(scratch):
    scratch.ok("up")
    first = scratch.ok("demo")
    assert first.stdout.count("password set") == 7
    counts = scratch.counts()
    users = scratch.rows("SELECT username, password_hash, institution_code FROM users"
                         " ORDER BY username")

    second = scratch.ok("demo")
    assert second.stdout.count("password unchanged") == 7
    assert scratch.counts() == counts
    assert scratch.rows("SELECT username, password_hash, institution_code FROM users"
                        " ORDER BY username") == users

    # 81 governorships under ICISLERI, province code = plate number.
    govs = scratch.rows("SELECT i.code, i.name, i.parent_code, i.province_code, p.name"
                        " FROM institutions i JOIN provinces p ON p.code = i.province_code"
                        " WHERE i.kind = 'governorship' ORDER BY i.code")
    assert len(govs) == 81
    for n, (code, name, parent, province, province_name) in enumerate(govs, start=1):
        assert code == f"VALILIK-{n:02d}" and province == f"{n:02d}"
        assert parent == "ICISLERI" and name == f"{province_name} Valiliği"
    names = {r[0]: r[1] for r in govs}
    assert names["VALILIK-06"] == "Ankara Valiliği"
    assert names["VALILIK-34"] == "İstanbul Valiliği"
    assert names["VALILIK-35"] == "İzmir Valiliği"

    tree = {r[0]: r[1:] for r in scratch.rows(
        "SELECT code, kind, IFNULL(parent_code, '-'), IFNULL(province_code, '-'), in_scope"
        " FROM institutions")}
    assert tree["BIMER"] == ["centre", "-", "-", "1"]
    for ministry in ("ICISLERI", "SAGLIK", "MEB", "ADALET"):
        assert tree[ministry][0] == "ministry"
    assert tree["KAYMAKAMLIK-06-CANKAYA"] == ["district_governorship", "VALILIK-06", "06", "1"]
    assert tree["IL-MEB-06"] == ["provincial_directorate", "MEB", "06", "1"]
    assert tree["IL-SAGLIK-06"] == ["provincial_directorate", "SAGLIK", "06", "1"]
    assert tree["ETIK-KURUL"][0] == "ethics_board"
    assert tree["BEDK"][0] == "bedk"
    assert any(v[0] == "regional_directorate" for v in tree.values())
    assert any(v[0] == "general_directorate" and v[1] == "SAGLIK" for v in tree.values())
    for outside in ("TBMM", "KDK", "YSK", "HSK", "SAYISTAY", "YARGITAY", "DANISTAY"):
        assert tree[outside][0] == "external" and tree[outside][3] == "0", outside

    # The seven accounts, their institutions and roles, and their hashes.
    roles = {}
    for username, role in scratch.rows(
            "SELECT u.username, r.role FROM users u JOIN user_roles r ON r.user_id = u.id"):
        roles.setdefault(username, set()).add(role)
    assert {u: (inst, roles.get(u, set())) for u, _, inst in users} == DEMO_USERS
    hashes = [h for _, h, _ in users]
    assert len(set(hashes)) == 7  # a fresh salt each
    for h in hashes:
        assert h.startswith(HASH_PREFIX) and scratch.demo_password not in h
        assert argon2_verify(h, scratch.demo_password)


def test_demo_password_change_rehashes(scratch):
    scratch.ok("up")
    scratch.ok("demo")
    new_password = "Baska.Parola." + secrets.token_hex(4)
    res = scratch.ok("demo", BIMER_DEMO_PASSWORD=new_password)
    assert res.stdout.count("password set") == 7
    assert new_password not in res.stdout + res.stderr
    for (h,) in scratch.rows("SELECT password_hash FROM users"):
        assert argon2_verify(h, new_password)
        assert not argon2_verify(h, scratch.demo_password)
