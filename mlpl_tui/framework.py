"""The MLPL as data: load and validate a framework YAML file into frozen dataclasses."""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TypeVar

import yaml

from mlpl_tui.errors import UsageError
from mlpl_tui.wording import STAGE_ORDER
from mlpl_tui.yaml_loader import SafeLoader

STAGE_IDS = STAGE_ORDER  # a framework may rename and adapt stages, never add or reorder them
SWITCH_CATEGORIES = ("business", "data", "modelling", "other")
_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
_WHOLE_NUMBER = re.compile(r"[-+]?[0-9]{1,9}")
# A framework file is a few dozen KiB; the limits bound the work a planted file can cause.
MAX_FRAMEWORK_BYTES = 1 << 20
MAX_FRAMEWORK_DEPTH = 20  # the format itself needs 7 levels


class FrameworkError(UsageError):
    """The framework file cannot be read or does not describe a valid framework."""


@dataclass(frozen=True)
class Artifact:
    """A key artifact a stage (or one of its modules) produces.

    `path` is where a new document goes by default (relative to the project), `template` the
    name of the document template `doc new` fills, `required` whether the stage's gate needs it
    attached and current.
    """

    id: str
    title: str
    description: str
    stage: str = ""
    module: str | None = None
    path: str = ""
    template: str = ""
    required: bool = False


@dataclass(frozen=True)
class Module:
    """One checklist item of a stage; its id is `<stage>.<module>`."""

    id: str
    stage: str
    title: str
    description: str
    required: bool
    adapted: bool
    questions: tuple[str, ...]


@dataclass(frozen=True)
class Stage:
    """One of the four MLPL stages with its modules, artifacts and gate."""

    id: str
    number: int
    title: str
    summary: str
    gate: str
    artifacts: tuple[Artifact, ...]
    modules: tuple[Module, ...]

    @property
    def required_modules(self) -> tuple[Module, ...]:
        return tuple(m for m in self.modules if m.required)


@dataclass(frozen=True)
class SwitchCategory:
    """A category of reasons for a lifecycle switch."""

    id: str
    title: str
    description: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ExplorationQuestion:
    """One of the five questions an exploration answers."""

    number: int
    text: str
    stages: tuple[str, ...]


GOALS = ("max", "min")
# A metric named with one of these is better when lower (when mlpl.yaml does not say).
_LOWER_IS_BETTER = ("loss", "error", "rmse", "mae", "mape", "mse")


def guess_goal(name: str) -> str:
    """`min` for a metric whose name says it is a loss or an error, else `max`."""
    lowered = name.lower()
    return "min" if any(word in lowered for word in _LOWER_IS_BETTER) else "max"


@dataclass(frozen=True)
class MetricSpec:
    """A metric experiments are compared on, and whether higher (`max`) or lower is better."""

    name: str
    goal: str


@dataclass(frozen=True)
class Framework:
    """A validated framework: the stages in order, switch categories and exploration questions."""

    name: str
    title: str
    version: int
    source: str
    stages: tuple[Stage, ...]
    switch_categories: tuple[SwitchCategory, ...]
    exploration_questions: tuple[ExplorationQuestion, ...]
    # The metrics run snapshots keep and experiments are compared on (none: every metric).
    experiment_metrics: tuple[MetricSpec, ...] = ()

    @cached_property
    def modules(self) -> dict[str, Module]:
        return {m.id: m for s in self.stages for m in s.modules}

    @cached_property
    def artifacts(self) -> dict[str, Artifact]:
        """Every declared artifact by id, in stage order."""
        return {a.id: a for s in self.stages for a in s.artifacts}

    def stage(self, ref: str | int) -> Stage:
        """A stage by id or number (1-4); raises UsageError naming the choices."""
        text = str(ref).strip().lower()
        for s in self.stages:
            if text in (s.id, str(s.number)):
                return s
        choices = ", ".join(f"{s.id} ({s.number})" for s in self.stages)
        raise UsageError(f"unknown stage '{ref}': use one of {choices}")

    def stage_index(self, stage_id: str) -> int:
        return [s.id for s in self.stages].index(stage_id)

    def module(self, ref: str, stage: str | None = None) -> Module:
        """A module by full id, or by short id within `stage` or when unambiguous."""
        text = ref.strip().lower()
        if text in self.modules:
            return self.modules[text]
        if "." in text:
            head, _, tail = text.partition(".")
            stage, text = self.stage(head).id, tail
        matches = [
            m
            for m in self.modules.values()
            if m.id.split(".", 1)[1] == text and stage in (None, m.stage)
        ]
        if len(matches) == 1:
            return matches[0]
        if matches:
            names = ", ".join(m.id for m in matches)
            raise UsageError(f"module '{ref}' is ambiguous: use one of {names}")
        raise UsageError(f"unknown module '{ref}': 'mlpl-tui status' lists the module ids")

    def category(self, ref: str) -> SwitchCategory:
        for c in self.switch_categories:
            if c.id == ref.strip().lower():
                return c
        choices = ", ".join(c.id for c in self.switch_categories)
        raise UsageError(f"unknown switch category '{ref}': use one of {choices}")

    def later_stages(self, stage_id: str) -> tuple[Stage, ...]:
        return self.stages[self.stage_index(stage_id) + 1 :]


