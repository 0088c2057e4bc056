"""Tenants and the people in them: works groups, their company info, partners, users, audit."""

from .audit import AuditEvent, AuditExport
from .tenants import (
    DOMAIN_VALIDATOR,
    PHONE_VALIDATOR,
    Channel,
    CompanyInfo,
    Language,
    Partner,
    Plan,
    WorksApp,
    WorksGroup,
    validate_time_zone,
)
from .users import Role, User, UserManager

__all__ = [
    "DOMAIN_VALIDATOR",
    "PHONE_VALIDATOR",
    "AuditEvent",
    "AuditExport",
    "Channel",
    "CompanyInfo",
    "Language",
    "Partner",
    "Plan",
    "Role",
    "User",
    "UserManager",
    "WorksApp",
    "WorksGroup",
    "validate_time_zone",
]
