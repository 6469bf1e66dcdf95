"""Each function bundle installs its lock (`functions/<name>/requirements.lock`, `make lock`):
every package pinned with hashes. The lock must answer the function's requirements.txt, which
must keep to pyproject.toml's ranges; Terraform must ship the lock as the bundle's
requirements.txt."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import hcl2
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from emulators import stack

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")


def declared(path: Path) -> dict[str, Requirement]:
    requirements = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            requirement = Requirement(line)
            requirements[canonicalize_name(requirement.name)] = requirement
    return requirements


def locked(path: Path) -> dict[str, tuple[str, list[str], list[str]]]:
    """name -> (version, hashes, what pulled it in)."""
    pins: dict[str, tuple[str, list[str], list[str]]] = {}
    current = None
    for line in path.read_text().splitlines():
        stripped = line.strip()
        match = PIN.match(line)
        if match:
            current = canonicalize_name(match.group(1))
            pins[current] = (match.group(2), [], [])
        elif current and stripped.startswith("--hash=sha256:"):
            pins[current][1].append(stripped.removeprefix("--hash=sha256:").rstrip(" \\"))
        elif current and stripped.startswith("#"):
            via = stripped.lstrip("#").strip().removeprefix("via").strip()
            if via:
                pins[current][2].append(via)
    return pins


FUNCTIONS = stack.discover_functions()


@pytest.mark.parametrize("function", FUNCTIONS)
def test_the_lock_pins_every_requirement_within_its_declared_range(function):
    folder = stack.FUNCTIONS_DIR / function
    requirements = declared(folder / "requirements.txt")
    pins = locked(folder / "requirements.lock")
    assert requirements and pins
    for name, requirement in requirements.items():
        assert name in pins, f"{function}: {name} is not in the lock; run `make lock`"
        version = pins[name][0]
        assert requirement.specifier.contains(version, prereleases=True), (function, name)
    # The lock was made from this requirements.txt: what it says came from the file is exactly
    # what the file declares (a requirement removed from the file leaves the lock too).
    from_file = {
        name for name, (_, _, via) in pins.items() if any(v.startswith("-r ") for v in via)
    }
    assert from_file == set(requirements), f"{function}: stale lock; run `make lock`"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_locked_package_has_hashes(function):
    pins = locked(stack.FUNCTIONS_DIR / function / "requirements.lock")
    for name, (version, hashes, _) in pins.items():
        assert hashes, f"{function}: {name}=={version} has no hash"
        assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes), name


def test_function_requirements_keep_to_the_pyproject_ranges():
    project = tomllib.loads((stack.REPO_ROOT / "pyproject.toml").read_text())["project"]
    ranges = {
        canonicalize_name(r.name): r.specifier for r in map(Requirement, project["dependencies"])
    }
    for function in FUNCTIONS:
        for name, requirement in declared(
            stack.FUNCTIONS_DIR / function / "requirements.txt"
        ).items():
            assert name in ranges, f"{function}: {name} is not a dependency in pyproject.toml"
            assert requirement.specifier == ranges[name], (function, name)


def test_the_lock_is_resolved_for_the_deployed_runtime():
    runtime = None
    for block in hcl2.load((stack.INFRA_DIR / "variables.tf").open())["variable"]:
        if '"python_runtime"' in block or "python_runtime" in block:
            runtime = next(iter(block.values()))["default"].strip('"')
    assert runtime and runtime.startswith("python3")
    makefile = (stack.REPO_ROOT / "Makefile").read_text()
    assert f"LOCK_PYTHON := 3.{runtime.removeprefix('python3')}" in makefile
    assert "--generate-hashes" in makefile


def test_terraform_ships_the_lock_as_the_bundles_requirements():
    functions_tf = (stack.INFRA_DIR / "functions.tf").read_text()
    assert (
        '{ "requirements.txt" = "${local.repo_root}/functions/${each.key}/requirements.lock" }'
        in (functions_tf)
    )
    assert 'if !startswith(f, "requirements")' in functions_tf
