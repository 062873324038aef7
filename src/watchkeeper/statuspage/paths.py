"""Where each public URL lives in the snapshot. No Django imports: the WSGI wrapper loads this before Django."""

from __future__ import annotations

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".atom": "application/atom+xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
}
# The snapshot writer puts a gzip copy of each file beside it, for this app, nginx's gzip_static or a CDN.
GZIP_SUFFIX = ".gz"


def file_for(path: str) -> str | None:
    """The snapshot file answering a URL path below /status/ ('' is the page itself), or None if unsafe."""
    path = path.strip("/")
    if not path:
        return "index.html"
    parts = path.split("/")
    if any(not part or part.startswith(".") for part in parts) or parts[-1].endswith(GZIP_SUFFIX):
        return None
    if "." not in parts[-1]:
        parts[-1] += ".html"
    return "/".join(parts)
