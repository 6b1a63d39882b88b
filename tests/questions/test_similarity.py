"""Similar-question suggestions work for Chinese (character pairs) and English (words) alike."""
from __future__ import annotations

import pytest

from app.questions.similarity import rank_similar, tokens

ASKED = [
    (1, "我们小区什么时候能加装电梯？"),
    (2, "公交38路什么时候恢复原来的线路？"),
    (3, "小区停车位太少，能否增加停车位？"),
    (4, "When will bus route 38 return to the riverside?"),
    (5, "Can the council add more parking spaces near Wuchang station?"),
    (6, "老旧小区改造什么时候开始？"),
    (7, "昙华林街区的危房加固由谁出钱？"),
    (8, "请问社区医院什么时候开门？"),
    (9, "What is the timetable for the Tanhualin renewal works?"),
]


def best(text: str) -> int | None:
    matches = rank_similar(text, ASKED)
    return matches[0].id if matches else None


@pytest.mark.parametrize("text, expected", [
    ("小区加装电梯的进度如何", 1),           # same subject, different wording and word order
    ("电梯什么时候装", 1),
    ("38路公交车能不能恢复", 2),
    ("停车难", 3),
    ("老旧小区什么时候改造", 6),
    ("危房加固费用谁承担", 7),
    ("社区医院开门时间", 8),
])
def test_chinese_questions_find_their_duplicates_without_word_boundaries(text, expected):
    assert best(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Is bus route 38 coming back?", 4),
    ("more parking spaces please", 5),
    ("When will the renewal works start?", 9),
    ("PARKING SPACE near the station", 5),     # case and plural folded
])
def test_english_questions_find_their_duplicates(text, expected):
    assert best(text) == expected


@pytest.mark.parametrize("text", ["What about the weather?", "请问什么时候", "", "  ", "a"])
def test_questions_that_share_only_question_words_suggest_nothing(text):
    assert rank_similar(text, ASKED) == []


def test_question_words_and_particles_are_not_tokens():
    bag = tokens("请问小区加装电梯的进度如何？")
    assert {"小区", "加装", "电梯", "进度"} <= set(bag)
    assert not {"请问", "如何", "梯的", "的进", "度如"} & set(bag)
    assert set(tokens("Ｂｕｓ ROUTES")) == {"bus", "route"}  # full-width letters are normalised


def test_results_are_best_first_and_limited():
    many = [(n, "加装电梯" + "的问题" * (n % 3)) for n in range(1, 20)]
    matches = rank_similar("加装电梯", many, limit=5)
    assert len(matches) == 5
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    assert all(0 < m.score <= 1 for m in matches)
