from sentry.runner.commands._stub import stub

migrations = stub("migrations", "Manage migrations.", since="20.7.0")
