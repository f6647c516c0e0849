"""Camera media the app serves itself: JPEG frames, MJPEG framing and the stream proxy."""
