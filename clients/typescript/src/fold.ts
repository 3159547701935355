/** Folding `StreamChat` events into the final answer. */
import { create } from "@bufbuild/protobuf";
import type { MessageInitShape } from "@bufbuild/protobuf";

import {
  FinishReason,
  type ContentPartSchema,
  type MessageSchema,
  Role,
  UsageSchema,
  type ContentPart,
  type StreamChatResponse,
  type Usage,
} from "./gen/llmgateway/v1/chat_pb.js";
import { CacheStatus, type CacheInfo } from "./gen/llmgateway/v1/cache_pb.js";

/** One tool call assembled from its deltas. */
export interface FoldedToolCall {
  /** Position of the call within the answer. */
  index: number;
  id: string;
  name: string;
  /** The arguments JSON string exactly as the model produced it (may be invalid JSON). */
  arguments: string;
  /** `arguments` parsed, or `undefined` when it is not valid JSON. */
  parsedArguments: unknown;
}

/** What a stream (or a part of one) amounts to. */
export interface ChatResult {
  /** From `start`. */
  id: string;
  model: string;
  provider: string;
  upstreamModel: string;
  requestId: string;
  deployment: string;
  attempts: number;
  /** The answer text and reasoning, concatenated in order. */
  text: string;
  reasoning: string;
  reasoningSignature: string;
  redactedReasoning: string[];
  /** Tool calls ordered by index. */
  toolCalls: FoldedToolCall[];
  /** From `end`. */
  finishReason: FinishReason;
  /** `STOP`, `LENGTH`, `TOOL_CALLS`, ... (`UNSPECIFIED` before `end`). */
  finishReasonName: string;
  usage: Usage;
  /** True only when the stream delivered its `end` event. */
  complete: boolean;
  /** From `start`: what the gateway's response cache did (undefined when the gateway has none). */
  cache: CacheInfo | undefined;
  /** From `start`: the session of a virtual model with memory ("" otherwise); send it back to continue. */
  sessionId: string;
}

/**
 * Whether an answer came from the gateway's response cache: a hit, or the answer of an identical
 * call that was in flight (no upstream call was made for it). Pass `response.cache` of a Chat or
 * Embed response, or `result.cache` of a folded stream.
 */
export function cached(info: CacheInfo | undefined): boolean {
  return info?.status === CacheStatus.HIT || info?.status === CacheStatus.COALESCED;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A fold in progress: `add` each event, then `result()`. */
export class StreamFolder {
  private readonly state: ChatResult = {
    id: "",
    model: "",
    provider: "",
    upstreamModel: "",
    requestId: "",
    deployment: "",
    attempts: 0,
    text: "",
    reasoning: "",
    reasoningSignature: "",
    redactedReasoning: [],
    toolCalls: [],
    finishReason: FinishReason.UNSPECIFIED,
    finishReasonName: "UNSPECIFIED",
    usage: create(UsageSchema),
    complete: false,
    cache: undefined,
    sessionId: "",
  };
  private readonly calls = new Map<number, { id: string; name: string; args: string[] }>();

  add(event: StreamChatResponse): void {
    const s = this.state;
    const e = event.event;
    switch (e.case) {
      case "start":
        s.id = e.value.id;
        s.model = e.value.model;
        s.provider = e.value.provider;
        s.upstreamModel = e.value.upstreamModel;
        s.requestId = e.value.requestId;
        s.deployment = e.value.deployment;
        s.attempts = e.value.attempts;
        s.cache = e.value.cache;
        s.sessionId = e.value.sessionId;
        break;
      case "textDelta":
        s.text += e.value.text;
        break;
      case "reasoningDelta":
        s.reasoning += e.value.text;
        if (e.value.signature) s.reasoningSignature = e.value.signature;
        if (e.value.redactedData) s.redactedReasoning.push(e.value.redactedData);
        break;
      case "toolCallDelta": {
        let call = this.calls.get(e.value.index);
        if (call === undefined) {
          call = { id: "", name: "", args: [] };
          this.calls.set(e.value.index, call);
        }
        if (e.value.id) call.id = e.value.id;
        if (e.value.name) call.name = e.value.name;
        call.args.push(e.value.argumentsFragment);
        break;
      }
      case "end":
        s.finishReason = e.value.finishReason;
        s.finishReasonName = FinishReason[e.value.finishReason] ?? String(e.value.finishReason);
        s.usage = e.value.usage ?? create(UsageSchema);
        s.complete = true;
        break;
      default:
        break; // an event this client version does not know
    }
  }

  result(): ChatResult {
    const toolCalls = [...this.calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, c]) => {
        const args = c.args.join("");
        return { index, id: c.id, name: c.name, arguments: args, parsedArguments: parseJson(args) };
      });
    return { ...this.state, redactedReasoning: [...this.state.redactedReasoning], toolCalls };
  }
}

/** Folds a whole list of events. */
export function foldStream(events: Iterable<StreamChatResponse>): ChatResult {
  const folder = new StreamFolder();
  for (const event of events) folder.add(event);
  return folder.result();
}

/** Folds an async stream of events (e.g. `client.streamChat(...)`); a failure rejects. */
export async function foldStreamAsync(events: AsyncIterable<StreamChatResponse>): Promise<ChatResult> {
  const folder = new StreamFolder();
  for await (const event of events) folder.add(event);
  return folder.result();
}

/**
 * The assistant message to send back on the next turn: reasoning (with its signature), redacted
 * reasoning, the text, and the tool calls.
 */
export function resultToMessage(result: ChatResult): MessageInitShape<typeof MessageSchema> {
  const content: MessageInitShape<typeof ContentPartSchema>[] = [];
  if (result.reasoning || result.reasoningSignature) {
    content.push({
      part: { case: "reasoning", value: { text: result.reasoning, signature: result.reasoningSignature } },
    });
  }
  for (const data of result.redactedReasoning) {
    content.push({ part: { case: "reasoning", value: { redactedData: data } } });
  }
  if (result.text) {
    content.push({ part: { case: "text", value: result.text } });
  }
  return {
    role: Role.ASSISTANT,
    content,
    toolCalls: result.toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments })),
  };
}

/** The text parts of a message, concatenated (e.g. `textOf(response.message)`). */
export function textOf(message: { content: ContentPart[] } | undefined): string {
  return (message?.content ?? [])
    .map((p) => (p.part.case === "text" ? p.part.value : ""))
    .join("");
}
