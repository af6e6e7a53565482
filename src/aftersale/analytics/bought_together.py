"""Products customers keep together: co-occurrence per customer, corrected for popularity.

For products *a* and *b*, over the :math:`N` customers who kept anything:

- :math:`n_a`: customers who kept *a*; :math:`n_{ab}`: customers who kept both;
- lift :math:`= n_{ab} N / (n_a n_b)`: how many times more often than if the two were bought
  independently (1 is chance);
- the score of *b* after *a* is the confidence :math:`n_{ab} / n_a` (how many of *a*'s buyers
  also kept *b*), taken only when the lift clears ``min_lift`` and :math:`n_{ab}` clears
  ``min_customers``. Raw counts alone would put the best sellers beside everything (Linden,
  Smith and York 2003: the "Harry Potter problem"); the lift threshold removes what is merely
  popular, the confidence then ranks what is left by how likely it is.

Pairs in the same category are left out (a second phone is a substitute, not an accessory).
Everything is sparse matrix algebra: one product of the customer × product matrix with its
transpose, whatever the number of orders.

Examples
--------
>>> import numpy as np
>>> customers = np.array([0, 0, 1, 1, 2, 2, 3])
>>> products = np.array([0, 1, 0, 1, 0, 2, 2])
>>> model = BoughtTogether(min_customers=2, min_lift=1.0).fit(
...     customers, products, categories=np.array([0, 1, 1])
... )
>>> [(int(a), int(b), int(n)) for a, b, n in zip(model.product_, model.related_, model.customers_)]
[(0, 1, 2), (1, 0, 2)]
>>> round(float(model.lift_[0]), 2)
1.33
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def customer_product_matrix(
    customers: npt.ArrayLike, products: npt.ArrayLike, *, n_customers: int, n_products: int
) -> sp.csr_matrix:
    """A 0/1 customers × products matrix: 1 where the customer kept the product."""
    rows = np.asarray(customers, dtype=np.int64)
    cols = np.asarray(products, dtype=np.int64)
    matrix = sp.csr_matrix(
        (np.ones(rows.size, dtype=np.float64), (rows, cols)), shape=(n_customers, n_products)
    )
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


class BoughtTogether:
    """Mine "kept together" pairs.

    Parameters
    ----------
    min_customers : int
        Fewest customers who kept both products for the pair to count (support).
    min_lift : float
        Lowest lift: the pair must be bought together this many times more often than chance.
    max_related : int
        Most related products kept per product (the best scores).
    """

    def __init__(self, *, min_customers: int = 3, min_lift: float = 1.5, max_related: int = 20):
        self.min_customers = min_customers
        self.min_lift = min_lift
        self.max_related = max_related

    def fit(
        self,
        customers: npt.ArrayLike,
        products: npt.ArrayLike,
        *,
        categories: npt.ArrayLike,
        n_customers: int | None = None,
    ) -> BoughtTogether:
        """Learn from kept lines: ``customers[i]`` kept ``products[i]`` (indices from 0);
        ``categories[p]`` is product *p*'s category (-1: none, never equal to another's)."""
        category = np.asarray(categories, dtype=np.int64)
        cust = np.asarray(customers, dtype=np.int64)
        n_products = int(category.size)
        n_rows = int(cust.max()) + 1 if n_customers is None and cust.size else int(n_customers or 0)
        matrix = customer_product_matrix(cust, products, n_customers=n_rows, n_products=n_products)
        buyers = np.asarray(matrix.sum(axis=0), dtype=np.float64).ravel()
        total = float(np.count_nonzero(np.asarray(matrix.sum(axis=1)).ravel()))
        together = (matrix.T @ matrix).tocoo()
        a, b, n_ab = together.row.astype(np.int64), together.col.astype(np.int64), together.data
        keep = (a != b) & (n_ab >= self.min_customers)
        keep &= (category[a] != category[b]) | (category[a] < 0)
        a, b, n_ab = a[keep], b[keep], n_ab[keep]
        lift = n_ab * total / (buyers[a] * buyers[b])
        keep = lift >= self.min_lift
        a, b, n_ab, lift = a[keep], b[keep], n_ab[keep], lift[keep]
        confidence = n_ab / buyers[a]
        # Best first within each product: sort by product, then score (then lift, then id).
        order = np.lexsort((b, -lift, -confidence, a))
        a, b, n_ab, lift, confidence = (
            a[order],
            b[order],
            n_ab[order],
            lift[order],
            confidence[order],
        )
        starts = np.searchsorted(a, a, side="left")
        keep = (np.arange(a.size) - starts) < self.max_related
        self.product_: IntArray = a[keep]
        self.related_: IntArray = b[keep]
        self.customers_: IntArray = n_ab[keep].astype(np.int64)
        self.lift_: FloatArray = lift[keep]
        self.score_: FloatArray = confidence[keep]
        self.buyers_: FloatArray = buyers
        self.n_customers_ = int(total)
        return self
