/**
 * llmgateway TypeScript client for Node.js.
 *
 * - `GatewayClient`: chat, streamChat (typed events), streamChatResult (folded), embed,
 *   generateImage, transcribe, synthesizeSpeech (typed events), synthesizeSpeechResult (the audio),
 *   listModels (every page), over HTTP/2 gRPC with the recommended service config;
 *   getSession, sessionMessages (every page) and deleteSession for virtual models with memory.
 * - `cached(info)`: whether an answer came from the gateway's response cache.
 * - `GatewayError`: gRPC code plus the decoded `ErrorInfo` (reason, metadata), `RetryInfo` and
 *   `BadRequest` details and the request id.
 * - The generated protobuf-es types of `llmgateway.v1` (also importable one file at a time from
 *   `llmgateway-client/gen/llmgateway/v1/chat_pb`, ...; `llmgateway.admin.v1` lives there too).
 */
export { GatewayClient } from "./client.js";
export type {
  CallOptions,
  ChatInput,
  EmbedInput,
  GatewayClientOptions,
  GenerateImageInput,
  ListModelsInput,
  SynthesizeSpeechInput,
  TlsOptions,
  TranscribeInput,
} from "./client.js";
export { Code, ErrorReason, GatewayError } from "./errors.js";
export type { FieldViolation } from "./errors.js";
export { cached, foldStream, foldStreamAsync, resultToMessage, StreamFolder, textOf } from "./fold.js";
export type { ChatResult, FoldedToolCall } from "./fold.js";
export { foldSpeechAsync, SpeechFolder } from "./speech.js";
export type { SpeechResult } from "./speech.js";
export {
  assistantMessage,
  imageData,
  imageUri,
  message,
  systemMessage,
  toMessages,
  toolResultMessage,
  userMessage,
} from "./messages.js";
export type { ContentPartInit, ImageInit, MessageInit, MessageLike } from "./messages.js";
export {
  codeName,
  defaultServiceConfig,
  methodPolicies,
  parseDurationMs,
  policyFor,
  retryInterceptor,
} from "./service-config.js";
export type { MethodConfig, MethodPolicy, RetryPolicy, ServiceConfig } from "./service-config.js";

export * from "./gen/llmgateway/v1/audio_pb.js";
export * from "./gen/llmgateway/v1/cache_pb.js";
export * from "./gen/llmgateway/v1/chat_pb.js";
export * from "./gen/llmgateway/v1/embedding_pb.js";
export * from "./gen/llmgateway/v1/gateway_service_pb.js";
export * from "./gen/llmgateway/v1/image_pb.js";
export * from "./gen/llmgateway/v1/model_pb.js";
export * from "./gen/llmgateway/v1/session_service_pb.js";
export { ErrorReasonSchema, file_llmgateway_v1_error_reason } from "./gen/llmgateway/v1/error_reason_pb.js";
