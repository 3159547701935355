// The TypeScript client: against a live gateway (LLMGATEWAY_ADDR="127.0.0.1:PORT"; those tests skip
// when it is unset), against an in-process Connect gRPC server for what the gateway does not show
// (metadata received, retries, rich details on the wire), and offline (fold, errors, service config).
//   npm run build && LLMGATEWAY_ADDR=127.0.0.1:50051 node --test dist/test/
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";

import { create } from "@bufbuild/protobuf";
import { DurationSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";

import { BadRequestSchema, ErrorInfoSchema, RetryInfoSchema } from "../src/gen/google/rpc/error_details_pb.js";
import {
  AudioFormat,
  CacheMode,
  CacheStatus,
  Capability,
  ChatResponseSchema,
  ErrorReason,
  FinishReason,
  GatewayClient,
  GatewayError,
  GatewayService,
  Role,
  StreamChatResponseSchema,
  cached,
  codeName,
  defaultServiceConfig,
  foldSpeechAsync,
  foldStream,
  imageUri,
  methodPolicies,
  policyFor,
  resultToMessage,
  textOf,
  toolResultMessage,
  userMessage,
  type StreamChatResponse,
} from "../src/index.js";

const ADDRESS = process.env.LLMGATEWAY_ADDR;
const API_KEY = process.env.LLMGATEWAY_API_KEY; // the live gateway requires it
const live = { skip: ADDRESS ? false : "LLMGATEWAY_ADDR is not set (the address of a running gateway)" };
const WEATHER_TOOL = {
  name: "get_weather",
  description: "Current weather",
  parameters: { type: "object", properties: { input: { type: "string" } } },
};

function kinds(events: StreamChatResponse[]): (string | undefined)[] {
  return events.map((e) => e.event.case);
}

async function rejection(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof GatewayError, `expected a GatewayError, got ${String(err)}`);
    return err;
  }
  assert.fail("the call did not fail");
}

async function collect(stream: AsyncIterable<StreamChatResponse>, into: StreamChatResponse[] = []): Promise<StreamChatResponse[]> {
  for await (const event of stream) into.push(event);
  return into;
}

async function* replay<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

// --- against the live gateway ------------------------------------------------------------------

