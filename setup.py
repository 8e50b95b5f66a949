"""Build step for the wheel: copy the bundled architectures, workloads, sweeps and studies into the package.

They stay at the top of the repository (where users and docs find them); a wheel carries them as
package data in simcim/bundled/ with the same layout. Everything else is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
FOLDERS = ("architectures", "workloads", "sweeps", "studies")  # simcim/paths.py FOLDERS


class BuildPyWithBundled(build_py):
    """build_py, then the top-level YAML folders into <build>/simcim/bundled/<folder>/."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout's folders directly
        for folder in FOLDERS:
            src = HERE / folder
            dst = Path(self.build_lib) / "simcim" / "bundled" / folder
            if dst.exists():
                shutil.rmtree(dst)
            dst.mkdir(parents=True)
            for path in sorted(src.glob("*.yaml")):
                shutil.copyfile(path, dst / path.name)


setup(cmdclass={"build_py": BuildPyWithBundled})
