from django import template
from django.template import engines
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def jinja_include(context, template_name: str, **variables) -> str:
    """A Jinja2 template of ours inside Django's admin, whose templates stay DTL:
    `{% jinja_include "includes/language_menu.html" place="ops" %}`."""
    jinja_template = engines["jinja2"].get_template(template_name)
    return mark_safe(jinja_template.render(variables, request=context.get("request")))  # noqa: S308
