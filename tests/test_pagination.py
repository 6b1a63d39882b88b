"""app/pagination.py: a page's rows and the total come in one statement; only a page past the end counts
separately."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.models import Department
from app.pagination import paginate
from tests import factories

ROWS = 7


@pytest.fixture
def departments(app):
    return [factories.make_department(code=f"page-{n:02d}").id for n in range(ROWS)]


def page_of(count_queries, number, per_page=3, where=sa.true()):
    with count_queries() as statements:
        page = paginate(sa.select(Department).where(where).order_by(Department.code), number, per_page)
    return page, len(statements)


@pytest.mark.parametrize("number, ids", [(1, slice(0, 3)), (2, slice(3, 6)), (3, slice(6, 7))])
def test_each_page_holds_its_rows_and_the_total_from_one_statement(count_queries, departments, number, ids):
    page, statements = page_of(count_queries, number)
    assert [d.id for d in page.items] == departments[ids]
    assert (page.total, page.pages, statements) == (ROWS, 3, 1)
    assert page.has_next == (number < 3) and page.has_prev == (number > 1)


def test_an_empty_list_is_one_statement_and_a_page_past_the_end_still_knows_the_total(count_queries, departments):
    empty, statements = page_of(count_queries, 1, where=Department.code == "none")
    assert (empty.items, empty.total, statements) == ([], 0, 1)
    past, statements = page_of(count_queries, 9)
    assert (past.items, past.total, past.pages, statements) == ([], ROWS, 3, 2)
