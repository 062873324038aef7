"""The README's nginx recipe (docs/nginx/statuspage.conf) as a whole nginx.conf an unprivileged run can start.

Shared by bench/statuspage.py and the test that checks the recipe, so both run exactly the file operators copy.
"""

from __future__ import annotations

import shutil
from pathlib import Path

RECIPE = Path(__file__).resolve().parent.parent / "docs" / "nginx" / "statuspage.conf"

# Only what a standalone run needs around the recipe: its own pid, logs and temporary files under the prefix.
MAIN = """
worker_processes {workers};
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/statuspage.conf;
}}
"""


def nginx_binary() -> str | None:
    found = shutil.which("nginx")
    return found or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def write_config(prefix: Path, listen: str, snapshot: Path, upstream: str, workers: int = 1) -> Path:
    """nginx.conf under ``prefix`` serving ``snapshot`` as /status/; returns its path (run with -p and -c)."""
    webroot = prefix / "webroot"
    webroot.mkdir(parents=True, exist_ok=True)
    (webroot / "status").symlink_to(snapshot, target_is_directory=True)
    recipe = RECIPE.read_text()
    for placeholder, value in (("@LISTEN@", listen), ("@WEBROOT@", str(webroot)), ("@UPSTREAM@", upstream)):
        recipe = recipe.replace(placeholder, value)
    (prefix / "statuspage.conf").write_text(recipe)
    config = prefix / "nginx.conf"
    config.write_text(MAIN.format(workers=workers, prefix=prefix))
    return config
