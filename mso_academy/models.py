"""Imports every model so that `Base.metadata` is complete (Alembic, tests)."""

from mso_academy.accounts.models import RecoveryCode, Role, User, UserRole
from mso_academy.api.models import ApiToken
from mso_academy.audit.models import AuditEvent
from mso_academy.catalog.models import Activity, Course, CourseDraft, CourseStatus, CourseTrainer, Level, Module
from mso_academy.certificates.models import Certificate
from mso_academy.db import Base
from mso_academy.learning.models import (
    ActivityDraft,
    ActivityProgress,
    Attempt,
    Completion,
    Enrolment,
    EnrolmentSource,
    EnrolmentStatus,
)
from mso_academy.mail.models import MailMessage, MailStatus
from mso_academy.organisations.models import (
    CourseAssignment,
    FunctionRequirement,
    Invitation,
    MemberFunction,
    MemberRole,
    Membership,
    Organisation,
    OrgFunction,
)
from mso_academy.uploads.models import Upload

__all__ = [
    "Activity",
    "ActivityDraft",
    "ActivityProgress",
    "ApiToken",
    "Attempt",
    "AuditEvent",
    "Base",
    "Certificate",
    "Completion",
    "Course",
    "CourseAssignment",
    "CourseDraft",
    "CourseStatus",
    "CourseTrainer",
    "Enrolment",
    "EnrolmentSource",
    "EnrolmentStatus",
    "FunctionRequirement",
    "Invitation",
    "Level",
    "MailMessage",
    "MailStatus",
    "MemberFunction",
    "MemberRole",
    "Membership",
    "Module",
    "OrgFunction",
    "Organisation",
    "RecoveryCode",
    "Role",
    "Upload",
    "User",
    "UserRole",
]
