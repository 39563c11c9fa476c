"""The import-layer contract: arrows point one way, and an arrow running back up fails here.

cli -> graphql_api, client, devservices, ...   (the command line may use anything)
graphql_api -> background -> resolvers -> storage, upstream
client: on its own (people's scripts use it without the server)
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OURS = {"cli", "graphql_api", "background", "resolvers", "storage", "upstream", "client", "devservices", "bench"}
ALLOWED = {
    "storage": {"storage"},
    "upstream": {"upstream"},
    "resolvers": {"resolvers", "storage", "upstream"},
    "background": {"background", "resolvers", "storage", "upstream"},
    "graphql_api": {"graphql_api", "background", "resolvers", "storage", "upstream"},
    "client": {"client"},
    "devservices": {"devservices", "graphql_api", "storage"},
}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & OURS


def test_every_package_imports_only_the_layers_below_it() -> None:
    wrong = []
    for package, allowed in ALLOWED.items():
        for path in sorted((ROOT / package).rglob("*.py")):
            for target in _imports(path) - allowed:
                wrong.append(f"{path.relative_to(ROOT)} imports {target}")
    assert wrong == []


def test_the_contract_sees_every_package() -> None:
    # A new top-level package must be placed in the contract, or it escapes it.
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "cli", "bench"}
    assert packages <= set(ALLOWED), packages - set(ALLOWED)
