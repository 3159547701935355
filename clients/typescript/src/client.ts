/**
 * `GatewayClient`: the generated `GatewayService` over HTTP/2 gRPC (Connect's `createGrpcTransport`),
 * with the service config's deadlines and retries, the API key and request id as metadata, typed
 * stream folding, and failures as `GatewayError`.
 */
import { create } from "@bufbuild/protobuf";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import type { CallOptions as ConnectCallOptions, Client, Interceptor, Transport } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import type { SecureClientSessionOptions } from "node:http2";

import { GatewayError } from "./errors.js";
import { foldStreamAsync, type ChatResult } from "./fold.js";
import {
  SynthesizeSpeechRequestSchema,
  TranscribeRequestSchema,
  type SynthesizeSpeechResponse,
  type TranscribeResponse,
} from "./gen/llmgateway/v1/audio_pb.js";
import {
  ChatRequestSchema,
  StreamChatRequestSchema,
  type ChatResponse,
  type StreamChatResponse,
} from "./gen/llmgateway/v1/chat_pb.js";
import { EmbedRequestSchema, type EmbedResponse } from "./gen/llmgateway/v1/embedding_pb.js";
import { GatewayService } from "./gen/llmgateway/v1/gateway_service_pb.js";
import { GenerateImageRequestSchema, type GenerateImageResponse } from "./gen/llmgateway/v1/image_pb.js";
import { ListModelsRequestSchema, type Model } from "./gen/llmgateway/v1/model_pb.js";
import type { Message } from "./gen/llmgateway/v1/chat_pb.js";
import {
  DeleteSessionRequestSchema,
  GetSessionRequestSchema,
  ListSessionMessagesRequestSchema,
  SessionService,
  type Session,
} from "./gen/llmgateway/v1/session_service_pb.js";
import { toMessages, type MessageLike } from "./messages.js";
import { foldSpeechAsync, type SpeechResult } from "./speech.js";
import {
  defaultServiceConfig,
  methodPolicies,
  policyFor,
  retryInterceptor,
  type MethodPolicy,
  type ServiceConfig,
} from "./service-config.js";

/** TLS settings (PEM contents); `true` means TLS with the system's roots. */
export interface TlsOptions {
  /** Root certificates to trust instead of the system's. */
  ca?: string | Buffer;
  /** Client certificate chain and key, for mutual TLS. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Server name to verify when it differs from the address's host. */
  servername?: string;
}

export interface GatewayClientOptions {
  /** Sent as `authorization: Bearer <apiKey>` on every call (also through `transport`). */
  apiKey?: string;
  /** Metadata sent on every call; a call's own headers win. */
  metadata?: HeadersInit;
  /** Default `x-request-id` for every call (else the gateway makes one per call). */
  requestId?: string;
  /** Default deadline of every call in ms; replaces the service config's per-method timeouts. */
  timeoutMs?: number;
  /** The gRPC service config to apply: the bundled one by default, `false` for none. */
  serviceConfig?: ServiceConfig | false;
  /** Serve over TLS (`https://`); an `https://` address implies it. */
  tls?: boolean | TlsOptions;
  /** More Connect interceptors, run before the retry interceptor. */
  interceptors?: Interceptor[];
}

export interface CallOptions {
  /** Deadline of this call in ms (0 or less: none). */
  timeoutMs?: number;
  /** Cancels the call. */
  signal?: AbortSignal;
  /** `x-request-id` for this call. */
  requestId?: string;
  /** Extra metadata for this call. */
  headers?: HeadersInit;
  /** Response headers (e.g. `x-request-id`) as soon as they arrive. */
  onHeader?: (headers: Headers) => void;
  onTrailer?: (trailers: Headers) => void;
}

type ChatFields = Omit<MessageInitShape<typeof ChatRequestSchema>, "messages" | "$typeName">;

/** A chat request: the generated fields, with `messages` as a string or strings and messages. */
export interface ChatInput extends ChatFields {
  messages: string | readonly MessageLike[];
}

export type EmbedInput = Omit<MessageInitShape<typeof EmbedRequestSchema>, "inputs" | "$typeName"> & {
  inputs: string | readonly string[];
};
export type GenerateImageInput = Omit<MessageInitShape<typeof GenerateImageRequestSchema>, "$typeName">;
export type TranscribeInput = Omit<MessageInitShape<typeof TranscribeRequestSchema>, "$typeName">;
export type SynthesizeSpeechInput = Omit<MessageInitShape<typeof SynthesizeSpeechRequestSchema>, "$typeName">;
export type ListModelsInput = Omit<MessageInitShape<typeof ListModelsRequestSchema>, "pageToken" | "$typeName">;

const SERVICE = GatewayService.typeName;

/** Adds the client-wide metadata to every request that does not set it itself. */
function metadataInterceptor(defaults: Headers): Interceptor {
  return (next) => (req) => {
    defaults.forEach((value, key) => {
      if (!req.header.has(key)) req.header.set(key, value);
    });
    return next(req);
  };
}

