// Package gateway is a small layer over the generated llmgateway stubs (package
// github.com/llmgateway/llmgateway/clients/go/gen/llmgateway/v1):
//
//   - [WithServiceConfig] applies the recommended gRPC service config (per-method deadlines and
//     retries on UNAVAILABLE for the unary methods), embedded from clients/service_config.json.
//   - [ParseError] decodes the google.rpc details of a failed call (ErrorInfo, BadRequest,
//     RetryInfo) and the gateway request id into an [*Error].
//   - [Collect] and [StreamResult] fold StreamChat events into the final answer.
//   - [CollectSpeech] and [SpeechResult] join SynthesizeSpeech events into the audio;
//     [CopySpeech] writes the audio to an io.Writer as it arrives.
//
// Everything else is the generated client, used directly:
//
//	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
//		gateway.WithServiceConfig())
//	client := llmgatewayv1.NewGatewayServiceClient(conn)
package gateway
