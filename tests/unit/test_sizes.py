"""No module over 400 lines and no function over 60: past that, a reader cannot hold the whole of it at once.

A function is counted from its ``def`` line to its last line (decorators aside), nested functions on their own
as well as inside the one that holds them; a module by its lines. Migrations are generated, so not counted.
The check reads the source, so it needs no database.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import watchkeeper

PACKAGE = Path(watchkeeper.__file__).parent
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
MODULES = sorted(path for path in PACKAGE.rglob("*.py") if "migrations" not in path.relative_to(PACKAGE).parts)


def long_functions(source: str, limit: int = MAX_FUNCTION_LINES) -> Iterator[str]:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > limit:
                yield f"{node.lineno}: {node.name} ({length} lines)"


def test_there_are_modules_to_measure() -> None:
    relative = {path.relative_to(PACKAGE) for path in MODULES}
    assert Path("incidents/services/__init__.py") in relative
    assert not any("migrations" in path.parts for path in relative)


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_no_module_is_over_400_lines(path: Path) -> None:
    assert len(path.read_text().splitlines()) <= MAX_MODULE_LINES


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_no_function_is_over_60_lines(path: Path) -> None:
    assert list(long_functions(path.read_text())) == []


def test_the_check_counts_what_it_should() -> None:
    body = "\n".join(f"    x{n} = {n}" for n in range(3))
    source = f"""
@decorated
def short():
{body}

async def too_long():
{body}
    return x2

class Holder:
    def method(self):
        def inner():
{body.replace("    ", "            ")}
            return 1
        return inner
"""
    # ``short`` is 4 lines (its decorator aside), ``too_long`` 5, ``method`` 7 and ``inner`` 5.
    assert list(long_functions(source, limit=4)) == [
        "8: too_long (5 lines)",
        "15: method (7 lines)",
        "16: inner (5 lines)",
    ]
