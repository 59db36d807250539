#!/usr/bin/python3
# SPDX-License-Identifier: MIT
#
# The local SMTP sink: a real SMTP server (Debian python3-aiosmtpd) that accepts every
# message and keeps it as one .eml file, so a local run and the tests can read the mail
# the worker sends without any outside mail server. deploy/local/stack.sh starts it
# when BIMER_SMTP_URL is not given; the docker-compose "mailsink" service runs it too.
#
# An idempotent receiver: SMTP cannot be exactly-once (a sender that dies between our
# 250 and recording it sends again), so the sink keeps ONE file per Message-ID. The
# worker gives every outbox row a stable Message-ID (<outbox-ID@bimer.gov.tr>); a
# second delivery with the same Message-ID is acknowledged (250) and dropped, and
# logged as a duplicate. File names:
#   <sha256 hex of the Message-ID header value, stripped>.eml
#   <ns since epoch, 20 digits>-<pid>-<counter, 6 digits>-<random>.eml   (no Message-ID)
# so names do not sort by arrival: use the files' mtime for that.
#
# Each message is written to a temporary name and fsynced, then linked to its final
# name (link(2) never replaces an existing file, so two concurrent copies of one
# message cannot both win) and the directory fsynced: a reader never sees half a
# message, and a message the sink acknowledged (250) survives the sink being killed.
# Two trace headers are prepended, because the envelope is not otherwise in the file:
#   X-Envelope-From: <mail from>
#   X-Envelope-To: <rcpt 1>, <rcpt 2>, ...
#
# For tests of the sender's retries, any recipient in the reserved domain
# "refuse.invalid" (RFC 2606: never a real address) is refused with 550 at RCPT.
#
# Environment: BIMER_SMTP_PORT (default 12525), BIMER_SMTP_BIND (default 127.0.0.1),
# BIMER_MAIL_DIR (default $BIMER_VAR_DIR/mail). Exits 0 on SIGTERM or SIGINT.

import asyncio
import email.parser
import email.policy
import hashlib
import itertools
import json
import os
import re
import secrets
import signal
import sys
import time

from aiosmtpd.smtp import SMTP

MAX_MESSAGE_BYTES = 32 * 1024 * 1024


def log(level, msg, **fields):
    """One JSON line on stderr, like every other process of the stack."""
    line = {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "level": level,
            "component": "mailsink", "msg": msg}
    line.update(fields)
    print(json.dumps(line, ensure_ascii=False), file=sys.stderr, flush=True)


def config():
    port_text = os.environ.get("BIMER_SMTP_PORT", "12525")
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise SystemExit(f"mailsink: BIMER_SMTP_PORT is not a port: {port_text!r}")
    mail_dir = os.environ.get("BIMER_MAIL_DIR")
    if not mail_dir:
        var_dir = os.environ.get("BIMER_VAR_DIR")
        if not var_dir:
            raise SystemExit("mailsink: set BIMER_MAIL_DIR or BIMER_VAR_DIR")
        mail_dir = os.path.join(var_dir, "mail")
    if not os.path.isabs(mail_dir):
        raise SystemExit(f"mailsink: the mail directory must be absolute: {mail_dir!r}")
    return os.environ.get("BIMER_SMTP_BIND", "127.0.0.1"), int(port_text), mail_dir


REFUSED_DOMAIN = "refuse.invalid"
TMP_NAME = re.compile(r"^\..+\.tmp$")
OUTBOX_ID = re.compile(r"^<outbox-([0-9]{1,10})@bimer\.gov\.tr>$")


def log_ref(name, msgid):
    """How a log line names a stored message: the worker's outbox id when the Message-ID is
    one of its own, else the first 8 characters of the file name. Never the whole hash name:
    64 hex characters often hold a run of 11 digits, which the log scan takes for an ID
    number; never the Message-ID itself, which a client chooses."""
    m = OUTBOX_ID.match(msgid or "")
    if m:
        return {"outbox_id": int(m.group(1))}
    return {"file_prefix": name[:8]}


