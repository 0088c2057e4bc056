from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def current_menu_item(context, *urls: str) -> str:
    """Of a menu's item `urls`, the one this page belongs to: the longest that its path starts
    with (/console/partner/contract/company/ belongs to /console/partner/contract/)."""
    path = context["request"].path
    return max((url for url in urls if path.startswith(url)), key=len, default="")
