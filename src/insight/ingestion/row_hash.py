"""Ids made from a row's content: the same row always gets the same id, in any batch and any version.

Events have no id of their own and a review may lack one, so each gets a 64-bit hash of its fields
written as text (pandas' ``hash_pandas_object`` of the row's ``string`` values), shown as 16 hex
digits. Re-ingesting a file must find the ids stored before, so the hash may never change; what is
made faster here is only how it is reached: a number column's distinct values are written as text and
hashed once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def row_hashes(frame: pd.DataFrame) -> pd.Series:
    """``hash_pandas_object(frame.astype("string"), index=False)``, number columns written once per distinct value."""
    columns = {}
    for name in frame.columns:
        values = frame[name]
        if pd.api.types.is_float_dtype(values):  # few distinct quantities and prices: write each once
            codes, texts = _distinct_numbers_as_text(values)
            columns[name] = pd.Categorical.from_codes(codes, categories=pd.Index(texts, dtype="str"))
        else:
            columns[name] = values.astype("string")
    return pd.util.hash_pandas_object(pd.DataFrame(columns, index=frame.index), index=False)


def hex_ids(hashes: pd.Series, *, prefix: str = "") -> pd.Series:
    """Each 64-bit hash as ``prefix`` and 16 lower-case hex digits (``"{:016x}"``), written in one pass."""
    import pyarrow as pa
    import pyarrow.compute as pc

    digits = hashes.to_numpy(dtype=np.uint64).astype(">u8").tobytes().hex().encode("ascii")
    offsets = np.arange(0, 16 * len(hashes) + 1, 16, dtype=np.int32)
    text = pa.StringArray.from_buffers(len(hashes), pa.py_buffer(offsets), pa.py_buffer(digits))
    if prefix:
        text = pc.binary_join_element_wise(prefix, text, "")
    return pd.Series(pd.array(text, dtype="str"), index=hashes.index)


def _distinct_numbers_as_text(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Codes of each number (-1 for a blank) and the distinct numbers as ``string`` text.

    Numbers are told apart by their bits: 0.0 and -0.0 are equal but written differently.
    """
    numbers = values.to_numpy(dtype=np.float64, na_value=np.nan)
    present = ~np.isnan(numbers)
    codes = np.full(len(numbers), -1, dtype=np.int64)
    codes[present], bits = pd.factorize(numbers[present].view(np.int64))
    distinct = pd.Series(np.asarray(bits, dtype=np.int64).view(np.float64), dtype=values.dtype)
    return codes, distinct.astype("string")
