"""Scenario and IVR definition files: models, the loader and its checks."""

from .ivr_model import IvrDefinition
from .loader import LoadedScenario, ScenarioError, find_scenario_files, load_ivr, load_scenario
from .scenario_model import Expectation, Scenario

__all__ = [
    "Expectation",
    "IvrDefinition",
    "LoadedScenario",
    "Scenario",
    "ScenarioError",
    "find_scenario_files",
    "load_ivr",
    "load_scenario",
]
