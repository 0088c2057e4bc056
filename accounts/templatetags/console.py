from django import template

from ..selectors import company_info_is_complete

register = template.Library()


@register.inclusion_tag("console/_setup_banner.html", takes_context=True)
def setup_banner(context):
    """「初期設定がまだ完了していません。」 while 会社情報 is incomplete."""
    return {"show": not company_info_is_complete(context["request"].user)}
