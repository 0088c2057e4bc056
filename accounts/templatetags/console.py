from django import template

register = template.Library()


@register.inclusion_tag("console/_setup_banner.html", takes_context=True)
def setup_banner(context):
    """「初期設定がまだ完了していません。」 while 会社情報 is incomplete."""
    group = context["request"].user.works_group
    admin = group.super_admin
    return {"show": not group.company_info.is_complete(admin.email if admin else None)}


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    """The current URL's query with another page number, keeping filters and search."""
    query = context["request"].GET.copy()
    query["page"] = number
    return f"?{query.urlencode()}"
