"""Microsoft Teams through a Workflows webhook ("When a Teams webhook request is received")."""
