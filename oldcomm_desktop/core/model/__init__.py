"""The ORM model: one module per thing a clerk talks about. Importing this package registers every table."""

from oldcomm_desktop.core.model.attachments import Attachment
from oldcomm_desktop.core.model.base import Base, Record
from oldcomm_desktop.core.model.catalogue import (
    Category,
    ChecklistTemplate,
    ChecklistTemplateItem,
    EffectIndicator,
    FundingSource,
    ItemType,
    Setting,
)
from oldcomm_desktop.core.model.divisions import Division
from oldcomm_desktop.core.model.funding import FundingLine, InvestmentEntry
from oldcomm_desktop.core.model.funding_history import FundingLineHistory
from oldcomm_desktop.core.model.inspections import Inspection, InspectionResult, Rectification, Reinspection
from oldcomm_desktop.core.model.items import RenovationItem
from oldcomm_desktop.core.model.landmarks import ItemLandmark  # noqa: F401 - registers the table
from oldcomm_desktop.core.model.milestones import Milestone
from oldcomm_desktop.core.model.people import AuditEntry, Operator
from oldcomm_desktop.core.model.projects import Community, Project
from oldcomm_desktop.core.model.responsibility import ResponsibleParty
from oldcomm_desktop.core.model.returns import ReturnArchive, ReturnNote, ReturnRound, ReturnSubmission
from oldcomm_desktop.core.model.search import CommunityCategory, SearchText
from oldcomm_desktop.core.model.supervision import (  # noqa: F401 - registers the supervision tables
    AssessmentManualScore,
    AssessmentResult,
    AssessmentScheme,
    InspectionSchedule,
    OrderEvent,
    OrderTarget,
    ResidentRequest,
    SupervisionOrder,
)
from oldcomm_desktop.core.model.sync import SyncConflict, SyncIdentity, SyncImport, SyncImportRow, SyncPeer, SyncShadow  # noqa: F401

__all__ = [
    "Attachment",
    "AuditEntry",
    "Base",
    "Category",
    "ChecklistTemplate",
    "ChecklistTemplateItem",
    "Community",
    "CommunityCategory",
    "Division",
    "EffectIndicator",
    "FundingLine",
    "FundingLineHistory",
    "FundingSource",
    "Inspection",
    "InspectionResult",
    "InvestmentEntry",
    "ItemType",
    "Milestone",
    "Operator",
    "Project",
    "SearchText",
    "Record",
    "Rectification",
    "Reinspection",
    "RenovationItem",
    "ReturnArchive",
    "ReturnNote",
    "ReturnRound",
    "ReturnSubmission",
    "ResponsibleParty",
    "Setting",
]
