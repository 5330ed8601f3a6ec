"""Where the tests find the source tree (examples) and the command (for identity checks):
$MN_SOURCE_DIR and $MNEEDLE as ctest sets them, else this tree and build/release/mneedle."""
import json
import os

import pytest

TREE = os.environ.get("MN_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
CLI = os.environ.get("MNEEDLE") or os.path.join(TREE, "build", "release", "mneedle")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "once: run in the release build only by scripts/check.sh (MN_SKIP_ONCE=1 "
        "leaves it out under the sanitizers; tests/CMakeLists.txt says why)")


def example(kind, name):
    with open(os.path.join(TREE, "examples", kind, name), encoding="utf-8") as f:
        return json.load(f)


def examples(kind, prefix=""):
    d = os.path.join(TREE, "examples", kind)
    return sorted(n for n in os.listdir(d) if n.endswith(".json") and n.startswith(prefix))


@pytest.fixture(scope="session")
def tree():
    return TREE


@pytest.fixture(scope="session")
def cli():
    if not os.access(CLI, os.X_OK):
        pytest.fail(f"the mneedle command is not at {CLI} (set MNEEDLE)")
    return CLI
