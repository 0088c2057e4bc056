from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    """The current URL's query with another page number, keeping filters and search."""
    query = context["request"].GET.copy()
    query["page"] = number
    return f"?{query.urlencode()}"


@register.filter(expects_localtime=True)
def strftime(value, format_string: str) -> str:
    """`|date` for long lists: `{{ event.created_at|strftime:"%Y-%m-%d %H:%M:%S" }}`.

    The value arrives in the active time zone, as with `|date`; Python's strftime is about
    ten times faster than Django's date formatting, which was a third of 監査's rendering.
    Numeric fields only: names of months or days would not be translated.
    """
    return value.strftime(format_string) if value else ""
