"""Connect, chat, stream: `python clients/python/examples/chat.py [127.0.0.1:50051]` against `make run`."""

import sys

from llmgateway.client import GatewayClient

with GatewayClient(sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:50051") as client:
    print(client.chat(model="mock/echo", messages="Hello!").message.content[0].text)
    for event in client.stream_chat(model="mock/echo", messages="Stream this, please"):
        print(event.text_delta.text, end="", flush=True)
    print()
