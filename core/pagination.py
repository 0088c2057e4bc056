"""Previous/next pagination that never counts the whole list.

Django's Paginator runs COUNT(*) over the filtered rows on every page view: with a partner's
thousands of customers or a busy tenant's audit log, that count is most of the page's
cost. The lists here only offer 前へ/次へ, so a page fetches one row more than it shows to
know whether there is a next one. Pages are bounded (MAX_PAGES) so that no request can ask
the database to skip an unbounded number of rows; search and filters narrow longer lists.
"""

from collections.abc import Sequence

from django.core.paginator import InvalidPage
from django.db.models import QuerySet

from .prepared import BoundList

MAX_PAGES = 200


class CountlessPage(Sequence):
    """The part of `Page`'s interface that the pagination template uses."""

    def __init__(self, object_list: list, number: int, *, has_next: bool, paginator):
        self.object_list = object_list
        self.number = number
        self.paginator = paginator
        self._has_next = has_next

    def __getitem__(self, index):
        return self.object_list[index]

    def __len__(self) -> int:
        return len(self.object_list)

    def __repr__(self) -> str:
        return f"<Page {self.number}>"

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        if not self._has_next:
            raise InvalidPage("That page contains no results")
        return self.number + 1

    def previous_page_number(self) -> int:
        if self.number <= 1:
            raise InvalidPage("That page number is less than 1")
        return self.number - 1

    @property
    def is_last_allowed(self) -> bool:
        """More rows exist, but not on a page anyone may ask for."""
        return self.number == self.paginator.max_pages and self.paginator.more_beyond_last


class CountlessPaginator:
    """`Paginator(...).get_page(number)` without the COUNT(*).

    `object_list` is a queryset or the rows of a `PreparedList` (`bind()`). `num_pages`
    is known only once the last page has been fetched (else None).
    """

    def __init__(
        self, object_list: QuerySet | BoundList, per_page: int, *, max_pages: int = MAX_PAGES
    ):
        self.object_list = object_list
        self.per_page = per_page
        self.max_pages = max_pages
        self.num_pages = None
        self.more_beyond_last = False

    def get_page(self, number) -> CountlessPage:
        """As Paginator.get_page: a missing or malformed number is page 1, and a number past
        the end (or past the bound) is the last page."""
        try:
            number = int(number)
        except (TypeError, ValueError):
            number = 1
        number = min(max(number, 1), self.max_pages)
        rows = self._rows(number)
        if not rows and number > 1:
            # Rare (an old link, a hand-edited URL): count what lies before, never more
            # than the bound allows, to land on the last page.
            before = self._count(upto=(number - 1) * self.per_page)
            number = max(1, -(-before // self.per_page))
            rows = self._rows(number)
        more = len(rows) > self.per_page
        self.more_beyond_last = more and number == self.max_pages
        has_next = more and number < self.max_pages
        if not has_next:
            self.num_pages = number
        return CountlessPage(rows[: self.per_page], number, has_next=has_next, paginator=self)

    def _count(self, *, upto: int) -> int:
        if isinstance(self.object_list, QuerySet):
            return self.object_list[:upto].count()
        return self.object_list.count(upto)  # core.prepared.BoundList

    def _rows(self, number: int) -> list:
        """The page's rows and, if there is one, the first row of the next page."""
        offset = (number - 1) * self.per_page
        return list(self.object_list[offset : offset + self.per_page + 1])
