"""`provision` against a real LiveKit server with Redis (its SIP API needs one)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from livekit import api
from typer.testing import CliRunner

from agent.cli import app
from agent.devserver import LiveKitDevServer, find_server_binary, free_port
from agent.provision import ProvisionError, load_provision_config

CONFIG = """\
outbound_trunk:
  name: test-outbound
  address: sip.carrier.example.com
  numbers: ["{number}"]
  auth_username: navigator
  auth_password_env: TEST_TRUNK_PASSWORD
inbound_dispatch_rule:
  name: test-inbound
  agent_name: ivr-navigator
"""


@pytest.fixture(scope="module")
def sip_server(tmp_path_factory):
    import os

    binary, redis = find_server_binary(), shutil.which("redis-server")
    if binary is None or redis is None:
        message = "provisioning needs livekit-server and redis-server (see .ci/run)"
        if os.environ.get("REQUIRE_LIVEKIT_SERVER"):
            pytest.fail(message)
        pytest.skip(message)
    port = free_port()
    redis_process = subprocess.Popen(
        [redis, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL)
    try:
        with LiveKitDevServer(binary, redis_address=f"127.0.0.1:{port}") as server:
            yield server
    finally:
        redis_process.terminate()
        redis_process.wait(10)


def test_provision_is_idempotent_and_updates_in_place(sip_server, tmp_path, monkeypatch):
    monkeypatch.setenv("LIVEKIT_URL", sip_server.url)
    monkeypatch.setenv("TEST_TRUNK_PASSWORD", "s3cret")
    config = tmp_path / "provision.yaml"
    config.write_text(CONFIG.format(number="+15550100000"))
    runner = CliRunner()

    first = runner.invoke(app, ["provision", str(config)])
    assert first.exit_code == 0, first.output
    assert "outbound_trunk: created ST_" in first.output
    assert "inbound_dispatch_rule: created SDR_" in first.output

    config.write_text(CONFIG.format(number="+15550100001"))
    second = runner.invoke(app, ["provision", str(config)])
    assert second.exit_code == 0, second.output
    assert "outbound_trunk: updated ST_" in second.output
    assert "inbound_dispatch_rule: updated SDR_" in second.output
    assert "s3cret" not in first.output + second.output

    async def listed():
        lk = api.LiveKitAPI(sip_server.url.replace("ws://", "http://"), "devkey", "secret")
        try:
            trunks = (await lk.sip.list_outbound_trunk(api.ListSIPOutboundTrunkRequest())).items
            rules = (await lk.sip.list_dispatch_rule(api.ListSIPDispatchRuleRequest())).items
        finally:
            await lk.aclose()
        return trunks, rules

    import asyncio

    trunks, rules = asyncio.run(listed())
    assert [(t.name, list(t.numbers)) for t in trunks] == [("test-outbound", ["+15550100001"])]
    assert [r.name for r in rules] == ["test-inbound"]
    assert rules[0].room_config.agents[0].agent_name == "ivr-navigator"


def test_a_broken_provisioning_file_names_the_field(tmp_path):
    config = tmp_path / "bad.yaml"
    config.write_text(CONFIG.format(number="555-0100"))
    with pytest.raises(ProvisionError) as e:
        load_provision_config(config)
    assert str(e.value) == (
        f"{config}: outbound_trunk.numbers[0]: must be an E.164 number: + then 7 to 15 "
        "digits, e.g. +15551234567 (got '555-0100')")
