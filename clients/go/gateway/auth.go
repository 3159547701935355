package gateway

import (
	"context"

	"google.golang.org/grpc"
)

// apiKey sends the key on every call as `authorization: Bearer <key>`.
type apiKey string

func (k apiKey) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(k)}, nil
}

// RequireTransportSecurity is false so that a key also works over a plaintext loopback
// connection; use TLS (credentials.NewTLS) for any other network.
func (apiKey) RequireTransportSecurity() bool { return false }

// WithAPIKey sends key as `authorization: Bearer <key>` metadata on every call of the channel.
// A gateway that requires keys answers a missing or invalid one with UNAUTHENTICATED /
// API_KEY_INVALID, and a model the key may not use with PERMISSION_DENIED.
func WithAPIKey(key string) grpc.DialOption {
	return grpc.WithPerRPCCredentials(apiKey(key))
}
