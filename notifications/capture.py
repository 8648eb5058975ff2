"""A local SMTP server that stores every message as an `.eml` file (the demo's mail).

It listens on a loopback address only and keeps each Message-ID once: a
message whose Message-ID it has already stored is accepted again (so the
sender records it as sent) but not written twice. This is the receiver-side
half of the outbox's exactly-once guarantee (see `notifications.drain`).
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from notifications.headers import is_loopback

logger = logging.getLogger(__name__)

_UNSAFE_NAME_CHARS = re.compile(r"[^A-Za-z0-9._@-]+")
_NUMBERED = re.compile(r"^(\d+)-")


def sanitise_message_id(message_id: str | None) -> str:
    """Return a Message-ID fit for a file name, without brackets, slashes or spaces."""
    if not message_id:
        return "no-message-id"
    cleaned = _UNSAFE_NAME_CHARS.sub("_", message_id.strip().strip("<>"))
    return cleaned.strip("._")[:120] or "no-message-id"


class CaptureHandler:
    """aiosmtpd handler that writes each message to `<n>-<message-id>.eml`.

    With `dedupe` (the default) a Message-ID already stored in the folder is
    not written again. `received` counts every DATA accepted, duplicates
    included, per Message-ID.
    """

    def __init__(self, folder: Path, *, dedupe: bool = True) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.dedupe = dedupe
        self.received: dict[str, int] = {}
        self._lock = threading.Lock()
        self._seen: set[str] = set()
        self._counter = 0
        for path in self.folder.glob("*.eml"):
            match = _NUMBERED.match(path.name)
            if match:
                self._counter = max(self._counter, int(match.group(1)))
            self._seen.add(self._message_id_of(path.read_bytes()) or "")
        self._seen.discard("")

    @staticmethod
    def _message_id_of(content: bytes) -> str | None:
        headers = BytesHeaderParser().parsebytes(content)
        value = headers.get("Message-ID")
        return str(value).strip() if value else None

    def store(self, content: bytes) -> Path | None:
        """Write one message; returns its path, or None for a duplicate Message-ID."""
        message_id = self._message_id_of(content)
        with self._lock:
            key = message_id or ""
            self.received[key] = self.received.get(key, 0) + 1
            if self.dedupe and message_id and message_id in self._seen:
                logger.info(
                    "capture: Message-ID %s already stored, not written again",
                    message_id,
                )
                return None
            self._counter += 1
            path = (
                self.folder / f"{self._counter}-{sanitise_message_id(message_id)}.eml"
            )
            path.write_bytes(content)
            if message_id:
                self._seen.add(message_id)
        return path

    async def handle_DATA(
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.original_content or b""
        self.store(content)
        return "250 Message accepted for delivery"


class CaptureServer:
    """The capture SMTP server on a thread of its own.

    Use as a context manager, or call `start()` (returns the bound port) and
    `stop()`. Port 0 lets the system choose a free port. Extra keyword
    arguments go to aiosmtpd's SMTP class (e.g. `tls_context`,
    `authenticator`, `auth_required`) so tests can run STARTTLS and AUTH.
    """

    def __init__(
        self,
        folder: Path | str,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        handler: CaptureHandler | None = None,
        **smtp_options: Any,
    ) -> None:
        if not is_loopback(host):
            raise ValueError(
                f"the capture server listens on a loopback address only, not {host!r}"
            )
        self.host = host
        self.requested_port = port
        self.handler = handler or CaptureHandler(Path(folder))
        self.folder = self.handler.folder
        self.smtp_options = {
            "enable_SMTPUTF8": True,
            "hostname": "capture.localhost",
            **smtp_options,
        }
        self.port: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.AbstractServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> int:
        """Start listening; returns the bound port."""
        if self._thread is not None:
            raise RuntimeError("the capture server is already running")
        ready = threading.Event()
        failure: list[BaseException] = []
        self._loop = asyncio.new_event_loop()

        def run() -> None:
            assert self._loop is not None
            asyncio.set_event_loop(self._loop)
            try:
                self._server = self._loop.run_until_complete(
                    self._loop.create_server(
                        lambda: SMTP(self.handler, **self.smtp_options),
                        host=self.host,
                        port=self.requested_port,
                    )
                )
            except BaseException as error:  # re-raised by start() below
                failure.append(error)
                ready.set()
                return
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="capture-smtp", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            self._thread.join()
            self._thread = None
            self._loop.close()
            self._loop = None
            raise failure[0]
        assert self.port is not None
        logger.info(
            "capture SMTP server on %s:%d writes to %s",
            self.host,
            self.port,
            self.folder,
        )
        return self.port

    def stop(self) -> None:
        """Stop listening, close open sessions and end the thread."""
        if self._thread is None or self._loop is None:
            return
        loop = self._loop

        async def shutdown() -> None:
            if self._server is not None:
                self._server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            loop.stop()

        asyncio.run_coroutine_threadsafe(shutdown(), loop)
        self._thread.join()
        loop.close()
        self._thread = None
        self._loop = None
        logger.info("capture SMTP server on %s:%s stopped", self.host, self.port)

    def __enter__(self) -> CaptureServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
