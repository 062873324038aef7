"""Several machines, one PostgreSQL: two web nodes and workers as separate processes against a private cluster.

- A publish through the API on node A is served by node B within 2 s; each node has its own snapshot folder.
- With the database stopped both nodes still serve the page, everything needing the database answers 503 with
  Retry-After, and they recover by themselves when it returns.
- PostgreSQL restarted while a worker delivers a burst of notifications: 0 lost, 0 duplicated.

The cluster is private (initdb in a temporary folder, a free port), so stopping it touches nobody else's work. It
needs only the PostgreSQL binaries, so it runs in the SQLite pass of CI and is skipped in the PostgreSQL pass
(set WATCHKEEPER_EVERY_PASS=1 to run it there too).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.e2e.nodes import WebNode, cli, wait_for, worker
from tests.e2e.pgcluster import AVAILABLE, PrivateCluster
from tests.fakes.webhooks import WEBHOOK_SECRET, WebhookReceiver

pytestmark = [
    pytest.mark.skipif(not AVAILABLE, reason="needs the PostgreSQL binaries (apt-get install postgresql)"),
    pytest.mark.sqlite_pass,  # it brings its own PostgreSQL
]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    cluster = PrivateCluster()
    try:
        cluster.start()
        cluster.createdb("watchkeeper")
        env = {
            **os.environ,
            "DATABASE_URL": cluster.url("watchkeeper"),
            "SECRET_KEY": "multinode-test-key-the-same-on-every-node-0123456789",
            "WATCHKEEPER_VAR_DIR": str(tmp_path_factory.mktemp("cli")),
            "LOG_LEVEL": "INFO",
            # The burst goes to a receiver on 127.0.0.1, which channels refuse unless private addresses are allowed.
            "WATCHKEEPER_ALLOW_PRIVATE_ENDPOINTS": "true",
        }
        cli(env, "migrate")
        cli(env, "createuser", "root", "--email", "root@example.gov.uk", "--group", "admin", stdin="correct horse 42\n")
        token = cli(env, "token", "create", "--user", "root")
        yield {"cluster": cluster, "env": env, "token": token}
    finally:
        cluster.destroy()


@pytest.fixture
def running(tmp_path: Path) -> Iterator[list[Any]]:
    """Every process a test starts, stopped at the end whatever happened."""
    processes: list[Any] = []
    yield processes
    for process in processes:
        process.stop()


def start_nodes(stack: dict[str, Any], tmp_path: Path, running: list[Any], *names: str) -> list[WebNode]:
    nodes = [WebNode(name, stack["env"], tmp_path) for name in names]
    for node in nodes:
        running.append(node.start())
    for node in nodes:
        wait_for(node.ready, 240, f"{node.name} to be ready", step=0.2)
    return nodes


def catalogue(node: WebNode, token: str, slug: str) -> str:
    """A team, a service with a component and an incident on it; returns the incident's reference."""
    assert node.request("/api/v1/teams", {"slug": f"t-{slug}", "name": f"Team {slug}"}, token).status == 201
    service = {"slug": slug, "name": f"Service {slug}", "team": f"t-{slug}"}
    assert node.request("/api/v1/services", service, token).status == 201
    component = {"service": slug, "slug": f"{slug}-api", "name": "API"}
    assert node.request("/api/v1/components", component, token).status == 201
    declared = node.request("/api/v1/incidents", {"title": "Card API 500s", "service": slug}, token)
    assert declared.status == 201, declared.body
    return str(declared.json()["reference"])


def serves(node: WebNode, text: str) -> bool:
    answer = node.request("/status/")
    return answer.status == 200 and text.encode() in answer.body


