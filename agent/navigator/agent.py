"""The navigator: a LiveKit ``Agent`` that calls an IVR for a customer."""

from __future__ import annotations

from string import Template

from livekit.agents import Agent

from ..call.task import CallTask
from ..paths import PROMPTS_DIR
from .tools import NAVIGATOR_TOOLS


def render_instructions(task: CallTask) -> str:
    """The navigator's instructions: ``prompts/navigator.md`` filled with the goal, the
    non-secret facts and the names of the secrets (never their values)."""
    facts = [
        f"- {name}: {value if isinstance(value, str) else ' or '.join(value)}"
        for name, value in task.facts.items() if name not in task.secrets
    ]
    secrets = [f"{name} ({len(task.candidates(name))} candidate(s))" for name in task.secrets]
    template = Template((PROMPTS_DIR / "navigator.md").read_text(encoding="utf-8"))
    return template.substitute(goal=task.goal, facts="\n".join(facts) or "- (none)",
                               secrets=", ".join(secrets) or "(none)")


class NavigatorAgent(Agent):
    """The IVR navigator: instructions from the task, and the tools ``send_dtmf_events``,
    ``enter_secret`` and ``record_result`` (:mod:`agent.navigator.tools`)."""

    def __init__(self, task: CallTask) -> None:
        super().__init__(instructions=render_instructions(task), tools=list(NAVIGATOR_TOOLS))
