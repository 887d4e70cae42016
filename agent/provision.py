"""Provisioning the telephony side on a LiveKit server: the outbound SIP trunk the
navigator dials through, and an inbound dispatch rule that sends calls to the agent.

Idempotent: each object is found by its ``name`` and updated in place, or created; running
it twice changes nothing the second time.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import yaml
from livekit import api
from pydantic import AfterValidator, Field, ValidationError

from .call_request import e164
from .strict import StrictModel
from .validation import validation_problems


class OutboundTrunkConfig(StrictModel):
    """The SIP trunk of a carrier; its password comes from the environment variable
    named by ``auth_password_env`` (never from the file)."""

    name: str = "ivr-navigator-outbound"
    address: str = Field(min_length=3, description="The carrier's SIP host, e.g. sip.example.com")
    numbers: list[Annotated[str, AfterValidator(e164)]] = Field(
        min_length=1, description="Caller IDs (E.164).")
    auth_username: str = ""
    auth_password_env: str | None = None

    def info(self) -> api.SIPOutboundTrunkInfo:
        password = os.environ.get(self.auth_password_env, "") if self.auth_password_env else ""
        return api.SIPOutboundTrunkInfo(name=self.name, address=self.address,
                                        numbers=self.numbers, auth_username=self.auth_username,
                                        auth_password=password)


class InboundRuleConfig(StrictModel):
    """Each inbound call gets its own room (``room_prefix`` + caller) with the agent
    dispatched into it."""

    name: str = "ivr-navigator-inbound"
    room_prefix: str = "call-"
    agent_name: str = "ivr-navigator"
    trunk_ids: list[str] = Field(default_factory=list, description="Empty: every trunk.")

    def info(self) -> api.SIPDispatchRuleInfo:
        return api.SIPDispatchRuleInfo(
            name=self.name,
            trunk_ids=self.trunk_ids,
            rule=api.SIPDispatchRule(dispatch_rule_individual=api.SIPDispatchRuleIndividual(
                room_prefix=self.room_prefix)),
            room_config=api.RoomConfiguration(
                agents=[api.RoomAgentDispatch(agent_name=self.agent_name)]),
        )


class ProvisionConfig(StrictModel):
    """``provision`` configuration file (YAML)."""

    outbound_trunk: OutboundTrunkConfig
    inbound_dispatch_rule: InboundRuleConfig = Field(default_factory=InboundRuleConfig)


class ProvisionError(ValueError):
    """A broken provisioning file (one line per problem: file, path, reason)."""


def load_provision_config(path: Path | str) -> ProvisionConfig:
    """Read and validate a provisioning file.

    Raises:
        ProvisionError: unreadable, not YAML, or invalid fields.
    """
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise ProvisionError(f"{path}: {e}") from e
    try:
        return ProvisionConfig.model_validate(raw)
    except ValidationError as e:
        raise ProvisionError("\n".join(f"{path}: {where}: {why}"
                                       for where, why in validation_problems(e))) from e


async def _create_or_update(existing: list, name: str, id_field: str, create, update) -> str:
    """Update the object called ``name`` in ``existing``, or create it; says which."""
    found = next((item for item in existing if item.name == name), None)
    if found is None:
        return f"created {getattr(await create(), id_field)}"
    await update(getattr(found, id_field))
    return f"updated {getattr(found, id_field)}"


async def provision(lk: api.LiveKitAPI, config: ProvisionConfig) -> dict[str, str]:
    """Create or update the trunk and the rule; returns what was done to each, e.g.
    ``{"outbound_trunk": "created ST_x", "inbound_dispatch_rule": "updated SDR_y"}``."""
    trunk = config.outbound_trunk.info()
    rule = config.inbound_dispatch_rule.info()
    trunks = (await lk.sip.list_outbound_trunk(api.ListSIPOutboundTrunkRequest())).items
    rules = (await lk.sip.list_dispatch_rule(api.ListSIPDispatchRuleRequest())).items
    return {
        "outbound_trunk": await _create_or_update(
            trunks, trunk.name, "sip_trunk_id",
            lambda: lk.sip.create_outbound_trunk(api.CreateSIPOutboundTrunkRequest(trunk=trunk)),
            lambda trunk_id: lk.sip.update_outbound_trunk(trunk_id, trunk)),
        "inbound_dispatch_rule": await _create_or_update(
            rules, rule.name, "sip_dispatch_rule_id",
            lambda: lk.sip.create_dispatch_rule(api.CreateSIPDispatchRuleRequest(
                dispatch_rule=rule)),
            lambda rule_id: lk.sip.update_dispatch_rule(rule_id, rule)),
    }
