"""A small page object for list queries: one query for the rows, one for the total."""
from __future__ import annotations

import math
from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page)) if self.per_page else 1

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def clean_page_number(raw) -> int:
    """Turn a user-supplied page number into a positive int; anything odd becomes page 1."""
    try:
        number = int(str(raw))
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number <= 100_000 else 1


def paginate(stmt: sa.Select, page: int, per_page: int, *, unique: bool = False) -> Page:
    page = clean_page_number(page)
    total = db.session.execute(
        sa.select(sa.func.count()).select_from(stmt.order_by(None).options().subquery())
    ).scalar_one()
    result = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).scalars()
    items = list(result.unique() if unique else result)
    return Page(items=items, page=page, per_page=per_page, total=total)
