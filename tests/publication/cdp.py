"""Drive Debian's headless Chromium over the DevTools protocol, for the site tests.

Chromium starts with the flags a closed network needs: no background networking,
component updates, sync or QUIC, and a host resolver that maps every name except
127.0.0.1 to nothing. It listens for DevTools on a port it picks itself and writes
that port to DevToolsActivePort in its profile folder.
"""

from __future__ import annotations

import base64
import json
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    "--window-size=1200,1000",
    "--remote-debugging-port=0",
)


class CdpError(RuntimeError):
    """Chromium returned an error or did not respond in time."""


class Page:
    """One browser tab attached with a flat session; events are kept in order."""

    def __init__(self, socket: ClientConnection, session_id: str) -> None:
        self.socket = socket
        self.session_id = session_id
        self.events: list[dict[str, Any]] = []
        self._next_id = 1000

    def send(
        self, method: str, params: dict | None = None, timeout: float = 30
    ) -> dict:
        """Send a command to the tab and return its result."""
        return _call(self, method, params or {}, self.session_id, timeout)

    def wait_for(self, method: str, timeout: float = 30) -> dict:
        """Wait for the next event `method` not seen yet and return its params."""
        deadline = time.monotonic() + timeout
        seen = len(self.events)
        while True:
            for event in self.events[seen:]:
                if event["method"] == method:
                    self.events.remove(event)
                    return event.get("params", {})
            seen = len(self.events)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise CdpError(f"no {method} event within {timeout} s")
            _receive(self, remaining)

    def evaluate(self, expression: str) -> Any:
        """Evaluate a JavaScript expression in the page and return its value."""
        result = self.send(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True}
        )
        if "exceptionDetails" in result:
            raise CdpError(f"{expression!r} raised {result['exceptionDetails']}")
        return result["result"].get("value")

    def poll(self, expression: str, timeout: float = 15) -> Any:
        """Evaluate `expression` until it is truthy; return that value."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.1)
        raise CdpError(f"{expression!r} stayed false for {timeout} s")

    def navigate(self, url: str) -> None:
        """Open `url` and wait for its load event."""
        self.send("Page.navigate", {"url": url})
        self.wait_for("Page.loadEventFired")

    def screenshot(self, path: Path) -> None:
        """Save a PNG screenshot of the viewport."""
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))

    def errors(self) -> list[str]:
        """Return console errors, uncaught exceptions, error log entries, dialogs."""
        found = []
        for event in self.events:
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in (
                "error",
                "assert",
            ):
                found.append(f"console: {params.get('args')}")
            elif method == "Runtime.exceptionThrown":
                found.append(f"exception: {params.get('exceptionDetails')}")
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                entry = params["entry"]
                found.append(f"log: {entry.get('text')} {entry.get('url', '')}")
            elif method == "Page.javascriptDialogOpening":
                found.append(f"dialog: {params.get('message')}")
        return found


def _call(
    page: Page, method: str, params: dict, session_id: str | None, timeout: float
):
    page._next_id += 1
    message_id = page._next_id
    message: dict[str, Any] = {"id": message_id, "method": method, "params": params}
    if session_id is not None:
        message["sessionId"] = session_id
    page.socket.send(json.dumps(message))
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise CdpError(f"{method} got no answer within {timeout} s")
        reply = _receive(page, remaining)
        if reply is not None and reply.get("id") == message_id:
            if "error" in reply:
                raise CdpError(f"{method} failed: {reply['error']}")
            return reply.get("result", {})


def _receive(page: Page, timeout: float) -> dict | None:
    try:
        raw = page.socket.recv(timeout=timeout)
    except TimeoutError:
        return None
    message = json.loads(raw)
    if "method" in message and message.get("sessionId") == page.session_id:
        page.events.append(message)
        return None
    return message


def _wait_for_port_file(
    profile: Path, process: subprocess.Popen, timeout: float
) -> str:
    port_file = profile / "DevToolsActivePort"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CdpError(f"chromium exited with code {process.returncode}")
        if port_file.is_file():
            lines = port_file.read_text(encoding="utf-8").split()
            if len(lines) == 2:
                return f"ws://127.0.0.1:{lines[0]}{lines[1]}"
        time.sleep(0.1)
    raise CdpError(f"chromium wrote no {port_file} within {timeout} s")


@contextmanager
def open_page(profile: Path, log: Path) -> Iterator[Page]:
    """Start Chromium with a fresh profile, open one tab and stop Chromium after."""
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        try:
            url = _wait_for_port_file(profile, process, timeout=60)
            with connect(url, max_size=None, open_timeout=30) as socket:
                browser = Page(socket, session_id="")
                target = _call(
                    browser, "Target.createTarget", {"url": "about:blank"}, None, 30
                )
                attached = _call(
                    browser,
                    "Target.attachToTarget",
                    {"targetId": target["targetId"], "flatten": True},
                    None,
                    30,
                )
                page = Page(socket, attached["sessionId"])
                for domain in ("Page", "Runtime", "Log"):
                    page.send(f"{domain}.enable")
                yield page
                try:
                    _call(browser, "Browser.close", {}, None, 10)
                except (CdpError, ConnectionClosed):
                    pass  # the process is stopped below either way
        finally:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