describe("live gateway", live, () => {
  let client: GatewayClient;
  before(() => {
    client = new GatewayClient(ADDRESS ?? "", { apiKey: API_KEY, timeoutMs: 10_000 });
  });
  after(() => client.close());

  test("the gateway requires the API key", async () => {
    const anonymous = new GatewayClient(ADDRESS ?? "", { timeoutMs: 10_000 });
    try {
      const error = await rejection(anonymous.chat({ model: "mock/echo", messages: "hi" }));
      assert.equal(error.code, Code.Unauthenticated);
      assert.equal(error.errorReason, ErrorReason.API_KEY_INVALID);
    } finally {
      anonymous.close();
    }
  });

  test("chat with a plain string", async () => {
    const response = await client.chat({ model: "mock/echo", messages: "hello there" });
    assert.equal(textOf(response.message), "Echo: hello there");
    assert.equal(response.model, "mock/echo");
    assert.equal(response.provider, "mock");
    assert.ok(response.requestId);
    assert.ok((response.usage?.totalTokens ?? 0n) > 0n);
  });

  test("generation parameters and images reach the server", async () => {
    const short = await client.chat({ model: "mock/echo", messages: "one two", generation: { maxTokens: 2 } });
    assert.equal(textOf(short.message), "Echo: one ");
    assert.equal(short.finishReason, FinishReason.LENGTH);
    const vision = await client.chat({
      model: "mock/echo",
      messages: [userMessage("What is this?", imageUri("https://example.com/cat.jpg"))],
    });
    assert.equal(textOf(vision.message), "Echo: What is this? [image https://example.com/cat.jpg]");
  });

  test("streams a chat: one start, text deltas, one end", async () => {
    const events = await collect(client.streamChat({ model: "mock/echo", messages: "one two three" }));
    const seen = kinds(events);
    assert.equal(seen[0], "start");
    assert.equal(seen.at(-1), "end");
    assert.ok(seen.filter((k) => k === "textDelta").length >= 3);
    const result = foldStream(events);
    assert.equal(result.text, "Echo: one two three");
    assert.ok(result.complete);
    assert.equal(result.finishReasonName, "STOP");
    assert.equal(result.model, "mock/echo");
    assert.equal(result.provider, "mock");
    assert.ok(result.requestId);
    assert.equal(Number(result.usage.completionTokens), seen.filter((k) => k === "textDelta").length);
  });

  test("stream fold: reasoning, a tool call, usage, and the follow-up turn", async () => {
    const result = await client.streamChatResult({
      model: "mock/echo",
      messages: [userMessage("weather in Paris")],
      tools: [WEATHER_TOOL],
      generation: { reasoningEffort: 2 },
    });
    assert.equal(result.reasoning, "The user said 3 words; I will echo them.");
    assert.equal(result.text, "");
    assert.equal(result.toolCalls.length, 1);
    const [call] = result.toolCalls;
    assert.equal(call?.id, "call_mock_1");
    assert.equal(call?.name, "get_weather");
    assert.equal(call?.arguments, '{"input":"weather in Paris"}');
    assert.deepEqual(call?.parsedArguments, { input: "weather in Paris" });
    assert.equal(result.finishReason, FinishReason.TOOL_CALLS);
    assert.ok(result.usage.reasoningTokens > 0n);
    assert.equal(result.usage.totalTokens, result.usage.promptTokens + result.usage.completionTokens);
    const followUp = await client.chat({
      model: "mock/echo",
      messages: ["weather in Paris", resultToMessage(result), toolResultMessage(call?.id ?? "", "sunny")],
      tools: [WEATHER_TOOL],
    });
    assert.equal(textOf(followUp.message), "Tool call call_mock_1 returned: sunny");
  });

  test("a repeated deterministic chat comes from the cache, also as a stream", async () => {
    const ask = { model: "mock/echo", messages: "cache me (typescript)", generation: { temperature: 0 } };
    const first = await client.chat(ask);
    assert.equal(first.cache?.status, CacheStatus.MISS);
    assert.ok(!cached(first.cache));
    const replayed = await client.streamChatResult(ask); // Chat and StreamChat share entries
    assert.ok(cached(replayed.cache) && replayed.cache?.age !== undefined);
    assert.equal(replayed.text, textOf(first.message));
    assert.equal(replayed.usage.totalTokens, first.usage?.totalTokens);
    const bypassed = await client.chat({ ...ask, cache: { mode: CacheMode.BYPASS } });
    assert.equal(bypassed.cache?.status, CacheStatus.BYPASS);
    await assert.rejects(
      client.chat({ ...ask, messages: "never asked (typescript)", cache: { mode: CacheMode.ONLY } }),
      (err: unknown) =>
        err instanceof GatewayError && err.code === Code.NotFound && err.errorReason === ErrorReason.CACHE_MISS,
    );
  });

  test("a session remembers and can be read and deleted", async () => {
    const first = await client.chat({ model: "support/bot", messages: "My name is Ada (typescript)" });
    assert.ok(first.sessionId && first.model === "support/bot");
    const again = await client.streamChatResult({ model: "support/bot", messages: "And yours?", sessionId: first.sessionId });
    assert.equal(again.sessionId, first.sessionId);
    assert.ok(again.complete);
    const session = await client.getSession(first.sessionId);
    assert.equal(session?.messageCount, 4);
    const history = [];
    for await (const message of client.sessionMessages(first.sessionId, 3)) history.push(textOf(message));
    assert.deepEqual([history[0], history[2]], ["My name is Ada (typescript)", "And yours?"]);
    await client.deleteSession(first.sessionId);
    await assert.rejects(
      client.getSession(first.sessionId),
      (err: unknown) =>
        err instanceof GatewayError && err.code === Code.NotFound && err.errorReason === ErrorReason.SESSION_NOT_FOUND,
    );
  });

  test("an unknown model is NOT_FOUND with ErrorInfo details", async () => {
    const error = await rejection(
      client.chat({ model: "nobody/nothing", messages: "hi" }, { requestId: "ts-unknown-model" }),
    );
    assert.equal(error.code, Code.NotFound);
    assert.equal(error.codeName, "NOT_FOUND");
    assert.equal(error.reason, "MODEL_NOT_FOUND");
    assert.equal(error.errorReason, ErrorReason.MODEL_NOT_FOUND);
    assert.equal(error.domain, "llmgateway");
    assert.equal(error.metadata.model, "nobody/nothing");
    assert.equal(error.requestId, "ts-unknown-model");
    assert.match(error.rawMessage, /nobody\/nothing/);
    assert.ok(error.cause instanceof ConnectError);
  });

  test("a stream for an unknown model fails from the iteration with NOT_FOUND", async () => {
    const received: StreamChatResponse[] = [];
    const error = await rejection(collect(client.streamChat({ model: "nobody/nothing", messages: "hi" }), received));
    assert.equal(error.code, Code.NotFound);
    assert.equal(error.errorReason, ErrorReason.MODEL_NOT_FOUND);
    assert.equal(error.metadata.model, "nobody/nothing");
    assert.ok(error.requestId);
    assert.deepEqual(received, []);
  });

  test("an invalid request carries field violations", async () => {
    const error = await rejection(
      client.chat({
        model: "mock/echo",
        messages: ["hi", { role: Role.TOOL, content: [{ part: { case: "text", value: "result" } }] }],
      }),
    );
    assert.equal(error.codeName, "INVALID_ARGUMENT");
    assert.equal(error.reason, "INVALID_REQUEST");
    assert.ok(error.fieldViolations.some((v) => v.field === "messages[1].tool_call_id" && v.description));
    assert.equal(error.retryDelayMs, undefined);
    assert.ok(error.requestId);
  });

  test("embed, and a model without the capability", async () => {
    const response = await client.embed({ model: "mock/embed", inputs: ["first", "second"] });
    assert.deepEqual(
      response.embeddings.map((e) => e.index),
      [0, 1],
    );
    assert.ok(response.embeddings.every((e) => e.values.length === 8));
    assert.equal((await client.embed({ model: "mock/embed", inputs: "one text" })).embeddings.length, 1);
    const error = await rejection(client.embed({ model: "mock/echo", inputs: "a" }));
    assert.equal(error.errorReason, ErrorReason.CAPABILITY_NOT_SUPPORTED);
  });

  test("generate an image", async () => {
    const response = await client.generateImage({ model: "mock/image", prompt: "a red square", count: 2 });
    assert.equal(response.images.length, 2);
    for (const image of response.images) {
      assert.equal(image.image.case, "data");
      assert.deepEqual([...(image.image.value as Uint8Array).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
      assert.equal(image.mimeType, "image/png");
    }
  });

  test("speech, and its transcription", async () => {
    const text = "Hello from TypeScript.";
    const events = [];
    for await (const event of client.synthesizeSpeech({ model: "mock/speech", input: text, format: AudioFormat.WAV })) {
      events.push(event);
    }
    assert.equal(events[0]?.event.case, "start");
    assert.equal(events.at(-1)?.event.case, "end");
    assert.ok(events.slice(1, -1).every((e) => e.event.case === "audio"));
    const spoken = await client.synthesizeSpeechResult({ model: "mock/speech", input: text });
    assert.ok(spoken.complete);
    assert.equal(spoken.mimeType, "audio/wav");
    assert.equal(spoken.format, AudioFormat.WAV);
    assert.equal(spoken.inputCharacters, text.length);
    assert.equal(Buffer.from(spoken.audio.subarray(0, 4)).toString(), "RIFF");
    assert.deepEqual(spoken.audio, (await foldSpeechAsync(replay(events))).audio);
    const heard = await client.transcribe({ model: "mock/transcribe", audio: spoken.audio, language: "en" });
    assert.equal(heard.text, text);
    assert.equal(heard.language, "en");
    assert.deepEqual(
      heard.segments.map((s) => s.text),
      [text],
    );
    const error = await rejection(client.transcribe({ model: "mock/transcribe", audio: new Uint8Array([1, 2, 3]) }));
    assert.equal(error.reason, "INVALID_REQUEST");
    assert.deepEqual(
      error.fieldViolations.map((v) => v.field),
      ["mime_type"],
    );
  });

  test("listModels follows every page", async () => {
    const ids = async (input: Parameters<GatewayClient["listModels"]>[0]): Promise<string[]> => {
      const out: string[] = [];
      for await (const model of client.listModels(input)) out.push(model.id);
      return out;
    };
    const everything = await ids({ pageSize: 1000 });
    for (const id of ["mock/echo", "mock/embed", "mock/image", "mock/slow"]) assert.ok(everything.includes(id), id);
    assert.deepEqual(await ids({ pageSize: 1 }), everything);
    assert.deepEqual(await ids({ capability: Capability.EMBED }), ["mock/embed"]);
  });

  test("a tiny deadline ends a slow stream with DEADLINE_EXCEEDED", async () => {
    const received: StreamChatResponse[] = [];
    const started = Date.now();
    const error = await rejection(
      collect(client.streamChat({ model: "mock/slow", messages: "a b c d e f g h" }, { timeoutMs: 500 }), received),
    );
    assert.equal(error.code, Code.DeadlineExceeded);
    assert.ok(["", "PROVIDER_TIMEOUT"].includes(error.reason)); // the local deadline may win
    assert.ok(Date.now() - started < 1500);
    assert.equal(kinds(received)[0], "start");
    assert.ok(!kinds(received).includes("end"));
    assert.ok(!foldStream(received).complete);
    assert.ok(error.requestId); // from the x-request-id header the stream had already sent
  });

  test("the client's default timeout and a per-call override", async () => {
    const short = new GatewayClient(ADDRESS ?? "", { apiKey: API_KEY, timeoutMs: 300 });
    try {
      const error = await rejection(short.streamChatResult({ model: "mock/slow", messages: "a b c d e" }));
      assert.equal(error.code, Code.DeadlineExceeded);
      const result = await short.streamChatResult({ model: "mock/slow", messages: "a b c" }, { timeoutMs: 10_000 });
      assert.equal(result.text, "Echo: a b c");
      assert.ok(result.complete);
    } finally {
      short.close();
    }
  });

  test("the service config's per-method timeout applies", async () => {
    const config = defaultServiceConfig();
    for (const entry of config.methodConfig ?? []) {
      if (entry.name[0]?.method === "StreamChat") entry.timeout = "0.3s";
    }
    const tight = new GatewayClient(ADDRESS ?? "", { apiKey: API_KEY, serviceConfig: config });
    try {
      const error = await rejection(tight.streamChatResult({ model: "mock/slow", messages: "a b c d e" }));
      assert.equal(error.code, Code.DeadlineExceeded);
      assert.equal(textOf((await tight.chat({ model: "mock/echo", messages: "hi" })).message), "Echo: hi");
    } finally {
      tight.close();
    }
  });

  test("breaking out of a stream cancels it", async () => {
    const started = Date.now();
    for await (const event of client.streamChat(
      { model: "mock/slow", messages: "a b c d e f g h i j" },
      { requestId: "ts-stream-break" },
    )) {
      assert.equal(event.event.case, "start");
      break;
    }
    assert.ok(Date.now() - started < 1000);
    // The connection is still usable afterwards.
    assert.equal(textOf((await client.chat({ model: "mock/echo", messages: "again" })).message), "Echo: again");
  });
});

// --- an in-process gRPC server: metadata, retries, rich details on the wire ---------------------

describe("fake gRPC server", () => {
  const calls: { method: string; headers: Headers }[] = [];
  let failFirst = 0;
  let richError: ConnectError | undefined;
  let server: http2.Http2Server;
  let address = "";

  const impl: Partial<ServiceImpl<typeof GatewayService>> = {
    chat(request, context) {
      calls.push({ method: "Chat", headers: context.requestHeader });
      if (richError) throw richError;
      if (calls.length <= failFirst) throw new ConnectError(`attempt ${calls.length} fails`, Code.Unavailable);
      return create(ChatResponseSchema, { model: request.model, requestId: `attempt-${calls.length}` });
    },
    async *streamChat(_request, context) {
      calls.push({ method: "StreamChat", headers: context.requestHeader });
      yield create(StreamChatResponseSchema, { event: { case: "start", value: { model: "m" } } });
      throw new ConnectError("streams are not retried", Code.Unavailable);
    },
  };

  before(async () => {
    server = http2.createServer(connectNodeAdapter({ routes: (router) => router.service(GatewayService, impl) }));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  function reset(): void {
    calls.length = 0;
    failFirst = 0;
    richError = undefined;
  }

  test("the API key, request id and metadata are sent", async () => {
    reset();
    const client = new GatewayClient(address, { apiKey: "secret-key", metadata: { "X-Team": "search" }, requestId: "rid-1" });
    await client.chat({ model: "m", messages: "hi" });
    await client.chat({ model: "m", messages: "hi" }, { requestId: "rid-2", headers: { "x-extra": "1" } });
    client.close();
    const [first, second] = calls.map((c) => c.headers);
    assert.equal(first?.get("authorization"), "Bearer secret-key");
    assert.equal(first?.get("x-team"), "search");
    assert.equal(first?.get("x-request-id"), "rid-1");
    assert.equal(second?.get("x-request-id"), "rid-2");
    assert.equal(second?.get("x-extra"), "1");
    assert.equal(second?.get("x-team"), "search");
    const anonymous = new GatewayClient(address);
    await anonymous.chat({ model: "m", messages: "hi" });
    anonymous.close();
    assert.equal(calls.at(-1)?.headers.get("authorization"), null);
    assert.equal(calls.at(-1)?.headers.get("x-request-id"), null);
  });

  test("unary calls retry on UNAVAILABLE as the service config says", async () => {
    reset();
    failFirst = 2;
    const client = new GatewayClient(address);
    assert.equal((await client.chat({ model: "m", messages: "hi" })).requestId, "attempt-3");
    assert.equal(calls.length, 3);
    reset();
    failFirst = 5;
    const error = await rejection(client.chat({ model: "m", messages: "hi" }));
    assert.equal(error.code, Code.Unavailable);
    assert.equal(error.reason, "");
    assert.equal(calls.length, 3); // maxAttempts
    client.close();
    reset();
    failFirst = 1;
    const noConfig = new GatewayClient(address, { serviceConfig: false });
    await rejection(noConfig.chat({ model: "m", messages: "hi" }));
    noConfig.close();
    assert.equal(calls.length, 1);
  });

  test("streams are not retried, and a failure after start rejects the iteration", async () => {
    reset();
    const client = new GatewayClient(address);
    const received: StreamChatResponse[] = [];
    const error = await rejection(collect(client.streamChat({ model: "m", messages: "hi" }), received));
    client.close();
    assert.equal(error.code, Code.Unavailable);
    assert.deepEqual(kinds(received), ["start"]);
    assert.deepEqual(
      calls.map((c) => c.method),
      ["StreamChat"],
    );
  });

  test("ErrorInfo, RetryInfo and BadRequest are decoded from grpc-status-details-bin", async () => {
    reset();
    richError = new ConnectError("slow down", Code.ResourceExhausted, { "x-request-id": "rich-1" }, [
      {
        desc: ErrorInfoSchema,
        value: { reason: "PROVIDER_RATE_LIMITED", domain: "llmgateway", metadata: { provider: "openai" } },
      },
      { desc: RetryInfoSchema, value: { retryDelay: create(DurationSchema, { seconds: 1n, nanos: 500_000_000 }) } },
      { desc: BadRequestSchema, value: { fieldViolations: [{ field: "f", description: "d" }] } },
    ]);
    const client = new GatewayClient(address);
    const error = await rejection(client.chat({ model: "m", messages: "hi" }));
    client.close();
    assert.equal(error.code, Code.ResourceExhausted);
    assert.equal(error.rawMessage, "slow down");
    assert.equal(error.message, "RESOURCE_EXHAUSTED: slow down");
    assert.equal(error.errorReason, ErrorReason.PROVIDER_RATE_LIMITED);
    assert.deepEqual(error.metadata, { provider: "openai" });
    assert.equal(error.retryDelayMs, 1500);
    assert.deepEqual(error.fieldViolations, [{ field: "f", description: "d" }]);
    assert.equal(error.requestId, "rich-1");
  });
});

// --- TLS: LLMGATEWAY_TEST_PKI is a directory with ca.pem, server.pem/.key and client.pem/.key ------

const PKI = process.env.LLMGATEWAY_TEST_PKI;

describe("mutual TLS", { skip: PKI ? false : "LLMGATEWAY_TEST_PKI is not set" }, () => {
  const pem = (name: string): Buffer => readFileSync(`${PKI}/${name}`);
  let server: http2.Http2SecureServer;
  let port = 0;

  before(async () => {
    const impl: Partial<ServiceImpl<typeof GatewayService>> = {
      chat: (request) => create(ChatResponseSchema, { model: request.model, requestId: "over-tls" }),
    };
    server = http2.createSecureServer(
      { key: pem("server.key"), cert: pem("server.pem"), ca: pem("ca.pem"), requestCert: true, rejectUnauthorized: true },
      connectNodeAdapter({ routes: (router) => router.service(GatewayService, impl) }),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => server.close());

  test("a client certificate is presented and the server's is verified", async () => {
    const client = new GatewayClient(`localhost:${port}`, {
      tls: { ca: pem("ca.pem"), cert: pem("client.pem"), key: pem("client.key") },
    });
    try {
      assert.equal((await client.chat({ model: "m", messages: "hi" })).requestId, "over-tls");
    } finally {
      client.close();
    }
    const anonymous = new GatewayClient(`https://localhost:${port}`, { tls: { ca: pem("ca.pem") }, serviceConfig: false });
    try {
      const error = await rejection(anonymous.chat({ model: "m", messages: "hi" }, { timeoutMs: 5000 }));
      // Connect reports TLS failures as INTERNAL (Node's error is the cause).
      assert.equal(error.code, Code.Internal);
      assert.match(error.message, /certificate required/);
    } finally {
      anonymous.close();
    }
    const untrusting = new GatewayClient(`localhost:${port}`, { tls: true, serviceConfig: false });
    try {
      const error = await rejection(untrusting.chat({ model: "m", messages: "hi" }, { timeoutMs: 5000 }));
      assert.equal(error.code, Code.Internal);
      assert.match(error.message, /self-signed certificate/); // the system roots do not know the test CA
    } finally {
      untrusting.close();
    }
  });
});

// --- offline ------------------------------------------------------------------------------------

function event(init: Parameters<typeof create<typeof StreamChatResponseSchema>>[1]): StreamChatResponse {
  return create(StreamChatResponseSchema, init);
}

test("fold: interleaved tool calls, invalid arguments, reasoning signature", () => {
  const events = [
    event({ event: { case: "start", value: { model: "m", provider: "p", requestId: "r", id: "resp-1" } } }),
    event({ event: { case: "reasoningDelta", value: { text: "thinking " } } }),
    event({ event: { case: "reasoningDelta", value: { text: "more", signature: "sig" } } }),
    event({ event: { case: "textDelta", value: { text: "Calling " } } }),
    event({ event: { case: "toolCallDelta", value: { index: 1, id: "c2", name: "b", argumentsFragment: '{"x"' } } }),
    event({ event: { case: "toolCallDelta", value: { index: 0, id: "c1", name: "a", argumentsFragment: "{not" } } }),
    event({ event: { case: "toolCallDelta", value: { index: 1, argumentsFragment: ": [1, 2]}" } } }),
    event({ event: { case: "toolCallDelta", value: { index: 0, argumentsFragment: " json" } } }),
    event({ event: { case: "textDelta", value: { text: "tools" } } }),
    event({ event: { case: "end", value: { finishReason: FinishReason.TOOL_CALLS, usage: { totalTokens: 7n } } } }),
  ];
  const result = foldStream(events);
  assert.deepEqual([result.model, result.provider, result.requestId, result.id], ["m", "p", "r", "resp-1"]);
  assert.equal(result.text, "Calling tools");
  assert.equal(result.reasoning, "thinking more");
  assert.equal(result.reasoningSignature, "sig");
  assert.deepEqual(
    result.toolCalls.map((c) => [c.id, c.name, c.arguments, c.parsedArguments]),
    [
      ["c1", "a", "{not json", undefined],
      ["c2", "b", '{"x": [1, 2]}', { x: [1, 2] }],
    ],
  );
  assert.equal(result.usage.totalTokens, 7n);
  assert.ok(result.complete);
  assert.equal(result.finishReasonName, "TOOL_CALLS");
  assert.ok(!foldStream(events.slice(0, -1)).complete);
  const message = resultToMessage(result);
  assert.equal(message.role, Role.ASSISTANT);
  assert.deepEqual(
    message.toolCalls?.map((c) => c.id),
    ["c1", "c2"],
  );
  assert.deepEqual(message.content?.[0]?.part, { case: "reasoning", value: { text: "thinking more", signature: "sig" } });
  assert.deepEqual(message.content?.[1]?.part, { case: "text", value: "Calling tools" });
});

test("a non-gRPC failure becomes a GatewayError without details", () => {
  const error = GatewayError.from(new Error("boom"), "rid");
  assert.equal(error.code, Code.Unknown);
  assert.equal(error.reason, "");
  assert.equal(error.errorReason, ErrorReason.UNSPECIFIED);
  assert.equal(error.requestId, "rid");
  assert.equal(GatewayError.from(error), error);
  const unknownReason = new GatewayError(
    new ConnectError("x", Code.Internal, undefined, [{ desc: ErrorInfoSchema, value: { reason: "NEW_REASON" } }]),
  );
  assert.equal(unknownReason.reason, "NEW_REASON");
  assert.equal(unknownReason.errorReason, ErrorReason.UNSPECIFIED);
});

test("code names are the canonical gRPC ones", () => {
  assert.equal(codeName(Code.NotFound), "NOT_FOUND");
  assert.equal(codeName(Code.Canceled), "CANCELLED");
  assert.equal(codeName(Code.Unauthenticated), "UNAUTHENTICATED");
});

test("the bundled service config: per-method deadlines, retries for unary methods only", () => {
  const policies = methodPolicies(defaultServiceConfig());
  const service = GatewayService.typeName;
  const timeouts = Object.fromEntries(
    ["Chat", "StreamChat", "Embed", "GenerateImage", "Transcribe", "SynthesizeSpeech", "ListModels"].map((m) => [
      m,
      policyFor(policies, service, m).timeoutMs,
    ]),
  );
  assert.deepEqual(timeouts, {
    Chat: 120_000,
    StreamChat: 600_000,
    Embed: 30_000,
    GenerateImage: 120_000,
    Transcribe: 120_000,
    SynthesizeSpeech: 300_000,
    ListModels: 10_000,
  });
  assert.equal(policyFor(policies, service, "StreamChat").retry, undefined);
  assert.equal(policyFor(policies, service, "SynthesizeSpeech").retry, undefined);
  for (const method of ["Chat", "Embed", "GenerateImage", "Transcribe", "ListModels"]) {
    const retry = policyFor(policies, service, method).retry;
    assert.deepEqual(retry?.retryableCodes, [Code.Unavailable]);
    assert.equal(retry?.maxAttempts, 3);
    assert.equal(retry?.initialBackoffMs, 200);
    assert.equal(retry?.maxBackoffMs, 2000);
  }
  assert.deepEqual(policyFor(policies, "other.Service", "Chat"), {});
});
