"""The JSON API under /api/v1: bearer tokens, RFC 9457 problems, one router module per resource."""

from watchkeeper.api.base import api
from watchkeeper.api.catalogue import router as catalogue_router

api.add_router("/", catalogue_router)

__all__ = ["api"]
