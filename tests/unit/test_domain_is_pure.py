"""The domain is plain Python: no Django, no third-party packages, no reading the clock.

Time is always passed in, so the same question gets the same answer in a view, a task,
the CLI and a test.
"""

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import watchkeeper.domain

DOMAIN = Path(watchkeeper.domain.__file__).parent
MODULES = sorted(DOMAIN.rglob("*.py"))

# Calls that read the clock, named by the last two parts of the dotted call
# (``datetime.now()``, ``dt.datetime.now()``, ``time.time()`` ...).
CLOCK_READS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
    ("time", "monotonic"),
    ("time", "perf_counter"),
    ("timezone", "now"),
}


def impure_imports(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: must stay inside the domain package
                if node.level > 1:
                    yield f"{'.' * node.level}{node.module or ''}"
                continue
            names = [node.module or ""]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top == "time":  # the module that reads the clock; datetime.time is fine
                yield name
            elif top == "watchkeeper":
                if not (name == "watchkeeper.domain" or name.startswith("watchkeeper.domain.")):
                    yield name
            elif top != "__future__" and top not in sys.stdlib_module_names:
                yield name


def clock_reads(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            dotted = ast.unparse(node.func).split(".")
            if tuple(dotted[-2:]) in CLOCK_READS:
                yield ast.unparse(node)


def test_there_are_domain_modules() -> None:
    assert {path.name for path in MODULES} >= {"priority.py", "office_time.py", "deadlines.py", "workflow.py"}


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_domain_imports_only_the_standard_library(path: Path) -> None:
    assert list(impure_imports(ast.parse(path.read_text()))) == []


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_domain_never_reads_the_clock(path: Path) -> None:
    assert list(clock_reads(ast.parse(path.read_text()))) == []


def test_the_checks_catch_what_they_should() -> None:
    source = """
import django.db
import time
from django.utils import timezone
from requests import get
from watchkeeper.incidents import models
from .. import settings
from datetime import datetime, date
import datetime as dt
from watchkeeper.domain.priority import Priority
from . import office_time
import zoneinfo
datetime.now()
dt.datetime.utcnow()
date.today()
time.time()
timezone.now()
datetime.combine(date.min, opening).time()
"""
    tree = ast.parse(source)
    assert list(impure_imports(tree)) == [
        "django.db",
        "time",
        "django.utils",
        "requests",
        "watchkeeper.incidents",
        "..",
    ]
    assert list(clock_reads(tree)) == [
        "datetime.now()",
        "dt.datetime.utcnow()",
        "date.today()",
        "time.time()",
        "timezone.now()",
    ]
