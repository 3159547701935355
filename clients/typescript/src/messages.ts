/** Small builders for chat messages (plain init objects of the generated `Message` type). */
import type { MessageInitShape } from "@bufbuild/protobuf";

import { Role, type ContentPartSchema, type ImagePartSchema, type MessageSchema } from "./gen/llmgateway/v1/chat_pb.js";

export type MessageInit = MessageInitShape<typeof MessageSchema>;
export type ContentPartInit = MessageInitShape<typeof ContentPartSchema>;
export type ImageInit = MessageInitShape<typeof ImagePartSchema>;
/** A message, or a string meaning a user message with that text. */
export type MessageLike = string | MessageInit;

/** A text content part, or an image part for `{ uri }` / `{ data, mimeType }`. */
function part(item: string | ImageInit): ContentPartInit {
  return typeof item === "string" ? { part: { case: "text", value: item } } : { part: { case: "image", value: item } };
}

/** A message of any role from text and image parts. */
export function message(role: Role, ...parts: (string | ImageInit)[]): MessageInit {
  return { role, content: parts.map(part) };
}

/** A user message: `userMessage("What is this?", imageUri("https://example.com/cat.jpg"))`. */
export function userMessage(...parts: (string | ImageInit)[]): MessageInit {
  return message(Role.USER, ...parts);
}

export function systemMessage(text: string): MessageInit {
  return message(Role.SYSTEM, text);
}

export function assistantMessage(text: string): MessageInit {
  return message(Role.ASSISTANT, text);
}

/** The result of the tool call `toolCallId` (a `ROLE_TOOL` message). */
export function toolResultMessage(toolCallId: string, text: string): MessageInit {
  return { role: Role.TOOL, toolCallId, content: [part(text)] };
}

/** An image by `https://` URL or `data:` URI. */
export function imageUri(uri: string): ImageInit {
  return { source: { case: "uri", value: uri } };
}

/** An image given inline (PNG, JPEG, GIF or WebP). */
export function imageData(data: Uint8Array, mimeType: string): ImageInit {
  return { source: { case: "data", value: data }, mimeType };
}

/** Normalizes `"Hello"` or a list of strings and messages into message inits. */
export function toMessages(messages: string | readonly MessageLike[]): MessageInit[] {
  const list = typeof messages === "string" ? [messages] : messages;
  return list.map((m) => (typeof m === "string" ? userMessage(m) : m));
}
