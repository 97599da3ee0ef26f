from sentry.runner.commands._stub import stub

tsdb = stub("tsdb", "Tools for interacting with the time series database.")
