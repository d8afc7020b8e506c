"""The build hook: ``pip install ./python`` compiles the Swift dynamic library
``mapk-c`` (release) with the toolchain on this machine and puts it, with
``mapk.h``, in the package. The wheel is tagged for this platform (the
library is native code) but for any Python 3 (ctypes needs no Python ABI).

On Linux the Swift runtime libraries the dylib needs (libswiftCore,
libFoundationEssentials, libdispatch, ...: found through its RUNPATH, which
names the toolchain's lib dir) are copied beside it, and its RUNPATH is
rewritten to ``$ORIGIN`` alone, so the installed package runs on a machine
without the toolchain (glibc, libstdc++ and zlib excepted, as for any
native wheel). SwiftPM does not link the runtime statically into a dynamic
library (``--static-swift-stdlib`` applies to executables only).

``SWIFT`` names the ``swift`` executable (default: the one on ``PATH``);
``MAPK_SOURCE_ROOT`` the package root (default: this file's parent, where
``Package.swift`` is).
"""

import os
import shutil
import struct
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


DT_NEEDED, DT_RPATH, DT_RUNPATH = 1, 15, 29
SHT_DYNAMIC = 6


def _dynamic(path):
    """(NEEDED names, the RUNPATH or RPATH text, its file offset and its byte length) of an ELF64 LE library."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise SystemExit(f"mapk: {path} is not a 64-bit little-endian ELF library")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    dynamic = next(s for s in sections if s[1] == SHT_DYNAMIC)
    strtab = sections[dynamic[6]][4]  # sh_link: the section of its strings; [4]: sh_offset

    def text(at):
        end = data.index(b"\0", strtab + at)
        return data[strtab + at:end].decode(), strtab + at, end - (strtab + at)

    needed, runpath = [], None
    for at in range(dynamic[4], dynamic[4] + dynamic[5], 16):
        tag, value = struct.unpack_from("<qQ", data, at)
        if tag == 0:
            break
        if tag == DT_NEEDED:
            needed.append(text(value)[0])
        elif tag in (DT_RUNPATH, DT_RPATH):
            runpath = text(value)
    return needed, runpath


def bundle_runtime(library, target):
    """Copies the libraries ``library`` needs from its RUNPATH's directories (the toolchain's) into
    ``target``, then rewrites its RUNPATH to ``$ORIGIN`` in place (a shorter string, padded with NULs)."""
    needed, runpath = _dynamic(library)
    if runpath is None:
        return []
    origin = os.path.dirname(os.path.abspath(library))
    dirs = [d.replace("$ORIGIN", origin) for d in runpath[0].split(":") if d and "$ORIGIN" not in d]
    copied, queue = [], list(needed)
    while queue:
        name = queue.pop()
        if name in copied:
            continue
        found = next((os.path.join(d, name) for d in dirs if os.path.isfile(os.path.join(d, name))), None)
        if found is None:
            continue  # a system library (libc, libstdc++, zlib): not bundled
        shutil.copy2(found, os.path.join(target, name))
        copied.append(name)
        queue.extend(_dynamic(found)[0])
    _, offset, length = runpath
    new = b"$ORIGIN"
    with open(library, "r+b") as f:
        f.seek(offset)
        f.write(new + b"\0" * (length - len(new)))
    return copied


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
        if sys.platform.startswith("linux"):
            copied = bundle_runtime(os.path.join(target, LIBRARY), target)
            print("mapk: bundled the Swift runtime: " + " ".join(sorted(copied)), flush=True)
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