# --- loading ---------------------------------------------------------------------------------


class _Where:
    """Names a place in the YAML file for error messages."""

    def __init__(self, path: Path, node: yaml.Node, field: str) -> None:
        self.path, self.node, self.field = path, node, field

    def fail(self, problem: str) -> FrameworkError:
        line = self.node.start_mark.line + 1
        return FrameworkError(f"{self.path}:{line}: field '{self.field}': {problem}")


T = TypeVar("T")


def _mapping(where: _Where) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    node = where.node
    if not isinstance(node, yaml.MappingNode):
        raise where.fail("expected a mapping of keys to values")
    result: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            raise _Where(where.path, key, where.field).fail("keys must be plain words")
        if key.value in result:
            raise _Where(where.path, key, f"{where.field}.{key.value}").fail("appears twice")
        result[key.value] = (key, value)
    return result


class _Reader:
    """Reads typed fields out of a YAML mapping node, naming file, line and field on error."""

    def __init__(self, path: Path, node: yaml.Node, field: str, allowed: Sequence[str]) -> None:
        self.path, self.field, self.node = path, field, node
        self.items = _mapping(_Where(path, node, field))
        for name, (key, _value) in self.items.items():
            if name not in allowed:
                known = ", ".join(allowed)
                raise self._at(key, name).fail(f"unknown field (known fields: {known})")

    def _at(self, node: yaml.Node, name: str) -> _Where:
        return _Where(self.path, node, f"{self.field}.{name}" if self.field else name)

    def where(self, name: str) -> _Where:
        return self._at(self.items[name][1], name)

    def _get(self, name: str, required: bool) -> yaml.Node | None:
        if name not in self.items:
            if required:
                raise _Where(self.path, self.node, self.field or name).fail(
                    f"missing required field '{name}'"
                )
            return None
        return self.items[name][1]

    def text(self, name: str, required: bool = True, default: str = "") -> str:
        node = self._get(name, required)
        if node is None:
            return default
        if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:str":
            raise self.where(name).fail("expected text")
        value = str(node.value).strip()
        if required and not value:
            raise self.where(name).fail("must not be empty")
        return value

    def integer(self, name: str) -> int:
        node = self._get(name, True)
        assert node is not None
        # YAML 1.1 also reads 0x1F, 0o17 and 1:30 as integers; only plain digits are accepted.
        if (
            not isinstance(node, yaml.ScalarNode)
            or node.tag != "tag:yaml.org,2002:int"
            or not _WHOLE_NUMBER.fullmatch(node.value)
        ):
            raise self.where(name).fail("expected a whole number written in digits")
        return int(node.value)

    def flag(self, name: str, default: bool = False) -> bool:
        node = self._get(name, False)
        if node is None:
            return default
        if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:bool":
            raise self.where(name).fail("expected true or false")
        return str(node.value).lower() in ("true", "yes", "on")

    def items_of(self, name: str, read: Callable[[_Where], T], required: bool = True) -> list[T]:
        node = self._get(name, required)
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise self.where(name).fail("expected a list")
        if required and not node.value:
            raise self.where(name).fail("must list at least one item")
        base = self.where(name).field
        return [read(_Where(self.path, item, f"{base}[{i}]")) for i, item in enumerate(node.value)]


