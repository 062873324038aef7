"""Only an app's ``services`` module or package writes models.

Views, the API, the CLI, the Slack app, tasks and the admin call the service functions, so a
rule enforced there (the timeline entry, the event, the enqueued notification) cannot be
skipped by a second writer. The check reads the source, so it needs no database.
"""

import ast
from pathlib import Path

import pytest

import watchkeeper

PACKAGE = Path(watchkeeper.__file__).parent

# Modules that still write outside a services module, each with the reason.
ALLOWED: dict[str, str] = {
    # To be folded into services after the delivery rework (being rewritten for speed now).
    "notifications/delivery.py": "to be folded into services after the delivery rework",
    "statuspage/sending.py": "to be folded into services after the delivery rework",
    "statuspage/snapshot.py": "to be folded into services after the delivery rework",
    "statuspage/snapshot_store.py": "to be folded into services after the delivery rework",
    # The task runner puts django-tasks' own queue rows back after an outage: no app's record.
    "worker.py": "the task queue's bookkeeping, not a Watchkeeper record",
    "task_outcome.py": "the task queue's bookkeeping, not a Watchkeeper record",
    # The sign-in backend overrides mozilla-django-oidc's create_user hook, which makes the user; groups and
    # staff are set by accounts.services.follow_identity_provider.
    "accounts/oidc.py": "the OIDC library's own user creation hook",
}
# The timeline is the legal record of a breach, and references are numbered once: each has one door.
ONE_DOOR = {"TimelineEntry": "incidents/services/timeline.py", "ReferenceCounter": "incidents/services/references.py"}

# Names that only the ORM uses: any call of them is a write.
ORM_ONLY = {"bulk_create", "bulk_update", "get_or_create", "update_or_create", "create_user", "create_superuser"}
# Calls that start a queryset: ``.update()`` on what they return is a bulk write, not ``dict.update``.
QUERYSET_STARTS = {"objects", "filter", "exclude", "all", "select_for_update", "select_related", "order_by"}


def _is_service(relative: Path) -> bool:
    return relative.name == "services.py" or "services" in relative.parts[:-1]


def _written_modules() -> list[Path]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if "migrations" in relative.parts or _is_service(relative):
            continue
        found.append(relative)
    return found


def _queryset_expression(node: ast.expr, querysets: set[str]) -> bool:
    """Does ``node`` syntactically build a queryset (``X.objects...``, ``found.filter(...)``)?"""
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            if node.attr in QUERYSET_STARTS:
                return True
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            return isinstance(node, ast.Name) and node.id in querysets


class _Writes(ast.NodeVisitor):
    def __init__(self) -> None:
        self.found: list[str] = []
        self.querysets: set[str] = set()

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        outer, self.querysets = self.querysets, set(self.querysets)
        self.generic_visit(node)
        self.querysets = outer

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Assign(self, node: ast.Assign) -> None:
        # A name bound to a queryset (``running = Task.objects.filter(...)``) makes its
        # ``.update()``/``.delete()`` a write later on.
        if _queryset_expression(node.value, self.querysets):
            self.querysets.update(t.id for t in node.targets if isinstance(t, ast.Name))
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Attribute) and self._writes(node.func, node):
            self.found.append(f"{node.lineno}: {ast.unparse(node.func)}(...)")
        self.generic_visit(node)

    def _writes(self, func: ast.Attribute, call: ast.Call) -> bool:
        name, positional = func.attr, len(call.args)
        if name in ORM_ONLY:
            return True
        # Model.save() and Model/QuerySet.delete() take keywords only: ``book.save(path)``
        # (a spreadsheet) and ``router.delete("/path")`` are not the ORM.
        if name in {"save", "delete"}:
            return positional == 0
        # Manager.create() takes field keywords only; ``channels.create(client, incident)`` is ours.
        if name == "create":
            return positional == 0 and bool(call.keywords)
        if name == "update":
            return positional == 0 and _queryset_expression(func.value, self.querysets)
        # A related manager's ``.set(objects)``: ``event.set()`` takes nothing.
        if name == "set":
            return positional == 1 and isinstance(func.value, ast.Attribute)
        return False


def writes(source: str) -> list[str]:
    visitor = _Writes()
    visitor.visit(ast.parse(source))
    return visitor.found


MODULES = _written_modules()


def test_there_are_modules_to_check() -> None:
    assert Path("incidents/views.py") in MODULES
    assert Path("incidents/services.py") not in MODULES
    assert Path("breaches/services/common.py") not in MODULES


@pytest.mark.parametrize("relative", MODULES, ids=str)
def test_only_services_write_models(relative: Path) -> None:
    found = writes((PACKAGE / relative).read_text())
    if str(relative) in ALLOWED:
        assert found, f"{relative} no longer writes models: take it off the allow-list"
    else:
        assert found == []


@pytest.mark.parametrize(("model", "door"), ONE_DOOR.items())
def test_one_module_writes_the_timeline_and_the_references(model: str, door: str) -> None:
    writers = {
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.parts and any(model in line for line in writes(path.read_text()))
    }
    assert writers == {door}


def test_the_allow_list_names_real_modules() -> None:
    assert all((PACKAGE / name).exists() for name in ALLOWED)


def test_the_check_catches_what_it_should() -> None:
    source = """
Incident.objects.create(title="x")
incident.save(update_fields=["title"])
incident.save()
TimelineEntry.objects.filter(pk=1).update(text="y")
Incident.objects.filter(pk=1).delete()
subscriber.delete()
Thread.objects.get_or_create(key=1)
SlackUser.objects.update_or_create(slack_id="U1", defaults={})
Blob.objects.bulk_create(rows)
Blob.objects.bulk_update(rows, ["x"])
get_user_model().objects.create_user("importer")
user.groups.set(groups)
running = TaskResult.objects.filter(status="RUNNING")
running.update(status="READY")
incident.timeline.create(text="z")
document.save(out)
router.delete("/channels/{id}")
channels.create(client, incident)
initial.update(version=3)
env.globals.update(url=reverse)
self.stopping.set()
found = {}
found.update(x=1)
"""
    assert writes(source) == [
        "2: Incident.objects.create(...)",
        "3: incident.save(...)",
        "4: incident.save(...)",
        "5: TimelineEntry.objects.filter(pk=1).update(...)",
        "6: Incident.objects.filter(pk=1).delete(...)",
        "7: subscriber.delete(...)",
        "8: Thread.objects.get_or_create(...)",
        "9: SlackUser.objects.update_or_create(...)",
        "10: Blob.objects.bulk_create(...)",
        "11: Blob.objects.bulk_update(...)",
        "12: get_user_model().objects.create_user(...)",
        "13: user.groups.set(...)",
        "15: running.update(...)",
        "16: incident.timeline.create(...)",
    ]
