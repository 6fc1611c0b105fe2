"""Encoding with transformers + torch: the model folder, the device and the batching policy.

Speed comes from what sentence-transformers does differently: the whole input is tokenised once
(the Rust tokenizer parallelises it), texts are sorted by *token* length rather than characters and
batched by a token budget (short texts in large batches, long ones in small), and identical texts are
encoded once. Padding lengths to a multiple of 8 keeps the number of batch shapes, and so oneDNN's
per-shape kernel cache, small. Pooling is the mean over the attention mask followed by L2 normalisation, which is
what sentence-transformers does for these models, so vectors agree to within float error.
"""

from __future__ import annotations

import os

import numpy as np

from insight.encode.models import ModelSpec
from insight.progress import ProgressFn, silent

TOKENS_PER_BATCH = {"cpu": 4_096, "cuda": 65_536}  # cpu: best of 2k/4k/8k measured on 2 cores
# On 2 CPU cores, batches beyond a few dozen rows buy no speed (2k/4k/8k-token budgets measured alike).
MAX_ROWS = {"cpu": 64, "cuda": 1_024}
# Lengths padded to a multiple of 8 give few distinct batch shapes; oneDNN caches kernels per shape, and
# with every length its own shape that cache alone cost ~750 MB of peak memory on 10,000 reviews.
PAD_TO = 8


def _int8(model):
    """The model with its linear layers in int8: ~2× on a CPU.

    Weights are quantised once per output channel (vectors at cosine 0.989 to float32's on real reviews,
    against 0.981 per tensor, at the same speed); activations per batch, as torch's dynamic quantisation does.
    """
    import warnings

    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig

    with warnings.catch_warnings():  # torch points to torchao for new code; this eager API is what runs offline here
        warnings.simplefilter("ignore")
        return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear: per_channel_dynamic_qconfig})


class HFEncoder:
    """One loaded model on one device."""

    def __init__(self, model: ModelSpec, device: str):
        import torch
        from transformers import AutoModel, AutoTokenizer

        if device == "cpu" and not os.environ.get("OMP_NUM_THREADS"):  # a given share (as Ray sets) torch reads itself
            torch.set_num_threads(os.cpu_count() or 1)
        path = model.locate()
        self.spec, self.device = model, device
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        dtype = torch.float16 if device == "cuda" else torch.float32
        if device == "cpu" and model.cpu_precision == "bfloat16":
            dtype = torch.bfloat16
        self.model = AutoModel.from_pretrained(path, dtype=dtype).to(device).eval()
        if device == "cpu" and model.cpu_precision == "int8":
            self.model = _int8(self.model)
        self.dim = int(self.model.config.hidden_size)

    def encode(self, texts: list[str], *, batch_size: int | None = None, progress: ProgressFn = silent) -> np.ndarray:
        """L2-normalised embeddings, float32 array of shape (len(texts), dim), in input order."""
        import torch

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        unique, inverse = np.unique(np.asarray(texts, dtype=object), return_inverse=True)
        encoded = self.tokenizer(
            [self.spec.prefix + str(t) for t in unique],
            truncation=True,
            max_length=self.spec.max_length,
            padding=False,
            return_attention_mask=False,
        )["input_ids"]
        order = np.argsort([len(ids) for ids in encoded], kind="stable")[::-1]
        out = np.empty((len(unique), self.dim), dtype=np.float32)
        done, start = 0, 0
        with torch.inference_mode():
            while start < len(order):
                stop = self._batch_end(order, encoded, start, batch_size)
                rows = order[start:stop]
                batch = self.tokenizer.pad(
                    {"input_ids": [encoded[i] for i in rows]}, return_tensors="pt", pad_to_multiple_of=PAD_TO
                )
                batch = {k: v.to(self.device) for k, v in batch.items()}
                hidden = self.model(**batch).last_hidden_state.float()
                mask = batch["attention_mask"].unsqueeze(-1).float()
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                out[rows] = torch.nn.functional.normalize(pooled, dim=-1).cpu().numpy()
                done += len(rows)
                start = stop
                progress(done / len(order), f"encoded {done:,} of {len(order):,} distinct texts")
        return out[inverse]

    def _batch_end(self, order: np.ndarray, encoded: list[list[int]], start: int, batch_size: int | None) -> int:
        if batch_size:
            return min(start + batch_size, len(order))
        longest = -(-len(encoded[order[start]]) // PAD_TO) * PAD_TO  # sorted longest first: the first row sets it
        rows = max(1, TOKENS_PER_BATCH[self.device] // max(longest, 1))
        return min(start + min(rows, MAX_ROWS[self.device]), len(order))
