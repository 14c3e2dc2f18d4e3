"""The command line: the composition root for headless commands (no Textual imported here)."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from mlpl_tui import __version__, cli_records, progress
from mlpl_tui.cli_records import add_parsers as add_record_parsers
from mlpl_tui.errors import MlplError, RuleError, UsageError
from mlpl_tui.framework import Framework, find_framework, load_framework
from mlpl_tui.model import Change, Project
from mlpl_tui.sanitize import SafeStream, json_text
from mlpl_tui.store import STATE_FILE, Store, find_state_file
from mlpl_tui.wording import plural, status_mark

if TYPE_CHECKING:
    from mlpl_tui.artifact_files import ArtifactState
    from mlpl_tui.integrity import Problem
    from mlpl_tui.lifecycle import Context

# The most of a framework file `init --framework` copies beside the state file.
FRAMEWORK_LIMIT = 1 << 20


class _Parser(argparse.ArgumentParser):
    """argparse with one- or two-line errors instead of a usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}\nrun '{self.prog} --help' for usage\n")


def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument(
        "--file",
        type=Path,
        default=argparse.SUPPRESS,
        help="state file (default: mlpl.json here or in a parent; or $MLPL_FILE)",
    )
    common.add_argument(
        "--framework",
        type=Path,
        default=argparse.SUPPRESS,
        help="framework YAML (default: mlpl.yaml beside the state file, else built in)",
    )
    common.add_argument(
        "--user", default=argparse.SUPPRESS, help="who acts (default: $MLPL_USER, git user.name)"
    )
    parser = _Parser(
        prog="mlpl-tui",
        parents=[common],
        description="Run an ML exploration project with the ML Process Lifecycle (MLPL).",
    )
    parser.add_argument("--version", action="version", version=f"mlpl-tui {__version__}")
    parser.add_argument("--no-mouse", action="store_true", help="terminal UI without mouse support")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common], help=help, description=help)

    p = command("init", "create mlpl.json in the current directory")
    p.add_argument("--name", help="project name (default: the directory's name)")

    p = command("status", "where the project stands")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = command("set", "set a module's status")
    p.add_argument("module", help="module id, e.g. data.cleaning")
    p.add_argument("status", help="todo, doing, done, skipped (needs --reason) or revisit")
    p.add_argument("--reason", help="why the module is skipped (skipped only)")
    p.add_argument("--note", help="the module's note (replacing another one needs --force)")
    p.add_argument("--force", action="store_true", help="let --note replace a different note")

    p = command("advance", "pass the gate to the next stage")
    p.add_argument("--force", action="store_true", help="advance with the gate unmet (needs --why)")
    p.add_argument("--why", help="the reason for a forced advance; recorded as a decision")

    p = command("switch", "loop back to an earlier stage or to a module of the current one")
    p.add_argument("stage", help="target stage: business, data, modelling, delivery or 1-4")
    p.add_argument("--module", help="target module in that stage")
    p.add_argument("--category", required=True, help="business, data, modelling or other")
    p.add_argument("--reason", required=True, help="why you go back")

    p = command("decide", "record a decision; prints its id")
    p.add_argument("title")
    p.add_argument("--decision", required=True, help="what was decided")
    p.add_argument("--why", default="", help="rationale and consequences")
    p.add_argument("--context", default="", help="the situation that called for a decision")
    p.add_argument("--stage", help="stage it belongs to (default: the current stage)")
    p.add_argument("--module", help="module it belongs to")
    p.add_argument("--status", default="accepted", help="proposed, accepted (default), rejected")
    p.add_argument("--supersedes", help="id of the decision this one replaces")

    p = command("log", "record time spent")
    p.add_argument("duration", help="e.g. 45m, 1h30m, 2h, 1.5h")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--stage", help="stage (default: the current stage)")
    where.add_argument("--module", help="module, e.g. data.cleaning")
    p.add_argument("--experiment", help="experiment id the time went into")
    p.add_argument("--note", default="", help="what the time was spent on")
    p.add_argument(
        "--on",
        help="day worked, on your local calendar: YYYY-MM-DD, today, yesterday, "
        "'last monday' or '3 days ago' (default: today)",
    )

    add_record_parsers(command, common)

    from mlpl_tui.cli_artifacts import add_parsers as add_artifact_parsers

    add_artifact_parsers(command, common)

    from mlpl_tui.cli_runs import add_parser as add_runs_parser

    add_runs_parser(command, common)

    p = command("answer", "answer an exploration question (1-5)")
    p.add_argument("number", help="question number, 1-5")
    p.add_argument("answer", help="yes, no, partly or unknown")
    p.add_argument("--note", help="evidence or explanation (replacing another needs --force)")
    p.add_argument("--force", action="store_true", help="let --note replace a different note")

    p = command("validate", "check the state file's integrity (exit 1 on problems)")
    p.add_argument(
        "files",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="state files to check, each on its own (as a pre-commit hook passes them)",
    )
    p.add_argument(
        "--format",
        default="text",
        help="text (default) or github (workflow annotations: ::error file=...,line=...::...)",
    )

    from mlpl_tui.cli_search import add_parser as add_search_parser

    add_search_parser(command)

    from mlpl_tui.cli_plan import add_parser as add_plan_parser

    add_plan_parser(command, common)

    from mlpl_tui.cli_serve import add_parser as add_serve_parser

    add_serve_parser(command, common)

    p = command("report", "reports for people (md, html) and tools (csv, json, madr)")
    p.add_argument("--format", default="md", help="md (default), html, csv, json or madr")
    p.add_argument(
        "--since",
        metavar="GITREF",
        help="what changed since a git ref (md only), e.g. for a pull-request comment",
    )
    p.add_argument("-o", "--output", type=Path, help="file to write (a directory for madr)")
    p.add_argument(
        "--site",
        type=Path,
        metavar="DIR",
        help="with --format html: the web view's pages as static files in DIR",
    )

    from mlpl_tui.cli_docs import add_parsers as add_doc_parsers

    add_doc_parsers(command, common)

    p = command("demo", "copy the bundled demo project and open it")
    p.add_argument("dir", nargs="?", type=Path, help="where to copy it (default: ./mlpl-demo)")

    command("git-setup", "register the merge driver for this clone and in .gitattributes")

    p = command("merge-driver", "three-way merge of two versions of the state (called by git)")
    p.add_argument("base", type=Path)
    p.add_argument("ours", type=Path, help="written with the merged result")
    p.add_argument("theirs", type=Path)
    p.add_argument("path", nargs="?", default="mlpl.json", help="the file's path in the repo")

    command("resolve", "merge a conflicted mlpl.json from git's three index versions")

    p = command("conflicts", "fields a merge found changed on both sides; keep one value")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--all", action="store_true", help="resolved conflicts too")
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    e = actions.add_parser("keep", parents=[common], help="keep one side's value of a conflict")
    e.add_argument("id", help="conflict id (a unique prefix is enough)")
    e.add_argument("side", help="ours or theirs")
    return parser


