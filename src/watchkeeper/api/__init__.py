"""The JSON API under /api/v1: bearer tokens, RFC 9457 problems, one router module per resource."""

from watchkeeper.api.alerts import router as alerts_router
from watchkeeper.api.base import api
from watchkeeper.api.breaches import router as breaches_router
from watchkeeper.api.catalogue import router as catalogue_router
from watchkeeper.api.channels import router as channels_router
from watchkeeper.api.incidents import router as incidents_router
from watchkeeper.api.insights import router as insights_router
from watchkeeper.api.milestones import router as milestones_router
from watchkeeper.api.oncall import router as oncall_router
from watchkeeper.api.reviews import router as reviews_router
from watchkeeper.api.statuspage import router as statuspage_router

api.add_router("/", catalogue_router)
api.add_router("/", incidents_router)
api.add_router("/", milestones_router)
api.add_router("/", insights_router)
api.add_router("/", channels_router)
api.add_router("/", reviews_router)
api.add_router("/", breaches_router)
api.add_router("/", statuspage_router)
api.add_router("/", oncall_router)
api.add_router("/", alerts_router)

__all__ = ["api"]
