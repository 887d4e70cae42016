"""Tests for agent.scenario.loader: exact error messages for broken files, digit strings
kept as strings, the shipped scenarios and schema, and the LiveKit mapping.

Each broken file is written under ``scenarios/bank/`` of a temporary folder that is the
working directory, so messages read ``scenarios/bank/x.yaml: <yaml.path>: <reason>``.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from agent.scenario import ScenarioError, find_scenario_files, load_ivr, load_scenario
from agent.scenario.loader import export_json_schema

REPO = Path(__file__).parent.parent
X = "scenarios/bank/x.yaml"
KEY_REASON = "a key must be one DTMF key (0-9 * # A-D)"
MENU_FIELDS = ("prompt, side_effect, kind, options, accepts_keys, default, repeat_key, "
               "invalid_prompt, no_input_prompt, max_retries, on_failure")

IVR = """\
id: tiny
name: Tiny Bank
start: main_menu
nodes:
  main_menu:
    kind: menu
    prompt: Hello.
    options:
      "1": {next: bye}
    on_failure: bye
  bye:
    kind: hangup
"""

SCENARIO = """\
id: x
label: X
ivr: ../ivrs/tiny.yaml
task:
  goal: Ask for the balance.
  facts: {customer_id: "10000001"}
expect: {outcome: completed}
"""


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "scenarios/bank").mkdir(parents=True)
    (tmp_path / "scenarios/ivrs").mkdir()
    (tmp_path / "scenarios/ivrs/tiny.yaml").write_text(IVR, encoding="utf-8")
    return tmp_path


def write(text: str, path: str = X) -> str:
    Path(path).write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def ivr_error(text: str) -> str:
    with pytest.raises(ScenarioError) as err:
        load_ivr(write(text))
    return str(err.value)


def scenario_error(text: str) -> str:
    with pytest.raises(ScenarioError) as err:
        load_scenario(write(text))
    return str(err.value)


def inline(ivr: str) -> str:
    """SCENARIO with ``ivr`` written inline instead of the path."""
    return SCENARIO.replace("ivr: ../ivrs/tiny.yaml", "ivr:\n" + textwrap.indent(ivr, "  "))


def test_base_files_load():
    # guards the other tests: each of them breaks exactly one thing in these files
    assert load_ivr(write(IVR)).nodes["main_menu"].options["1"].next == "bye"
    assert load_scenario(write(SCENARIO)).ivr.id == "tiny"
    assert load_scenario(write(inline(IVR))).ivr.id == "tiny"


# --- one broken thing per file, exact messages --------------------------------------


def test_two_digit_menu_key_is_rejected_and_named():
    # guards against "12" being accepted as a key (a caller presses one key at a time),
    # and against an error that stops at `options` without saying which key is wrong
    error = ivr_error(IVR.replace('"1": {next: bye}', '"12": {next: bye}'))
    assert error == f'{X}: nodes.main_menu.options."12": {KEY_REASON}'


def test_unknown_next_names_the_target_and_the_known_nodes():
    # guards against a typo in `next` surfacing only when a call reaches that option
    error = ivr_error(IVR.replace('"1": {next: bye}', '"1": {next: byee}'))
    assert error == (
        f"""{X}: nodes.main_menu.options."1".next: unknown node 'byee'; """
        "known nodes: bye, main_menu"
    )


def test_unknown_start_node():
    # guards against a call that cannot even be answered
    error = ivr_error(IVR.replace("start: main_menu", "start: welcome"))
    assert error == f"{X}: start: unknown node 'welcome'; known nodes: bye, main_menu"


def test_unreachable_node():
    # guards against dead branches nobody can test by calling
    error = ivr_error(IVR + "  lost:\n    kind: hangup\n")
    assert error == f"{X}: nodes.lost: unreachable from start node 'main_menu'"


def test_menu_with_no_way_out():
    # guards against a menu that traps the caller forever
    trap = IVR.replace("{next: bye}", "{next: main_menu}").replace(
        "on_failure: bye", "on_failure: main_menu"
    )
    assert ivr_error(trap) == (
        f"{X}: nodes.main_menu: menu has no way out: every option leads back to it\n"
        f"{X}: nodes.bye: unreachable from start node 'main_menu'"
    )


def test_cycle_of_say_nodes_is_rejected():
    # guards against an engine that hangs (and fills its log) on start()
    with pytest.raises(ScenarioError, match="nodes.a: say nodes loop forever: a -> b -> a"):
        load_ivr(write("""\
            id: loop
            name: Loop
            start: a
            nodes:
              a: {kind: say, prompt: A., next: b}
              b: {kind: say, prompt: B., next: a}
            """))


def test_unknown_node_kind():
    # guards against a pydantic union dump (one error per kind) instead of one line
    assert ivr_error(IVR.replace("kind: hangup", "kind: dance")) == (
        f"{X}: nodes.bye: unknown node kind 'dance'; "
        "allowed: say, menu, collect, hold, human, transfer, hangup"
    )


def test_misspelt_field_is_an_unknown_field():
    # guards against `promt:` being ignored silently, leaving the menu mute
    error = ivr_error(IVR.replace("prompt: Hello.", "promt: Hello."))
    assert error == f"{X}: nodes.main_menu.promt: unknown field; allowed: {MENU_FIELDS}"


def test_min_digits_above_max_digits():
    # guards against a collect node no entry can ever satisfy
    collect = IVR.replace('"1": {next: bye}', '"1": {next: ask}') + (
        "  ask: {kind: collect, min_digits: 6, max_digits: 4, store_as: code, next: bye,"
        " on_invalid: bye}\n"
    )
    assert ivr_error(collect) == f"{X}: nodes.ask: min_digits (6) must not exceed max_digits (4)"


def test_template_naming_missing_customer_data():
    # guards against "Welcome, {customer.nope}" failing only mid-call
    error = ivr_error(IVR.replace("prompt: Hello.", 'prompt: "Hello {customer.nope}."'))
    assert error == (
        f"{X}: nodes.main_menu.prompt: template names {{customer.nope}}; "
        "allowed roots: ivr, entry"
    )


def test_invalid_yaml_names_line_and_column():
    # guards against a bare PyYAML traceback instead of a located message
    error = ivr_error("id: tiny\nname: [Tiny\nstart: main_menu\n")
    assert error == f"{X}: line 3, column 6: invalid YAML: expected ',' or ']', but got ':'"


def test_top_level_list_is_not_a_file():
    # guards against an AttributeError on list.get deep in validation
    assert ivr_error("- id: tiny\n") == f"{X}: the file must hold a mapping at the top level"


def test_secret_that_is_not_a_fact():
    # guards against a secret name typo that leaves the real PIN unmasked
    error = scenario_error(SCENARIO.replace("expect:", "  secrets: [pin]\nexpect:"))
    assert error == f"{X}: task: secrets ['pin'] are not facts; allowed: ['customer_id']"


def test_missing_ivr_file_names_that_file():
    # guards against the error naming the scenario when it is the IVR path that is wrong
    error = scenario_error(SCENARIO.replace("tiny.yaml", "nope.yaml"))
    assert error == "scenarios/bank/../ivrs/nope.yaml: cannot read file: No such file or directory"


def test_graph_problem_in_inline_ivr_is_under_ivr():
    error = scenario_error(inline(IVR.replace("{next: bye}", "{next: byee}")))
    assert error == (
        f"""{X}: ivr.nodes.main_menu.options."1".next: unknown node 'byee'; """
        "known nodes: bye, main_menu"
    )


def test_schema_problem_in_inline_ivr_is_one_plain_line():
    # guards against pydantic's union bookkeeping (ivr.IvrDefinition..., the node kind,
    # a second "ivr.str: Input should be a valid string" line) showing up in the path
    error = scenario_error(inline(IVR.replace("prompt: Hello.", "promt: Hello.")))
    assert error == f"{X}: ivr.nodes.main_menu.promt: unknown field; allowed: {MENU_FIELDS}"


# --- YAML scalars -----------------------------------------------------------------------


def test_unquoted_digit_strings_stay_strings():
    # guards against YAML reading 00012345 as the int 12345 (or as octal)
    Path("scenarios/ivrs/zeros.yaml").write_text(
        IVR.replace("nodes:", "data:\n  customers:\n    00012345: {pin: 0042}\nnodes:"),
        encoding="utf-8",
    )
    text = SCENARIO.replace("tiny.yaml", "zeros.yaml").replace('"10000001"', "00012345")
    loaded = load_scenario(write(text))
    assert loaded.ivr.data["customers"] == {"00012345": {"pin": "0042"}}
    assert loaded.scenario.task.facts["customer_id"] == "00012345"
    assert loaded.ivr.speaking_rate_wpm == 165.0  # numeric fields are still numbers


def test_yes_and_no_keywords_stay_strings():
    # guards against "say yes or no" menus that cannot be written without quotes
    ivr = load_ivr(write(IVR.replace("{next: bye}", "{next: bye, keywords: [yes, no]}")))
    assert ivr.nodes["main_menu"].options["1"].keywords == ["yes", "no"]


# --- shipped files ----------------------------------------------------------------------


def test_every_shipped_scenario_loads():
    # guards against an edit to the bank IVR breaking scenarios nobody re-ran
    files = find_scenario_files(REPO / "scenarios")
    assert len(files) >= 10
    for path in files:
        assert load_scenario(path).scenario.id == path.stem


def test_shipped_schema_is_current(tmp_path: Path):
    # guards against a stale schema.json after a model change (run export_json_schema)
    export_json_schema(tmp_path / "schema.json")
    fresh = json.loads((tmp_path / "schema.json").read_text(encoding="utf-8"))
    assert json.loads((REPO / "scenarios/schema.json").read_text(encoding="utf-8")) == fresh


# --- LiveKit mapping --------------------------------------------------------------------
