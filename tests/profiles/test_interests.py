"""Interest centres found many users at a time: each user's own interests, whoever else is in the batch."""

import numpy as np

from insight.profiles.interests import interest_centres


def test_each_user_gets_their_planted_interests_with_their_shares_whatever_their_history_length():
    rng = np.random.default_rng(0)
    dim, users = 64, 300
    themes = rng.normal(size=(9, dim))
    vectors, codes, texts, truth = [], [], [], {}
    for u in range(users):
        picked = rng.choice(9, size=3, replace=False)
        shares = np.array([0.5, 0.3, 0.2]) if u % 2 else np.array([0.4, 0.35, 0.25])
        length = int(rng.integers(12, 200))  # short and long histories share batches
        for theme, share in zip(picked, shares, strict=True):
            count = round(share * length)
            points = themes[theme] + rng.normal(size=(count, dim)) * 0.3
            texts += list(range(len(vectors), len(vectors) + count))
            vectors += list(points)
            codes += [u] * count
        truth[u] = [(themes[t], s) for t, s in zip(picked, shares, strict=True)]
    vectors = np.asarray(vectors, dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    frame, centres = interest_centres(
        np.asarray(codes),
        users,
        np.ones(len(codes)),
        vectors,
        np.asarray(texts),
        max_interests=3,
        seed=0,
        profiles=np.zeros((users, dim), dtype=np.float32),  # every user here is broad: no profile is used
    )
    assert np.allclose(frame.groupby("user")["weight"].sum(), 1.0)
    right = 0
    for u in range(users):
        rows = frame.index[frame["user"] == u]
        expected = sorted(s for _, s in truth[u])[::-1]
        found = frame.loc[rows, "weight"].to_numpy()
        themes_found = [np.argmax([c @ (t / np.linalg.norm(t)) for t, _ in truth[u]]) for c in centres[rows]]
        same_shares = len(found) == len(expected) and np.allclose(found, expected, atol=0.05)
        right += same_shares and len(set(themes_found)) == len(found)
    assert right / users > 0.9
