"""The per-customer summary as a Dask job, for order histories larger than one machine.

The summary (:func:`aftersale.analytics.summary.summarize_purchases`) is the only step whose
cost grows with the number of order lines; everything after it (the model fits, predictions
and segments) works on one row per customer. This module computes the same summary with
Dask DataFrames on a Dask cluster (``distributed``), reading CSV or Parquet files from any
path Dask understands (local globs, ``s3://``, ``gs://``, ``hdfs://`` with their fsspec
packages), and returns a :class:`CustomerSummary` that the models fit as usual::

    from distributed import Client
    from aftersale.analytics import BetaGeoModel
    from aftersale.analytics.distributed import summarize_with_dask

    with Client("tcp://scheduler:8786"):
        summary = summarize_with_dask("s3://exports/orders-*.parquet")
    model = BetaGeoModel().fit(summary.frequency, summary.recency, summary.T)

Needs the optional extra ``aftersale[distributed]`` (dask[dataframe] and distributed).
Running it on a cluster is described in docs/operators/analytics-at-scale.md.

The job checks what it needs (the columns, dates, numbers) but does not name rows: validate an
export with ``aftersale analyze`` or :func:`~aftersale.analytics.csv_import.read_orders` first
when it comes from a new source.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np

from aftersale.analytics.summary import UNIT_DAYS, CustomerSummary, TimeUnit

COLUMNS = ("customer_id", "ordered_at", "amount")


def summarize_with_dask(
    paths: str | Sequence[str],
    *,
    observation_end: dt.date | str | None = None,
    time_unit: TimeUnit = "W",
    blocksize: str = "64MB",
    storage_options: dict[str, Any] | None = None,
) -> CustomerSummary:
    """Summarise order lines into one purchase history per customer on the current Dask client.

    Parameters
    ----------
    paths : str or list of str
        Orders files (CSV, or Parquet if they end in ``.parquet``/``.pq``), globs allowed.
        They need ``customer_id``, ``ordered_at`` and ``amount`` (or ``amount_cents``).
    observation_end : date, optional
        Last day of the observation period; later orders are ignored. Defaults to the last
        order day.
    time_unit : {"D", "W", "M"}
        Unit of recency and T, as in :func:`~aftersale.analytics.summary.summarize_purchases`.
    blocksize : str
        Size of the CSV partitions each task reads.
    storage_options : dict, optional
        Passed to fsspec (credentials of object stores).

    Returns
    -------
    CustomerSummary
        The same values :func:`~aftersale.analytics.summary.summarize_purchases` gives for
        the same lines, customers sorted by id.
    """
    import dask.dataframe as dd  # the optional extra, imported only when used

    names = [paths] if isinstance(paths, str) else list(paths)
    parquet = all(name.lower().endswith((".parquet", ".pq")) for name in names)
    if parquet:
        frame = dd.read_parquet(names, storage_options=storage_options)
    else:
        frame = dd.read_csv(
            names,
            dtype=str,
            blocksize=blocksize,
            keep_default_na=False,
            storage_options=storage_options,
        )
    frame = frame.rename(
        columns={c: str(c).strip().lower().replace(" ", "_") for c in frame.columns}
    )
    amount = "amount" if "amount" in frame.columns else "amount_cents"
    missing = [c for c in ("customer_id", "ordered_at", amount) if c not in frame.columns]
    if missing:
        raise ValueError(f"the orders files have no column(s) {', '.join(missing)}")
    lines = frame[["customer_id", "ordered_at", amount]]
    lines = lines.assign(
        day=dd.to_datetime(lines["ordered_at"].astype(str).str.slice(0, 10), format="%Y-%m-%d")
        .dt.floor("D")
        .astype("datetime64[s]"),
        value=dd.to_numeric(lines[amount]) / (100.0 if amount == "amount_cents" else 1.0),
    )[["customer_id", "day", "value"]]
    if observation_end is not None:
        lines = lines[lines["day"] <= np.datetime64(str(observation_end), "s")]
    # one row per customer and purchase day, then one per customer
    days = lines.groupby(["customer_id", "day"]).value.sum().reset_index()
    per_customer = days.groupby("customer_id").agg({"day": ["min", "max", "count"], "value": "sum"})
    per_customer.columns = ["first", "last", "purchases", "total"]
    firsts = days.merge(per_customer[["first"]].reset_index(), on="customer_id", how="inner")
    first_value = (
        firsts[firsts["day"] == firsts["first"]]
        .groupby("customer_id")
        .value.sum()
        .rename("first_value")
    )
    result = per_customer.join(first_value, how="left").compute()
    if result.empty:
        raise ValueError("there are no orders on or before the observation end")
    ids = result.index.to_numpy()
    if ids.dtype.kind not in "iu":
        text = ids.astype(str)
        whole = np.char.isdigit(text) & (
            (np.char.str_len(text) == 1) | ~np.char.startswith(text, "0")
        )
        if whole.all():  # as read_orders: whole-number ids are integers
            ids = text.astype(np.int64)
        else:
            ids = text.astype(np.dtypes.StringDType())
    order = np.argsort(ids, kind="stable")
    ids = ids[order]
    result = result.iloc[order]
    first = result["first"].to_numpy().astype("datetime64[D]")
    last = result["last"].to_numpy().astype("datetime64[D]")
    end = last.max() if observation_end is None else np.datetime64(str(observation_end), "D")
    frequency = result["purchases"].to_numpy(dtype=np.float64) - 1.0
    repeat_value = result["total"].to_numpy(dtype=np.float64) - result["first_value"].to_numpy(
        dtype=np.float64
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        monetary = np.where(frequency > 0, repeat_value / np.maximum(frequency, 1.0), 0.0)
    unit = UNIT_DAYS[time_unit]
    return CustomerSummary(
        customer_id=np.asarray(ids),
        frequency=frequency,
        recency=(last - first).astype(np.int64) / unit,
        T=(end - first).astype(np.int64) / unit,
        monetary_value=np.asarray(monetary, dtype=np.float64),
        first_purchase=first,
        last_purchase=last,
        time_unit=time_unit,
    )
