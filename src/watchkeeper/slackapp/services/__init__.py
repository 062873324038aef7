"""The only functions that change the Slack app's records: incident channels, linked people, seen requests."""
