from sentry.runner.commands._stub import stub

permissions = stub("permissions", "Manage Permissions for Users.")
