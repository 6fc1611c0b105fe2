"""The encoder split in two: frozen lower layers run once, trainable upper layers run every step.

Fine-tuning only the top layers of multilingual-e5-small gives the same held-out accuracy as training
all twelve (BENCHMARKS.md), and the frozen layers then compute the same output for a text at every
step. So their output is computed once per text (:func:`lower_states`, no gradients, in length-sorted
batches) and kept, one ``(tokens, hidden)`` tensor per text without padding; each training step pads
a batch of those and runs only the upper layers (:func:`upper_pooled`). On 2 CPU cores that makes an
epoch several times cheaper than a full forward and backward pass.

Both halves call the model's own modules (``embeddings``, ``encoder.layer[i]``) with the attention
mask built by transformers' own ``create_bidirectional_mask``, so lower then upper equals one pass
of the whole model (tested).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from insight.encode.hf import PAD_TO
from insight.encode.hf import TOKENS_PER_BATCH as ENCODER_BATCH
from insight.progress import ProgressFn, silent

TOKENS_PER_BATCH = ENCODER_BATCH["cpu"]  # the lower pass is plain inference: batch it as the encoder does on a CPU


def _mask(model, hidden, attention_mask):
    from transformers.masking_utils import create_bidirectional_mask

    return create_bidirectional_mask(config=model.config, inputs_embeds=hidden, attention_mask=attention_mask)


def lower_states(
    model, input_ids: Sequence[Sequence[int]], split: int, *, device: str = "cpu", progress: ProgressFn = silent
) -> list:
    """Output of the embeddings and the lowest ``split`` layers per text: float32 tensors (len(ids_i), hidden)."""
    import torch

    lengths = np.array([len(ids) for ids in input_ids])
    order = np.argsort(-lengths, kind="stable")
    out: list = [None] * len(input_ids)
    start = 0
    with torch.inference_mode():
        while start < len(order):
            longest = -(-int(lengths[order[start]]) // PAD_TO) * PAD_TO
            stop = min(len(order), start + max(1, min(64, TOKENS_PER_BATCH // max(longest, 1))))
            rows = order[start:stop]
            ids = torch.full((len(rows), longest), 1, dtype=torch.long)  # 1 = pad id; masked anyway
            attention = torch.zeros((len(rows), longest), dtype=torch.long)
            for r, i in enumerate(rows):
                ids[r, : lengths[i]] = torch.tensor(input_ids[i])
                attention[r, : lengths[i]] = 1
            ids, attention = ids.to(device), attention.to(device)
            hidden = model.embeddings(input_ids=ids)
            mask = _mask(model, hidden, attention)
            for layer in model.encoder.layer[:split]:
                hidden = layer(hidden, mask)
            hidden = hidden.float().cpu()
            for r, i in enumerate(rows):
                out[i] = hidden[r, : lengths[i]].clone()
            start = stop
            progress(start / len(order), f"frozen layers: {start:,} of {len(order):,} texts")
    return out


def upper_pooled(model, states: Sequence, split: int, *, device: str = "cpu"):
    """Run the layers above ``split`` on a batch of lower states; mean-pooled, L2-normalised (batch, hidden)."""
    import torch

    from insight.sentiment.finetune_loop import pool

    longest = -(-max(len(s) for s in states) // PAD_TO) * PAD_TO
    hidden = torch.zeros((len(states), longest, states[0].shape[1]), dtype=torch.float32)
    attention = torch.zeros((len(states), longest), dtype=torch.long)
    for r, s in enumerate(states):
        hidden[r, : len(s)] = s
        attention[r, : len(s)] = 1
    hidden, attention = hidden.to(device), attention.to(device)
    mask = _mask(model, hidden, attention)
    for layer in model.encoder.layer[split:]:
        hidden = layer(hidden, mask)
    return pool(hidden, attention)


def encode_split(model, states: Sequence, split: int, *, device: str = "cpu", batch_size: int = 64) -> np.ndarray:
    """Embeddings (n, hidden) float32 of texts whose lower states are at hand, in the given order."""
    import torch

    order = np.argsort([-len(s) for s in states], kind="stable")
    out = np.empty((len(states), model.config.hidden_size), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            out[rows] = upper_pooled(model, [states[i] for i in rows], split, device=device).float().cpu().numpy()
    return out
