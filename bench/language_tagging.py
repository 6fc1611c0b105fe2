"""Language tagging at ingest: texts tagged side by side against py3langid one text at a time.

    python bench/language_tagging.py              # the shared English, Chinese and Portuguese reviews
    python bench/language_tagging.py --per 5000   # fewer texts per language

Both give each distinct text its language and confidence (``ingestion/langid_batch.py`` against
py3langid's ``classify`` restricted to the same languages). Prints the seconds of each, how many
labels differ and the largest confidence difference, with the machine's load. Part of issue "Scale"
(ingest's vectorised language detection).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _data import chinese, english, portuguese  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per", type=int, default=20_000, help="texts per language (at most)")
    args = parser.parse_args()
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from insight.ingestion.langid_batch import LANGUAGES, classify_many

    texts = [t for frame in (english(), chinese(), portuguese()) for t in frame["text"].head(args.per)]
    one_by_one = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    one_by_one.set_languages(LANGUAGES)
    classify_many(texts[:100])  # load the tables outside the timing
    load = os.getloadavg()[0]
    started = time.perf_counter()
    expected = [one_by_one.classify(t) for t in texts]
    alone = time.perf_counter() - started
    started = time.perf_counter()
    languages, confidences = classify_many(texts)
    together = time.perf_counter() - started
    differ = sum(a != b for (a, _), b in zip(expected, languages, strict=True))
    gap = max(abs(a - b) for (_, a), b in zip(expected, confidences, strict=True))
    print(
        f"{len(texts):,} texts: one at a time {alone:.2f} s, side by side {together:.2f} s "
        f"({alone / together:.1f}x); labels differing {differ}; largest confidence gap {gap:.1e} "
        f"| load before {load:.2f} ({os.cpu_count()} cores)"
    )


if __name__ == "__main__":
    main()
