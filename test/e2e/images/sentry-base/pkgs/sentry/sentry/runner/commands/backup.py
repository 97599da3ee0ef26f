from sentry.runner.commands._stub import stub

COMMANDS = [stub("export", "Exports core metadata for the Sentry installation."),
            stub("import", "Imports data from a Sentry export.")]
