"""The outbox moves here from `partners`: the table is adopted as it is, then renamed."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0001_initial'),
        ('partners', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='OutboundEmail',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('template', models.CharField(max_length=64)),
                        ('to', models.JSONField(verbose_name='宛先')),
                        ('subject', models.CharField(max_length=255, verbose_name='件名')),
                        ('body_text', models.TextField()),
                        ('body_html', models.TextField()),
                        ('language', models.CharField(max_length=8)),
                        ('status', models.CharField(choices=[('QUEUED', '送信待ち'), ('SENT', '送信済み'), ('FAILED', '送信失敗')], db_index=True, default='QUEUED', max_length=8, verbose_name='状態')),
                        ('attempts', models.PositiveIntegerField(default=0, verbose_name='試行回数')),
                        ('last_error', models.TextField(blank=True, verbose_name='最後のエラー')),
                        ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='作成日時')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='送信日時')),
                        ('partner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.partner')),
                        ('works_group', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.worksgroup')),
                    ],
                    options={
                        'verbose_name': '送信メール',
                        'verbose_name_plural': '送信メール',
                        'ordering': ['-created_at', '-id'],
                        'db_table': 'partners_outboundemail',
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name='outboundemail', table=None),
    ]
