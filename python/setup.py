"""The build hook: ``pip install ./python`` compiles the Swift dynamic library
``mapk-c`` (release) with the toolchain on this machine and puts it, with
``mapk.h``, in the package. The wheel is tagged for this platform (the
library is native code) but for any Python 3 (ctypes needs no Python ABI).

``SWIFT`` names the ``swift`` executable (default: the one on ``PATH``);
``MAPK_SOURCE_ROOT`` the package root (default: this file's parent, where
``Package.swift`` is).
"""

import os
import shutil
import subprocess
import sys

from setuptools import setup
from setuptools.command.build_py import build_py

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70.1
    from wheel.bdist_wheel import bdist_wheel

HERE = os.path.dirname(os.path.abspath(__file__))
LIBRARY = "libmapk-c.dylib" if sys.platform == "darwin" else "libmapk-c.so"


def source_root():
    root = os.environ.get("MAPK_SOURCE_ROOT") or os.path.dirname(HERE)
    if not os.path.isfile(os.path.join(root, "Package.swift")):
        raise SystemExit(
            f"mapk: no Package.swift in {root}: install from the repository (pip install ./python), "
            "or set MAPK_SOURCE_ROOT to the mapk checkout"
        )
    return root


class BuildSwiftLibrary(build_py):
    """build_py, then the Swift library into the package."""

    def run(self):
        super().run()
        root = source_root()
        swift = os.environ.get("SWIFT") or shutil.which("swift")
        if not swift:
            raise SystemExit("mapk: building the package needs the Swift toolchain (swift on PATH, or SWIFT=/path/to/swift)")
        command = [swift, "build", "-c", "release", "--product", "mapk-c", "--package-path", root]
        print("mapk: " + " ".join(command), flush=True)
        subprocess.run(command, check=True)
        bin_path = subprocess.run(command + ["--show-bin-path"], check=True, capture_output=True, text=True).stdout.strip()
        target = os.path.join(self.build_lib, "mapk")
        os.makedirs(target, exist_ok=True)
        shutil.copy2(os.path.join(bin_path, LIBRARY), os.path.join(target, LIBRARY))
        shutil.copy2(os.path.join(root, "Sources", "CMAPK", "include", "mapk.h"), os.path.join(target, "mapk.h"))


class PlatformWheel(bdist_wheel):
    """A wheel for this platform and any Python 3: native code, no extension module."""

    def finalize_options(self):
        super().finalize_options()
        self.root_is_pure = False

    def get_tag(self):
        _, _, platform = super().get_tag()
        return "py3", "none", platform


setup(cmdclass={"build_py": BuildSwiftLibrary, "bdist_wheel": PlatformWheel})
