"""Integration tests: real databases, loopback HTTP and MQTT servers."""
