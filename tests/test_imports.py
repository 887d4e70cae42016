"""Every module under agent/ imports with the declared dependencies alone (CI runs this in a
fresh virtual environment): an undeclared import fails here, not in a worker's job."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import agent

MODULES = sorted(m.name for m in pkgutil.walk_packages(agent.__path__, "agent.")
                 if m.name != "agent.__main__")  # that one runs the command line


def test_the_package_has_modules():
    assert len(MODULES) > 30


@pytest.mark.parametrize("name", MODULES)
def test_module_imports(name):
    importlib.import_module(name)
