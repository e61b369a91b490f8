"""The ``ember train --task`` recipes beyond image classification, one module per task (see ``ember.cli.TASKS``)."""
