"""docs/python.md's examples run as written: its python blocks, in order, as one script from
the source tree's top folder."""
import os
import re
import subprocess
import sys

from conftest import TREE


def test_the_python_page_runs():
    with open(os.path.join(TREE, "docs", "python.md"), encoding="utf-8") as f:
        blocks = re.findall(r"^```python\n(.*?)^```", f.read(), re.S | re.M)
    assert len(blocks) >= 5
    out = subprocess.run([sys.executable, "-c", "\n".join(blocks)], cwd=TREE,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "$.patient.age - expected a number" in out.stdout
