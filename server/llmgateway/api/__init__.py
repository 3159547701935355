"""gRPC edge: protobuf <-> domain conversion, status mapping, servicers. No business logic."""
