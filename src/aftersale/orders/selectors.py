"""Finding a shop's customers and orders by what staff type: a name, an e-mail, a phone number,
a customer id or an order number.

A customer is found by a part of its search text — first and last name, e-mail, customer id,
and the phone both as written and as digits — case-insensitively (ä, ö and å included). That
text is indexed on both databases, so a search reads a few index pages instead of every
customer (migration ``0004_customer_search_text``):

- PostgreSQL: a trigram GIN index (pg_trgm) on ``CUSTOMER_TEXT_SQL``; ``LIKE '%term%'`` on the
  same expression uses it.
- SQLite: an FTS5 table with the trigram tokenizer, kept in step with the customer table by
  triggers; ``MATCH`` on it finds the rows (see aftersale.orders.search_index). The words
  are looked up first, reading at most ``MANY_CUSTOMERS`` + 1 ids from the index
  (``sqlite_matches``): up to that many, the query names the found ids. Beyond, a word in
  most of the shop's customers (say "example", in every e-mail) is tested customer by
  customer as a page is read in name order, which finds 25 at once, where listing every match
  first would read them all; a rarer one is listed from the index.

A trigram index cannot find fewer than three characters: a shorter word only narrows a search
that has a longer one (``needs_longer_words``). Order numbers match whole, with or without
"#", in any letter case, through an index on the upper-cased number. How operators create the
pg_trgm extension is in docs/operators/search.md.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower, Upper

from aftersale.core.models import Shop
from aftersale.orders.models import Customer, Order
from aftersale.orders.search_index import CUSTOMER_TEXT_SQL, CUSTOMER_TEXT_SQLITE, SEARCH_TABLE

MIN_TEXT_LENGTH = 3
# Up to this many matches a search sorts them by name after the index found them; beyond, a
# word is common enough that reading the customers in name order fills a page at once.
MANY_CUSTOMERS = 10_000
NAME_ORDER = ("last_name", "first_name", "id")  # as the customer_by_name index
PHONE_LIKE = re.compile(r"\+?[\d\s()./-]+")
MIN_PHONE_DIGITS = 6


@dataclass(frozen=True)
class Term:
    """One thing typed: ``text`` is looked for inside the customer's search text (lower-case;
    empty when the term is only an order number), ``number`` is compared with order numbers."""

    text: str
    number: str


def search_terms(query: str) -> list[Term]:
    """The terms of ``query``: every word must match; a phone number typed with spaces is one
    term, in digits, without its leading 0, 00 or + (so 040 123 4567 finds +358 40 123 4567)."""
    query = query.strip()
    digits = re.sub(r"\D", "", query)
    if PHONE_LIKE.fullmatch(query) and len(digits) >= MIN_PHONE_DIGITS:
        national = digits if query.startswith("+") else re.sub(r"^0{1,2}", "", digits)
        return [Term(text=national, number=re.sub(r"\s", "", query))]
    terms = []
    for word in query.split():
        if word.startswith("#"):
            terms.append(Term(text="", number=word[1:]))
        else:
            terms.append(Term(text=word.lower(), number=word))
    return terms


def needs_longer_words(query: str) -> bool:
    """True when no word of ``query`` is long enough to search names, e-mails and phones: only
    order numbers are searched then, and the page asks for at least three characters."""
    texts = [term.text for term in search_terms(query) if term.text]
    return bool(texts) and all(len(text) < MIN_TEXT_LENGTH for text in texts)


def _term_matches(text: str, numbered: list[int]) -> Q:
    """Customers whose search text contains ``text`` (lower-case; "" for none) or whose id is
    in ``numbered``, through the index: one condition the planner can answer from indexes."""
    if len(text) < MIN_TEXT_LENGTH:
        # No trigram to look up: a plain filter, applied to the rows a longer term found.
        return Q(pk__in=numbered) | _plain_matches(text) if text else Q(pk__in=numbered)
    if connection.vendor == "postgresql":
        pattern = "%" + re.sub(r"([\\%_])", r"\\\1", text) + "%"
        return Q(pk__in=numbered) | Q(
            RawSQL(f"{CUSTOMER_TEXT_SQL} LIKE %s", [pattern], output_field=BooleanField())
        )
    if connection.vendor == "sqlite":
        # One IN list: with an OR beside it SQLite would test every customer of the shop.
        phrase = '"' + text.replace('"', '""') + '"'
        extra = "".join(" UNION ALL SELECT %s" for _ in numbered)
        return Q(
            RawSQL(
                f"id IN (SELECT rowid FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH %s{extra})",
                [phrase, *numbered],
                output_field=BooleanField(),
            )
        )
    return Q(pk__in=numbered) | _plain_matches(text)


def _fts_phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def sqlite_matches(texts: list[str], limit: int) -> list[int]:
    """Up to ``limit`` ids of customers (of any shop) whose search text contains every one of
    ``texts``, read from the FTS index as it hands them out (never all of a common word's)."""
    expression = " AND ".join(_fts_phrase(text) for text in texts)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH %s LIMIT %s",
            [expression, limit],
        )
        return [row[0] for row in cursor.fetchall()]