# --- the composition root ---------------------------------------------------------------------


class Session:
    """What a command works with: the state file, its framework, who acts and when."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self._framework: Framework | None = None

    @property
    def path(self) -> Path:
        explicit = getattr(self.args, "file", None) or os.environ.get("MLPL_FILE")
        if explicit:
            path = Path(explicit)
            if not os.path.lexists(path):
                raise UsageError(f"{path}: no such state file; create it with 'mlpl-tui init'")
            if not path.is_symlink() and not path.is_file():
                raise UsageError(f"{path} is not a regular file; name the project's mlpl.json")
            return path
        found = find_state_file(Path.cwd())
        if found is None:
            raise UsageError(
                f"no {STATE_FILE} here or in any parent directory; create one with 'mlpl-tui init'"
            )
        return found

    @property
    def framework(self) -> Framework:
        if self._framework is None:
            override = getattr(self.args, "framework", None)
            self._framework = load_framework(find_framework(self.path, override))
        return self._framework

    def who(self) -> str:
        explicit = getattr(self.args, "user", None) or os.environ.get("MLPL_USER")
        if explicit:
            return str(explicit)
        import getpass
        import subprocess

        try:
            name = subprocess.run(
                ["git", "config", "user.name"], capture_output=True, text=True, timeout=5
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            name = ""
        return name or getpass.getuser()

    def context(self) -> Context:
        from mlpl_tui.clock import local_day, utc_now
        from mlpl_tui.lifecycle import Context

        now = utc_now()  # stored in UTC; "today" is the user's local calendar day
        return Context(self.who(), now, day=local_day(now))

    def change(self, decide: Callable[[Project, Framework, Context], Change]) -> Change:
        """Apply one change and print what happened."""
        framework, ctx = self.framework, self.context()
        applied = Store(self.path).apply(lambda p: decide(p, framework, ctx), ctx.who, ctx.now)
        change = applied.change
        if change.result:
            print(change.result)
        if applied.written:
            print(change.summary, file=sys.stderr)
        else:
            print("nothing to change", file=sys.stderr)
        return change

    def load(self) -> Project:
        return Store(self.path).load()


# --- commands ---------------------------------------------------------------------------------


def cmd_init(session: Session) -> int:
    args = session.args
    here = Path(getattr(args, "file", None) or os.environ.get("MLPL_FILE") or STATE_FILE)
    if os.path.lexists(here):
        raise UsageError(f"{here} already exists; it was left as it is")
    override = getattr(args, "framework", None)
    framework = load_framework(find_framework(here, override))
    if override is not None:
        beside = here.parent / "mlpl.yaml"
        if os.path.lexists(beside):
            if beside.is_symlink() or not beside.samefile(override):
                raise UsageError(f"{beside} already exists; remove it or leave out --framework")
        else:
            from mlpl_tui.safe_io import read_regular_file, write_file

            write_file(beside, read_regular_file(override, FRAMEWORK_LIMIT, follow=True))
    name = args.name or here.resolve().parent.name
    ctx = session.context()
    from mlpl_tui.lifecycle import new_project

    Store.create(here, new_project(name, ctx))
    first = framework.stages[0]
    print(f"created {here} for '{name}': {first.title}, iteration 1")
    from mlpl_tui.team import setup_if_in_git

    for line in setup_if_in_git(here.resolve().parent, here):
        print(line)
    return 0


def cmd_status(session: Session) -> int:
    from mlpl_tui.cli_artifacts import artifact_states
    from mlpl_tui.report_json import artifact_json

    project, framework = session.load(), session.framework
    summary = progress.status_summary(project, framework)
    # The files are read here, not in status_summary: the core stays free of file access.
    states = artifact_states(session, project)
    if session.args.json:
        summary["artifacts"] = [artifact_json(s) for s in states]
        print(json_text(summary, indent=2))
        return 0
    print(_status_text(project, framework, summary, states))
    return 0


def _status_text(
    project: Project,
    framework: Framework,
    summary: dict[str, Any],
    states: Sequence[ArtifactState] = (),
) -> str:
    current = framework.stage(summary["current_stage"])
    state = "accepted" if summary["closed"] else f"in {current.title}"
    lines = [f"{summary['project']}: {state}, iteration {summary['iteration']}"]
    width = max(len(stage["title"]) for stage in summary["stages"])
    for stage in summary["stages"]:
        gate = ""
        if stage["state"] == "current" and stage["gate_missing"]:
            gate = "\n      gate needs: " + ", ".join(stage["gate_missing"])
        lines.append(
            f"  {stage['number']} {stage['title']:<{width}} {stage['state']:<9}"
            f" {stage['done']}/{stage['total']}{gate}"
        )
    lines.append(f"Modules of {current.title}:")
    for module in next(s for s in summary["stages"] if s["id"] == current.id)["modules"]:
        required = "" if module["required"] else " (optional)"
        mark = status_mark(module["status"])
        lines.append(f"  {mark} {module['id']:<34} {module['status']:<8}{required}")
    lines.extend(_artifact_lines(project, framework, current.id, states))
    effort = progress.format_minutes(summary["effort_minutes"])  # "0m" when none
    lines.append(
        f"Switches: {summary['switches']}  Decisions: {summary['decisions']}  "
        f"Experiments: {summary['experiments']}  Effort: {effort}"
    )
    from mlpl_tui.figures import as_of
    from mlpl_tui.wording import shown_time

    lines.append(f"Last change: {shown_time(as_of(project), 'never', zone=True)}")  # local zone
    return "\n".join(lines)


def _artifact_lines(
    project: Project, framework: Framework, current: str, states: Sequence[ArtifactState]
) -> list[str]:
    """The current stage's artifacts with their states, then those needing work elsewhere."""
    from mlpl_tui.artifact_files import state_words
    from mlpl_tui.figures import open_artifacts
    from mlpl_tui.sanitize import clean

    lines = [f"Artifacts of {framework.stage(current).title}:"]
    here = [s for s in states if s.info.stage == current]
    for s in here:
        required = " (required)" if s.info.required else ""
        lines.append(f"  {clean(s.id):<36} {s.state:<12}{required}".rstrip())
    if not here:
        lines.append("  none; attach one with 'mlpl-tui artifact attach ID PATH --title TEXT'")
    elsewhere = [
        (info, state)
        for info, state in open_artifacts(project, framework, state_words(states))
        if info.stage != current
    ]
    if elsewhere:
        lines.append("Artifacts to bring up to date in other stages:")
        for info, state in elsewhere:
            required = " (required)" if info.required else ""
            where = framework.stage(info.stage).title
            lines.append(f"  {clean(info.id):<36} {state:<12} {where}{required}")
    return lines