function baseUrlOf(address: string, tls: boolean): string {
  if (/^https?:\/\//.test(address)) return address;
  return `${tls ? "https" : "http"}://${address}`;
}

export class GatewayClient {
  /**
   * The HTTP/2 gRPC transport, with the client's metadata and the service config's retries: use it
   * for other services, e.g. `createClient(AdminService, client.transport)`.
   */
  readonly transport: Transport;
  /** The plain generated Connect client on the same transport (no GatewayError wrapping, no default deadlines). */
  readonly service: Client<typeof GatewayService>;
  /** The generated SessionService client on the same transport (sessions of virtual models with memory). */
  readonly sessionService: Client<typeof SessionService>;
  private readonly sessions: Http2SessionManager;
  private readonly policies: Map<string, MethodPolicy>;
  private readonly timeoutMs: number | undefined;
  private readonly requestId: string | undefined;

  /** `address` is `host:port` (plaintext unless `tls`) or an `http://` / `https://` URL. */
  constructor(address: string, options: GatewayClientOptions = {}) {
    const tls = address.startsWith("https://") || Boolean(options.tls);
    const baseUrl = baseUrlOf(address, tls);
    const tlsOptions: TlsOptions = typeof options.tls === "object" ? options.tls : {};
    const nodeOptions: SecureClientSessionOptions = {};
    if (tlsOptions.ca !== undefined) nodeOptions.ca = tlsOptions.ca;
    if (tlsOptions.cert !== undefined) nodeOptions.cert = tlsOptions.cert;
    if (tlsOptions.key !== undefined) nodeOptions.key = tlsOptions.key;
    if (tlsOptions.servername !== undefined) nodeOptions.servername = tlsOptions.servername;
    this.sessions = new Http2SessionManager(baseUrl, { idleConnectionTimeoutMs: 60_000 }, nodeOptions);

    const defaults = new Headers(options.metadata);
    if (options.apiKey) defaults.set("authorization", `Bearer ${options.apiKey}`);
    if (options.requestId) defaults.set("x-request-id", options.requestId);
    this.policies = options.serviceConfig === false ? new Map() : methodPolicies(options.serviceConfig ?? defaultServiceConfig());
    this.timeoutMs = options.timeoutMs;
    this.requestId = options.requestId;
    this.transport = createGrpcTransport({
      baseUrl,
      sessionManager: this.sessions,
      interceptors: [metadataInterceptor(defaults), ...(options.interceptors ?? []), retryInterceptor(this.policies)],
    });
    this.service = createClient(GatewayService, this.transport);
    this.sessionService = createClient(SessionService, this.transport);
  }

  /** Closes the HTTP/2 connection (and any call still open on it). */
  close(): void {
    this.sessions.abort();
  }

  private callOptions(method: string, options: CallOptions, onHeader?: (h: Headers) => void): ConnectCallOptions {
    const headers = new Headers(options.headers);
    if (options.requestId) headers.set("x-request-id", options.requestId);
    const timeoutMs = options.timeoutMs ?? this.timeoutMs ?? policyFor(this.policies, SERVICE, method).timeoutMs;
    const result: ConnectCallOptions = { headers, timeoutMs: timeoutMs ?? 0 };
    if (options.signal) result.signal = options.signal;
    if (options.onTrailer) result.onTrailer = options.onTrailer;
    if (options.onHeader || onHeader) {
      result.onHeader = (h) => {
        onHeader?.(h);
        options.onHeader?.(h);
      };
    }
    return result;
  }

  private sentRequestId(options: CallOptions): string | undefined {
    return options.requestId ?? new Headers(options.headers).get("x-request-id") ?? this.requestId;
  }

  private async unary<T>(method: string, options: CallOptions, call: (o: ConnectCallOptions) => Promise<T>): Promise<T> {
    try {
      return await call(this.callOptions(method, options));
    } catch (err) {
      throw GatewayError.from(err, this.sentRequestId(options));
    }
  }

  /** One complete answer. */
  chat(input: ChatInput, options: CallOptions = {}): Promise<ChatResponse> {
    const request = create(ChatRequestSchema, { ...input, messages: toMessages(input.messages) });
    return this.unary("Chat", options, (o) => this.service.chat(request, o));
  }

  /**
   * The typed events of a stream: one `start`, deltas, one `end`. A failure (before or after
   * `start`) rejects the iteration with a GatewayError; breaking out of the loop cancels the call.
   */
  async *streamChat(input: ChatInput, options: CallOptions = {}): AsyncGenerator<StreamChatResponse, void, undefined> {
    const request = create(StreamChatRequestSchema, { ...input, messages: toMessages(input.messages) });
    yield* this.stream("StreamChat", options, (o) => this.service.streamChat(request, o));
  }

  /** A server stream's events; a failure rejects the iteration with a GatewayError. */
  private async *stream<T>(
    method: string,
    options: CallOptions,
    open: (o: ConnectCallOptions) => AsyncIterable<T>,
  ): AsyncGenerator<T, void, undefined> {
    let fromHeader: string | undefined;
    // Connect's stream iterator has no `return()`: leaving the loop early would neither cancel the
    // HTTP/2 stream nor clear the deadline timer. This controller does both (see `finally`).
    const controller = new AbortController();
    const callOptions = this.callOptions(
      method,
      { ...options, signal: options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal },
      (h) => {
        fromHeader = h.get("x-request-id") ?? undefined;
      },
    );
    const events = open(callOptions)[Symbol.asyncIterator]();
    let finished = false;
    try {
      for (;;) {
        const next = await events.next();
        if (next.done) {
          finished = true;
          return;
        }
        yield next.value;
      }
    } catch (err) {
      finished = true;
      throw GatewayError.from(err, fromHeader ?? this.sentRequestId(options));
    } finally {
      if (!finished) {
        // The caller stopped early: cancel the call, then let Connect see the cancellation so that
        // it releases the call's resources (its deadline timer would keep the process alive).
        controller.abort();
        await events.next().catch(() => undefined);
      }
    }
  }

  /** Streams and folds: text, reasoning, tool calls with parsed arguments, usage, `complete`. */
  streamChatResult(input: ChatInput, options: CallOptions = {}): Promise<ChatResult> {
    return foldStreamAsync(this.streamChat(input, options));
  }

  /** One vector per input text. */
  embed(input: EmbedInput, options: CallOptions = {}): Promise<EmbedResponse> {
    const inputs = typeof input.inputs === "string" ? [input.inputs] : [...input.inputs];
    const request = create(EmbedRequestSchema, { ...input, inputs });
    return this.unary("Embed", options, (o) => this.service.embed(request, o));
  }

  generateImage(input: GenerateImageInput, options: CallOptions = {}): Promise<GenerateImageResponse> {
    const request = create(GenerateImageRequestSchema, input);
    return this.unary("GenerateImage", options, (o) => this.service.generateImage(request, o));
  }

  /** The text of a recording (`audio` bytes; `mimeType` may be left out for WAV, MP3, FLAC, Ogg, WebM, MP4). */
  transcribe(input: TranscribeInput, options: CallOptions = {}): Promise<TranscribeResponse> {
    const request = create(TranscribeRequestSchema, input);
    return this.unary("Transcribe", options, (o) => this.service.transcribe(request, o));
  }

  /**
   * Spoken audio of `input` as typed events: one `start` (format, MIME type), `audio` chunks, one
   * `end`. Breaking out of the loop cancels the call.
   */
  async *synthesizeSpeech(
    input: SynthesizeSpeechInput,
    options: CallOptions = {},
  ): AsyncGenerator<SynthesizeSpeechResponse, void, undefined> {
    const request = create(SynthesizeSpeechRequestSchema, input);
    yield* this.stream("SynthesizeSpeech", options, (o) => this.service.synthesizeSpeech(request, o));
  }

  /** `synthesizeSpeech` joined: the whole audio (`audio`, a Uint8Array) and its format. */
  synthesizeSpeechResult(input: SynthesizeSpeechInput, options: CallOptions = {}): Promise<SpeechResult> {
    return foldSpeechAsync(this.synthesizeSpeech(input, options));
  }

  /** Every model, following `next_page_token` (one ListModels call per page). */
  async *listModels(input: ListModelsInput = {}, options: CallOptions = {}): AsyncGenerator<Model, void, undefined> {
    let pageToken = "";
    do {
      const request = create(ListModelsRequestSchema, { ...input, pageToken });
      const page = await this.unary("ListModels", options, (o) => this.service.listModels(request, o));
      yield* page.models;
      pageToken = page.nextPageToken;
    } while (pageToken);
  }

  /** A session of a virtual model with memory: its model, times and message count. */
  async getSession(sessionId: string, options: CallOptions = {}): Promise<Session | undefined> {
    const request = create(GetSessionRequestSchema, { sessionId });
    const response = await this.unary("GetSession", options, (o) => this.sessionService.getSession(request, o));
    return response.session;
  }

  /** A session's stored history, oldest first, following `next_page_token` (one call per page). */
  async *sessionMessages(sessionId: string, pageSize = 0, options: CallOptions = {}): AsyncGenerator<Message, void, undefined> {
    let pageToken = "";
    do {
      const request = create(ListSessionMessagesRequestSchema, { sessionId, pageSize, pageToken });
      const page = await this.unary("ListSessionMessages", options, (o) => this.sessionService.listSessionMessages(request, o));
      yield* page.messages;
      pageToken = page.nextPageToken;
    } while (pageToken);
  }

  /** Deletes a session and its history. */
  async deleteSession(sessionId: string, options: CallOptions = {}): Promise<void> {
    const request = create(DeleteSessionRequestSchema, { sessionId });
    await this.unary("DeleteSession", options, (o) => this.sessionService.deleteSession(request, o));
  }
}
