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


# Stand-ins for the parameters while a query is compiled; each is found again among the
# compiled query's parameters, as itself or, for a LIKE lookup, inside its pattern.
_TEXT_STAND_IN = "\x00{}\x00"  # no %, _ or \, which a LIKE pattern escapes
_NUMBER_STAND_IN = 1_987_650_000  # + the parameter's place; inside a 32-bit integer


@dataclass(frozen=True)
class _CompiledRows:
    sql: str
    params: list  # each: a constant, or (name, prefix, suffix, like)
    names: list[str]
    converters: dict
    compiler: Any


class PreparedValues:
    """A list read as dicts (`.values()`), its SQL built once per connection and shape.

    `build(**values)` returns the `.values()` queryset for the given values (its filter, its
    order); which values are given is the query's shape (a list with and without a search,
    say), and each shape is compiled once, with stand-ins for the values. After that a page
    only binds the values into the SQL: `rows(offset, limit, **values)` returns what
    `build(**values)[offset:offset + limit]` returns (tests compare the two). A value is a
    number or a text; as a LIKE lookup's (`icontains`) its pattern is escaped as Django
    escapes it. Nothing is cached but the SQL: every call reads the rows.
    """

    def __init__(self, build):
        self.build = build
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def bind(self, **values) -> "BoundValues":
        """The rows for `values`, to be sliced (`[offset:stop]`) as a queryset is, by a
        paginator."""
        return BoundValues(self, values)

    def rows(self, offset: int, limit: int, *, using: str = "default", **values) -> list[dict]:
        connection = connections[using]
        shape = tuple(sorted((name, _kind(value)) for name, value in values.items()))
        compiled = self._compiled.get(connection, {}).get(shape) or self._compile(connection, shape)
        params = [
            param if type(param) is not tuple else _bound(connection, values, *param)
            for param in compiled.params
        ]
        sql = f"{compiled.sql} LIMIT {int(limit)} OFFSET {int(offset)}"
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchall()
        if compiled.converters:
            found = compiled.compiler.apply_converters(found, compiled.converters)
        names = compiled.names
        return [dict(zip(names, row, strict=True)) for row in found]

    def count(self, limit: int, **values) -> int:
        """How many rows there are, counting no further than `limit` (rarely needed: not
        compiled ahead)."""
        return self.build(**values)[:limit].count()

    def _compile(self, connection, shape) -> _CompiledRows:
        stand_ins = {
            name: _TEXT_STAND_IN.format(place) if kind == "text" else _NUMBER_STAND_IN + place
            for place, (name, kind) in enumerate(shape)
        }
        queryset = self.build(**stand_ins).using(connection.alias)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, constants = compiler.as_sql(with_limits=False)
        params, found = [], set()
        for param in constants:
            for name, stand_in in stand_ins.items():
                if type(param) is type(stand_in) and param == stand_in:
                    params.append((name, "", "", False))
                elif type(stand_in) is str and type(param) is str and stand_in in param:
                    prefix, suffix = param.split(stand_in)
                    params.append((name, prefix, suffix, True))
                else:
                    continue
                found.add(name)
                break
            else:
                params.append(param)
        if found != set(stand_ins):
            raise ValueError(f"PreparedValues: {set(stand_ins) - found} not in the query")
        query = queryset.query
        compiled = _CompiledRows(
            sql=sql,
            params=params,
            names=[*query.extra_select, *query.values_select, *query.annotation_select],
            converters=compiler.get_converters(
                [s[0] for s in compiler.select[: compiler.col_count]]
            ),
            compiler=compiler,
        )
        self._compiled.setdefault(connection, {})[shape] = compiled
        return compiled


@dataclass(frozen=True)
class BoundValues:
    """`PreparedValues` with its values: slicing reads a page, `count(limit)` counts."""

    prepared: PreparedValues
    values: dict

    def __getitem__(self, window: slice) -> list[dict]:
        if not isinstance(window, slice) or window.step is not None or window.stop is None:
            raise TypeError("BoundValues reads [start:stop] windows only")
        start = window.start or 0
        return self.prepared.rows(start, max(window.stop - start, 0), **self.values)

    def count(self, limit: int) -> int:
        return self.prepared.count(limit, **self.values)


def _kind(value) -> str:
    if type(value) is int:
        return "number"
    if isinstance(value, str):
        return "text"
    raise TypeError(f"PreparedValues binds numbers and texts, not {type(value).__name__}")


def _bound(connection, values: dict, name: str, prefix: str, suffix: str, like: bool):
    value = values[name]
    if like:
        return f"{prefix}{connection.ops.prep_for_like_query(value)}{suffix}"
    return value
