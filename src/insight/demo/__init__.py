"""Demo data the project generates itself: a fictional shop's catalog, users, events and reviews.

``write_demo_files`` writes the four canonical CSV files; ``PLANTED_SHIFTS`` describes the patterns
planted in them and ``planted_truth`` names the users, items and dates they affect.
"""

from insight.demo.generate import HEADERS, PLANTED_SHIFTS, planted_truth, write_demo_files

__all__ = ["HEADERS", "PLANTED_SHIFTS", "planted_truth", "write_demo_files"]
