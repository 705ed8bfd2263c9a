"""Destinations as plug-ins: the registry (plain data) and one package per destination's delivery."""
