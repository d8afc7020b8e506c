"""Shared helpers: the repository's conformance cases and the `mapk` CLI to compare with."""

import json
import os
import re
import subprocess

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFORMANCE = os.path.join(ROOT, "Tests", "ShardsTests", "Fixtures", "conformance")


def cli_path():
    """``MAPK_CLI``, else the newest of the repository's release and debug builds of ``mapk``."""
    explicit = os.environ.get("MAPK_CLI")
    if explicit:
        return explicit
    built = [os.path.join(ROOT, ".build", c, "mapk") for c in ("release", "debug")]
    built = [p for p in built if os.path.isfile(p)]
    return max(built, key=os.path.getmtime) if built else None


@pytest.fixture(scope="session")
def cli():
    path = cli_path()
    if not path or not os.path.isfile(path):
        pytest.fail("no mapk CLI to compare with: build it (swift build) or set MAPK_CLI")

    def run(*args):
        done = subprocess.run([path, *args], capture_output=True, text=True)
        if done.returncode != 0:
            raise AssertionError(f"mapk {' '.join(args)} exited {done.returncode}: {done.stderr}")
        return json.loads(done.stdout)

    return run


def cases():
    with open(os.path.join(CONFORMANCE, "cases.json")) as f:
        return json.load(f)["cases"]


def read_text_labels(path, rows):
    """mapk's `.txt` labels as one list of ids per row (spaces or commas; an empty line is a row without
    labels; empty lines after the last row end the file, docs/formats.md)."""
    with open(path) as f:
        text = f.read()
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the newline that ends the last row
    parsed = [[int(t) for t in re.split(r"[ ,\t]+", line.strip()) if t] for line in lines]
    assert not any(parsed[rows:]), f"{path}: labels past row {rows}"
    return parsed[:rows]


def load_labels(name, rows):
    path = os.path.join(CONFORMANCE, name)
    if name.endswith(".npy"):
        return np.load(path)
    if name.endswith(".txt"):
        return read_text_labels(path, rows)
    import scipy.sparse

    return scipy.sparse.load_npz(path)


def load_case(case):
    """(predictions, labels, weights or None, paths) of a conformance case, in memory."""
    predictions = np.load(os.path.join(CONFORMANCE, case["predictions"]))
    labels = load_labels(case["labels"], predictions.size // predictions.shape[-1])
    weights = np.load(os.path.join(CONFORMANCE, case["weights"])) if case.get("weights") else None
    return predictions, labels, weights


def cli_args(case):
    args = ["eval", "--predictions", os.path.join(CONFORMANCE, case["predictions"]),
            "--labels", os.path.join(CONFORMANCE, case["labels"]), "-k", str(case["k"]), "--json", "--no-progress"]
    if case.get("weights"):
        args += ["--weights", os.path.join(CONFORMANCE, case["weights"])]
    return args


def nan_or(value):
    return float("nan") if value is None else value


def close(a, b, rel=1e-12):
    """Equal within rel (both NaN counts as equal)."""
    a, b = float(a), float(b)
    if np.isnan(a) or np.isnan(b):
        return np.isnan(a) and np.isnan(b)
    return abs(a - b) <= rel * max(abs(a), abs(b)) or a == b


def without(d, *keys):
    return {k: v for k, v in d.items() if k not in keys}
