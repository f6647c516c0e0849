"""The mqtt feed type: sensors publishing readings to a broker."""
