"""The four standard templates, declared as data, and their registry."""

from __future__ import annotations

from ..schema import Template
from .adjustment import ADJUSTMENT
from .contract_progress import CONTRACT_PROGRESS
from .header import DIVISIONS, HEADER_FIELDS
from .project_plan import PROJECT_PLAN
from .site_environment import SITE_ENVIRONMENT

__all__ = [
    "ADJUSTMENT",
    "CONTRACT_PROGRESS",
    "DIVISIONS",
    "HEADER_FIELDS",
    "PROJECT_PLAN",
    "SITE_ENVIRONMENT",
    "TEMPLATES",
    "get_template",
]

#: Registry in the order a project folder lists them.
TEMPLATES: dict[str, Template] = {
    t.id: t for t in (PROJECT_PLAN, ADJUSTMENT, SITE_ENVIRONMENT, CONTRACT_PROGRESS)
}


def get_template(template_id: str) -> Template:
    try:
        return TEMPLATES[template_id]
    except KeyError:
        known = ", ".join(TEMPLATES)
        raise KeyError(f"unknown template {template_id!r} (known: {known})") from None
