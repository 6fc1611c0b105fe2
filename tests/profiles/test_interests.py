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


def test_the_same_seed_gives_the_same_centres_however_many_threads_cluster_the_batches(monkeypatch):
    # Batches of users run in a thread pool; each batch has its own random stream, so a segments run
    # repeated with its seed finds the same interests whatever order the threads finish in.
    import insight.profiles.interests as interests

    rng = np.random.default_rng(1)
    users, dim = 120, 16
    lengths = rng.integers(8, 40, size=users)
    codes = np.repeat(np.arange(users), lengths)
    vectors = rng.normal(size=(len(codes), dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    texts, weights = np.arange(len(codes)), rng.uniform(0.5, 2.0, size=len(codes))
    profiles = np.zeros((users, dim), dtype=np.float32)
    monkeypatch.setattr(interests, "USERS_PER_BATCH", 7)  # many small batches, finishing in any order
    found = []
    for workers in (1, 4, 4):
        monkeypatch.setattr(interests, "WORKERS", workers)
        found.append(interest_centres(codes, users, weights, vectors, texts, 3, seed=5, profiles=profiles))
    for frame, centres in found[1:]:
        assert frame.equals(found[0][0]) and np.array_equal(centres, found[0][1])
    other, _ = interest_centres(codes, users, weights, vectors, texts, 3, seed=6, profiles=profiles)
    assert not other.equals(found[0][0])  # the seed does matter