def cmd_set(session: Session) -> int:
    from mlpl_tui import lifecycle

    a = session.args

    def decide(project: Project, framework: Framework, ctx: Context) -> Change:
        module = framework.module(a.module)
        current = project.modules.get(module.id)
        _keep_note(current.note if current else "", a.note, a.force, f"module {module.id}")
        return lifecycle.set_status(
            project, framework, ctx, module.id, a.status, a.note, reason=a.reason
        )

    session.change(decide)
    return 0


def _keep_note(current: str, note: str | None, force: bool, what: str) -> None:
    """Refuse a --note that would replace a different note unless --force is given."""
    from mlpl_tui.lifecycle import replaced_note

    why = replaced_note(current, note, force, what)
    if why is not None:
        raise RuleError(why)


def cmd_advance(session: Session) -> int:
    from mlpl_tui import artifact_files, lifecycle

    a = session.args
    if a.why and not a.force:
        raise UsageError("--why goes with --force; without it, advance needs no reason")
    root = session.path.absolute().parent

    def decide(project: Project, framework: Framework, ctx: Context) -> Change:
        # The files are read against the snapshot the rule decides on (under the store's lock).
        states = artifact_files.artifact_states(project, framework, root)
        return lifecycle.advance(
            project,
            framework,
            ctx,
            force=a.force,
            why=a.why,
            artifact_states=artifact_files.state_words(states),
        )

    session.change(decide)
    return 0


