"""Finding already-asked questions similar to a new text, in Chinese and English alike.

Chinese has no spaces between words, so Chinese text is cut into overlapping character pairs
(bigrams: 加装电梯 -> 加装, 装电, 电梯), which match whatever the word boundaries are. Latin text is cut
into lower-cased words with a light plural folding and without the commonest function words. Both
kinds of token go into one bag per text; texts are compared by the cosine of their TF-IDF vectors, the
IDF being computed over the candidates themselves, so tokens that every question of the meeting
shares (the place name, 什么, "when") count for little. Pure Python, no index: callers pass a bounded
list of candidates (one meeting's questions).
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

MIN_QUERY_LENGTH = 2     # characters; shorter texts suggest nothing
DEFAULT_MIN_SCORE = 0.2
DEFAULT_LIMIT = 5

# CJK ideographs (with extension A and compatibility forms), and runs of Latin letters or digits.
_TOKEN_RUNS = re.compile(r"(?P<cjk>[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)|(?P<word>[a-z0-9]+(?:'[a-z]+)?)")

_ENGLISH_STOP_WORDS = frozenset("""
a an the and or but if of to in on at by for with from as is are was were be been being am do does did
doing have has had having i me my we our us you your he she it its they them their this that these those
there here what which who whom whose when where why how will would shall should can could may might must
not no so than too very just about into over under again also any all some such more most other only own
same then once please thanks thank hello dear question ask asking would like know want let s t
""".split())

# Particles and pronouns that join words without carrying meaning: a Chinese run is cut at them, so
# that "电梯的进度" gives 电梯 and 进度 but not 梯的 or 的进.
_CHINESE_STOP_CHARACTERS = frozenset("的了吗呢吧啊呀哦嘛是在和与及或也都就把被让给对从向我你他她它们这那哪么怎谁")

# Question words and set phrases every Chinese question contains: removed before cutting into pairs.
_CHINESE_STOP_WORDS = tuple(sorted("""
什么时候 为什么 什么 怎么样 怎么 怎样 如何 何时 是否 能否 可否 能不能 会不会 有没有 是不是 可不可以 可以 请问 一下
哪些 哪里 多少 有关 关于 这个 那个 这些 那些 目前 现在 问题 希望 能够 谢谢 你好 您好 时候 已经 还是 一些 大家
""".split(), key=len, reverse=True))

def _fold_plural(word: str) -> str:
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _add_chinese(bag: Counter, run: str) -> None:
    if len(run) == 1:
        bag[run] += 1
        return
    for word in _CHINESE_STOP_WORDS:
        run = run.replace(word, "的")
    piece = []
    for character in run + "的":  # a trailing stop character flushes the last piece
        if character not in _CHINESE_STOP_CHARACTERS:
            piece.append(character)
            continue
        for start in range(len(piece) - 1):
            bag[piece[start] + piece[start + 1]] += 1
        piece = []


def tokens(text: str) -> Counter:
    """The bag of tokens of a text: Chinese character bigrams (a lone character stands for itself)
    and English words, lower-cased after NFKC normalisation (full-width letters become ASCII)."""
    bag: Counter = Counter()
    normalised = unicodedata.normalize("NFKC", text or "").lower().replace("\u2019", "'")
    for match in _TOKEN_RUNS.finditer(normalised):
        run = match.group("cjk")
        if run is not None:
            _add_chinese(bag, run)
            continue
        word = _fold_plural(match.group("word"))
        if word and word not in _ENGLISH_STOP_WORDS:
            bag[word] += 1
    return bag


@dataclass(frozen=True)
class Match:
    id: int
    score: float


def _weights(bag: Counter, idf: dict[str, float]) -> dict[str, float]:
    return {token: (1 + math.log(count)) * idf[token] for token, count in bag.items()}


def _norm(vector: dict[str, float]) -> float:
    return math.sqrt(sum(value * value for value in vector.values()))


def rank_similar(text: str, candidates: Iterable[tuple[int, str]], *, limit: int = DEFAULT_LIMIT,
                 min_score: float = DEFAULT_MIN_SCORE) -> list[Match]:
    """The candidates (id, text) most similar to `text`, best first, scoring at least `min_score`
    (cosine similarity between 0 and 1). Returns [] for texts shorter than MIN_QUERY_LENGTH."""
    if len((text or "").strip()) < MIN_QUERY_LENGTH:
        return []
    query = tokens(text)
    if not query:
        return []
    bags = [(candidate_id, tokens(body)) for candidate_id, body in candidates]
    document_frequency: Counter = Counter()
    for _candidate_id, bag in bags:
        document_frequency.update(bag.keys())
    document_frequency.update(query.keys())
    total = len(bags) + 1
    idf = {token: math.log((1 + total) / (1 + df)) + 1 for token, df in document_frequency.items()}
    query_vector = _weights(query, idf)
    query_norm = _norm(query_vector)
    matches = []
    for candidate_id, bag in bags:
        shared = query.keys() & bag.keys()
        if not shared:
            continue
        vector = _weights(bag, idf)
        score = sum(query_vector[token] * vector[token] for token in shared) / (query_norm * _norm(vector))
        if score >= min_score:
            matches.append(Match(candidate_id, round(score, 4)))
    matches.sort(key=lambda match: (-match.score, match.id))
    return matches[:limit]
