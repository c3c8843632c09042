"""The shape of the code: no import cycles, dependencies' internals in one module each, and a
command line that starts without Qt. (The import contracts are in pyproject.toml.)"""

from __future__ import annotations

import ast
import subprocess
import sys

import grimp
from repo import REPO

PACKAGES = ("session", "recording", "documents", "desktop")
#: The one module allowed to touch each dependency's private internals.
QUARANTINE = {
    "aiortc": "session/rtc/aiortc_internals.py",
    "aioice": "session/rtc/aiortc_internals.py",
    "pyhanko": "documents/signing/pyhanko_internals.py",
}
#: aiortc's public modules (its documented API); any other is its inside.
AIORTC_PUBLIC = {"aiortc", "aiortc.mediastreams", "aiortc.contrib.media"}
#: Underscored names that are public all the same: SQLAlchemy's ``Row._mapping`` (the underscore
#: keeps it apart from column names), and a class of ours calling its own base.
PUBLIC_UNDERSCORED = {"_mapping", "_drain"}


def sources() -> list[tuple[str, ast.Module]]:
    return [
        (str(path.relative_to(REPO)), ast.parse(path.read_text(encoding="utf-8")))
        for package in PACKAGES
        for path in sorted((REPO / package).rglob("*.py"))
    ]


def strongly_connected(graph: grimp.ImportGraph) -> list[set[str]]:
    """Groups of modules that import each other, directly or round about (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in graph.find_modules_directly_imported_by(module):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = set()
            while (top := stack.pop()) != module:
                group.add(top)
            group.add(module)
            groups.append(group)

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return [group for group in groups if len(group) > 1]


def test_no_module_imports_itself_round_about() -> None:
    # An import made only for type checking (``if TYPE_CHECKING:``) runs never: not a cycle.
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True)
    assert strongly_connected(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for name in ("a", "b", "c"):
        graph.add_module(name)
    graph.add_import(importer="a", imported="b")
    graph.add_import(importer="b", imported="a")
    graph.add_import(importer="b", imported="c")
    assert strongly_connected(graph) == [{"a", "b"}]


def internals_touched(path: str, tree: ast.Module) -> list[str]:
    """What ``path`` touches inside its dependencies: non-public modules it imports, and
    underscored attributes of anything but itself."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module]
        elif isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        else:
            modules = []
        for module in modules:
            top = module.split(".")[0]
            inside = (
                top == "aioice"
                or (top == "aiortc" and module not in AIORTC_PUBLIC)
                or (top == "pyhanko" and "internal" in module)
            )
            if inside and QUARANTINE[top] != path:
                found.append(f"{path}: imports {module}")
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and node.attr not in PUBLIC_UNDERSCORED
            and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
            and path not in QUARANTINE.values()
        ):
            found.append(f"{path}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_dependencies_internals_are_touched_in_their_quarantine_only() -> None:
    touched = [line for path, tree in sources() for line in internals_touched(path, tree)]
    assert touched == []


def test_the_check_sees_an_internal_touched_outside_its_quarantine() -> None:
    tree = ast.parse("from aiortc.rtp import RtpPacket\nreceiver._send_rtcp_pli(1)\n")
    assert internals_touched("session/rtc/mesh.py", tree) == [
        "session/rtc/mesh.py: imports aiortc.rtp",
        "session/rtc/mesh.py:2: receiver._send_rtcp_pli",
    ]


def test_the_command_line_starts_without_qt() -> None:
    """Every module of the command line imports; none of them loads Qt (only the commands that
    open windows do, when they run)."""
    code = (
        "import importlib, pkgutil, sys, desktop.cli, desktop.demo\n"
        "for package in (desktop.cli, desktop.demo):\n"
        "    for m in pkgutil.iter_modules(package.__path__):\n"
        "        importlib.import_module(f'{package.__name__}.{m.name}')\n"
        "print(sorted(k for k in sys.modules if k.startswith('PySide6')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
