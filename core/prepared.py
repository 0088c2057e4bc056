"""Queries the app runs on (nearly) every request, compiled to SQL once per process.

Django builds a query's SQL anew each time it runs: for the signed-in user with its tenant
(three tables, ~50 columns), the wizard's code with its contract and partners, or a page of
a long list, that is most of the work of reading it. Here a queryset is compiled once per
connection and shape, with stand-ins for its values; after that a call only binds the new
values into the SQL and turns the rows into what the ORM returns, with Django's own
machinery (dicts for `.values()`, model instances with their `select_related` relations
otherwise; tests compare the two). The rows themselves are read from the database every
time: nothing about them is cached.

- `PreparedList(build)`: `build(**values)[offset:offset + limit]`, for a paginated list.
- `PreparedGet(queryset, key=…)`: `queryset.filter(<key>=value).first()`.
- `PreparedInsert(model)`: `model.objects.create(**values)`, or a new instance's `save()`.
"""

import weakref
from dataclasses import dataclass
from typing import Any

from django.db import connections, transaction
from django.db.models import Model, signals
from django.db.models.query import ModelIterable, ValuesIterable, get_related_populators
from django.db.models.sql import InsertQuery
from django.db.transaction import TransactionManagementError

# Stand-ins for the values while a query is compiled; each is found again among the compiled
# query's parameters, as itself or, for a LIKE lookup, inside its pattern.
_TEXT_STAND_IN = "\x00{}\x00"  # no %, _ or \, which a LIKE pattern escapes
_NUMBER_STAND_IN = 1_987_650_000  # + the value's place; inside a 32-bit integer


@dataclass(frozen=True)
class _Compiled:
    sql: str  # without LIMIT/OFFSET
    params: list  # each a constant of the query, or a value's (name, prefix, suffix, like)
    reader: "_Reader"
    locks: bool  # SELECT … FOR UPDATE: only inside a transaction, as Django checks


@dataclass(frozen=True)
class _Reader:
    """Turns a compiled query's rows into the ORM's results."""

    compiler: Any
    converters: dict
    names: list[str] | None  # a `.values()` queryset's keys; None for model instances
    model: Any = None
    fields: slice = slice(0)
    init_list: tuple[str, ...] = ()
    populators: tuple = ()
    fetch_mode: Any = None

    @classmethod
    def of(cls, queryset, compiler) -> "_Reader":
        """For `queryset`, compiled by `compiler` (its `as_sql()` done)."""
        query = queryset.query
        select = compiler.select
        converters = compiler.get_converters([column[0] for column in select[: compiler.col_count]])
        if queryset._iterable_class is ValuesIterable:
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
            return cls(compiler, converters, names)
        if (
            queryset._iterable_class is not ModelIterable
            or compiler.annotation_col_map
            or queryset._prefetch_related_lookups
            or queryset._known_related_objects
        ):
            raise ValueError("prepared queries read model instances or .values() dicts only")
        klass_info = compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        using = queryset.db
        return cls(
            compiler,
            converters,
            None,
            model=klass_info["model"],
            fields=slice(start, end),
            init_list=tuple(column[0].target.attname for column in select[start:end]),
            populators=tuple(
                get_related_populators(klass_info, select, using, queryset._fetch_mode)
            ),
            fetch_mode=queryset._fetch_mode,
        )

    def read(self, rows: list, using: str) -> list:
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        if self.names is not None:
            return [dict(zip(self.names, row, strict=True)) for row in rows]
        found = []
        for row in rows:
            instance = self.model.from_db(
                using, self.init_list, row[self.fields], fetch_mode=self.fetch_mode
            )
            for populator in self.populators:
                populator.populate(row, instance)
            found.append(instance)
        return found


class PreparedList:
    """A list, its SQL built once per connection and shape.

    `build(**values)` returns the queryset for the given values (its filters, its order);
    which values are given, and whether each is a number or a text, is the query's shape (a
    list with and without a search, say). Each shape is compiled once, with stand-ins for
    the values; after that `rows(offset, limit, **values)` returns what
    `build(**values)[offset:offset + limit]` returns, and `bind(**values)` gives a paginator
    the same to slice. A value may be compared as it is (`=`, `<`, `>`) or by a pattern
    lookup (`contains`, `icontains`, `startswith`…), whose pattern is escaped as Django
    escapes it; not by `iexact`, whose value SQLite escapes with no pattern around it to
    tell. The queryset's other parameters stay as they were compiled, so `build` must give
    them no value that changes between calls.
    """

    def __init__(self, build):
        self.build = build
        # Per connection (Django's connections are per thread): the converters use it.
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def rows(self, offset: int, limit: int | None, *, using: str = "default", **values) -> list:
        """`build(**values)[offset:offset + limit]`; every row from `offset` on if `limit`
        is None."""
        if limit == 0:
            return []
        connection = connections[using]
        shape = tuple(sorted((name, _kind(value)) for name, value in values.items()))
        compiled = self._compiled.get(connection, {}).get(shape) or self._compile(connection, shape)
        if compiled.locks and connection.get_autocommit():
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        params = [
            param if type(param) is not tuple else _bound(connection, values, *param)
            for param in compiled.params
        ]
        sql = compiled.sql
        if limit is not None or offset:
            stop = None if limit is None else int(offset) + int(limit)
            sql = f"{sql} {connection.ops.limit_offset_sql(int(offset), stop)}"
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return compiled.reader.read(rows, using)

    def bind(self, **values) -> "BoundList":
        return BoundList(self, values)

    def count(self, limit: int, **values) -> int:
        """How many rows there are, counting no further than `limit` (rarely needed, so not
        compiled ahead)."""
        return self.build(**values)[:limit].count()

    def _compile(self, connection, shape) -> _Compiled:
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
            raise ValueError(f"prepared query: {sorted(set(stand_ins) - found)} not in its SQL")
        features = connection.features
        locks = bool(queryset.query.select_for_update) and features.has_select_for_update
        compiled = _Compiled(sql, params, _Reader.of(queryset, compiler), locks)
        self._compiled.setdefault(connection, {})[shape] = compiled
        return compiled


