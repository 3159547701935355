// A chat, a streamed chat and an error, against a running gateway:
//   npm run build && LLMGATEWAY_ADDR=127.0.0.1:50051 node dist/examples/chat.js
import { ErrorReason, GatewayClient, GatewayError, textOf } from "../src/index.js";

const client = new GatewayClient(process.env.LLMGATEWAY_ADDR ?? "127.0.0.1:50051", {
  apiKey: process.env.LLMGATEWAY_API_KEY,
});
try {
  const response = await client.chat({ model: "mock/echo", messages: "Hello!" });
  console.log(`chat: ${textOf(response.message)} (${response.usage?.totalTokens} tokens)`);

  process.stdout.write("stream: ");
  for await (const event of client.streamChat({ model: "mock/echo", messages: "Hello there" })) {
    if (event.event.case === "textDelta") process.stdout.write(event.event.value.text);
    if (event.event.case === "end") console.log(` [${event.event.value.usage?.totalTokens} tokens]`);
  }

  try {
    await client.chat({ model: "nobody/nothing", messages: "hi" });
  } catch (err) {
    if (!(err instanceof GatewayError) || err.errorReason !== ErrorReason.MODEL_NOT_FOUND) throw err;
    console.log(`error: ${err.codeName} ${err.reason} model=${err.metadata.model} request=${err.requestId}`);
  }
} finally {
  client.close();
}
