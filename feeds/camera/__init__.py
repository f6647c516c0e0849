"""The camera feed type: snapshots, stream checks and RTSP probes of real cameras."""