@dataclass(frozen=True)
class BoundList:
    """A `PreparedList` with its values: slicing reads a page, `count(limit)` counts."""

    prepared: PreparedList
    values: dict

    def __getitem__(self, window: slice) -> list:
        if not isinstance(window, slice) or window.step is not None or window.stop is None:
            raise TypeError("a prepared list reads [start:stop] windows only")
        start = window.start or 0
        return self.prepared.rows(start, max(window.stop - start, 0), **self.values)

    def count(self, limit: int) -> int:
        return self.prepared.count(limit, **self.values)


class PreparedGet:
    """`queryset.filter(<key>=value).first()`, its SQL built once per connection.

    `key` is the one field the query is looked up by (the primary key unless said otherwise);
    the queryset carries everything else (joins, order, constant filters).
    """

    def __init__(self, queryset, *, key: str = "pk"):
        self._list = PreparedList(lambda value: queryset.filter(**{key: value}))

    def get(self, value, *, using: str = "default"):
        """The first instance whose key is `value`, its select_related relations filled; None
        if there is no such row."""
        found = self._list.rows(0, 1, using=using, value=value)
        return found[0] if found else None


class PreparedInsert:
    """`model.objects.create(**values)`, its INSERT built once per connection.

    The SQL is what Django's own compiler writes for the model; each row's values are prepared
    by its fields as Django prepares them (`pre_save(add=True)`, `get_db_prep_save()`); the
    columns the database returns (the id) are set on the instance, left saved as `create()`
    leaves it. A model with its own `save()` or with `pre_save`/`post_save` receivers, or a
    database that cannot return columns from an INSERT, gets `save()` itself. Expressions as
    values are refused.
    """

    def __init__(self, model):
        self.model, self._compiled = model, weakref.WeakKeyDictionary()

    def create(self, *, using: str = "default", **values):
        return self.insert(self.model(**values), using=using)

    def insert(self, instance, *, using: str = "default"):
        """Save a new `instance` (made, not yet saved) as `instance.save()` would insert it."""
        connection, model = connections[using], self.model
        if (
            model.save is not Model.save
            or signals.pre_save.has_listeners(model)
            or signals.post_save.has_listeners(model)
            or not connection.features.can_return_columns_from_insert
        ):
            instance.save(force_insert=True, using=using)
            return instance
        instance._prepare_related_fields_for_save(operation_name="save")
        pk_set = instance._is_pk_set(model._meta)
        compiled = self._compiled.get(connection, {}).get(pk_set)
        sql, fields, returning, compiler, converters = compiled or self._compile(connection, pk_set)
        params = []
        for field in fields:
            value = field.pre_save(instance, add=True)
            if hasattr(value, "resolve_expression"):
                raise TypeError(f"a prepared insert takes no expression ({field.name})")
            params.append(field.get_db_prep_save(value, connection=connection))
        with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall() if returning else []
        if rows and converters:
            rows = list(compiler.apply_converters(rows, converters))
        for field, value in zip(returning, rows[0] if rows else (), strict=False):
            setattr(instance, field.attname, value)
        instance._state.adding, instance._state.db = False, using
        return instance

    def _compile(self, connection, pk_set: bool) -> tuple:
        meta = self.model._meta
        fields = [
            field
            for field in meta.local_concrete_fields
            if not field.generated and (pk_set or field is not meta.auto_field)
        ]
        if meta.parents or any(hasattr(field, "get_placeholder") for field in fields):
            raise ValueError(f"{meta.label}: a prepared insert writes one table of plain columns")
        query = InsertQuery(self.model)
        query.insert_values(fields, [self.model()])
        compiler = query.get_compiler(connection=connection)
        compiler.returning_fields = returning = list(meta.db_returning_fields)
        [(sql, _params)] = compiler.as_sql()
        converters = compiler.get_converters([field.get_col(meta.db_table) for field in returning])
        compiled = (sql, fields, returning, compiler, converters)
        self._compiled.setdefault(connection, {})[pk_set] = compiled
        return compiled


def _kind(value) -> str:
    if type(value) is int:
        return "number"
    if isinstance(value, str):
        return "text"
    raise TypeError(f"prepared queries bind numbers and texts, not {type(value).__name__}")


def _bound(connection, values: dict, name: str, prefix: str, suffix: str, like: bool):
    value = values[name]
    if like:
        return f"{prefix}{connection.ops.prep_for_like_query(value)}{suffix}"
    return value
