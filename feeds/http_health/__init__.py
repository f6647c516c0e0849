"""The http_health feed type: probes of the provincial web portals."""
