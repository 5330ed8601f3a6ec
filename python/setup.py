"""Builds the mneedle wheel: the cffi extension (mneedle/_build.py) and, beside it, a copy of
the libmneedle.so.0 it was linked against, so the installed package needs no other copy."""
import os
import shutil
import sys

from setuptools import setup
from setuptools.command.build_ext import build_ext

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "mneedle"))
from _build import locate  # noqa: E402


class BuildWithLibrary(build_ext):
    def run(self):
        super().run()
        _, lib = locate()
        real = os.path.realpath(os.path.join(lib, "libmneedle.so"))
        dest = os.path.join(self.build_lib, "mneedle", "libmneedle.so.0")
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copyfile(real, dest)
        if self.inplace:
            shutil.copyfile(real, os.path.join("mneedle", "libmneedle.so.0"))


setup(cffi_modules=["mneedle/_build.py:ffibuilder"], cmdclass={"build_ext": BuildWithLibrary})
