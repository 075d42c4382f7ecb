# Tests of the Python module; CTest runs them from the source tree with PYTHONPATH set to
# the built module (python/CMakeLists.txt).
import os

import pytest

SOURCE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


@pytest.fixture(autouse=True)
def in_source_tree(monkeypatch):
    """Scenario paths as in the README, whatever directory pytest was started from."""
    monkeypatch.chdir(SOURCE_DIR)
