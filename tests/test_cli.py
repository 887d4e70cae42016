"""The command line as a user runs it (typer's runner, in process)."""

from __future__ import annotations

import json
import shutil

from typer.testing import CliRunner

from agent.cli import app
from agent.paths import SCENARIOS_DIR

runner = CliRunner()


def test_simulate_json_prints_one_object_per_scenario_and_exits_zero():
    result = runner.invoke(app, ["simulate", "--json",
                                 str(SCENARIOS_DIR / "bank" / "checking_balance.yaml"),
                                 str(SCENARIOS_DIR / "bank" / "reach_human.yaml")])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines() if line.strip()]
    assert [r["id"] for r in rows] == ["checking_balance", "reach_human"]
    assert set(rows[0]) == {"id", "passed", "outcome", "reasons", "keys", "sim_seconds",
                            "wall_seconds"}
    assert rows[1]["outcome"] == "transferred_to_human" and rows[1]["passed"]


def test_simulate_shows_transcript_result_and_table():
    result = runner.invoke(app, ["simulate", str(SCENARIOS_DIR / "bank" / "rewards_points.yaml")])
    assert result.exit_code == 0, result.output
    assert "IVR     For English, press 1." in result.output
    assert "KEYS    1" in result.output
    assert '"outcome": "completed"' in result.output
    assert "1 passed, 0 failed" in result.output
    assert "1357" not in result.output  # the PIN


def test_a_failing_scenario_makes_the_command_fail(tmp_path):
    (tmp_path / "ivrs").mkdir()
    shutil.copy(SCENARIOS_DIR / "ivrs" / "first_meridian_bank.yaml", tmp_path / "ivrs")
    text = (SCENARIOS_DIR / "bank" / "rewards_points.yaml").read_text()
    (tmp_path / "wrong.yaml").write_text(
        text.replace("../ivrs/", "ivrs/").replace('"1,200"', '"9,999"'))
    result = runner.invoke(app, ["simulate", "--json", str(tmp_path)])
    assert result.exit_code == 1
    row = json.loads(result.output.strip())
    assert row["passed"] is False
    assert row["reasons"] == ["result does not mention '9,999'"]


def test_a_broken_scenario_file_is_reported_not_raised(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\nlabel: x\nivr: nowhere.yaml\ntask: {goal: check}\n"
                   "expect: {outcome: done}\n")
    result = runner.invoke(app, ["simulate", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}: task.goal: String should have at least 3 characters" not in result.output
    assert f"{bad}: expect.outcome: Input should be 'completed'" in result.output
    assert "Traceback" not in result.output


def test_ivr_command_lets_a_person_play_the_bank(tmp_path):
    keys = "1\n10000001#\n2468#\n4\nquit\n"
    result = runner.invoke(app, ["ivr", str(SCENARIOS_DIR / "ivrs" / "first_meridian_bank.yaml")],
                           input=keys)
    assert result.exit_code == 0, result.output
    assert "Welcome, Jordan." in result.output
    assert "You have 18,450 rewards points" in result.output
    assert "(call ended by caller" in result.output
