"""Identifiers (customer, order, SKU) as integer codes for grouping with NumPy."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
AnyArray = npt.NDArray[np.generic]
FloatArray = npt.NDArray[np.float64]


def total_by(codes: npt.ArrayLike, values: npt.ArrayLike | None, size: int = 0) -> FloatArray:
    """Sum of ``values`` (or a count, if ``None``) per integer code, as floats."""
    return np.asarray(
        np.bincount(np.asarray(codes, dtype=np.int64).ravel(), weights=values, minlength=size),
        dtype=np.float64,
    )


def codes_of(values: AnyArray) -> tuple[AnyArray, IntArray]:
    """Sorted distinct values and each value's position among them (``np.unique``'s inverse).

    Integer identifiers that are dense (as database ids usually are) are coded in linear time
    with a lookup table instead of sorting, which matters for tens of millions of rows.
    """
    array = np.asarray(values)
    if array.dtype.kind in "iu" and array.size:
        low, high = int(array.min()), int(array.max())
        if high - low <= 4 * array.size + 1024:
            offset = array.astype(np.int64) - low
            used = np.zeros(high - low + 1, dtype=bool)
            used[offset] = True
            distinct = np.flatnonzero(used)
            lookup = np.zeros(used.size, dtype=np.int64)
            lookup[distinct] = np.arange(distinct.size)
            return (distinct + low).astype(array.dtype), lookup[offset]
    distinct, inverse = np.unique(array, return_inverse=True)
    return distinct, inverse.ravel().astype(np.int64)


def index_of(keys: AnyArray, sorted_unique: AnyArray) -> tuple[IntArray, BoolArray]:
    """Positions of ``keys`` in ``sorted_unique`` and whether each key was found there."""
    keys = np.asarray(keys)
    if sorted_unique.size == 0:
        return np.zeros(keys.size, dtype=np.int64), np.zeros(keys.size, dtype=bool)
    if sorted_unique.dtype.kind in "iu" and keys.dtype.kind in "iu":
        low, high = int(sorted_unique[0]), int(sorted_unique[-1])
        if high - low <= 4 * sorted_unique.size + 1024:  # dense ids: a lookup table
            table = np.full(high - low + 1, -1, dtype=np.int64)
            table[sorted_unique.astype(np.int64) - low] = np.arange(sorted_unique.size)
            offset = keys.astype(np.int64) - low
            inside = (offset >= 0) & (offset <= high - low)
            position = np.where(inside, table[np.clip(offset, 0, high - low)], -1)
            found = position >= 0
            return np.maximum(position, 0), found
    position = np.searchsorted(sorted_unique, keys)
    position = np.minimum(position, sorted_unique.size - 1).astype(np.int64)
    found = np.asarray(sorted_unique[position] == keys, dtype=bool)
    return position, found
