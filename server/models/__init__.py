"""One module per aggregate; importing this package registers every table."""
from .audit import AuditEvent
from .award import OrgAwardEvidence, OrgAwardItem, OrgAwardSheet, WinnerApplication
from .certificate import Certificate, SigningKey
from .chat import InboundMessage, OutboundMessage
from .conversation import Conversation
from .entry import Attachment, Entry
from .notify import Delivery, OutboxEvent, ReminderSlot, SubscriptionConsent
from .org import Organisation
from .person import Person
from .report import UnitReport
from .review import DuplicateFlag, EntryReview, LeaderKey, Recommendation
from .score import AwardDecision, Expert, ExpertConflict, Objection, PanelSeat, ResultRelease, Score
from .season import Season
from .tally import Denominator, SkillPromotion
from .user import AuthSession, RoleAssignment, RoleInvitation, User

__all__ = ["AuditEvent", "OrgAwardEvidence", "OrgAwardItem", "OrgAwardSheet", "WinnerApplication", "Certificate", "SigningKey", "Conversation", "Delivery", "DuplicateFlag", "EntryReview", "LeaderKey", "Recommendation", "OutboxEvent", "ReminderSlot", "SubscriptionConsent", "InboundMessage", "OutboundMessage", "Attachment", "AuthSession", "Entry", "Organisation", "Person",
           "RoleAssignment", "RoleInvitation", "Season", "UnitReport", "User", "AwardDecision", "Expert",
           "ExpertConflict", "Objection", "PanelSeat", "ResultRelease", "Score", "Denominator", "SkillPromotion"]
