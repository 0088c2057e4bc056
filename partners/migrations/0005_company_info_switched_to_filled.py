"""会社情報's `switched_to` for the groups that switched before it existed: their contract's
partner (accounts' 0008 adds the column; the contracts are this app's)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    CompanyInfo = apps.get_model("accounts", "CompanyInfo")
    PartnerContract = apps.get_model("partners", "PartnerContract")
    partner = PartnerContract.objects.filter(works_group=OuterRef("works_group")).values("partner")
    CompanyInfo.objects.filter(works_group__partner_contract__isnull=False).update(
        switched_to=Subquery(partner[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_company_info_switched_to"),
        ("partners", "0004_security_round_two"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