def message_id(data):
    """The Message-ID header value of a message (bytes), stripped, or None."""
    try:
        headers = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(data)
        value = headers.get("Message-ID")
    except Exception:  # a malformed header section: keep the message under a unique name
        return None
    if value is None:
        return None
    value = str(value).strip()
    return value or None


class EmlWriter:
    """aiosmtpd handler: every accepted message becomes one .eml file, one per Message-ID."""

    def __init__(self, mail_dir):
        self.mail_dir = mail_dir
        self.counter = itertools.count(1)

    def _unique_name(self):
        return "%020d-%d-%06d-%s" % (time.time_ns(), os.getpid(), next(self.counter),
                                     secrets.token_hex(4))

    def _fsync_dir(self):
        dir_fd = os.open(self.mail_dir, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def _write(self, data, msgid):
        """Store data; returns (file name, False) or (existing file name, True) for a
        duplicate of a Message-ID already stored."""
        if msgid is None:
            name = self._unique_name() + ".eml"
        else:
            name = hashlib.sha256(msgid.encode("utf-8", "surrogateescape")).hexdigest() + ".eml"
        final = os.path.join(self.mail_dir, name)
        if os.path.exists(final):
            return name, True
        tmp = os.path.join(self.mail_dir, "." + self._unique_name() + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, final)  # never replaces: the first copy of a Message-ID wins
        except FileExistsError:
            return name, True
        finally:
            os.unlink(tmp)
        self._fsync_dir()
        return name, False

    def clean_stale(self):
        """Temporary files of a sink that was killed mid-write: never acknowledged."""
        for entry in os.scandir(self.mail_dir):
            if TMP_NAME.match(entry.name) and entry.is_file(follow_symlinks=False):
                try:
                    os.unlink(entry.path)
                except FileNotFoundError:
                    pass

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.rpartition("@")[2].lower() == REFUSED_DOMAIN:
            log("info", "recipient refused (test domain)", domain=REFUSED_DOMAIN)
            return "550 5.1.1 Recipient address rejected (refuse.invalid)"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        trace = ("X-Envelope-From: %s\r\nX-Envelope-To: %s\r\n" % (
            envelope.mail_from, ", ".join(envelope.rcpt_tos))).encode("utf-8")
        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            content = content.encode("utf-8")
        msgid = message_id(content)
        try:
            name, duplicate = await asyncio.get_running_loop().run_in_executor(
                None, self._write, trace + content, msgid)
        except OSError as exc:
            log("error", "cannot store message", error=str(exc))
            return "451 4.3.0 Cannot store the message now, try again later"
        # Recipients are not logged: they are personal data.
        if duplicate:
            log("info", "duplicate message dropped", **log_ref(name, msgid))
            return "250 2.0.0 Duplicate of a message already accepted, dropped"
        log("info", "message stored", bytes=len(content), recipients=len(envelope.rcpt_tos),
            **log_ref(name, msgid))
        return "250 2.0.0 Message accepted for delivery"


async def serve(bind, port, mail_dir):
    loop = asyncio.get_running_loop()
    handler = EmlWriter(mail_dir)
    handler.clean_stale()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="bimer-mailsink", enable_SMTPUTF8=True,
                     data_size_limit=MAX_MESSAGE_BYTES),
        host=bind, port=port, reuse_address=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    log("info", "listening", bind=bind, port=port, mail_dir=mail_dir)
    await stop.wait()
    log("info", "stopping")
    server.close()
    try:
        # Python 3.12+ also waits for open connections here: do not hang on an idle client.
        await asyncio.wait_for(server.wait_closed(), 2)
    except asyncio.TimeoutError:
        pass


def main():
    bind, port, mail_dir = config()
    os.makedirs(mail_dir, mode=0o750, exist_ok=True)
    try:
        asyncio.run(serve(bind, port, mail_dir))
    except OSError as exc:
        log("error", "cannot listen", bind=bind, port=port, error=str(exc))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
