"""The templates' Jinja2 environment: core's, with what needs an app's models."""

from jinja2 import Environment

from accounts import jinja2 as accounts_jinja2
from core.jinja2 import environment as core_environment


def environment(**options) -> Environment:
    env = core_environment(**options)
    env.globals.update(accounts_jinja2.GLOBALS)
    env.filters.update(accounts_jinja2.FILTERS)
    return env
