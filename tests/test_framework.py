"""The framework file: the built-in MLPL, module lookup, and the loader's validation errors."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mlpl_tui.errors import UsageError
from mlpl_tui.framework import (
    Framework,
    FrameworkError,
    builtin_framework_path,
    find_framework,
    load_framework,
)
from mlpl_tui.lifecycle import Context, new_project
from mlpl_tui.store import Store

# The module ids listed in docs/mlpl-framework.md, stage by stage.
DOCUMENTED_MODULES = {
    "business": [
        "objectives",
        "problem-definition",
        "stakeholders",
        "data-sources",
        "constraints",
        "development-environment",
        "existing-practices",
        "milestones",
    ],
    "data": ["acquisition", "pre-processing", "cleaning", "pipeline", "exploratory-analysis"],
    "modelling": ["baseline", "feature-engineering", "model-selection", "training", "evaluation"],
    "delivery": ["solution-validation", "documentation", "handover", "acceptance"],
}

# A small valid framework; `modelling.objectives` shares its short id with `business.objectives`.
MINI = textwrap.dedent(
    """\
    name: Mini
    title: Mini framework
    stages:
      - id: business
        number: 1
        title: Business
        modules:
          - id: objectives
            title: Objectives
            description: Why we do it.
            required: true
            questions:
              - What is it for?
      - id: data
        number: 2
        title: Data
        modules:
          - id: cleaning
            title: Cleaning
            description: Clean the data.
            required: true
      - id: modelling
        number: 3
        title: Modelling
        modules:
          - id: objectives
            title: Modelling objectives
            description: Same short id as in business.
      - id: delivery
        number: 4
        title: Delivery
        modules:
          - id: acceptance
            title: Acceptance
            description: Sign-off.
            required: true
    switch_categories:
      - {id: business, title: Business}
      - {id: data, title: Data}
      - {id: modelling, title: Modelling}
      - {id: other, title: Other}
    exploration_questions:
      - {number: 1, text: One?}
      - {number: 2, text: Two?}
      - {number: 3, text: Three?}
      - {number: 4, text: Four?}
      - {number: 5, text: Five?}
    """
)


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    """1-based number of the line holding the `occurrence`-th appearance of `fragment`."""
    seen = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{fragment!r} not found {occurrence} time(s)")


def write(tmp_path: Path, text: str, name: str = "mlpl.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(path: Path) -> str:
    with pytest.raises(FrameworkError) as info:
        load_framework(path)
    assert isinstance(info.value, UsageError), "framework errors are usage errors (exit 2)"
    return str(info.value)


# --- the built-in framework -------------------------------------------------------------------


def test_builtin_has_the_four_stages_in_order(framework: Framework) -> None:
    assert [s.id for s in framework.stages] == ["business", "data", "modelling", "delivery"]
    assert [s.number for s in framework.stages] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("business", "business"),
        ("data", "data"),
        ("modelling", "modelling"),
        ("delivery", "delivery"),
        ("1", "business"),
        ("2", "data"),
        ("3", "modelling"),
        ("4", "delivery"),
        (3, "modelling"),
        (" Data ", "data"),
    ],
)
def test_stages_are_addressable_by_id_and_number(
    framework: Framework, ref: str | int, expected: str
) -> None:
    assert framework.stage(ref).id == expected


@pytest.mark.parametrize("ref", ["0", "5", "deployment", ""])
def test_unknown_stage_is_refused_naming_the_choices(framework: Framework, ref: str) -> None:
    with pytest.raises(UsageError) as info:
        framework.stage(ref)
    assert "business (1)" in str(info.value) and "delivery (4)" in str(info.value)


def test_every_documented_module_exists_with_its_content(framework: Framework) -> None:
    for stage_id, shorts in DOCUMENTED_MODULES.items():
        stage = framework.stage(stage_id)
        assert [m.id for m in stage.modules] == [f"{stage_id}.{s}" for s in shorts]
        for module in stage.modules:
            assert module.stage == stage_id
            assert module.title.strip(), module.id
            assert module.description.strip(), module.id
            assert "\n" not in module.description, f"{module.id}: description is one line"
            assert 2 <= len(module.questions) <= 4, module.id
            assert all(q.strip() for q in module.questions), module.id
            assert isinstance(module.required, bool), module.id
    assert len(framework.modules) == sum(len(v) for v in DOCUMENTED_MODULES.values())


def test_builtin_required_flags_and_artifacts(framework: Framework) -> None:
    required = {m.id for m in framework.modules.values() if m.required}
    assert {"business.objectives", "data.cleaning", "modelling.evaluation"} <= required
    assert "delivery.acceptance" in required
    assert "business.milestones" not in required and "delivery.handover" not in required
    assert framework.stage("business").artifacts[0].id == "project-charter"
    assert all(s.artifacts for s in framework.stages), "each stage names its key artifacts"


def test_builtin_switch_categories_and_questions(framework: Framework) -> None:
    assert [c.id for c in framework.switch_categories] == ["business", "data", "modelling", "other"]
    assert all(c.title for c in framework.switch_categories)
    assert [q.number for q in framework.exploration_questions] == [1, 2, 3, 4, 5]
    assert framework.exploration_questions[0].text == "Can ML address my business problem?"
    assert framework.category(" Data ").id == "data"
    with pytest.raises(UsageError, match="other"):
        framework.category("weather")


# --- module lookup ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "stage", "expected"),
    [
        ("data.cleaning", None, "data.cleaning"),
        ("DATA.Cleaning", None, "data.cleaning"),
        ("cleaning", None, "data.cleaning"),
        ("evaluation", None, "modelling.evaluation"),
        ("acceptance", "delivery", "delivery.acceptance"),
        ("2.cleaning", None, "data.cleaning"),
        ("4.acceptance", None, "delivery.acceptance"),
    ],
)
def test_module_by_full_short_and_numbered_id(
    framework: Framework, ref: str, stage: str | None, expected: str
) -> None:
    assert framework.module(ref, stage).id == expected


@pytest.mark.parametrize("ref", ["data.objectives", "nope", "business.cleaning", "9.cleaning"])
def test_unknown_module_is_refused(framework: Framework, ref: str) -> None:
    with pytest.raises(UsageError):
        framework.module(ref)


def test_short_id_outside_the_given_stage_is_refused(framework: Framework) -> None:
    with pytest.raises(UsageError, match="unknown module"):
        framework.module("cleaning", "business")


def test_ambiguous_short_id_is_refused_naming_both(tmp_path: Path) -> None:
    mini = load_framework(write(tmp_path, MINI))
    with pytest.raises(UsageError) as info:
        mini.module("objectives")
    message = str(info.value)
    assert "ambiguous" in message
    assert "business.objectives" in message and "modelling.objectives" in message
    # Naming the stage resolves it.
    assert mini.module("objectives", "modelling").id == "modelling.objectives"
    assert mini.module("3.objectives").id == "modelling.objectives"


# --- loading a team's own file ----------------------------------------------------------------


def test_a_valid_small_framework_loads(tmp_path: Path) -> None:
    mini = load_framework(write(tmp_path, MINI))
    assert mini.name == "Mini" and mini.title == "Mini framework"
    assert mini.version == 1, "version defaults to 1"
    assert list(mini.modules) == [
        "business.objectives",
        "data.cleaning",
        "modelling.objectives",
        "delivery.acceptance",
    ]
    assert mini.module("data.cleaning").required is True
    assert mini.module("modelling.objectives").required is False, "required defaults to false"
    assert mini.module("business.objectives").questions == ("What is it for?",)


def test_team_framework_beside_the_state_file_is_used(tmp_path: Path, ctx: Context) -> None:
    state = tmp_path / "mlpl.json"
    Store.create(state, new_project("Team", ctx))
    assert find_framework(state, None) == builtin_framework_path()

    own = write(tmp_path, MINI)
    assert find_framework(state, None) == own
    assert load_framework(find_framework(state, None)).name == "Mini"

    explicit = write(tmp_path, MINI.replace("name: Mini", "name: Other"), "other.yaml")
    assert find_framework(state, explicit) == explicit, "--framework wins"
    assert find_framework(None, None) == builtin_framework_path()


def test_cli_status_uses_the_team_framework(cli: Callable[..., Any], tmp_path: Path) -> None:
    assert cli("init", "--name", "Team").code == 0
    write(tmp_path, MINI)
    result = cli("status", "--json")
    assert result.code == 0, result.err
    status = json.loads(result.out)
    data = next(s for s in status["stages"] if s["id"] == "data")
    assert [m["id"] for m in data["modules"]] == ["data.cleaning"]


# --- loader errors ----------------------------------------------------------------------------


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    message = load_error(tmp_path / "absent.yaml")
    assert str(tmp_path / "absent.yaml") in message


def test_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    text = MINI.replace("    title: Data\n", "    title: [Data\n", 1)
    path = write(tmp_path, text)
    message = load_error(path)
    assert str(path) in message
    assert "not valid YAML" in message
    # The scanner notices the unclosed bracket on the line after it at the latest.
    bracket = line_of(text, "title: [Data")
    assert any(f"{path}:{n}:" in message for n in (bracket, bracket + 1)), message


def test_python_object_tag_is_refused_and_not_run(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "executed"
    evil = f'!!python/object/apply:os.system ["echo hi > {marker}"]'
    text = MINI.replace("title: Mini framework", f"title: {evil}")
    path = write(tmp_path, text)
    message = load_error(path)
    assert not marker.exists(), "the tag was executed"
    assert "hi" not in capfd.readouterr().out
    assert f"{path}:{line_of(text, 'os.system')}:" in message
    assert "python/object" in message
    assert "'title'" in message, f"the error should name the field: {message}"


def test_plain_echo_tag_is_refused(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    text = MINI.replace(
        "  - {id: other, title: Other}", '  - !!python/object/apply:os.system ["echo hi"]'
    )
    path = write(tmp_path, text)
    message = load_error(path)
    assert "hi" not in capfd.readouterr().out
    assert f"{path}:{line_of(text, 'os.system')}:" in message


def test_missing_required_field_names_file_line_and_field(tmp_path: Path) -> None:
    text = MINI.replace("        title: Cleaning\n", "")
    path = write(tmp_path, text)
    message = load_error(path)
    assert f"{path}:{line_of(text, '- id: cleaning')}:" in message
    assert "stages[1].modules[0]" in message
    assert "'title'" in message and "missing" in message


def test_wrong_type_names_file_line_and_field(tmp_path: Path) -> None:
    text = MINI.replace(
        "description: Clean the data.\n        required: true",
        'description: Clean the data.\n        required: "maybe"',
    )
    assert '"maybe"' in text
    path = write(tmp_path, text)
    message = load_error(path)
    assert f"{path}:{line_of(text, 'maybe')}:" in message
    assert "stages[1].modules[0].required" in message
    assert "true or false" in message


def test_wrong_type_of_number_and_list(tmp_path: Path) -> None:
    text = MINI.replace("    number: 3\n", "    number: three\n")
    path = write(tmp_path, text)
    message = load_error(path)
    assert f"{path}:{line_of(text, 'number: three')}:" in message
    assert "stages[2].number" in message

    text = MINI.replace(
        "        questions:\n          - What is it for?\n", "        questions: x\n"
    )
    path = write(tmp_path, text)
    message = load_error(path)
    assert f"{path}:{line_of(text, 'questions: x')}:" in message
    assert "stages[0].modules[0].questions" in message and "list" in message


def test_unknown_field_names_file_line_and_field(tmp_path: Path) -> None:
    text = MINI.replace("        description: Clean the data.\n", "        descripton: typo\n")
    path = write(tmp_path, text)
    message = load_error(path)
    assert f"{path}:{line_of(text, 'descripton')}:" in message
    assert "stages[1].modules[0].descripton" in message
    assert "unknown field" in message


def test_unknown_top_level_field(tmp_path: Path) -> None:
    text = MINI + "colour: blue\n"
    path = write(tmp_path, text)
    message = load_error(path)
    assert f"{path}:{line_of(text, 'colour')}:" in message
    assert "'colour'" in message


def test_wrong_stage_order_names_file_line_and_field(tmp_path: Path) -> None:
    lines = MINI.splitlines(keepends=True)
    start = line_of(MINI, "- id: business") - 1
    middle = line_of(MINI, "- id: data") - 1
    end = line_of(MINI, "- id: modelling") - 1
    text = "".join(lines[:start] + lines[middle:end] + lines[start:middle] + lines[end:])
    path = write(tmp_path, text)
    message = load_error(path)
    assert f"{path}:{line_of(text, '- id: data')}:" in message
    assert "'stages'" in message
    assert "business, data, modelling, delivery" in message


def test_wrong_stage_number_is_refused(tmp_path: Path) -> None:
    text = MINI.replace("    number: 4\n", "    number: 5\n")
    message = load_error(write(tmp_path, text))
    assert "'stages'" in message and "delivery" in message and "number 4" in message


def test_missing_stage_is_refused(tmp_path: Path) -> None:
    lines = MINI.splitlines(keepends=True)
    start = line_of(MINI, "- id: delivery") - 1
    end = line_of(MINI, "switch_categories") - 1
    text = "".join(lines[:start] + lines[end:])
    message = load_error(write(tmp_path, text))
    assert "'stages'" in message and "delivery" in message


def test_duplicate_module_id_names_file_line_and_field(tmp_path: Path) -> None:
    duplicate = (
        "      - id: cleaning\n"
        "        title: Cleaning again\n"
        "        description: A second record with the same id.\n"
    )
    text = MINI.replace("  - id: modelling\n", duplicate + "  - id: modelling\n", 1)
    path = write(tmp_path, text)
    message = load_error(path)
    assert "data.cleaning" in message and "twice" in message
    assert "stages[1].modules" in message
    # The line must point at the second `cleaning`, where the problem is.
    assert f"{path}:{line_of(text, '- id: cleaning', 2)}:" in message, message


def test_switch_categories_and_questions_are_checked(tmp_path: Path) -> None:
    text = MINI.replace("  - {id: other, title: Other}\n", "")
    message = load_error(write(tmp_path, text))
    assert "switch_categories" in message and "other" in message

    text = MINI.replace("  - {number: 5, text: Five?}\n", "")
    message = load_error(write(tmp_path, text))
    assert "exploration_questions" in message and "1 to 5" in message


def test_empty_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "# nothing here\n")
    message = load_error(path)
    assert str(path) in message and "empty" in message


# --- declared artifacts -----------------------------------------------------------------------

ARTIFACTS = (
    "    artifacts:\n"
    "      - id: charter\n"
    "        title: Charter\n"
    "        description: The problem and its scope.\n"
    "        path: docs/charter.md\n"
    "        template: charter\n"
    "        required: true\n"
    "      - id: slides\n"
    "        title: Kick-off slides\n"
)
MODULE_ARTIFACTS = (
    "        description: Clean the data.\n"
    "        artifacts:\n"
    "          - id: cleaning-log\n"
    "            title: Cleaning log\n"
    "            path: docs/cleaning.md\n"
)


def with_artifacts(text: str = MINI) -> str:
    """MINI with two artifacts on Business and one on the module data.cleaning."""
    text = text.replace("    modules:\n", ARTIFACTS + "    modules:\n", 1)
    assert "        description: Clean the data.\n" in text
    return text.replace("        description: Clean the data.\n", MODULE_ARTIFACTS, 1)


def test_declared_artifacts_have_a_path_a_template_and_a_required_flag(tmp_path: Path) -> None:
    framework = load_framework(write(tmp_path, with_artifacts()))
    charter, slides, log = framework.artifacts.values()
    assert (charter.id, charter.stage, charter.module) == ("charter", "business", None)
    assert (charter.path, charter.template, charter.required) == (
        "docs/charter.md",
        "charter",
        True,
    )
    assert charter.description == "The problem and its scope."
    assert (slides.path, slides.template, slides.required, slides.description) == (
        "",
        "",
        False,
        "",
    )
    # A module's artifacts belong to its stage too.
    assert (log.id, log.stage, log.module, log.path) == (
        "cleaning-log",
        "data",
        "data.cleaning",
        "docs/cleaning.md",
    )
    assert [a.id for a in framework.stage("data").artifacts] == ["cleaning-log"]
    assert [a.id for a in framework.stage("business").artifacts] == ["charter", "slides"]


def test_built_in_artifacts_declare_paths_and_templates_and_none_is_required(
    framework: Framework,
) -> None:
    charter = framework.artifacts["project-charter"]
    assert (charter.path, charter.template) == ("docs/charter.md", "charter")
    assert framework.artifacts["exit-report"].stage == "delivery"
    assert not any(a.required for a in framework.artifacts.values())
    assert list(framework.artifacts) == [a.id for s in framework.stages for a in s.artifacts]


def test_a_duplicate_artifact_id_in_a_stage_names_file_and_line(tmp_path: Path) -> None:
    text = with_artifacts().replace("      - id: slides\n", "      - id: charter\n", 1)
    path = write(tmp_path, text)
    message = load_error(path)
    assert "artifact id 'charter' appears twice" in message
    assert f"{path}:{line_of(text, '- id: charter', 2)}:" in message, message


def test_a_duplicate_artifact_id_across_stages_is_refused_with_file_and_line(
    tmp_path: Path,
) -> None:
    text = with_artifacts().replace("- id: cleaning-log\n", "- id: charter\n", 1)
    path = write(tmp_path, text)
    message = load_error(path)
    assert "artifact id 'charter' appears twice" in message
    assert re.match(rf"{re.escape(str(path))}:\d+: ", message), message


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("path", "../x", "relative path inside the project"),
        ("path", "docs/../../x", "relative path inside the project"),
        ("path", "/etc/passwd", "relative path inside the project"),
        ("template", "../charter", "template name"),
        ("required", "maybe", "true or false"),
    ],
)
def test_an_unsafe_artifact_path_or_bad_field_is_refused_with_file_and_line(
    tmp_path: Path, field: str, value: str, words: str
) -> None:
    current = {"path": "docs/charter.md", "template": "charter", "required": "true"}[field]
    text = with_artifacts().replace(
        f"        {field}: {current}\n", f"        {field}: {value}\n", 1
    )
    path = write(tmp_path, text)
    message = load_error(path)
    assert words in message
    assert f"{path}:{line_of(text, f'{field}: {value}')}:" in message, message
    assert f"stages[0].artifacts[0].{field}" in message


def test_an_unknown_artifact_field_is_refused(tmp_path: Path) -> None:
    text = with_artifacts().replace("        required: true\n", "        owner: Ann\n", 1)
    message = load_error(write(tmp_path, text))
    assert "owner" in message and "stages[0].artifacts[0]" in message
