"""WebRTC: the media mesh, shared encoders, media routes, a bad network, aiortc's internals."""
