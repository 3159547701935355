package llmgateway.client;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import llmgateway.v1.Chat.ChatRequest;
import llmgateway.v1.Chat.ChatResponse;
import llmgateway.v1.Chat.ContentPart;
import llmgateway.v1.Chat.Message;
import llmgateway.v1.Chat.Role;
import llmgateway.v1.Chat.StreamChatRequest;
import llmgateway.v1.Chat.StreamChatResponse;
import llmgateway.v1.GatewayServiceGrpc;

/**
 * Chat, StreamChat and an error against a running gateway. Run it from clients/java with {@code
 * mvn -q compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java
 * -Dexec.mainClass=llmgateway.client.Example -Dexec.args=127.0.0.1:50051}.
 */
public final class Example {
  private Example() {}

  static Message user(String text) {
    return Message.newBuilder()
        .setRole(Role.ROLE_USER)
        .addContent(ContentPart.newBuilder().setText(text))
        .build();
  }

  public static void main(String[] args) throws InterruptedException {
    String address = args.length > 0 ? args[0] : "127.0.0.1:50051";
    String apiKey = System.getenv().getOrDefault("LLMGATEWAY_API_KEY", "");
    ManagedChannel channel =
        apiKey.isEmpty()
            ? GatewayChannels.plaintext(address)
            : GatewayChannels.plaintext(address, apiKey);
    try {
      GatewayServiceGrpc.GatewayServiceBlockingStub stub =
          GatewayServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);

      // Chat: one complete answer.
      ChatResponse response =
          stub.chat(ChatRequest.newBuilder().setModel("mock/echo").addMessages(user("Hello!")).build());
      System.out.println(response.getMessage().getContent(0).getText());

      // StreamChat: one start, then deltas, then one end.
      Iterator<StreamChatResponse> events =
          stub.streamChat(
              StreamChatRequest.newBuilder().setModel("mock/echo").addMessages(user("Hi there")).build());
      while (events.hasNext()) {
        StreamChatResponse event = events.next();
        switch (event.getEventCase()) {
          case START -> System.out.println("[start " + event.getStart().getModel() + "]");
          case TEXT_DELTA -> System.out.print(event.getTextDelta().getText());
          case END -> System.out.println("\n[end " + event.getEnd().getFinishReason() + "]");
          default -> { }
        }
      }

      // Errors: a canonical status with google.rpc details.
      try {
        stub.chat(ChatRequest.newBuilder().setModel("nobody/nothing").addMessages(user("hi")).build());
      } catch (StatusRuntimeException e) {
        GatewayError error = GatewayError.from(e);
        System.out.println(error.code() + " " + error.reason() + " " + error.metadata());
      }
    } finally {
      channel.shutdown().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
