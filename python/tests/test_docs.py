"""docs/python.md's examples run as written: its python blocks, in order, as one script from
the source tree's top folder."""
import os
import re
import subprocess
import sys

import pytest

import mneedle
from conftest import TREE


# Its calls are the package's, tested under the sanitizers one by one in the other files.
@pytest.mark.once
def test_the_python_page_runs():
    with open(os.path.join(TREE, "docs", "python.md"), encoding="utf-8") as f:
        blocks = re.findall(r"^```python\n(.*?)^```", f.read(), re.S | re.M)
    assert len(blocks) >= 5
    out = subprocess.run([sys.executable, "-c", "\n".join(blocks)], cwd=TREE,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "$.patient.age - expected a number" in out.stdout


def test_help_teaches_every_call():
    # help(mneedle) lists what __all__ names, and it left out evidence and validate; help on
    # a module-level call said only "Context().simulate with the built-in catalogues".
    import pydoc

    page = pydoc.render_doc(mneedle, renderer=pydoc.plaintext)
    for name in ("screen", "plan", "simulate", "absorb", "cohort", "sensitivity", "evidence",
                 "validate", "catalog", "version"):
        assert f"\n    {name}(" in page, name
    sim = pydoc.render_doc(mneedle.simulate, renderer=pydoc.plaintext)
    for word in ("band", "seed", "integrator", "cvode", "trajectory", "NumPy"):
        assert word in sim, word
    assert "--evidence DIR" in pydoc.render_doc(mneedle.evidence, renderer=pydoc.plaintext)
    assert "franz" in pydoc.render_doc(mneedle.absorb, renderer=pydoc.plaintext)
