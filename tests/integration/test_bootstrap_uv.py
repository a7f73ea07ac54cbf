"""`scripts/uv` on a machine without uv whose Python refuses `pip install` (PEP 668), as on a
fresh Debian 12 or Ubuntu 24.04: it installs uv into the checkout's private tools folder and
runs it, and says what to install when Python has neither venv nor pip.

Each case runs the script with a PATH that holds no uv and a data folder of its own, so uv is
really installed from the package index (these tests need it reachable, like `uv sync`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.contract import REPO_ROOT

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

SCRIPT = REPO_ROOT / "scripts" / "uv"
SYSTEM_PYTHON = Path("/usr/bin/python3")

# A Debian-like python3: `pip install` into the system is refused as PEP 668 says, `-m venv`
# fails as without the python3-venv package, and with NO_PIP there is no pip at all. Anything
# else (pip with --target, the interpreter itself) goes to the real one.
WRAPPER = """#!/bin/sh
real="{real}"
case "$1 $2" in
  "-m venv")
    echo "The virtual environment was not created successfully because ensurepip is not" >&2
    echo "available.  On Debian/Ubuntu systems, you need to install the python3-venv package" >&2
    exit 1 ;;
  "-m uv") echo "No module named uv" >&2; exit 1 ;;
  "-m pip")
    if [ -n "$NO_PIP" ]; then echo "No module named pip" >&2; exit 1; fi
    if [ "$3" = install ]; then
      case " $* " in
        *" --target "*) ;;
        *) echo "error: externally-managed-environment" >&2; exit 1 ;;
      esac
    fi ;;
esac
exec "$real" "$@"
"""


def real_python_with_pip() -> str:
    for candidate in (str(SYSTEM_PYTHON), sys._base_executable):  # type: ignore[attr-defined]
        if Path(candidate).exists():
            probe = subprocess.run([candidate, "-m", "pip", "--version"], capture_output=True)
            if probe.returncode == 0:
                return candidate
    pytest.skip("no Python with pip on this machine to stand behind the Debian-like one")


def run_script(python: str, data: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """scripts/uv with no uv on PATH (only the system folders and the wrapper's)."""
    path = os.pathsep.join([str(Path(python).parent), "/usr/bin", "/bin"])
    assert shutil.which("uv", path=path) is None, "uv is on the system PATH: nothing to test"
    return subprocess.run(
        ["sh", str(SCRIPT), *args],
        env={"PATH": path, "HOME": str(data), "PYTHON": python, "SAMSPILL_DATA_DIR": str(data)}
        | env,
        capture_output=True,
        text=True,
        timeout=240,
    )


def debian_like_python(directory: Path) -> str:
    wrapper = directory / "bin" / "python3"
    wrapper.parent.mkdir(parents=True)
    wrapper.write_text(WRAPPER.format(real=real_python_with_pip()))
    wrapper.chmod(0o755)
    return str(wrapper)


def test_uv_is_installed_privately_where_pip_refuses_the_system(tmp_path: Path) -> None:
    """The machine's own Debian Python, when it is one (EXTERNALLY-MANAGED, as shipped)."""
    if not SYSTEM_PYTHON.exists() or not any(Path("/usr/lib").glob("python3*/EXTERNALLY-MANAGED")):
        pytest.skip("the system Python here is not marked externally managed (PEP 668)")
    refused = subprocess.run(
        [str(SYSTEM_PYTHON), "-m", "pip", "install", "--no-index", "uv"],
        capture_output=True,
        text=True,
    )
    assert "externally-managed-environment" in refused.stderr  # the premise
    result = run_script(str(SYSTEM_PYTHON), tmp_path, "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("uv ")
    assert (tmp_path / "tools" / "uv-venv" / "bin" / "uv").exists()
    again = run_script(str(SYSTEM_PYTHON), tmp_path, "--version")  # no second install
    assert again.returncode == 0
    assert "installing" not in again.stderr


def test_without_venv_uv_goes_into_a_private_target(tmp_path: Path) -> None:
    python = debian_like_python(tmp_path / "py")
    result = run_script(python, tmp_path / "data", "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("uv ")
    assert "python3 -m venv is not available" in result.stderr
    assert (tmp_path / "data" / "tools" / "uv-target" / "bin" / "uv").exists()


def test_without_venv_and_pip_it_says_what_to_install(tmp_path: Path) -> None:
    python = debian_like_python(tmp_path / "py")
    result = run_script(python, tmp_path / "data", "--version", NO_PIP="1")
    assert result.returncode == 1
    assert "apt-get install python3-venv" in result.stderr