# A word found in at least this share of the shop's customers is tested row by row.
DENSE = 0.5


def _in_most_customers(shop: Shop | int, ids: list[int]) -> bool:
    """Whether the found ``ids`` (in the order the index gives them, by id) are at least the
    ``DENSE`` share of the shop's customers numbered from the first to the last of them (ids
    of other shops' customers do not count). Counting the shop's customers in that range stops
    as soon as there are too many of them."""
    shop_id = getattr(shop, "pk", shop)
    enough = int(len(ids) / DENSE) + 1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT 1 FROM orders_customer WHERE shop_id = %s "
            "AND id BETWEEN %s AND %s LIMIT %s)",
            [shop_id, ids[0], ids[-1], enough],
        )
        in_range = cursor.fetchone()[0]
        if in_range >= enough:
            return False
        cursor.execute(
            "SELECT count(*) FROM orders_customer WHERE shop_id = %s "
            "AND id IN (SELECT value FROM json_each(%s))",
            [shop_id, json.dumps(ids)],
        )
        return cursor.fetchone()[0] >= DENSE * in_range


# How the found customers are named in the query: by the ids the index gave (LISTED), by
# testing each customer's text (COMMON: a word most of the shop's customers have), or by
# every id the index holds for the words (INDEXED).
LISTED, COMMON, INDEXED = "listed", "common", "indexed"


def _sqlite_text_matches(shop: Shop | int, texts: list[str]) -> tuple[Q, str]:
    """Customers whose text contains every one of ``texts`` (lower-case, three characters or
    more), on SQLite, in the cheapest form for how many there are, and which form it is."""
    ids = sqlite_matches(texts, MANY_CUSTOMERS + 1)
    if len(ids) <= MANY_CUSTOMERS:
        found = RawSQL("id IN (SELECT value FROM json_each(%s))", [json.dumps(ids)], BooleanField())
        return Q(found), LISTED
    if all(text.isascii() for text in texts) and _in_most_customers(shop, ids):
        # Words in most customers' text (say "example" in every e-mail): listing every match
        # first would read them all, so each customer's own text is tested as a page is read
        # in name order, which finds 25 within the first few dozen. SQLite's lower() and LIKE
        # fold ASCII only, which is all these words have.
        patterns = ["%" + re.sub(r"([\\%_])", r"\\\1", text) + "%" for text in texts]
        condition = " AND ".join(
            f"lower({CUSTOMER_TEXT_SQLITE}) LIKE %s ESCAPE '\\'" for _ in patterns
        )
        return Q(RawSQL(condition, patterns, output_field=BooleanField())), COMMON
    expression = " AND ".join(_fts_phrase(text) for text in texts)
    found = RawSQL(
        f"id IN (SELECT rowid FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH %s)",
        [expression],
        output_field=BooleanField(),
    )
    return Q(found), INDEXED


def _plain_matches(text: str) -> Q:
    return (
        Q(first_name__icontains=text)
        | Q(last_name__icontains=text)
        | Q(email__icontains=text)
        | Q(external_id__icontains=text)
        | Q(phone__icontains=text)
    )


