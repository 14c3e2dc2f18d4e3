"""`mlpl-tui serve` and `report --site`: the read-only web view, served on port 0 in a thread."""

from __future__ import annotations

import argparse
import http.client
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from mlpl_tui import report_html, report_since, serve, site
from mlpl_tui.cli import Session
from mlpl_tui.cli_serve import cmd_serve
from mlpl_tui.demo import copy_demo
from mlpl_tui.errors import UsageError
from mlpl_tui.framework import Framework
from mlpl_tui.report import cmd_report
from mlpl_tui.serve import Config, Source, make_server, url
from mlpl_tui.site import PAGES, build_pages, write_site
from mlpl_tui.store import Store
from tests.conftest import Result, git

Cli = Callable[..., Result]

HOSTILE = "\x1b[31mred\x1b[0m <script>alert(1)</script> [bold]b[/bold] \"dq\" 'sq' &amp; <b>x</b>"
PAGE_PATHS = ["/", *(f"/{file}" for _, file, _ in PAGES)]


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: str


@pytest.fixture
def state(cli: Cli, tmp_path: Path) -> Path:
    assert cli("init", "--name", "Served").code == 0
    assert cli("decide", "Use a baseline", "--decision", "start simple").code == 0
    assert cli("experiment", "add", "Baseline").code == 0
    assert cli("learn", "Labels are noisy").code == 0
    return tmp_path / "mlpl.json"


