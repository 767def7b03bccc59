from django.db import migrations


def load(apps, schema_editor):
    from development.reference import load as load_kinds

    load_kinds(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("development", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
