"""Previous/next pagination without COUNT(*), bounded in depth."""

import pytest

from accounts.models import AuditEvent
from core.pagination import CountlessPaginator
from tests.factories import AuditEventFactory


@pytest.fixture
def events(group):
    AuditEventFactory.create_batch(7, works_group=group)
    return AuditEvent.objects.filter(works_group=group)


def test_first_page_knows_there_is_a_next_one(events):
    page = CountlessPaginator(events, 3).get_page(None)
    assert (page.number, len(page), page.has_next(), page.has_previous()) == (1, 3, True, False)
    assert page.next_page_number() == 2


def test_last_page_has_no_next(events):
    page = CountlessPaginator(events, 3).get_page("3")
    assert (len(page), page.has_next(), page.previous_page_number()) == (1, False, 2)


def test_a_full_last_page_has_no_next(group):
    AuditEventFactory.create_batch(6, works_group=group)
    page = CountlessPaginator(AuditEvent.objects.all(), 3).get_page(2)
    assert (len(page), page.has_next()) == (3, False)


@pytest.mark.parametrize("number", ["abc", "", "0", "-4"])
def test_malformed_page_numbers_give_the_first_page(events, number):
    assert CountlessPaginator(events, 3).get_page(number).number == 1


def test_page_past_the_end_is_the_last_page(events):
    paginator = CountlessPaginator(events, 3)
    page = paginator.get_page(10)
    assert (page.number, len(page), page.has_next(), paginator.num_pages) == (3, 1, False, 3)


def test_the_total_is_unknown_until_the_last_page(events):
    paginator = CountlessPaginator(events, 3)
    assert paginator.get_page(1) and paginator.num_pages is None
    assert paginator.get_page(3) and paginator.num_pages == 3


def test_pages_stop_at_the_bound_and_say_so(events):
    paginator = CountlessPaginator(events, 2, max_pages=2)
    page = paginator.get_page(99)
    assert (page.number, page.has_next(), page.is_last_allowed) == (2, False, True)
    assert [e.pk for e in page] == [e.pk for e in events[2:4]]


def test_rows_are_in_the_list_order(events):
    pages = [CountlessPaginator(events, 3).get_page(n) for n in (1, 2, 3)]
    assert [e.pk for page in pages for e in page] == [e.pk for e in events]


def test_audit_pages_show_the_total_once_it_is_known(login, super_admin, group):
    AuditEventFactory.create_batch(51, works_group=group)
    client = login(super_admin)
    first = client.get("/console/audit/").content.decode()
    last = client.get("/console/audit/?page=2").content.decode()
    assert "<span>1 ページ</span>" in first
    assert "?page=2" in first
    assert "<span>2 / 2 ページ</span>" in last