def _plain_text(where: _Where) -> str:
    node = where.node
    if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:str":
        raise where.fail("expected text")
    if not str(node.value).strip():
        raise where.fail("must not be empty")
    return str(node.value).strip()


def _ident(reader: _Reader) -> str:
    value = reader.text("id")
    if not _ID.fullmatch(value):
        raise reader.where("id").fail(f"'{value}' must be lowercase letters, digits and dashes")
    return value


def _unique(items: Sequence[T], key: Callable[[T], object], where: _Where, what: str) -> None:
    """Refuse a repeated key, pointing at the line of the second item that has it."""
    nodes = where.node.value if isinstance(where.node, yaml.SequenceNode) else []
    seen: set[object] = set()
    for index, item in enumerate(items):
        k = key(item)
        if k in seen:
            at = nodes[index] if index < len(nodes) else where.node
            raise _Where(where.path, at, f"{where.field}[{index}]").fail(
                f"{what} '{k}' appears twice"
            )
        seen.add(k)


_ARTIFACT_FIELDS = ("id", "title", "description", "path", "template", "required")
_TEMPLATE_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")


def _artifact_reader(stage_id: str, module_id: str | None) -> Callable[[_Where], Artifact]:
    def read(where: _Where) -> Artifact:
        r = _Reader(where.path, where.node, where.field, _ARTIFACT_FIELDS)
        path = r.text("path", required=False)
        if path and not _safe_relative(path):
            raise r.where("path").fail(f"'{path}' must be a relative path inside the project")
        template = r.text("template", required=False)
        if template and not _TEMPLATE_NAME.fullmatch(template):
            raise r.where("template").fail(
                f"'{template}' must be a template name: lowercase letters, digits and dashes"
            )
        return Artifact(
            id=_ident(r),
            title=r.text("title"),
            description=r.text("description", required=False),
            stage=stage_id,
            module=module_id,
            path=path,
            template=template,
            required=r.flag("required"),
        )

    return read


def _safe_relative(path: str) -> bool:
    """A relative path that stays inside the folder it is relative to."""
    parts = path.replace("\\", "/").split("/")
    return not path.startswith("/") and ".." not in parts and all(p.isprintable() for p in parts)


def _module_reader(stage_id: str) -> Callable[[_Where], tuple[Module, list[Artifact]]]:
    fields = ("id", "title", "description", "required", "adapted", "questions", "artifacts")

    def read(where: _Where) -> tuple[Module, list[Artifact]]:
        r = _Reader(where.path, where.node, where.field, fields)
        short = _ident(r)
        module_id = f"{stage_id}.{short}"
        module = Module(
            id=module_id,
            stage=stage_id,
            title=r.text("title"),
            description=r.text("description"),
            required=r.flag("required"),
            adapted=r.flag("adapted"),
            questions=tuple(r.items_of("questions", _plain_text, required=False)),
        )
        return module, r.items_of("artifacts", _artifact_reader(stage_id, module_id), False)

    return read


def _read_stage(where: _Where) -> Stage:
    fields = ("id", "number", "title", "summary", "gate", "artifacts", "modules")
    r = _Reader(where.path, where.node, where.field, fields)
    stage_id = _ident(r)
    read = r.items_of("modules", _module_reader(stage_id))
    modules = [module for module, _ in read]
    _unique(modules, lambda m: m.id, r.where("modules"), "module id")
    artifacts = r.items_of("artifacts", _artifact_reader(stage_id, None), required=False)
    _unique(artifacts, lambda a: a.id, r.where("artifacts") if artifacts else where, "artifact id")
    artifacts += [a for _, of_module in read for a in of_module]
    return Stage(
        id=stage_id,
        number=r.integer("number"),
        title=r.text("title"),
        summary=r.text("summary", required=False),
        gate=r.text("gate", required=False),
        artifacts=tuple(artifacts),
        modules=tuple(modules),
    )


def _read_category(where: _Where) -> SwitchCategory:
    r = _Reader(where.path, where.node, where.field, ("id", "title", "description", "reasons"))
    return SwitchCategory(
        id=_ident(r),
        title=r.text("title"),
        description=r.text("description", required=False),
        reasons=tuple(r.items_of("reasons", _plain_text, required=False)),
    )


