"""A small page object for list queries: one query for the rows and the total."""
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
    """The page's rows of `stmt` (an ORM select of one entity) and the total, in one statement.

    Every row carries the total as an uncorrelated scalar subquery, which PostgreSQL (an InitPlan) and
    SQLite compute once per statement, so this costs the database what a separate count did and saves
    a round trip. A page with no rows has no total on it: page 1 then holds nothing (total 0); past
    the last page a second statement counts.
    """
    page = clean_page_number(page)
    counted = stmt.order_by(None).subquery()
    total = sa.select(sa.func.count()).select_from(counted)
    result = db.session.execute(stmt.add_columns(total.scalar_subquery().label("page_total"))
                                .limit(per_page).offset((page - 1) * per_page))
    rows = (result.unique() if unique else result).all()
    if rows:
        return Page(items=[row[0] for row in rows], page=page, per_page=per_page, total=rows[0][-1])
    count = 0 if page == 1 else db.session.execute(total).scalar_one()
    return Page(items=[], page=page, per_page=per_page, total=count)