def cmd_switch(session: Session) -> int:
    from mlpl_tui import lifecycle

    a = session.args
    session.change(
        lambda p, f, c: lifecycle.switch_back(p, f, c, a.stage, a.category, a.reason, a.module)
    )
    return 0


def cmd_decide(session: Session) -> int:
    from mlpl_tui import lifecycle

    a = session.args
    session.change(
        lambda p, f, c: lifecycle.decide(
            p,
            f,
            c,
            a.title,
            a.decision,
            context=a.context,
            rationale=a.why,
            stage=a.stage,
            module=a.module,
            status=a.status,
            supersedes=a.supersedes,
        )
    )
    return 0


def cmd_log(session: Session) -> int:
    from mlpl_tui import lifecycle

    a = session.args
    session.change(
        lambda p, f, c: lifecycle.log_effort(
            p,
            f,
            c,
            a.duration,
            stage=a.stage,
            module=a.module,
            note=a.note,
            on=a.on,
            experiment=a.experiment,
        )
    )
    return 0


def cmd_answer(session: Session) -> int:
    from mlpl_tui import lifecycle

    a = session.args

    def decide(project: Project, framework: Framework, ctx: Context) -> Change:
        asked = next(
            (q for q in framework.exploration_questions if str(q.number) == a.number.strip()),
            None,
        )
        current = project.answers.get(asked.number) if asked is not None else None
        what = f"question {a.number.strip()}"
        _keep_note(current.note if current is not None else "", a.note, a.force, what)
        return lifecycle.answer_question(project, framework, ctx, a.number, a.answer, a.note)

    session.change(decide)
    return 0


