"""How fast `mlpl-tui serve` answers for a 10,000-record project, against the HTML report.

    python bench/serve.py [--records 10000] [--runs 30] [--dir DIR]

A synthetic project (bench/make_project.py) is committed to a git repository in a temporary
directory with 200 attached artifact files, a few edited since (bench/artifacts.py), and served
on 127.0.0.1 (port 0) from a thread of this process, as `mlpl-tui serve` does. The client keeps
one HTTP/1.1 connection open, as a browser does.

- html report (baseline 1): what `mlpl-tui report --format html` does after its arguments:
  load the file, check the artifacts' files, render the report;
- bare 304 (baseline 2): a standard-library server that answers every request 304 and does
  nothing else, on the same kind of connection: the floor for any answer at all;
- GET / unchanged, 304: the overview asked with the ETag of the page already seen (what the open
  page's poll and a reload cost). Target: median <= 5 ms;
- GET / changed: the state file's stamp moved before each request, so the request reads the
  file again and renders every page. Target: <= 1.5x the html report;
- GET / unchanged, 200 and GET /state.etag: shown for information.

Runs are interleaved (the order rotated every round) so drift on a noisy shared machine hits
them alike; the collector runs before each timed call; medians are reported. The script
reports (it checks only that each answer has the status expected) and exits 0. Traffic goes to
127.0.0.1 only and is bounded by --runs.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from artifacts import make_repo
from measure import interleaved, timed

from mlpl_tui.artifact_files import artifact_states
from mlpl_tui.framework import builtin_framework_path, load_framework
from mlpl_tui.report import render
from mlpl_tui.serve import Source, make_server
from mlpl_tui.store import Store

NOT_MODIFIED_TARGET_MS = 5.0
CHANGED_TARGET = 1.5


class Bare304(BaseHTTPRequestHandler):
    """Answers every GET 304, with no body: the cost of HTTP itself."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.send_response(304)
        self.send_header("ETag", '"x"')
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def running(server: ThreadingHTTPServer) -> Iterator[http.client.HTTPConnection]:
    """The server in a thread, and one kept-alive connection to it."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(str(host), int(port), timeout=30)
    try:
        yield conn
    finally:
        conn.close()
        server.shutdown()
        server.server_close()
        thread.join(10)


def get(
    conn: http.client.HTTPConnection, path: str, etag: str | None = None
) -> tuple[int, str, int]:
    """(status, ETag, body length) of one GET on the open connection."""
    headers = {"If-None-Match": etag} if etag else {}
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    return response.status, response.getheader("ETag") or "", len(body)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--artifacts", type=int, default=200, help="attached files")
    parser.add_argument("--dir", type=Path, default=None, help="where to put the temp files")
    args = parser.parse_args(argv)
    framework = load_framework(builtin_framework_path())

    with tempfile.TemporaryDirectory(prefix="mlpl-bench-", dir=args.dir) as tmp:
        path = make_repo(Path(tmp) / "project", args.records, args.artifacts)
        root = path.parent
        server, _ = make_server(Source(path, framework), "127.0.0.1", 0)
        bare = ThreadingHTTPServer(("127.0.0.1", 0), Bare304)
        bare.daemon_threads = True
        with running(server) as conn, running(bare) as bare_conn:
            status, etag, size = get(conn, "/")
            assert status == 200, status
            stamp = [path.stat().st_mtime_ns]

            def report_html() -> object:
                project = Store(path).load()
                return render(project, framework, "html", artifact_states(project, framework, root))

            def not_modified() -> object:
                answer = get(conn, "/", etag)
                assert answer[0] == 304, answer
                return answer

            def changed() -> object:
                nonlocal etag
                stamp[0] += 1_000_000_000  # a second later: a new stamp, the same bytes
                os.utime(path, ns=(stamp[0], stamp[0]))
                answer = get(conn, "/", etag)
                assert answer[0] == 200, answer
                etag = answer[1]
                return answer

            def cached_page() -> object:
                return get(conn, "/")

            def state_etag() -> object:
                return get(conn, "/state.etag")

            def bare_304() -> object:
                return get(bare_conn, "/", '"x"')

            actions: dict[str, Callable[[], object]] = {
                "html report": report_html,
                "bare 304": bare_304,
                "GET / unchanged, 304": not_modified,
                "GET / changed": changed,
                "GET / unchanged, 200": cached_page,
                "GET /state.etag": state_etag,
            }
            names = list(actions)
            samples = interleaved(names, args.runs, lambda name: timed(actions[name]))
        file_size = path.stat().st_size

    print(
        f"{args.records} records ({file_size / 1e6:.1f} MB), overview page {size / 1e3:,.0f} kB, "
        f"{args.artifacts} attached files in git; {args.runs} interleaved runs each"
    )
    report = statistics.median(samples["html report"])
    floor = statistics.median(samples["bare 304"])
    header = (
        f"{'what':<22} {'median ms':>9} {'min ms':>7} {'max ms':>7} {'x report':>8} {'x bare':>7}"
    )
    print(header)
    print("-" * len(header))
    for name in names:
        values = samples[name]
        median = statistics.median(values)
        print(
            f"{name:<22} {median:>9.2f} {min(values):>7.2f} {max(values):>7.2f} "
            f"{median / report:>8.2f} {median / floor:>7.2f}"
        )
    unchanged = statistics.median(samples["GET / unchanged, 304"])
    ratio = statistics.median(samples["GET / changed"]) / report
    print(
        f"\nunchanged (304): {unchanged:.2f} ms median (target <= {NOT_MODIFIED_TARGET_MS} ms): "
        f"{'ok' if unchanged <= NOT_MODIFIED_TARGET_MS else 'MISS'}"
    )
    print(
        f"changed / html report = {ratio:.2f}x (target <= {CHANGED_TARGET}x): "
        f"{'ok' if ratio <= CHANGED_TARGET else 'MISS'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
