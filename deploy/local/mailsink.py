#!/usr/bin/python3
# SPDX-License-Identifier: MIT
#
# The local SMTP sink: a real SMTP server (Debian python3-aiosmtpd) that accepts every
# message and keeps it as one .eml file, so a local run and the tests can read the mail
# the worker sends without any outside mail server. deploy/local/stack.sh starts it
# when BIMER_SMTP_URL is not given; the docker-compose "mailsink" service runs it too.
#
# Each message is written to a temporary name, fsynced and renamed, so a reader never
# sees half a message and a message the sink acknowledged (250) survives the sink being
# killed. File names sort by arrival time and are unique:
#   <ns since epoch, 20 digits>-<pid>-<counter, 6 digits>-<random>.eml
# Two trace headers are prepended, because the envelope is not otherwise in the file:
#   X-Envelope-From: <mail from>
#   X-Envelope-To: <rcpt 1>, <rcpt 2>, ...
#
# Environment: BIMER_SMTP_PORT (default 12525), BIMER_SMTP_BIND (default 127.0.0.1),
# BIMER_MAIL_DIR (default $BIMER_VAR_DIR/mail). Exits 0 on SIGTERM or SIGINT.

import asyncio
import itertools
import json
import os
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


class EmlWriter:
    """aiosmtpd handler: every accepted message becomes one .eml file."""

    def __init__(self, mail_dir):
        self.mail_dir = mail_dir
        self.counter = itertools.count(1)

    def _name(self):
        return "%020d-%d-%06d-%s" % (time.time_ns(), os.getpid(), next(self.counter),
                                     secrets.token_hex(4))

    def _write(self, data):
        name = self._name()
        tmp = os.path.join(self.mail_dir, "." + name + ".tmp")
        final = os.path.join(self.mail_dir, name + ".eml")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.rename(tmp, final)
        dir_fd = os.open(self.mail_dir, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return final

    async def handle_DATA(self, server, session, envelope):
        trace = ("X-Envelope-From: %s\r\nX-Envelope-To: %s\r\n" % (
            envelope.mail_from, ", ".join(envelope.rcpt_tos))).encode("utf-8")
        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            content = content.encode("utf-8")
        try:
            path = await asyncio.get_running_loop().run_in_executor(
                None, self._write, trace + content)
        except OSError as exc:
            log("error", "cannot store message", error=str(exc))
            return "451 4.3.0 Cannot store the message now, try again later"
        # Recipients are not logged: they are personal data.
        log("info", "message stored", file=os.path.basename(path), bytes=len(content),
            recipients=len(envelope.rcpt_tos))
        return "250 2.0.0 Message accepted for delivery"


async def serve(bind, port, mail_dir):
    loop = asyncio.get_running_loop()
    handler = EmlWriter(mail_dir)
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
    await server.wait_closed()


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
