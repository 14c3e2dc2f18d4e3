"""`mlpl-tui serve [--host H] [--port P] [--ref GITREF]`: the read-only live web view
(mlpl_tui.serve), started from the command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlpl_tui.cli import Session

Command = Callable[[str, str], argparse.ArgumentParser]


def add_parser(command: Command, common: argparse.ArgumentParser) -> None:
    """The `serve` command (`common` is unused: `serve` has no actions of its own)."""
    del common
    p = command("serve", "a read-only live web view of the report (127.0.0.1 by default)")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1); any other needs the token printed",
    )
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks one)")
    p.add_argument(
        "--ref",
        metavar="GITREF",
        help="serve the state as committed on this git ref (e.g. origin/main), not the file",
    )


def cmd_serve(session: Session) -> int:
    from mlpl_tui.errors import UsageError
    from mlpl_tui.serve import Source, make_server, url

    args = session.args
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: use a port from 0 to 65535")
    path, framework = session.path, session.framework
    source = Source(path, framework, args.ref)
    source.rendered()  # a missing, broken or unknown ref fails here, in one line
    server, config = make_server(source, args.host, args.port)
    where = f"{path} at {args.ref}" if args.ref else str(path)
    print(f"Serving {where} read-only at {url(config)}", flush=True)
    if config.token:
        print("The token in that URL is needed once per browser; keep it private.", flush=True)
    print("Ctrl-C stops.", file=sys.stderr, flush=True)
    try:
        server.serve_forever(poll_interval=0.5)
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
    finally:
        server.server_close()
    return 0
