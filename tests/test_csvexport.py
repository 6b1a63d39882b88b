"""CSV cells cannot smuggle formulas into a spreadsheet, and numbers, phone numbers and dates stay as they are."""
from __future__ import annotations

import csv
import io

import pytest

from app.csvexport import iter_csv, neutralise

DANGEROUS = [
    "=1+1",
    "=HYPERLINK(\"http://evil.example\",\"点我\")",
    "+cmd|' /C calc'!A0",
    "+1+A1",
    "-2+3+cmd|' /C calc'!A0",
    "-1+A1",
    "-SUM(A1:A9)",
    "@SUM(A1:A9)",
    "@",
    "+",
    "-",
    "=",
    "\t=1+1",
    "\t5",
    "\r=1+1",
    "\r\n=1+1",
    "+86 138 0013 8000=1",
    "-5;=1",
    "+1(2)+DDE(\"cmd\")",
]


@pytest.mark.parametrize("cell", DANGEROUS, ids=repr)
def test_a_cell_starting_with_a_formula_character_gets_a_leading_apostrophe(cell):
    assert neutralise(cell) == "'" + cell


KEPT = [
    "+86 138 0013 8000",
    "+8613800138000",
    "+44 7700 900123",
    "+1 (555) 010-0199",
    "138-0013-8000",
    "13800138000",
    "-5",
    "-3.5",
    "+12",
    "0",
    "2030-05-01",
    "2030-05-01 14:00",
    "2030年5月1日 14:00",
    "张三",
    "a=b",
    "K7P-4Q2",
    "",
]


@pytest.mark.parametrize("cell", KEPT, ids=repr)
def test_numbers_phone_numbers_dates_and_ordinary_text_are_kept_as_they_are(cell):
    assert neutralise(cell) == cell


@pytest.mark.parametrize("value, text", [(None, ""), (42, "42"), (-7, "-7"), (3.5, "3.5")])
def test_non_text_values_become_their_text(value, text):
    assert neutralise(value) == text


def test_the_streamed_file_has_a_bom_and_neutralises_header_and_rows():
    chunks = list(iter_csv(["=Name", "Mobile"], [["=HYPERLINK(\"x\")", "+8613800138000"], ["@evil", "-5"]]))
    assert chunks[0] == "\ufeff"
    rows = list(csv.reader(io.StringIO("".join(chunks)[1:])))
    assert rows == [["'=Name", "Mobile"], ["'=HYPERLINK(\"x\")", "+8613800138000"], ["'@evil", "-5"]]
