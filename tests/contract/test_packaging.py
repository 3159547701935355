"""Every third-party module the server imports comes from a declared runtime dependency
(a dev-only dependency would pass the tests and crash the Docker image)."""

from __future__ import annotations

import ast
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
OWN = {"llmgateway"}


def _imported_top_level_modules() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "server" / "llmgateway").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - OWN - set(sys.stdlib_module_names) - {"__future__"}


def _normalise(name: str) -> str:
    return name.lower().replace("_", "-")


def test_server_imports_only_declared_runtime_dependencies() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {_normalise(Requirement(r).name) for r in project["dependencies"]}
    distributions = packages_distributions()
    undeclared: dict[str, list[str]] = {}
    for module in sorted(_imported_top_level_modules()):
        dists = distributions.get(module, [])
        if not declared & {_normalise(d) for d in dists}:
            undeclared[module] = dists
    assert not undeclared, f"imported by server/ but not in [project.dependencies]: {undeclared}"