VALIDATE_FORMATS = ("text", "github")


def cmd_validate(session: Session) -> int:
    args = session.args
    format = str(args.format).strip().lower()
    if format not in VALIDATE_FORMATS:
        raise UsageError(
            f"unknown validate format '{args.format}': use one of {', '.join(VALIDATE_FORMATS)}"
        )
    files: list[Path] = args.files
    if not files:
        return _validate_one(session, format)
    if getattr(args, "file", None) is not None:
        raise UsageError("name the state files either with --file or as arguments, not both")
    # Each file on its own (its own framework beside it); the worst exit status wins.
    worst = 0
    for file in files:
        one = Session(argparse.Namespace(**{**vars(args), "file": file}))
        try:
            status = _validate_one(one, format)
        except MlplError as exc:
            print(f"mlpl-tui: {exc}", file=sys.stderr)
            status = exc.exit_code
        worst = max(worst, status)
    return worst


def _validate_one(session: Session, format: str) -> int:
    from mlpl_tui.integrity import Problem, check, conflict_markers
    from mlpl_tui.team import setup_problems

    path = session.path
    github = format == "github"
    content = path.read_bytes()
    problems = conflict_markers(content)
    if not problems:
        try:
            project = session.load()
        except MlplError as exc:
            if github:  # unreadable: the one annotation, then the usual error and exit status
                _annotate(path, Problem("error", str(exc)), content)
            raise
        problems = check(project, session.framework)
        if not any(p.level == "error" for p in problems):  # records readable: check the files
            problems.extend(_artifact_problems(session, project))
    problems.extend(setup_problems(path))  # an unsafe driver or merge attribute is an error
    errors = [p for p in problems if p.level == "error"]
    for problem in problems:
        if github:
            _annotate(path, problem, content)
            continue
        print(
            f"{path}: {problem.level}: {problem.text}",
            file=sys.stderr if problem.level == "error" else sys.stdout,
        )
    if errors:
        raise RuleError(f"{path}: {plural(len(errors), 'problem')} found")
    print(f"{path}: valid")
    return 0


def _annotate(path: Path, problem: Problem, content: bytes) -> None:
    """One GitHub workflow command: `::error file=F,line=N::message` (line where known)."""
    from mlpl_tui.integrity import problem_line

    properties = [f"file={github_property(_annotation_path(path))}"]
    line = problem_line(problem.text, content)
    if line is not None:
        properties.append(f"line={line}")
    level = "error" if problem.level == "error" else "warning"
    print(f"::{level} {','.join(properties)}::{github_data(problem.text)}")


def _annotation_path(path: Path) -> str:
    """The file as GitHub names it: relative to the repository's top (else to the current
    folder when inside it, else as given)."""
    from mlpl_tui.team import repo_root

    real = os.path.realpath(path)
    for top in (repo_root(path.absolute().parent), Path.cwd()):
        if top is None:
            continue
        relative = os.path.relpath(real, os.path.realpath(top))
        if not relative.startswith(".."):
            return Path(relative).as_posix()
    return path.as_posix()


def github_data(text: str) -> str:
    """A workflow command's message, escaped as GitHub's toolkit does (escapeData)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: str) -> str:
    """A workflow command's property value (escapeProperty): also ':' and ','."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


def _artifact_problems(session: Session, project: Project) -> list[Problem]:
    """Warnings, never errors: artifacts of the stages reached that are missing though
    required, stale or missing their file, and attached paths that are gone or leave the
    project."""
    from mlpl_tui.artifact_files import state_words
    from mlpl_tui.artifacts import FILE_MISSING, check_location
    from mlpl_tui.cli_artifacts import artifact_states
    from mlpl_tui.figures import open_artifacts
    from mlpl_tui.integrity import Problem
    from mlpl_tui.lifecycle import brief

    framework = session.framework
    states = artifact_states(session, project)
    warnings = []
    for info, state in open_artifacts(project, framework, state_words(states)):
        stage = framework.stage(info.stage).title
        need = f"required by the gate of {stage}" if info.required else f"of {stage}"
        warnings.append(f"artifact {info.id} ({need}) is {state}")
    for s in states:
        for x in s.locations:
            if x.state == FILE_MISSING:
                why = x.problem or f"'{brief(x.location)}' is not in the project"
                warnings.append(f"artifact {s.id}: {why}")
                continue
            try:
                check_location(x.location)  # a hand-edited or merged location
            except UsageError as exc:
                warnings.append(f"artifact {s.id}: {exc}")
    return [Problem("warning", w) for w in warnings]


