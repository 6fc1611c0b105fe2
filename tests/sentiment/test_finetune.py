"""Fine-tuning the encoder on rated reviews: tiny runs separate clear reviews and reload identically."""

import numpy as np
import pandas as pd
import pytest

from insight.sentiment.finetune import FAST, FinetuneSettings, _pool, finetune, load_finetuned, save
from insight.sentiment.finetune_layers import encode_split, lower_states

pytestmark = pytest.mark.filterwarnings("ignore")


def _olist(shared_data, n_per_class: int) -> pd.DataFrame:
    """Short Portuguese reviews rated 1 (negative) and 5 (positive), with one-star/five-star words left in."""
    raw = pd.read_csv(shared_data / "olist" / "olist_order_reviews_dataset.csv", nrows=6000)
    raw = raw.dropna(subset=["review_comment_message"])
    raw = raw[raw["review_comment_message"].str.len().between(15, 120)]
    parts = [
        raw[raw["review_score"] == score].head(n_per_class).assign(label=label)
        for score, label in ((1, "negative"), (5, "positive"))
    ]
    frame = pd.concat(parts)
    return frame.rename(columns={"review_comment_message": "text"})[["text", "label"]].reset_index(drop=True)


def test_tiny_top_layer_finetune_separates_clear_reviews_and_reloads_identically(shared_data, tmp_path):
    data = _olist(shared_data, 45)
    train = pd.concat([data[data.label == "negative"].head(30), data[data.label == "positive"].head(30)])
    held = data.drop(train.index)
    settings = FinetuneSettings(
        **{**FAST, "epochs": 1.0}, batch_size=8, max_steps=6, max_length=64, calibration_share=0.15, seed=0
    )
    model = finetune(train["text"].tolist(), train["label"].to_numpy(), settings=settings, device="cpu")
    assert model.split == 10 and len(model.lower) > 40  # the frozen layers ran once per training text
    scores = model.score(held["text"].tolist())
    positive = held["label"].to_numpy() == "positive"
    # better than chance on held-out texts: positive reviews score above negative ones
    assert scores["score"][positive].mean() > scores["score"][~positive].mean() + 0.2
    assert (np.where(scores["score"] >= 0, "positive", "negative") == held["label"].to_numpy()).mean() > 0.75
    assert model.info["steps"] == 6 and model.info["trained_on"]["texts"] == 51
    # a training text scores the same through its kept lower states as through the whole encoder
    kept = next(iter(model.lower))
    np.testing.assert_allclose(model.encode([kept]), model.encoder.encode([kept]), atol=1e-5)

    folder = save(model, tmp_path)
    assert folder.parent == tmp_path / "sentiment-finetuned" and (folder / "trained.safetensors").exists()
    assert (folder / "trained.safetensors").stat().st_size < 20e6  # only the top two layers are written
    again = load_finetuned(model.version, device="cpu", cache_dir=tmp_path)
    np.testing.assert_allclose(again.score(held["text"].tolist())["score"], scores["score"], atol=1e-5)
    assert again.info["calibration"] == model.info["calibration"]


def test_lower_then_upper_layers_equal_the_whole_encoder():
    from insight.encode import get_encoder

    encoder = get_encoder("multilingual-e5-small", "cpu")
    texts = ["Ótimo produto, recomendo.", "质量很差", "Fits well, but the fabric pilled after one wash."]
    ids = encoder.tokenizer([encoder.spec.prefix + t for t in texts])["input_ids"]
    for split in (1, 10):
        states = lower_states(encoder.model, ids, split)
        assert [len(s) for s in states] == [len(i) for i in ids]
        np.testing.assert_allclose(encode_split(encoder.model, states, split), encoder.encode(texts), atol=1e-5)


def test_every_layer_path_still_trains(shared_data):
    data = _olist(shared_data, 10)
    settings = FinetuneSettings(batch_size=8, max_steps=1, max_length=32, seed=0)
    vectors = np.random.default_rng(0).normal(size=(len(data), 384)).astype(np.float32)  # only seed the head
    model = finetune(data["text"].tolist(), data["label"].to_numpy(), settings=settings, base_vectors=vectors)
    assert model.split == 0 and not model.lower and model.info["steps"] == 1
    from insight.encode import get_encoder

    base = get_encoder("multilingual-e5-small", "cpu").model.encoder.layer[0].output.dense.weight
    tuned = model.encoder.model.encoder.layer[0].output.dense.weight
    assert not np.allclose(tuned.detach().numpy(), base.detach().numpy())  # the lowest layer was trained too


def test_training_pooling_matches_the_encoder():
    import torch

    from insight.encode import get_encoder

    encoder = get_encoder("multilingual-e5-small", "cpu")
    texts = ["Ótimo produto, recomendo.", "质量很差", "Fits well"]
    batch = encoder.tokenizer([encoder.spec.prefix + t for t in texts], padding=True, return_tensors="pt")
    with torch.inference_mode():
        pooled = _pool(encoder.model(**batch).last_hidden_state, batch["attention_mask"]).numpy()
    np.testing.assert_allclose(pooled, encoder.encode(texts), atol=1e-5)


def test_refuses_unknown_version(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_finetuned("finetuned-nope", device="cpu", cache_dir=tmp_path)
