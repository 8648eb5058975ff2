"""A real SMTP server process for the notification tests (aiosmtpd on 127.0.0.1).

Started by the tests as `python smtp_server.py --folder DIR [options]`; prints
`READY <port>` once it listens and runs until terminated. Every message it
accepts is appended to `DIR/arrivals.jsonl` (Message-ID and envelope
recipients, duplicates included) and stored as an `.eml` file by the capture
handler. Options make it misbehave in the ways the tests need.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import ssl
import sys
import threading
from email.parser import BytesHeaderParser
from pathlib import Path

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from notifications.capture import CaptureHandler, CaptureServer


class TestHandler(CaptureHandler):
    """Capture handler with scripted refusals, deferrals, drops and stalls."""

    def __init__(self, options: argparse.Namespace) -> None:
        super().__init__(Path(options.folder), dedupe=options.dedupe)
        self.options = options
        self.arrivals = Path(options.folder) / "arrivals.jsonl"
        self.refuse = {address.lower() for address in options.refuse}
        self.defer: dict[str, int] = {}
        for item in options.defer:
            address, _, times = item.rpartition(":")
            self.defer[address.lower()] = int(times)
        self.data_count = 0
        self.dropped = False

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address.lower() in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        if self.defer.get(address.lower(), 0) > 0:
            self.defer[address.lower()] -= 1
            return "451 4.3.0 mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    def _log_arrival(self, envelope: Envelope) -> None:
        headers = BytesHeaderParser().parsebytes(envelope.original_content or b"")
        record = {
            "message_id": str(headers.get("Message-ID", "")),
            "rcpt_tos": envelope.rcpt_tos,
            "smtputf8": envelope.smtp_utf8,
        }
        with self.arrivals.open("a", encoding="utf-8") as log:
            log.write(json.dumps(record, ensure_ascii=False) + "\n")

    async def handle_DATA(
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        self.data_count += 1
        drop_now = (
            self.options.drop_after is not None
            and not self.dropped
            and self.data_count == self.options.drop_after + 1
        )
        if drop_now and self.options.drop_mode == "before-store":
            self.dropped = True
            server.transport.abort()
            return "421 closing"
        self.store(envelope.original_content or b"")
        self._log_arrival(envelope)
        if drop_now:  # after-store: the message is kept, the reply never goes out
            self.dropped = True
            server.transport.abort()
            return "421 closing"
        if self.options.stall_after == self.data_count:
            await asyncio.sleep(600)
        return "250 Message accepted for delivery"


def make_authenticator(username: str, password: str):
    def authenticate(
        server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data
    ) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        ok = auth_data.login == username.encode() and auth_data.password == (
            password.encode()
        )
        return AuthResult(success=ok, handled=False)

    return authenticate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folder", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--refuse", action="append", default=[])
    parser.add_argument("--defer", action="append", default=[], help="ADDRESS:TIMES")
    parser.add_argument("--drop-after", type=int)
    parser.add_argument("--drop-mode", choices=["before-store", "after-store"])
    parser.add_argument("--stall-after", type=int)
    parser.add_argument("--dedupe", action="store_true")
    parser.add_argument("--no-smtputf8", action="store_true")
    options = parser.parse_args()

    smtp_options: dict = {"enable_SMTPUTF8": not options.no_smtputf8}
    if options.cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(options.cert, options.key)
        smtp_options.update(tls_context=tls, require_starttls=True)
    if options.user:
        smtp_options.update(
            authenticator=make_authenticator(options.user, options.password),
            auth_required=True,
        )
    server = CaptureServer(
        options.folder,
        "127.0.0.1",
        options.port,
        handler=TestHandler(options),
        **smtp_options,
    )
    port = server.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(f"READY {port}", flush=True)
    while not stop.wait(0.2):
        pass
    server.stop()
    sys.exit(0)


if __name__ == "__main__":
    main()
