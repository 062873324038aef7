"""The only functions that change the Slack app's records: channel policies and channels, people, seen requests."""
