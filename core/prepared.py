"""A query the app runs on (nearly) every request, compiled to SQL once per process.

Django builds a query's SQL anew each time it runs; for the signed-in user with its tenant
(three tables, ~50 columns) or the wizard's code with its contract and partners, that is
most of the work of loading it. `PreparedGet` compiles the queryset once per connection and
then only sends the SQL with the new key, building the model instances with Django's own
row-to-instance machinery, so the result is what `queryset.filter(key=…).first()` returns
(tests compare the two field by field). The row itself is read from the database every
time: nothing about it is cached.
"""

import weakref
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models.query import get_related_populators

# Only the SQL is kept: any value will do to compile it, since it becomes the one parameter
# (as the key's field prepares it: 0 for an integer key, "0" for a text one).
_PLACEHOLDER = 0


@dataclass(frozen=True)
class _Compiled:
    sql: str
    model: Any
    fields_start: int
    fields_end: int
    init_list: list[str]
    converters: dict
    populators: list
    compiler: Any
    fetch_mode: Any


class PreparedGet:
    """`queryset.filter(<key>=value).first()`, its SQL built once per connection.

    `key` is the one field the query is looked up by (the primary key unless said otherwise);
    the queryset carries everything else (joins, order) and may have no parameter of its own.
    """

    def __init__(self, queryset, *, key: str = "pk"):
        self.queryset = queryset
        self.key = key
        # Per connection (Django's connections are per thread): the converters use it.
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def get(self, value, *, using: str = "default"):
        """The first instance whose key is `value`, its select_related relations filled; None
        if there is no such row."""
        connection = connections[using]
        compiled = self._compiled.get(connection) or self._compile(connection)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, [value])
            row = cursor.fetchone()
        if row is None:
            return None
        if compiled.converters:
            row = next(compiled.compiler.apply_converters([row], compiled.converters))
        instance = compiled.model.from_db(
            using,
            compiled.init_list,
            row[compiled.fields_start : compiled.fields_end],
            fetch_mode=compiled.fetch_mode,
        )
        for populator in compiled.populators:
            populator.populate(row, instance)
        return instance

    def _compile(self, connection) -> _Compiled:
        using = connection.alias
        queryset = self.queryset.filter(**{self.key: _PLACEHOLDER}).using(using)[:1]
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        if [str(param) for param in params] != [str(_PLACEHOLDER)]:
            raise ValueError("PreparedGet takes a queryset whose only parameter is the key")
        select, klass_info = compiler.select, compiler.klass_info
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        compiled = _Compiled(
            sql=sql,
            model=klass_info["model"],
            fields_start=start,
            fields_end=end,
            init_list=[column[0].target.attname for column in select[start:end]],
            converters=compiler.get_converters([s[0] for s in select[: compiler.col_count]]),
            populators=get_related_populators(klass_info, select, using, queryset._fetch_mode),
            compiler=compiler,
            fetch_mode=queryset._fetch_mode,
        )
        self._compiled[connection] = compiled
        return compiled
