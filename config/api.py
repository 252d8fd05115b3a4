"""The one NinjaAPI, mounted at /api/. Every router authenticates with the Django session."""

from ninja import NinjaAPI
from ninja.security import django_auth

from xiachen.cadres.api import router as cadres_router
from xiachen.households.api import router as households_router
from xiachen.org.api import router as org_router
from xiachen.passes.api import router as passes_router

api = NinjaAPI(
    title="xiachen API",
    version="1",
    description="下沉干部常态化机制 — 单位、干部、住户",
    auth=django_auth,
    urls_namespace="api",
)
api.add_router("/units/", org_router)
api.add_router("/cadres/", cadres_router)
api.add_router("/households/", households_router)
api.add_router("/passes/", passes_router)
