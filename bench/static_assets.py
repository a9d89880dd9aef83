"""static_assets: the largest built file, as `mockloop serve` hands it to a browser.

1. The largest file under static/dist/ that is served with an immutable name (a content-hashed
   bundle, or anything in Pyodide's versioned folder: mockloop/web/assets.py) is fetched cold, on a
   fresh connection each time, with Accept-Encoding br, gzip and none: the time to its last byte
   (best of 3) and the bytes on the wire (headers and body). The figure fails unless br and gzip are
   answered with that encoding, no Accept-Encoding with the file as built, and every answer says
   `immutable` with a max-age of at least a year and varies on Accept-Encoding.
2. Chromium, through a proxy that notes every request it passes to the server, opens a coding round
   (phone-screen, logged in with the bench's session) and runs Python, which loads Pyodide; then a
   repeat visit (the round page in a new tab of the same browser) runs it again. The figure fails
   unless the first visit fetched the file once and the repeat visit sent no request for it; it
   also says how many requests for /static/dist/ the repeat visit sent in all.
"""

from __future__ import annotations

import asyncio
import http.client
import re
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"  # Debian's, never a downloaded one
YEAR = 365 * 24 * 60 * 60
RUN_TIMEOUT = 180_000  # ms: Pyodide's first start on a busy 2-core machine
REQUEST_LINE = re.compile(rb"(?:GET|HEAD) (/[^ \r\n]*) HTTP/1\.[01]\r\n")


def largest_immutable(dist: Path) -> Path:
    """The biggest file the app serves under a name that changes with its content."""
    from mockloop.web.assets import HASHED, PYODIDE

    files = [
        f
        for f in dist.rglob("*")
        if f.is_file() and f.suffix not in (".br", ".gz") and (HASHED.search(f.name) or PYODIDE.match(f.parent.name))
    ]
    return max(files, key=lambda f: f.stat().st_size)


@dataclass
class Fetch:
    encoding: str  # what was asked for ("" for none)
    status: int
    content_encoding: str
    header_bytes: int
    body_bytes: int
    seconds: float
    cache_control: str
    vary: str

    @property
    def wire_bytes(self) -> int:
        return self.header_bytes + self.body_bytes


def fetch_cold(port: int, path: str, encoding: str, tries: int = 3) -> Fetch:
    """GET on a fresh connection each time; the fastest of `tries`."""
    best = None
    for _ in range(tries):
        began = time.perf_counter()
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        conn.request("GET", path, headers={"Accept-Encoding": encoding} if encoding else {})
        resp = conn.getresponse()
        body = resp.read()
        took = time.perf_counter() - began
        conn.close()
        header_bytes = len(f"HTTP/1.1 {resp.status} {resp.reason}\r\n") + len(str(resp.headers))
        got = Fetch(
            encoding,
            resp.status,
            resp.getheader("Content-Encoding", ""),
            header_bytes,
            len(body),
            took,
            resp.getheader("Cache-Control", ""),
            resp.getheader("Vary", ""),
        )
        best = got if best is None or got.seconds < best.seconds else best
    assert best is not None
    return best


def cache_problems(fetch: Fetch) -> list[str]:
    words = [w.strip() for w in fetch.cache_control.split(",")]
    max_age = next((int(w.split("=", 1)[1]) for w in words if w.startswith("max-age=")), 0)
    problems = []
    if "immutable" not in words:
        problems.append(f"Cache-Control {fetch.cache_control!r} lacks immutable")
    if max_age < YEAR:
        problems.append(f"max-age {max_age} s is under a year")
    if "accept-encoding" not in fetch.vary.lower():
        problems.append(f"Vary {fetch.vary!r} does not name Accept-Encoding")
    return problems


class CountingProxy:
    """A TCP proxy on a free port in front of the server that notes the path of every GET or HEAD
    passing through it, so the bench knows what the browser asked the server for (a browser's own
    cache hits never reach it)."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.paths: list[str] = []
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.port = 0

    def __enter__(self) -> CountingProxy:
        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(asyncio.start_server(self._client, HOST, 0), self.loop).result(
            10
        )
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    def __exit__(self, *exc) -> None:
        self.loop.call_soon_threadsafe(self.server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    async def _client(self, reader, writer) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(HOST, self.target_port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(self._pump(reader, up_writer, note=True), self._pump(up_reader, writer, note=False))

    async def _pump(self, reader, writer, note: bool) -> None:
        tail = b""  # a request line may straddle two reads
        try:
            while data := await reader.read(65536):
                if note:
                    seen = tail + data
                    found = list(REQUEST_LINE.finditer(seen))
                    self.paths += [m.group(1).decode("latin-1") for m in found]
                    tail = seen[found[-1].end() if found else 0 :][-2048:]
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()


def run_python(page, url: str) -> None:
    from playwright.sync_api import expect

    page.goto(url)
    run = page.get_by_role("button", name="Run", exact=True)
    expect(run).to_be_enabled(timeout=30_000)
    run.click()
    expect(page.locator("#run-summary")).to_contain_text("Python run", timeout=RUN_TIMEOUT)


def browser_visits(proxy: CountingProxy, round_path: str, cookies: dict[str, str], asset: str) -> tuple[int, int, int]:
    """(requests for `asset` in the first visit, in the repeat visit, for /static/dist/ in the repeat
    visit)."""
    from playwright.sync_api import sync_playwright

    base = f"http://{HOST}:{proxy.port}"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        try:
            context = browser.new_context()
            context.add_cookies([{"name": k, "value": v, "url": base} for k, v in cookies.items()])
            run_python(context.new_page(), base + round_path)
            first = proxy.paths.count(asset)
            before = len(proxy.paths)
            run_python(context.new_page(), base + round_path)
            again = proxy.paths[before:]
        finally:
            browser.close()
    return first, again.count(asset), sum(1 for p in again if p.startswith("/static/dist/"))
