"""Site-wide state: the version of the public data, which the page cache (app/site/cache.py) keys on."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class PageCacheState(db.Model):
    """One row (id 1) whose `version` rises with every committed write that a public page may show.
    A missing row means version 0 (the first write inserts it)."""

    __tablename__ = "page_cache_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(sa.BigInteger(), default=0)
