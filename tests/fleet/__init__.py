"""The fleet test: the tracker run as several hosts (Linux network namespaces) on one machine."""
