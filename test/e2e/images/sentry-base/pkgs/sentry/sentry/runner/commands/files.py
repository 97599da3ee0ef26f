from sentry.runner.commands._stub import stub

files = stub("files", "Manage files from filestore.")
