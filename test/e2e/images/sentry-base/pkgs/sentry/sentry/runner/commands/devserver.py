from sentry.runner.commands._stub import stub

devserver = stub("devserver", "Starts a lightweight web server for development.")
