"""The per-customer summary as a Dask job on a local cluster equals the in-memory summary."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from aftersale.analytics import BetaGeoModel
from aftersale.analytics.csv_import import read_orders
from aftersale.analytics.orders import OrderTotals
from aftersale.analytics.summary import CustomerSummary, summarize_purchases

from .test_report_cli import write_shop

distributed = pytest.importorskip("distributed")
pytest.importorskip("dask.dataframe")


@pytest.fixture(scope="module")
def client():  # type: ignore[no-untyped-def]
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def split(path: Path, parts: int) -> list[Path]:
    """The export cut into ``parts`` files, each with the header, as a shop's monthly dumps."""
    header, *rows = path.read_text().splitlines(keepends=True)
    out = []
    for k in range(parts):
        part = path.with_name(f"{path.stem}-{k}.csv")
        part.write_text(header + "".join(rows[k::parts]))
        out.append(part)
    return out


def expected(path: Path, end: str | None = None) -> CustomerSummary:
    lines = read_orders(path)
    totals = OrderTotals.from_lines(lines)
    summary = summarize_purchases(
        totals.customer, totals.ordered_at, totals.amount, observation_end=end
    )
    return CustomerSummary(
        totals.customer_id[summary.customer_id], summary.frequency, summary.recency, summary.T,
        summary.monetary_value, summary.first_purchase, summary.last_purchase, summary.time_unit,
    )  # fmt: skip


def assert_same(got: CustomerSummary, want: CustomerSummary) -> None:
    assert got.customer_id.tolist() == want.customer_id.tolist()
    for name in ("frequency", "recency", "T", "monetary_value"):
        assert np.allclose(getattr(got, name), getattr(want, name), rtol=1e-12), name
    assert np.array_equal(got.first_purchase, want.first_purchase)
    assert np.array_equal(got.last_purchase, want.last_purchase)


def test_csv_files_summarised_on_a_local_cluster_match_the_in_memory_summary(
    tmp_path: Path, client: object
) -> None:
    from aftersale.analytics.distributed import summarize_with_dask

    orders, _ = write_shop(tmp_path)
    parts = split(orders, 3)
    got = summarize_with_dask(str(tmp_path / "orders-*.csv"), blocksize="1KB")
    assert_same(got, expected(orders))
    assert got.frequency.sum() > 0 and len(parts) == 3
    # the fit then works on the summary as on any other
    model = BetaGeoModel(penalizer_coef=0.01).fit(got.frequency, got.recency, got.T)
    assert model.params_ is not None
    later = summarize_with_dask([str(p) for p in parts], observation_end="2024-05-31")
    assert_same(later, expected(orders, "2024-05-31"))


def test_parquet_files_give_the_same_summary(tmp_path: Path, client: object) -> None:
    from aftersale.analytics.distributed import summarize_with_dask

    orders, _ = write_shop(tmp_path)
    for k, part in enumerate(split(orders, 2)):
        pq.write_table(pacsv.read_csv(part), tmp_path / f"orders-{k}.parquet")
    got = summarize_with_dask(str(tmp_path / "orders-*.parquet"))
    assert_same(got, expected(orders))


def test_missing_columns_are_named(tmp_path: Path, client: object) -> None:
    from aftersale.analytics.distributed import summarize_with_dask

    path = tmp_path / "orders.csv"
    path.write_text("order_id,customer_id,amount\no1,c1,5\n")
    with pytest.raises(ValueError, match="ordered_at"):
        summarize_with_dask(str(path))
