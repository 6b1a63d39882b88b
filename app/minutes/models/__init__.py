"""Minutes models: the versioned minutes of a meeting and the hearing record (听证笔录)."""
from app.minutes.models.hearing import (HearingParticipant, HearingRecord, HearingStatement,
                                        ParticipantState)
from app.minutes.models.minutes import FROZEN_STATUSES, Minutes, MinutesVersion, VersionStatus

__all__ = ["FROZEN_STATUSES", "HearingParticipant", "HearingRecord", "HearingStatement", "Minutes", "MinutesVersion",
           "ParticipantState", "VersionStatus"]
