"""Every intake route, collected for the application (plain Starlette routes, no OpenAPI)."""

from __future__ import annotations

from fastapi import APIRouter

from warroom.api.routes import intake_pagerduty, intake_webhooks

router = APIRouter()
router.routes.extend(intake_pagerduty.routes)
router.routes.extend(intake_webhooks.routes)