def test_a_publish_on_one_node_is_served_by_the_other_and_survives_the_database(
    stack: dict[str, Any], tmp_path: Path, running: list[Any]
) -> None:
    token, cluster = stack["token"], stack["cluster"]
    a, b = start_nodes(stack, tmp_path, running, "node-a", "node-b")
    running.append(worker("worker", stack["env"], tmp_path).start())
    reference = catalogue(a, token, "cards")
    title = "Card payments are failing"
    began = time.monotonic()
    body = {
        "incident": reference,
        "title": title,
        "body": "Looking into it.",
        "components": {"cards-api": "major_outage"},
    }
    published = a.request("/api/v1/status/incidents", body, token)
    answered = time.monotonic() - began
    assert published.status == 201, published.body
    public_id = published.json()["id"]
    # The clock starts when A has committed and answered: that is when the publish exists to be served.
    lag = wait_for(lambda: serves(b, title), 2.0, "node B to serve node A's publish", step=0.02)
    print(f"\npublish on A answered 201 in {answered:.3f} s; node B served it {lag:.3f} s later")
    assert serves(a, title)
    assert b.snapshot != a.snapshot
    assert (b.snapshot / "index.html").read_bytes() == (a.snapshot / "index.html").read_bytes()
    summary = b.request("/status/api/v2/summary.json").json()
    assert [i["name"] for i in summary["incidents"]] == [title]

    update = {"status": "identified", "body": "A certificate expired.", "components": {"cards-api": "partial_outage"}}
    assert a.request(f"/api/v1/status/incidents/{public_id}/updates", update, token).status == 201
    lag = wait_for(lambda: serves(b, "A certificate expired."), 2.0, "node B to serve the update", step=0.02)
    print(f"update on A served by node B {lag:.3f} s after A answered")

    cluster.stop()
    outage_began = time.monotonic()
    for node in (a, b):
        assert serves(node, "A certificate expired."), f"{node.name} serves the page without the database"
        assert node.request("/healthz").status == 200
        not_ready = node.request("/readyz")
        assert not_ready.status == 503 and not_ready.headers["retry-after"]
        assert not_ready.json()["checks"]["database"].startswith("unreachable")
        api = node.request("/api/v1/incidents", token=token)
        assert api.status == 503 and api.headers["retry-after"], api.body
        assert api.headers["content-type"] == "application/problem+json"
        # Signed in: the session is read in middleware, before any view; still a 503, never a traceback.
        page = node.request("/", headers={"Cookie": "sessionid=abcdefghijklmnopqrstuvwxyz012345"})
        assert page.status == 503 and page.headers["retry-after"] and b"Traceback" not in page.body

    # A node restarted while the database is down serves what it has on disk, and says so.
    assert b.stop() == 0
    b.start()
    wait_for(b.up, 240, "node B to come back up", step=0.2)
    assert serves(b, "A certificate expired.")
    wait_for(lambda: "database unreachable at start-up" in b.log(), 10, "node B to log that it has no database")
    assert "serving snapshot version" in b.log()
    # A node with nothing on disk answers 503 with Retry-After for the page, not a 500.
    c = WebNode("node-c", stack["env"], tmp_path)
    running.append(c.start())
    wait_for(c.up, 240, "node C to come up", step=0.2)
    empty = c.request("/status/")
    assert empty.status == 503 and empty.headers["retry-after"], empty.body
    wait_for(lambda: "no snapshot in" in c.log(), 10, "node C to log that it has no snapshot")

    # A worker that cannot reach the database exits non-zero after its grace period, saying why.
    doomed = worker("doomed", stack["env"], tmp_path, WATCHKEEPER_WORKER_DB_GRACE_SECONDS="2")
    doomed.start()
    wait_for(lambda: not doomed.alive, 30, "the worker to give up on the database", step=0.2)
    assert doomed.process is not None and doomed.process.returncode == 3
    assert "No database for" in doomed.log()

    print(f"database down for {time.monotonic() - outage_began:.1f} s")
    cluster.start()
    recovered = min(wait_for(node.ready, 30, f"{node.name} to recover", step=0.1) for node in (a, b, c))
    print(f"nodes ready again {recovered:.2f} s after the database came back")
    wait_for(lambda: serves(c, "A certificate expired."), 5, "node C to fetch the snapshot once the database is back")
    assert a.request("/api/v1/incidents", token=token).status == 200
    assert all(process.alive for process in running), "nothing needed a restart"


def deliveries(cluster: PrivateCluster) -> dict[str, str]:
    with psycopg.connect(cluster.dsn("watchkeeper"), autocommit=True) as db:
        return dict(db.execute("SELECT key, status FROM notifications_delivery").fetchall())


def failed_tasks(cluster: PrivateCluster) -> int:
    with psycopg.connect(cluster.dsn("watchkeeper"), autocommit=True) as db:
        row = db.execute("SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'FAILED'").fetchone()
        return int(row[0]) if row else 0


def test_a_postgresql_restart_mid_burst_loses_and_repeats_no_delivery(
    stack: dict[str, Any], tmp_path: Path, running: list[Any]
) -> None:
    token, cluster = stack["token"], stack["cluster"]
    # Slow to answer, so the stop most likely lands while a message is on its way: sent, not yet recorded.
    receiver = WebhookReceiver(WEBHOOK_SECRET, latency=0.3)
    try:
        (a,) = start_nodes(stack, tmp_path, running, "web")
        for number in range(4):
            channel = {"name": f"hook-{number}", "kind": "webhook", "target": f"{receiver.url}/{number}"}
            made = a.request("/api/v1/channels", {**channel, "secret": WEBHOOK_SECRET}, token)
            assert made.status == 201, made.body
            assert a.request("/api/v1/routes", {"channel": made.json()["id"]}, token).status == 201
        references = [catalogue(a, token, f"burst{n}") for n in range(8)]
        expected = deliveries(cluster)
        assert len(expected) >= 4 * len(references)
        delivering = worker("worker", stack["env"], tmp_path).start()
        running.append(delivering)

        wait_for(lambda: receiver.deliveries >= 6, 60, "the burst to start arriving")
        cluster.stop()
        stopped_at, before = time.monotonic(), receiver.deliveries
        assert serves(a, "Watchkeeper") and a.request("/api/v1/incidents", token=token).status == 503
        refused = a.request("/api/v1/incidents", {"title": "During the outage", "service": "burst0"}, token)
        assert refused.status == 503 and refused.headers["retry-after"]
        time.sleep(3)
        down_for = time.monotonic() - stopped_at
        cluster.start()
        drained = wait_for(
            lambda: set(deliveries(cluster).values()) == {"sent"}, 120, "every delivery to be sent", step=0.25
        )
        final = deliveries(cluster)
        print(
            f"\n{len(final)} deliveries; {before} had arrived when PostgreSQL stopped for {down_for:.1f} s; "
            f"all sent {drained:.1f} s after it came back; {receiver.deliveries} requests received, "
            f"{len(receiver.received)} distinct: {len(final) - len(receiver.received)} lost, "
            f"{receiver.deliveries - len(receiver.received)} duplicated"
        )
        assert set(final) == set(expected), "nothing was half-written: no delivery for the refused declaration"
        assert set(receiver.received) == set(final), "0 lost"
        assert receiver.deliveries == len(receiver.received), "0 duplicated"
        assert receiver.rejected == 0
        assert failed_tasks(cluster) == 0, "no task recorded as failed because of the outage"
        assert all(process.alive for process in running), "the worker reconnected without a restart"
        assert "Database unreachable" in delivering.log() and "reachable again" in delivering.log()
    finally:
        receiver.close()
