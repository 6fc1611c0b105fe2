"""Keywords of real Chinese shopping reviews (online_shopping_10_cats) per category make sense."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest

from insight.keywords import extract_keywords
from insight.keywords.stopwords import STOP_WORDS

DATASET = Path(__file__).resolve().parents[2].parent / "shared/data/online_shopping_10_cats/online_shopping_10_cats.csv"
EXPECTED = {  # category -> words of which at least one should be among its top ten keywords
    "书籍": {"书", "本书", "作者", "一本", "读", "看书", "内容", "故事"},
    "手机": {"手机", "屏幕", "电池", "信号", "功能", "铃声", "短信"},
    "酒店": {"酒店", "房间", "服务", "前台", "入住", "早餐", "住"},
    "蒙牛": {"蒙牛", "牛奶", "伊利", "喝", "酸奶"},
    "计算机": {"系统", "驱动", "键盘", "散热", "配置", "内存", "屏幕"},
}


@pytest.mark.shared
def test_top_keywords_per_category_of_5000_reviews_make_sense():
    if not DATASET.is_file():
        pytest.skip(f"dataset not found at {DATASET} (clone the project next to shared/)")
    reviews = pd.read_csv(DATASET).sample(5_000, random_state=0)
    started = time.perf_counter()
    keywords = extract_keywords(reviews["review"].tolist(), reviews["cat"].tolist(), languages="zh", top_n=10)
    elapsed = time.perf_counter() - started
    assert elapsed < 60, f"5,000 reviews took {elapsed:.1f} s"

    assert set(keywords["group"]) == set(reviews["cat"])
    for category, words in EXPECTED.items():
        top = set(keywords.loc[keywords["group"] == category, "keyword"])
        assert top & words, f"{category}: top keywords {sorted(top)} share nothing with {sorted(words)}"
    assert not set(keywords["keyword"]) & STOP_WORDS["zh"]
    assert keywords.groupby("group").size().eq(10).all()