def _read_question(where: _Where) -> ExplorationQuestion:
    r = _Reader(where.path, where.node, where.field, ("number", "text", "stages"))
    return ExplorationQuestion(
        number=r.integer("number"),
        text=r.text("text"),
        stages=tuple(r.items_of("stages", _plain_text, required=False)),
    )


MAX_METRIC_NAME = 250  # characters: what MLflow allows in a metric's key


def _read_metric(where: _Where) -> MetricSpec:
    """A metric name, or a mapping `{name, goal}` with goal `max` or `min`."""
    if isinstance(where.node, yaml.ScalarNode):
        name, goal = _plain_text(where), ""
    else:
        r = _Reader(where.path, where.node, where.field, ("name", "goal"))
        name, goal = r.text("name"), r.text("goal", required=False)
        if goal and goal not in GOALS:
            raise r.where("goal").fail(f"'{goal}' is not a goal: use max or min")
    if len(name) > MAX_METRIC_NAME or not name.isprintable():
        raise where.fail(
            f"a metric name must be one line of printable text, at most {MAX_METRIC_NAME} "
            "characters"
        )
    return MetricSpec(name, goal or guess_goal(name))


def _check_ids(where: _Where, found: Sequence[str], expected: Sequence[str], what: str) -> None:
    if tuple(found) != tuple(expected):
        raise where.fail(
            f"{what} must be exactly {', '.join(expected)} in that order (found {', '.join(found)})"
        )


def parse_framework(text: str, path: Path) -> Framework:
    """Validate framework YAML text; errors name the file, the line and the field."""
    try:
        _refuse_aliases(text, path)
        root = yaml.compose(text, Loader=SafeLoader)
    except RecursionError:  # the pure-Python composer recurses once per nesting level
        raise FrameworkError(f"{path}: nested too deeply to be a framework file") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise FrameworkError(
            f"{path}{line}: not valid YAML: {exc.problem or exc.context}"
        ) from None
    except yaml.YAMLError as exc:
        raise FrameworkError(f"{path}: not valid YAML: {exc}") from None
    if root is None:
        raise FrameworkError(f"{path}: the file is empty; it must describe the framework's stages")
    _check_nodes(root, path)
    fields = (
        "name",
        "title",
        "version",
        "source",
        "stages",
        "switch_categories",
        "exploration_questions",
        "experiment_metrics",
    )
    r = _Reader(path, root, "", fields)
    stages = r.items_of("stages", _read_stage)
    _check_ids(r.where("stages"), [s.id for s in stages], STAGE_IDS, "stage ids")
    for number, stage in enumerate(stages, start=1):
        if stage.number != number:
            raise r.where("stages").fail(f"stage '{stage.id}' must have number {number}")
    seen: set[str] = set()
    for artifact in (a for s in stages for a in s.artifacts):
        if artifact.id in seen:
            raise r.where("stages").fail(f"artifact id '{artifact.id}' appears twice")
        seen.add(artifact.id)
    categories = r.items_of("switch_categories", _read_category)
    _check_ids(
        r.where("switch_categories"), [c.id for c in categories], SWITCH_CATEGORIES, "categories"
    )
    questions = r.items_of("exploration_questions", _read_question)
    if [q.number for q in questions] != [1, 2, 3, 4, 5]:
        raise r.where("exploration_questions").fail("must list questions numbered 1 to 5 in order")
    for q in questions:
        for stage_id in q.stages:
            if stage_id not in STAGE_IDS:
                raise r.where("exploration_questions").fail(
                    f"question {q.number} names unknown stage '{stage_id}'"
                )
    metrics = r.items_of("experiment_metrics", _read_metric, required=False)
    if metrics:
        _unique(metrics, lambda m: m.name, r.where("experiment_metrics"), "metric")
    return Framework(
        name=r.text("name"),
        title=r.text("title", required=False, default=r.text("name")),
        version=r.integer("version") if "version" in r.items else 1,
        source=r.text("source", required=False),
        stages=tuple(stages),
        switch_categories=tuple(categories),
        exploration_questions=tuple(questions),
        experiment_metrics=tuple(metrics),
    )


_SAFE_TAGS = {
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
}


