"""Use cases for minutes and hearing records. Each is one transaction with an explicit actor.

`from app.minutes import services as minutes_services`.
"""
from app.minutes.services.base import AlreadyApproved, AlreadyPublished, NotADraft
from app.minutes.services.drafting import (open_minutes, prefill_content, refresh_question_copies, save_draft,
                                           submit_minutes)
from app.minutes.services.hearing import (open_hearing_record, save_hearing_record,
                                          set_participant_state)
from app.minutes.services.review import (approve_minutes, publish_minutes, return_minutes,
                                         start_correction)

__all__ = ["AlreadyApproved", "AlreadyPublished", "NotADraft", "approve_minutes", "open_hearing_record",
           "open_minutes", "prefill_content", "publish_minutes", "refresh_question_copies", "return_minutes", "save_draft",
           "save_hearing_record", "set_participant_state", "start_correction", "submit_minutes"]
