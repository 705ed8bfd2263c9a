"""The generic notifier function: one deployment per destination, chosen by `DESTINATION`."""