@pytest.fixture
def repo(cli: Cli, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository holding a new project, 'Committed' (not committed yet)."""
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    git(env, tmp_path, "init", "-q", "-b", "main")
    assert cli("init", "--name", "Committed").code == 0
    return tmp_path


@contextmanager
def serving(
    path: Path, framework: Framework, host: str = "127.0.0.1", ref: str | None = None
) -> Iterator[Config]:
    # The ref asked of git on every request, so a test's commit shows at once.
    server, config = make_server(Source(path, framework, ref, ref_check_seconds=0), host, 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield config
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def ask(
    config: Config,
    path: str = "/",
    method: str = "GET",
    headers: dict[str, str] | None = None,
    host: str | None = None,
) -> Reply:
    conn = http.client.HTTPConnection(config.host, config.port, timeout=10)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", host if host is not None else f"{config.host}:{config.port}")
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        body = response.read().decode("utf-8")
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, body)
    finally:
        conn.close()


def test_every_page_is_served_with_a_strict_policy(state: Path, framework: Framework) -> None:
    with serving(state, framework) as config:
        for path in PAGE_PATHS:
            reply = ask(config, path)
            assert reply.status == 200, path
            assert reply.headers["content-type"] == "text/html; charset=utf-8"
            csp = reply.headers["content-security-policy"]
            assert csp.startswith("default-src 'none'; style-src 'self'")
            for rule in ("script-src 'self'", "base-uri 'none'", "frame-ancestors 'none'"):
                assert rule in csp
            assert "'unsafe-inline'" not in csp
            assert reply.headers["x-content-type-options"] == "nosniff"
            assert reply.headers["referrer-policy"] == "no-referrer"
            assert '<nav class="site"' in reply.body and "<style>" not in reply.body
            assert '<script src="live.js" defer></script>' in reply.body
            assert '<noscript><meta http-equiv="refresh" content="10"></noscript>' in reply.body
            assert 'name="viewport"' in reply.body
        assert ask(config, "/").body == ask(config, "/index.html").body
        assert "Use a baseline" in ask(config, "/decisions.html").body
        css = ask(config, "/style.css")
        assert css.status == 200 and "@media (max-width: 640px)" in css.body
        assert "@media print" in css.body
        assert ask(config, "/live.js").headers["content-type"].startswith("text/javascript")


def test_only_get_and_head_and_only_the_pages(state: Path, framework: Framework) -> None:
    with serving(state, framework) as config:
        for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
            reply = ask(config, "/", method, {"Content-Length": "0"})
            assert reply.status == 405, method
            assert reply.headers["allow"] == "GET, HEAD"
        head = ask(config, "/decisions.html", "HEAD")
        assert head.status == 200 and head.body == ""
        assert int(head.headers["content-length"]) == len(
            ask(config, "/decisions.html").body.encode()
        )
        for path in ("/nope", "/mlpl.json", "/../mlpl.json", "/%2e%2e/mlpl.json", "/static/"):
            assert ask(config, path).status == 404, path


def test_a_foreign_host_is_refused(state: Path, framework: Framework) -> None:
    with serving(state, framework) as config:
        for host in ("evil.example", f"evil.example:{config.port}", "127.0.0.1:1", ""):
            reply = ask(config, "/", host=host)
            assert reply.status == 421, host
            assert "Served" not in reply.body
        assert ask(config, "/", host=f"localhost:{config.port}").status == 200
        assert ask(config, "/", "POST", host="evil.example").status == 421


def test_a_non_loopback_bind_needs_its_token_then_a_cookie(
    state: Path, framework: Framework
) -> None:
    with serving(state, framework, host="0.0.0.0") as config:
        assert config.token and f"?token={config.token}" in url(config)
        local = Config(config.source, "127.0.0.1", config.port, config.token)
        host = f"127.0.0.1:{config.port}"
        refused = ask(local, "/", host=host)
        assert refused.status == 403 and "Served" not in refused.body
        assert ask(local, "/?token=wrong", host=host).status == 403
        assert ask(local, "/", host=host, headers={"Cookie": "mlpl_token=wrong"}).status == 403
        first = ask(local, f"/decisions.html?token={config.token}", host=host)
        assert first.status == 303 and first.headers["location"] == "/decisions.html"
        cookie = first.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        jar = cookie.split(";", 1)[0]
        reply = ask(local, "/decisions.html", host=host, headers={"Cookie": jar})
        assert reply.status == 200 and "Use a baseline" in reply.body
        assert ask(local, "/", host=f"evil.example:{config.port}").status == 421


def test_an_unchanged_state_is_a_304_and_a_cli_change_a_new_page(
    cli: Cli, state: Path, framework: Framework
) -> None:
    with serving(state, framework) as config:
        first = ask(config, "/decisions.html")
        etag = first.headers["etag"]
        assert ask(config, "/state.etag").body == etag.strip('"')
        again = ask(config, "/decisions.html", headers={"If-None-Match": etag})
        assert again.status == 304 and again.body == ""
        assert cli("decide", "Switch to gradient boosting", "--decision", "it wins").code == 0
        changed = ask(config, "/decisions.html", headers={"If-None-Match": etag})
        assert changed.status == 200 and changed.headers["etag"] != etag
        assert "Switch to gradient boosting" in changed.body
        assert ask(config, "/state.etag").body == changed.headers["etag"].strip('"')
        assert f'content="{changed.headers["etag"].strip(chr(34))}"' in changed.body


def test_a_page_is_rendered_once_per_stamp(state: Path, framework: Framework) -> None:
    source = Source(state, framework)
    first = source.rendered()
    assert source.rendered() is first
    state.touch()
    assert source.rendered() is not first


def test_hostile_text_in_every_field_shows_as_text(
    cli: Cli, tmp_path: Path, framework: Framework
) -> None:
    assert cli("init", "--name", HOSTILE).code == 0
    assert cli("decide", HOSTILE, "--decision", HOSTILE, "--why", HOSTILE).code == 0
    assert cli("experiment", "add", HOSTILE, "--hypothesis", HOSTILE).code == 0
    assert cli("learn", HOSTILE).code == 0
    assert cli("log", "1h", "--note", HOSTILE).code == 0
    assert cli("set", "business.objectives", "doing", "--note", HOSTILE).code == 0
    with serving(tmp_path / "mlpl.json", framework) as config:
        for path in PAGE_PATHS:
            body = ask(config, path).body
            assert "<script>alert" not in body and "<b>x</b>" not in body, path
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, path
            assert "[bold]b[/bold]" in body and "&quot;dq&quot;" in body, path
            assert "&#x27;sq&#x27;" in body and "&amp;amp;" in body, path
            # The only scripts are the same-origin live.js.
            assert re.findall(r"<script[^>]*>", body) == ['<script src="live.js" defer>']
        for path in ("/decisions.html", "/experiments.html", "/learnings.html"):
            assert ask(config, path).body.count("&lt;script&gt;alert(1)") >= 2


def test_ref_serves_the_committed_state_not_the_work_tree(
    cli: Cli,
    env: dict[str, str],
    repo: Path,
    framework: Framework,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert cli("decide", "Committed decision", "--decision", "x").code == 0
    git(env, repo, "add", "mlpl.json")
    git(env, repo, "commit", "-q", "-m", "one")
    assert cli("decide", "Uncommitted decision", "--decision", "y").code == 0
    state = repo / "mlpl.json"
    with serving(state, framework, ref="main") as config:
        page = ask(config, "/decisions.html")
        assert "Committed decision" in page.body and "Uncommitted decision" not in page.body
        etag = page.headers["etag"]
        assert ask(config, "/decisions.html", headers={"If-None-Match": etag}).status == 304
        git(env, repo, "commit", "-q", "-am", "two")
        moved = ask(config, "/decisions.html", headers={"If-None-Match": etag})
        assert moved.status == 200 and "Uncommitted decision" in moved.body
    with pytest.raises(UsageError, match="not a commit"):
        Source(state, framework, "no-such-ref").rendered()
    # git is asked at most once in `ref_check_seconds` (a second by default), however often
    # the pages poll.
    calls: list[str] = []
    real = report_since.commit_at

    def counted(folder: Path, ref: str) -> str:
        calls.append(ref)
        return real(folder, ref)

    monkeypatch.setattr(serve, "commit_at", counted)
    source = Source(state, framework, "main", ref_check_seconds=3600)
    for _ in range(20):
        source.etag()
    assert calls == ["main"]


def test_a_busy_port_is_a_one_line_error(state: Path, framework: Framework) -> None:
    with (
        serving(state, framework) as config,
        pytest.raises(UsageError, match=f"address already in use: try --port {config.port + 1}"),
    ):
        make_server(Source(state, framework), "127.0.0.1", config.port)


def test_serve_refuses_a_missing_file_in_one_line(tmp_path: Path) -> None:
    args = argparse.Namespace(
        file=str(tmp_path / "absent.json"), framework=None, host="127.0.0.1", port=0, ref=None
    )
    with pytest.raises(UsageError, match="no such state file"):
        cmd_serve(Session(args))


def test_the_site_pages_hold_every_section_of_the_report_once(
    state: Path, framework: Framework
) -> None:
    project = Store(state).load()
    report = report_html.render(project, framework)
    ids = re.findall(r'^<section id="([^"]+)">', report, re.MULTILINE)
    pages = build_pages(project, framework)
    found = [i for p in pages.values() for i in re.findall(r'<section id="([^"]+)">', p.html)]
    assert sorted(found) == sorted(ids)
    for page in pages.values():
        assert page.html.startswith("<!DOCTYPE html>") and page.html.endswith("</html>\n")
        assert "live.js" not in page.html and "http-equiv" not in page.html


def test_report_site_writes_the_pages(state: Path, tmp_path: Path) -> None:
    # Through cmd_report as `report --format html --site DIR` parses to.
    folder = tmp_path / "out" / "site"
    assert cmd_report(Session(_report_args(state, site=folder))) == 0
    names = sorted(p.name for p in folder.iterdir())
    assert "index.html" in names and "decisions.html" in names and "style.css" in names
    assert "Use a baseline" in (folder / "decisions.html").read_text()
    assert "live.js" not in (folder / "index.html").read_text()
    with pytest.raises(UsageError, match="--format html"):
        cmd_report(Session(_report_args(state, site=folder, format="md")))


def _report_args(state: Path, **given: object) -> argparse.Namespace:
    values: dict[str, object] = {
        "file": str(state),
        "framework": None,
        "format": "html",
        "output": None,
        "since": None,
    }
    return argparse.Namespace(**{**values, **given})


def test_write_site_refuses_links(state: Path, framework: Framework, tmp_path: Path) -> None:
    pages = build_pages(Store(state).load(), framework)
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    with pytest.raises(UsageError, match="symbolic link"):
        write_site(pages, tmp_path / "link")
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "index.html").symlink_to(tmp_path / "elsewhere.html")
    with pytest.raises(UsageError, match="symbolic link"):
        write_site(pages, folder)
    assert not (tmp_path / "elsewhere.html").exists()
    written = write_site(pages, tmp_path / "fresh" / "dir")
    assert {p.name for p in written} >= {"index.html", "style.css"}


def test_the_first_reading_reads_the_file_once(
    state: Path, framework: Framework, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = Source(state, framework)
    loads: list[int] = []
    real = Source._load

    def counted(self: Source, stamp: object) -> object:
        loads.append(1)
        return real(self, stamp)

    monkeypatch.setattr(Source, "_load", counted)
    source.rendered()
    source.rendered()
    assert loads == [1]


def test_the_timeline_marks_the_clocks_hour_and_the_hour_is_a_change(
    state: Path, framework: Framework
) -> None:
    hour = ["2031-05-06T07:00:00Z"]
    source = Source(state, framework, clock=lambda: hour[0])
    first = source.rendered()
    timeline = first.pages["/timeline.html"][0].decode()
    assert "the dashed line is now (2031-05-06" in timeline
    assert source.rendered() is first
    hour[0] = "2031-05-06T08:00:00Z"
    assert source.etag() != first.etag
    assert source.rendered().etag == source.etag() != first.etag


def test_a_clock_behind_the_file_marks_now_at_the_last_change(
    state: Path, framework: Framework
) -> None:
    source = Source(state, framework, clock=lambda: "2001-01-01T00:00:00Z")
    timeline = source.rendered().pages["/timeline.html"][0].decode()
    assert "the dashed line is now (2001" not in timeline


def test_an_attached_file_changing_is_a_change(cli: Cli, state: Path, framework: Framework) -> None:
    charter = state.parent / "charter.md"
    charter.write_text("# Charter\n")
    assert cli("artifact", "attach", "project-charter", "charter.md").code == 0
    source = Source(state, framework)
    first = source.rendered()
    assert "current" in first.pages["/artifacts.html"][0].decode()
    assert source.etag() == first.etag
    charter.unlink()
    assert source.etag() != first.etag
    gone = source.rendered()
    assert "file missing" in gone.pages["/artifacts.html"][0].decode()
    charter.write_text("# Charter, again\n")
    assert source.etag() != gone.etag
    assert "file missing" not in source.rendered().pages["/artifacts.html"][0].decode()


def test_a_commit_is_a_change_when_files_are_attached(
    cli: Cli, env: dict[str, str], repo: Path, framework: Framework
) -> None:
    (repo / "charter.md").write_text("# Charter\n")
    assert cli("artifact", "attach", "project-charter", "charter.md").code == 0
    source = Source(repo / "mlpl.json", framework)
    before = source.rendered().etag
    git(env, repo, "add", "charter.md")
    git(env, repo, "commit", "-q", "-m", "charter")
    assert source.etag() != before


def test_a_watched_link_is_not_followed(
    cli: Cli, state: Path, framework: Framework, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside") / "secret.md"
    outside.write_text("secret\n")
    charter = state.parent / "charter.md"
    charter.write_text("# Charter\n")
    assert cli("artifact", "attach", "project-charter", "charter.md").code == 0
    charter.unlink()
    charter.symlink_to(outside)  # planted after attaching: a branch can do this
    source = Source(state, framework)
    before = source.rendered().etag
    outside.write_text("secret, longer and changed\n")
    assert source.etag() == before  # the link's target is never looked at


def test_a_closed_project_is_marked_at_its_close_not_the_clock(
    tmp_path: Path, framework: Framework
) -> None:
    state = copy_demo(tmp_path / "demo")  # accepted by the client on 2026-04-17
    source = Source(state, framework, clock=lambda: "2031-05-06T07:00:00Z")
    timeline = source.rendered().pages["/timeline.html"][0].decode()
    assert "2031" not in timeline
    assert "the dashed line is the project's last change (2026-04-17" in timeline
    assert ">closed</text>" in timeline


def test_the_timeline_leaves_room_for_its_last_date(tmp_path: Path, framework: Framework) -> None:
    state = copy_demo(tmp_path / "demo")
    svg = Source(state, framework).rendered().pages["/timeline.html"][0].decode()
    width = float(re.search(r'class="timeline" viewBox="0 0 ([\d.]+) ', svg).group(1))  # type: ignore[union-attr]
    ticks = [float(x) for x in re.findall(r'<text class="axis" x="([\d.]+)"', svg)]
    assert ticks and width - max(ticks) >= 40  # half a date's width at 11 px


def test_a_phone_reads_each_cell_after_its_heading_escaped(
    cli: Cli, tmp_path: Path, framework: Framework
) -> None:
    """On a phone a table's rows are cards, each value after its column's heading (data-label,
    an attribute that CSS shows as text; a stored title as heading: test_report_runs)."""
    assert cli("init", "--name", "Phone").code == 0
    assert cli("experiment", "add", HOSTILE).code == 0
    page = Source(tmp_path / "mlpl.json", framework).rendered().pages["/experiments.html"][0]
    text = page.decode()
    assert '<td class="num" data-label="#">E1</td>' in text
    assert 'data-label="Experiment">' in text
    assert "td[data-label]::before" in site.STYLE


def test_an_attached_file_changed_while_it_is_read_is_read_again(
    cli: Cli, state: Path, framework: Framework, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlpl_tui import artifact_files

    charter = state.parent / "charter.md"
    charter.write_text("# Charter\n")
    assert cli("artifact", "attach", "project-charter", "charter.md").code == 0
    real = artifact_files.artifact_states
    reads: list[int] = []

    def racing(*args: object) -> object:
        states = real(*args)  # type: ignore[arg-type]
        reads.append(1)
        if len(reads) == 1:
            charter.unlink()  # gone just after it was found
        return states

    monkeypatch.setattr(artifact_files, "artifact_states", racing)
    source = Source(state, framework)
    rendered = source.rendered()
    assert len(reads) == 2
    assert "file missing" in rendered.pages["/artifacts.html"][0].decode()
    assert source.etag() == rendered.etag  # the key is the stamps the states were read with


def test_a_commit_in_a_git_worktree_is_a_change(
    cli: Cli,
    env: dict[str, str],
    repo: Path,
    framework: Framework,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    git(env, repo, "add", "-A")
    git(env, repo, "commit", "-q", "-m", "start")
    other = tmp_path_factory.mktemp("worktrees") / "feature"
    git(env, repo, "worktree", "add", "-q", "-b", "feature", str(other))
    assert (other / ".git").is_file()  # a worktree's .git names the real git folder
    (other / "charter.md").write_text("# Charter\n")
    assert (
        cli(
            "--file",
            str(other / "mlpl.json"),
            "artifact",
            "attach",
            "project-charter",
            str(other / "charter.md"),
        ).code
        == 0
    )
    source = Source(other / "mlpl.json", framework)
    before = source.rendered().etag
    git(env, other, "add", "-A")
    git(env, other, "commit", "-q", "-m", "charter")
    assert source.etag() != before
