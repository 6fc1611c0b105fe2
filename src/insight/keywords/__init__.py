"""Review keywords: what each group of reviews talks about, and which keywords rise or fade over time.

``extract_keywords`` ranks the distinctive keywords of each group (product, category, rating) by
class-based TF-IDF; ``keyword_trends`` counts keywords per week or month; ``detect_bursts`` flags
keywords whose latest share is far above or below their own history; ``tokenize`` is the
language-aware tokenizer (jieba for Chinese, a regex tokenizer for English, Portuguese and others)
that all of them share. Inputs are plain sequences or pandas objects; outputs are DataFrames.
"""

from __future__ import annotations

from insight.keywords.ctfidf import c_tf_idf, extract_keywords
from insight.keywords.tokenize import ngrams, tokenize, tokenize_many
from insight.keywords.trends import detect_bursts, keyword_trends, trend_matrix

__all__ = [
    "c_tf_idf",
    "detect_bursts",
    "extract_keywords",
    "keyword_trends",
    "ngrams",
    "tokenize",
    "tokenize_many",
    "trend_matrix",
]
