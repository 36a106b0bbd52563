"""The code base stays clean under the ruff configuration in pyproject.toml."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(ruff).exists():
        pytest.fail("ruff is not installed: pip install -e '.[test]'")
    return subprocess.run([ruff, *args], cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_check_is_clean():
    result = _ruff("check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean():
    result = _ruff("format", "--check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean():
    """Types as configured in pyproject.toml: strict for scoring and the models."""
    mypy = shutil.which("mypy") or str(Path(sys.executable).with_name("mypy"))
    if not Path(mypy).exists():
        pytest.fail("mypy is not installed: pip install -e '.[test]'")
    result = subprocess.run(
        # No cache: tests never write into the repository.
        [mypy, "--no-incremental", "--cache-dir", os.devnull, "--no-error-summary"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_only_config_reads_the_environment():
    """Settings come from one frozen object (surveyapp/config.py), checked at start."""
    reads = re.compile(
        r"\bos\.(environb?|getenvb?|putenv|unsetenv)\b"
        r"|\bfrom os import\b[^\n]*\b(environb?|getenvb?)\b"
    )
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "surveyapp").rglob("*.py"))
        if path != ROOT / "surveyapp" / "config.py"
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if reads.search(line)
    ]
    assert found == [], "read settings through surveyapp.config:\n" + "\n".join(found)
