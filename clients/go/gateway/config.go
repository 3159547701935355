package gateway

import (
	_ "embed"

	"google.golang.org/grpc"
)

// ServiceConfig is the recommended gRPC service config shared by every client language (a copy
// of clients/service_config.json, kept identical by clients/go/generate.sh and a test): per-method
// deadlines (Chat 120 s, StreamChat 600 s, Embed 30 s, GenerateImage 120 s, Transcribe 120 s,
// SynthesizeSpeech 300 s, ListModels 10 s) and up to 3 attempts on UNAVAILABLE for the unary
// methods.
//
//go:embed service_config.json
var ServiceConfig string

// WithServiceConfig makes [ServiceConfig] the channel's default service config. A deadline on the
// call's context still wins when it is shorter.
func WithServiceConfig() grpc.DialOption {
	return grpc.WithDefaultServiceConfig(ServiceConfig)
}
