"""The optimisation loop shared by full and top-layer fine-tuning, and its small helpers.

The loop does not know what a step's forward pass is: it receives ``forward(rows) -> pooled`` (the
whole encoder on token ids, or only its upper layers on cached lower states) and trains that with a
linear head: class-weighted cross-entropy, AdamW (encoder ``lr``, head ``head_lr``, weight decay on
matrices only), linear warm-up then decay, gradient clipping at 1, batches of similar token length in
a seeded random order, bf16/fp16 autocast on CUDA and fp32 on the CPU. ``progress`` is called after
every step, so a job runner that raises from it cancels between steps.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

from insight.progress import ProgressFn


def pool(hidden, mask):
    """Mean over the attention mask, then L2 norm: the pooling ``HFEncoder.encode`` applies."""
    import torch

    m = mask.unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled.float(), dim=-1)


def batches(lengths: np.ndarray, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Batches of similar token length (ties broken at random), in a random order."""
    shuffled = rng.permutation(len(lengths))
    order = shuffled[np.argsort(lengths[shuffled], kind="stable")]
    chunks = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    return [chunks[i] for i in rng.permutation(len(chunks))]


def autocast_dtype(device: str):
    """The autocast dtype for training: bf16 on CUDA where supported, else fp16; None on the CPU."""
    import torch

    if device != "cuda":
        return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


def train_loop(
    forward: Callable,
    trainable: list,
    head,
    y,
    lengths: np.ndarray,
    *,
    settings,
    class_weight: np.ndarray,
    device: str,
    rng: np.random.Generator,
    progress: ProgressFn,
) -> dict:
    """Train ``trainable`` parameters and ``head`` on ``forward``; returns steps, final loss and seconds.

    ``y`` is a long tensor of class indices (one per training row), ``lengths`` the rows' token counts.
    """
    import torch

    s = settings
    per_epoch = math.ceil(len(lengths) / s.batch_size)
    total = max(1, int(round(per_epoch * s.epochs)))
    if s.max_steps:
        total = min(total, s.max_steps)
    optimiser = torch.optim.AdamW(
        [
            {"params": [p for p in trainable if p.ndim > 1], "weight_decay": s.weight_decay, "lr": s.lr},
            {"params": [p for p in trainable if p.ndim <= 1], "weight_decay": 0.0, "lr": s.lr},
            {"params": list(head.parameters()), "weight_decay": 0.0, "lr": s.head_lr},
        ],
    )
    warm = max(1, int(total * s.warmup))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min((step + 1) / warm, max(0.0, (total - step) / max(1, total - warm)))
    )
    loss_fn = torch.nn.CrossEntropyLoss(weight=torch.tensor(class_weight, dtype=torch.float32, device=device))
    amp = autocast_dtype(device)
    scaler = torch.amp.GradScaler("cuda") if amp == torch.float16 else None
    step, losses, started = 0, [], time.perf_counter()
    while step < total:
        for batch in batches(lengths, s.batch_size, rng):
            if step >= total:
                break
            with torch.autocast(device_type=device, dtype=amp, enabled=amp is not None):
                loss = loss_fn(head(forward(batch).float()), y[batch].to(device))
            optimiser.zero_grad(set_to_none=True)
            if scaler is not None:
                scaler.scale(loss).backward()
                scaler.unscale_(optimiser)
            else:
                loss.backward()
            torch.nn.utils.clip_grad_norm_(list(trainable) + list(head.parameters()), 1.0)
            if scaler is not None:
                scaler.step(optimiser)
                scaler.update()
            else:
                optimiser.step()
            schedule.step()
            step += 1
            losses.append(float(loss.detach()))
            progress(step / total, f"fine-tuning: step {step:,} of {total:,}, loss {np.mean(losses[-20:]):.3f}")
    return {
        "steps": step,
        "final_loss": round(float(np.mean(losses[-20:])), 4),
        "seconds": time.perf_counter() - started,
        "precision": str(amp).replace("torch.", "") if amp is not None else "float32",
    }
