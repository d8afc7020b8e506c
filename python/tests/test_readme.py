"""The README's Python section, as written there, from the repository's root."""

import contextlib
import io
import os
import re

from conftest import ROOT


def test_the_readme_python_example_runs_as_written():
    with open(os.path.join(ROOT, "README.md")) as f:
        readme = f.read()
    section = readme[readme.index("## From Python"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    expected = re.search(r"# ([0-9.]+), as the CLI", code).group(1)
    out = io.StringIO()
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, "README.md", "exec"), {})
    finally:
        os.chdir(cwd)
    assert out.getvalue().strip() == expected
