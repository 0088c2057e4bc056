"""The contract stores the month length its statement was prorated over (step 3 showed it)."""

import calendar
from datetime import timedelta

from django.db import migrations, models


def backfill(apps, schema_editor):
    # Step 3 divided by the length of the month "today" (the day after the period's end) was in.
    PartnerContract = apps.get_model("partners", "PartnerContract")
    for contract in PartnerContract.objects.only("pk", "settlement_period_end").iterator():
        today = contract.settlement_period_end + timedelta(days=1)
        contract.settlement_days_in_month = calendar.monthrange(today.year, today.month)[1]
        contract.save(update_fields=["settlement_days_in_month"])


class Migration(migrations.Migration):

    dependencies = [
        ('partners', '0002_outboundemail_moves_to_outbox'),
    ]

    operations = [
        migrations.AddField(
            model_name='partnercontract',
            name='settlement_days_in_month',
            field=models.PositiveSmallIntegerField(null=True, verbose_name='請求月の日数'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='partnercontract',
            name='settlement_days_in_month',
            field=models.PositiveSmallIntegerField(verbose_name='請求月の日数'),
        ),
    ]