def _refuse_aliases(text: str, path: Path) -> None:
    """Refuse anchors and aliases: an alias re-uses a node, so a few KiB can stand for billions
    of nodes (or for a node inside itself). Found by scanning tokens, before anything is built."""
    if "&" not in text and "*" not in text:
        return  # neither can be written without one of these characters
    for token in yaml.scan(text, Loader=SafeLoader):
        if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
            sign = "&" if isinstance(token, yaml.AnchorToken) else "*"
            raise FrameworkError(
                f"{path}:{token.start_mark.line + 1}: {sign}{token.value}: anchors and aliases are"
                " not allowed in a framework file; write the value out in full"
            )


def _check_nodes(root: yaml.Node, path: Path) -> None:
    """Refuse explicit object tags (e.g. !!python/object) and nesting deeper than the format's."""
    todo: list[tuple[yaml.Node, str, int]] = [(root, "", 1)]
    while todo:  # a loop, not recursion: a planted file cannot exhaust the stack
        node, field, depth = todo.pop()
        line = node.start_mark.line + 1
        where = f"{path}:{line}: field '{field or '(top level)'}'"
        if node.tag not in _SAFE_TAGS:
            raise FrameworkError(
                f"{where}: tag '{node.tag}' is not allowed;"
                " the framework file holds plain data only"
            )
        if depth > MAX_FRAMEWORK_DEPTH:
            raise FrameworkError(
                f"{where}: nested more than {MAX_FRAMEWORK_DEPTH} levels deep; "
                "a framework file needs far fewer"
            )
        if isinstance(node, yaml.MappingNode):
            for key, value in reversed(node.value):
                name = key.value if isinstance(key, yaml.ScalarNode) else "?"
                todo.append((value, f"{field}.{name}" if field else str(name), depth + 1))
                todo.append((key, field, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            for index in reversed(range(len(node.value))):
                todo.append((node.value[index], f"{field}[{index}]", depth + 1))


def load_framework(path: Path) -> Framework:
    """Read and validate a framework file; never through a symlink, never more than the cap.

    A link is refused (O_NOFOLLOW): `find_framework` resolves the paths the user chose, so only a
    planted `mlpl.yaml` beside the state file can be one. O_NONBLOCK keeps a FIFO from hanging the
    open; anything that is not a regular file is refused before a byte is read.
    """
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise FrameworkError(f"{path}: framework file not found") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP or os.path.islink(path):
            raise FrameworkError(
                f"{path} is a symbolic link; a framework file beside the state file must be a "
                "regular file: replace the link with the file (or pass --framework PATH)"
            ) from None
        raise FrameworkError(f"{path}: cannot read the framework file ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise FrameworkError(
                f"{path} is not a regular file; a framework file must be a plain YAML file"
            )
        try:
            content = handle.read(MAX_FRAMEWORK_BYTES + 1)
        except OSError as exc:
            raise FrameworkError(
                f"{path}: cannot read the framework file ({exc.strerror})"
            ) from None
    if len(content) > MAX_FRAMEWORK_BYTES:
        raise FrameworkError(
            f"{path} is larger than {MAX_FRAMEWORK_BYTES // (1 << 20)} MiB; "
            "a framework file is a few dozen KiB: is it the right file?"
        )
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        raise FrameworkError(f"{path}:{line}: not UTF-8 text; save the file as UTF-8") from None
    return parse_framework(text, path)


def data_dir() -> Path:
    """The bundled data folder: beside the checkout first, then inside the installed package."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "data", here / "data"):
        if (candidate / "mlpl.yaml").is_file():
            return candidate
    raise FrameworkError(
        f"the bundled framework file is missing (looked in {here.parent / 'data'})"
    )


def builtin_framework_path() -> Path:
    # Resolved: an installation may ship it as a link, and load_framework follows none.
    return (data_dir() / "mlpl.yaml").resolve()


def find_framework(state_file: Path | None, override: Path | None) -> Path:
    """The framework to use: --framework, else mlpl.yaml beside the state file, else built-in."""
    if override is not None:
        # The user named this file: a link they made is theirs to follow (load_framework won't).
        # os.path: neither raises on an unreadable folder or a link loop; load_framework says why.
        return Path(os.path.realpath(override)) if os.path.islink(override) else override
    if state_file is not None:
        beside = state_file.parent / "mlpl.yaml"
        # Anything there (a link, a FIFO) comes from the repository: load_framework refuses it
        # plainly rather than falling back to the built-in framework without a word.
        if os.path.lexists(beside):
            return beside
    return builtin_framework_path()
