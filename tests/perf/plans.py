"""PostgreSQL's plans of the statements the app sends, as the server plans them."""

import re

from django.db import connection


def generic_plan(read) -> str:
    """EXPLAIN of the one statement `read()` sends, prepared and executed as a generic plan."""
    sent = []

    def keep(execute, sql, params, many, context):
        sent.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        read()
    # A planner setting the read makes for its transaction (SET LOCAL) holds for the EXPLAIN.
    [(sql, params)] = [(sql, params) for sql, params in sent if not sql.startswith("SET LOCAL ")]
    number = iter(range(1, len(params) + 1))
    numbered = re.sub(r"(?<!%)%s", lambda _: f"${next(number)}", sql)
    with connection.cursor() as cursor:
        cursor.execute(f"PREPARE generic_plan_probe AS {numbered}")
        arguments = f"({', '.join(['%s'] * len(params))})" if params else ""
        cursor.execute(
            connection.ops.compose_sql(f"EXPLAIN EXECUTE generic_plan_probe{arguments}", params)
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("DEALLOCATE generic_plan_probe")
    return plan


def assert_walks(plan: str, index: str) -> None:
    assert "$1" in plan, "a custom plan (the values written in), not the generic one:\n" + plan
    assert re.search(rf"Index (Only )?Scan (Backward )?using {index}\b", plan), plan
    # No sort of all the tenant's rows (an incremental one, within a timestamp, is fine).
    assert not re.search(r"^\s*(->\s*)?Sort  \(", plan, re.MULTILINE), plan


def analyze(*models) -> None:
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {model._meta.db_table}")
