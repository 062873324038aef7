"""No module of ours imports itself back through others at the top level.

A cycle hides in a function-level import or breaks at start-up depending on who is imported first; the usual one
was a service enqueueing the task that runs it. Services now ask for tasks by name (incidents.events.enqueue), and
each app's handlers.connect() names them, so tasks import services and never the reverse. The check reads the
source, so it needs no database.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

import watchkeeper

PACKAGE = Path(watchkeeper.__file__).parent


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = ["watchkeeper", *path.relative_to(PACKAGE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imported(name: str, path: Path, modules: dict[str, Path]) -> Iterator[str]:
    """What the module imports when it loads; ``from package import module`` names the module, not the package."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name in modules)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            source = ".".join([*base, node.module] if node.module else base)
            for alias in node.names:
                target = f"{source}.{alias.name}"
                if target in modules:
                    yield target
                elif source in modules:
                    yield source


def graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: set(_imported(name, path, modules)) - {name} for name, path in modules.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        while work:
            node, targets = work[-1]
            target = next(targets, None)
            if target is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = stack[stack.index(node) :]
                    del stack[stack.index(node) :]
                    if len(group) > 1:
                        found.append(sorted(group))
            elif target not in index:
                index[target] = low[target] = len(index)
                stack.append(target)
                work.append((target, iter(sorted(edges.get(target, ())))))
            elif target in stack:
                low[node] = min(low[node], index[target])
    return found


def test_the_scan_finds_a_cycle_and_the_modules_in_it() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(edges) == [["a", "b", "c"]]


def test_the_scan_sees_the_imports_that_made_the_old_cycles() -> None:
    # If the parser stopped seeing these, the test below would pass for the wrong reason.
    edges = graph()
    assert "watchkeeper.notifications.delivery" in edges["watchkeeper.notifications.tasks"]
    assert "watchkeeper.incidents.events" in edges["watchkeeper.notifications.delivery"]
    assert "watchkeeper.statuspage.services.subscribers" in edges["watchkeeper.statuspage.webhooks"]


def test_no_module_imports_itself_back() -> None:
    found = cycles(graph())
    assert not found, "modules that import each other in a circle: " + "; ".join(" -> ".join(c) for c in found)
