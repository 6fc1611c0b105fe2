"""User interest profiles: weighted, decayed mean embeddings, interest centres, monthly drift."""

from insight.profiles.build import EVENT_WEIGHTS, Profiles, build_profiles

__all__ = ["EVENT_WEIGHTS", "Profiles", "build_profiles"]