def orders_numbered(shop: Shop | int, numbers: list[str]) -> QuerySet:
    """The shop's orders whose number is one of ``numbers``, in any letter case (indexed)."""
    return (
        Order.objects.for_shop(shop)
        .annotate(number_upper=Upper("number"))
        .filter(number_upper__in=[number.upper() for number in numbers if number])
        .order_by()
    )


def search_customers(shop: Shop | int, query: str) -> QuerySet:
    """The shop's customers matching every term of ``query`` in their name, e-mail, phone or
    customer id, or having an order with that number; by name (every customer without a
    query)."""
    return _found_customers(shop, query)[0]


def _found_customers(shop: Shop | int, query: str) -> tuple[QuerySet, str]:
    """``search_customers``, and how it names the customers (``LISTED``, ``COMMON`` or
    ``INDEXED``)."""
    customers = Customer.objects.for_shop(shop)
    terms = search_terms(query)
    if not terms:
        return customers.order_by(*NAME_ORDER), LISTED
    long_enough = not needs_longer_words(query)
    # The customers of the orders numbered like a term, for every term in one indexed query;
    # as a list of ids, so that PostgreSQL can OR them with the trigram index (a subquery in
    # an OR would make it test every customer of the shop).
    numbered: dict[str, list[int]] = {}
    rows = orders_numbered(shop, [term.number for term in terms]).values_list(
        "number_upper", "customer_id"
    )
    for number, customer_id in rows[: 100 * len(terms)]:
        numbered.setdefault(number, []).append(customer_id)
    indexed_texts = []
    for term in terms:
        text = term.text if long_enough else ""
        numbers = numbered.get(term.number.upper(), [])
        if connection.vendor == "sqlite" and len(text) >= MIN_TEXT_LENGTH and not numbers:
            indexed_texts.append(text)  # looked up together, below
        else:
            customers = customers.filter(_term_matches(text, numbers))
    how = LISTED
    if indexed_texts:
        condition, how = _sqlite_text_matches(shop, indexed_texts)
        customers = customers.filter(condition)
    # Found rows are sorted after the index found them. Ordered as the name index is, the
    # planner would walk that index testing every customer's text until a page is full.
    return customers.order_by(Lower("last_name"), Lower("first_name"), "id"), how


FEW_CUSTOMERS = 1000


def _customer_ids(customers: QuerySet) -> list[int] | QuerySet:
    """The found customers' ids as a list when they are few, so that their orders are read
    through the customer index; as a subquery when they are so many (a common word) that
    reading the newest orders in date order fills a page sooner."""
    ids = list(customers.order_by().values_list("pk", flat=True)[: FEW_CUSTOMERS + 1])
    return ids if len(ids) <= FEW_CUSTOMERS else customers.values("pk")


def search_orders(
    shop: Shop | int, query: str = "", delivery_method: str = "", status: str = ""
) -> QuerySet:
    """The shop's orders by number (with or without "#"); otherwise the orders of the customers
    ``search_customers`` finds (by e-mail, name or phone); optionally filtered."""
    orders = Order.objects.for_shop(shop)
    query = query.strip()
    if query:
        numbers = [term.number for term in search_terms(query)] + [query.lstrip("#")]
        numbered = list(orders_numbered(shop, numbers).values_list("pk", flat=True)[:100])
        if numbered and "@" not in query:
            orders = orders.filter(pk__in=numbered)
        else:
            customers, how = _found_customers(shop, query)
            found = customers.values("pk") if how == COMMON else _customer_ids(customers)
            if isinstance(found, list) or how == LISTED or connection.vendor != "sqlite":
                orders = orders.filter(customer__in=found)
            else:
                # Many customers: each order's customer is tested as the orders are read newest
                # first (SQLite would otherwise list every matching customer first).
                orders = orders.filter(Exists(customers.filter(pk=OuterRef("customer_id"))))
    if delivery_method:
        orders = orders.filter(delivery_method=delivery_method)
    if status:
        orders = orders.filter(status=status)
    return orders
