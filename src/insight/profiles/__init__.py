"""User interest profiles: weighted, decayed mean embeddings, interest centres, monthly drift."""

from insight.profiles.build import EVENT_WEIGHTS, Profiles, build_profiles
from insight.profiles.interests import MIN_SHARE, spherical_kmeans

__all__ = ["EVENT_WEIGHTS", "MIN_SHARE", "Profiles", "build_profiles", "spherical_kmeans"]