def _elsewhere(module: str, name: str) -> Callable[[Session], int]:
    """A command implemented in its own module, imported only when it runs."""

    def run(session: Session) -> int:
        import importlib

        command: Callable[[Session], int] = getattr(importlib.import_module(module), name)
        return command(session)

    return run


cmd_open = _elsewhere("mlpl_tui.app", "cmd_open")


COMMANDS: dict[str, Callable[[Session], int]] = {
    "init": cmd_init,
    "status": cmd_status,
    "set": cmd_set,
    "advance": cmd_advance,
    "switch": cmd_switch,
    "decide": cmd_decide,
    "log": cmd_log,
    "experiment": cli_records.cmd_experiment,
    "decision": cli_records.cmd_decision,
    "effort": cli_records.cmd_effort,
    "undo": cli_records.cmd_undo,
    "redo": cli_records.cmd_redo,
    "artifact": _elsewhere("mlpl_tui.cli_artifacts", "cmd_artifact"),
    "learn": _elsewhere("mlpl_tui.cli_artifacts", "cmd_learn"),
    "learning": _elsewhere("mlpl_tui.cli_artifacts", "cmd_learning"),
    "runs": _elsewhere("mlpl_tui.cli_runs", "cmd_runs"),
    "answer": cmd_answer,
    "validate": cmd_validate,
    "search": _elsewhere("mlpl_tui.cli_search", "cmd_search"),
    "plan": _elsewhere("mlpl_tui.cli_plan", "cmd_plan"),
    "serve": _elsewhere("mlpl_tui.cli_serve", "cmd_serve"),
    "report": _elsewhere("mlpl_tui.report", "cmd_report"),
    "doc": _elsewhere("mlpl_tui.cli_docs", "cmd_doc"),
    "demo": _elsewhere("mlpl_tui.demo", "cmd_demo"),
    "git-setup": _elsewhere("mlpl_tui.team", "cmd_git_setup"),
    "merge-driver": _elsewhere("mlpl_tui.team", "cmd_merge_driver"),
    "resolve": _elsewhere("mlpl_tui.team", "cmd_resolve"),
    "conflicts": _elsewhere("mlpl_tui.team", "cmd_conflicts"),
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; user errors are one or two lines on stderr and an exit status.

    Everything printed passes through the terminal sanitiser; a reader that stops early
    (`mlpl-tui status | head -1`) ends the command quietly.
    """
    with sanitised_output():
        try:
            return _run(argv)
        except BrokenPipeError:
            _silence_stdout()
            return 0


def _run(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        args.json = False
    collecting = gc.isenabled()
    # Loading builds thousands of fresh records and no cycles worth collecting: the collector's
    # passes would only cost time. A headless command ends soon; the app turns it back on once
    # its first screen is drawn.
    gc.disable()
    try:
        return COMMANDS.get(args.command or "", cmd_open)(Session(args))
    except MlplError as exc:
        print(f"mlpl-tui: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    finally:
        if collecting:
            gc.enable()


@contextmanager
def sanitised_output() -> Iterator[None]:
    """stdout and stderr through the sanitiser while a command runs (unless already so)."""
    saved = sys.stdout, sys.stderr
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if isinstance(stream, SafeStream):
            continue
        if hasattr(stream, "reconfigure"):
            # A terminal that cannot show a character gets an escape, not a traceback.
            stream.reconfigure(errors="backslashreplace")
        setattr(sys, name, SafeStream(stream))
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def _silence_stdout() -> None:
    """After a closed pipe: point stdout at /dev/null so the exit flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno() if sys.__stdout__ else 1)
        os.close(devnull)
    except (OSError, ValueError):
        pass
