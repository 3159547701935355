package llmgateway.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.rpc.ErrorInfo;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import llmgateway.v1.Audio.AudioFormat;
import llmgateway.v1.Audio.SynthesizeSpeechRequest;
import llmgateway.v1.Audio.TranscribeRequest;
import llmgateway.v1.Audio.TranscribeResponse;
import llmgateway.v1.Cache.CacheControl;
import llmgateway.v1.Cache.CacheMode;
import llmgateway.v1.Cache.CacheStatus;
import llmgateway.v1.Chat.ChatRequest;
import llmgateway.v1.Chat.ChatResponse;
import llmgateway.v1.Chat.ContentPart;
import llmgateway.v1.Chat.FinishReason;
import llmgateway.v1.Chat.GenerationConfig;
import llmgateway.v1.Chat.Message;
import llmgateway.v1.Chat.ReasoningEffort;
import llmgateway.v1.Chat.Role;
import llmgateway.v1.Chat.StreamChatRequest;
import llmgateway.v1.Chat.StreamChatResponse;
import llmgateway.v1.Chat.StreamStart;
import llmgateway.v1.Chat.Tool;
import llmgateway.v1.ErrorReasonOuterClass.ErrorReason;
import llmgateway.v1.GatewayServiceGrpc;
import llmgateway.v1.GatewayServiceGrpc.GatewayServiceBlockingStub;
import llmgateway.v1.SessionServiceGrpc;
import llmgateway.v1.SessionServiceOuterClass.DeleteSessionRequest;
import llmgateway.v1.SessionServiceOuterClass.GetSessionRequest;
import llmgateway.v1.SessionServiceOuterClass.ListSessionMessagesRequest;
import llmgateway.v1.SessionServiceOuterClass.ListSessionMessagesResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The generated stubs against a live gateway at {@code LLMGATEWAY_ADDR} ("127.0.0.1:PORT", with the
 * mock models); skipped when the variable is unset. tests/clients/test_java.py starts the gateway
 * and runs this.
 */
class LiveGatewayTest {
  private static final Metadata.Key<String> REQUEST_ID =
      Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);

  private static String address;
  private static String apiKey;
  private static ManagedChannel channel;
  private static GatewayServiceBlockingStub stub;

  @BeforeAll
  static void connect() {
    address = System.getenv("LLMGATEWAY_ADDR");
    Assumptions.assumeTrue(
        address != null && !address.isEmpty(), "LLMGATEWAY_ADDR is unset: no live gateway");
    apiKey = System.getenv().getOrDefault("LLMGATEWAY_API_KEY", "");
    channel = GatewayChannels.plaintext(address, apiKey);
    stub = GatewayServiceGrpc.newBlockingStub(channel);
  }

  @AfterAll
  static void close() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static GatewayServiceBlockingStub stub() {
    return stub.withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Test
  void theGatewayRequiresTheApiKey() throws InterruptedException {
    ManagedChannel anonymous = GatewayChannels.plaintext(address);
    try {
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  GatewayServiceGrpc.newBlockingStub(anonymous)
                      .withDeadlineAfter(10, TimeUnit.SECONDS)
                      .chat(
                          ChatRequest.newBuilder()
                              .setModel("mock/echo")
                              .addMessages(
                                  Message.newBuilder()
                                      .setRole(Role.ROLE_USER)
                                      .addContent(ContentPart.newBuilder().setText("hi")))
                              .build()));
      GatewayError error = GatewayError.from(e);
      assertEquals(Status.Code.UNAUTHENTICATED, error.code());
      assertEquals(ErrorReason.ERROR_REASON_API_KEY_INVALID, error.errorReason());
      assertFalse(apiKey.isEmpty() || error.message().contains(apiKey));
    } finally {
      anonymous.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static Message user(String text) {
    return Message.newBuilder()
        .setRole(Role.ROLE_USER)
        .addContent(ContentPart.newBuilder().setText(text))
        .build();
  }

  private static ChatRequest chat(String model, String text) {
    return ChatRequest.newBuilder().setModel(model).addMessages(user(text)).build();
  }

  private static StreamChatRequest streamChat(String model, String text) {
    return StreamChatRequest.newBuilder().setModel(model).addMessages(user(text)).build();
  }

  private static List<StreamChatResponse.EventCase> kinds(List<StreamChatResponse> events) {
    return events.stream().map(StreamChatResponse::getEventCase).toList();
  }

  @Test
  void chatEchoesAndReturnsTheCallersRequestId() {
    Metadata headers = new Metadata();
    headers.put(REQUEST_ID, "java-trace-1");
    AtomicReference<Metadata> responseHeaders = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    ChatResponse response =
        stub()
            .withInterceptors(
                MetadataUtils.newAttachHeadersInterceptor(headers),
                MetadataUtils.newCaptureMetadataInterceptor(responseHeaders, trailers))
            .chat(chat("mock/echo", "hello there"));
    assertEquals("Echo: hello there", response.getMessage().getContent(0).getText());
    assertEquals(Role.ROLE_ASSISTANT, response.getMessage().getRole());
    assertEquals("mock/echo", response.getModel());
    assertEquals("mock", response.getProvider());
    assertEquals(FinishReason.FINISH_REASON_STOP, response.getFinishReason());
    assertTrue(response.getUsage().getTotalTokens() > 0);
    assertEquals("java-trace-1", response.getRequestId());
    assertEquals("java-trace-1", trailers.get().get(REQUEST_ID)); // unary: a trailer
  }

  @Test
  void streamChatSendsStartThenTextDeltasThenEnd() {
    List<StreamChatResponse> events = new ArrayList<>();
    stub().streamChat(streamChat("mock/echo", "one two three")).forEachRemaining(events::add);
    List<StreamChatResponse.EventCase> kinds = kinds(events);
    assertEquals(StreamChatResponse.EventCase.START, kinds.get(0));
    assertEquals(StreamChatResponse.EventCase.END, kinds.get(kinds.size() - 1));
    assertEquals(1, kinds.stream().filter(k -> k == StreamChatResponse.EventCase.START).count());
    assertEquals(1, kinds.stream().filter(k -> k == StreamChatResponse.EventCase.END).count());
    StringBuilder text = new StringBuilder();
    for (StreamChatResponse event : events) {
      if (event.hasTextDelta()) {
        text.append(event.getTextDelta().getText());
      }
    }
    long deltas = kinds.stream().filter(k -> k == StreamChatResponse.EventCase.TEXT_DELTA).count();
    assertTrue(deltas >= 3, "text deltas: " + kinds);
    assertEquals("Echo: one two three", text.toString());
    StreamChatResponse start = events.get(0);
    assertEquals("mock/echo", start.getStart().getModel());
    assertEquals("mock", start.getStart().getProvider());
    assertFalse(start.getStart().getRequestId().isEmpty());
    StreamChatResponse end = events.get(events.size() - 1);
    assertEquals(FinishReason.FINISH_REASON_STOP, end.getEnd().getFinishReason());
    assertEquals(deltas, end.getEnd().getUsage().getCompletionTokens());
  }

  @Test
  void streamChatWithReasoningAndAToolCallOnTheAsyncStub() throws Exception {
    Tool weather =
        Tool.newBuilder()
            .setName("get_weather")
            .setDescription("Current weather")
            .setParameters(
                Struct.newBuilder()
                    .putFields("type", Value.newBuilder().setStringValue("object").build()))
            .build();
    StreamChatRequest request =
        streamChat("mock/echo", "weather in Paris").toBuilder()
            .addTools(weather)
            .setGeneration(
                GenerationConfig.newBuilder().setReasoningEffort(ReasoningEffort.REASONING_EFFORT_LOW))
            .build();
    List<StreamChatResponse> events = new ArrayList<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    GatewayServiceGrpc.newStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .streamChat(
            request,
            new StreamObserver<>() {
              @Override
              public void onNext(StreamChatResponse event) {
                events.add(event);
              }

              @Override
              public void onError(Throwable t) {
                done.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {
                done.complete(null);
              }
            });
    done.get(15, TimeUnit.SECONDS);
    StringBuilder reasoning = new StringBuilder();
    StringBuilder arguments = new StringBuilder();
    List<String> callIds = new ArrayList<>();
    for (StreamChatResponse event : events) {
      if (event.hasReasoningDelta()) {
        reasoning.append(event.getReasoningDelta().getText());
      } else if (event.hasToolCallDelta()) {
        assertEquals(0, event.getToolCallDelta().getIndex());
        if (!event.getToolCallDelta().getId().isEmpty()) {
          callIds.add(event.getToolCallDelta().getId() + ":" + event.getToolCallDelta().getName());
        }
        arguments.append(event.getToolCallDelta().getArgumentsFragment());
      }
    }
    assertEquals("The user said 3 words; I will echo them.", reasoning.toString());
    assertEquals(List.of("call_mock_1:get_weather"), callIds);
    assertEquals("{\"input\":\"weather in Paris\"}", arguments.toString());
    StreamChatResponse end = events.get(events.size() - 1);
    assertEquals(FinishReason.FINISH_REASON_TOOL_CALLS, end.getEnd().getFinishReason());
    assertTrue(end.getEnd().getUsage().getReasoningTokens() > 0);
  }

  @Test
  void aRepeatedDeterministicChatComesFromTheCache() {
    // The live gateway caches deterministic calls (temperature 0).
    GenerationConfig deterministic = GenerationConfig.newBuilder().setTemperature(0).build();
    ChatResponse first =
        stub().chat(chat("mock/echo", "cache me (java)").toBuilder().setGeneration(deterministic).build());
    assertEquals(CacheStatus.CACHE_STATUS_MISS, first.getCache().getStatus());
    // Chat and StreamChat share entries: the stream replays the cached answer.
    List<StreamChatResponse> events = new ArrayList<>();
    stub()
        .streamChat(
            streamChat("mock/echo", "cache me (java)").toBuilder().setGeneration(deterministic).build())
        .forEachRemaining(events::add);
    StreamStart start = events.get(0).getStart();
    assertEquals(CacheStatus.CACHE_STATUS_HIT, start.getCache().getStatus());
    assertTrue(start.getCache().hasAge());
    StringBuilder text = new StringBuilder();
    for (StreamChatResponse event : events) {
      text.append(event.getTextDelta().getText());
    }
    assertEquals(first.getMessage().getContent(0).getText(), text.toString());
    assertEquals(
        first.getUsage(), events.get(events.size() - 1).getEnd().getUsage()); // the original usage
    ChatRequest onlyCached =
        chat("mock/echo", "never asked (java)").toBuilder()
            .setGeneration(deterministic)
            .setCache(CacheControl.newBuilder().setMode(CacheMode.CACHE_MODE_ONLY))
            .build();
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> stub().chat(onlyCached));
    GatewayError error = GatewayError.from(e);
    assertEquals(Status.Code.NOT_FOUND, error.code());
    assertEquals(ErrorReason.ERROR_REASON_CACHE_MISS, error.errorReason());
  }

  @Test
  void speechAndItsTranscription() throws Exception {
    String text = "Hello from Java.";
    SynthesizeSpeechRequest request =
        SynthesizeSpeechRequest.newBuilder()
            .setModel("mock/speech")
            .setInput(text)
            .setFormat(AudioFormat.AUDIO_FORMAT_WAV)
            .build();
    Speech.Result spoken = Speech.collect(stub().synthesizeSpeech(request));
    assertTrue(spoken.complete());
    assertEquals("audio/wav", spoken.start().getMimeType());
    assertEquals("mock/speech", spoken.start().getModel());
    assertEquals("RIFF", spoken.audio().substring(0, 4).toStringUtf8());
    assertEquals(spoken.audio().size(), spoken.end().getAudioBytes());
    assertEquals(text.length(), spoken.end().getInputCharacters());

    TranscribeResponse heard =
        stub()
            .transcribe(
                TranscribeRequest.newBuilder()
                    .setModel("mock/transcribe")
                    .setAudio(spoken.audio())
                    .build());
    assertEquals(text, heard.getText());
    assertEquals(1, heard.getSegmentsCount());
    assertTrue(heard.getDurationSeconds() > 0);

    ByteArrayOutputStream copied = new ByteArrayOutputStream();
    assertEquals(
        AudioFormat.AUDIO_FORMAT_WAV, Speech.copy(stub().synthesizeSpeech(request), copied).getFormat());
    assertEquals(spoken.audio(), com.google.protobuf.ByteString.copyFrom(copied.toByteArray()));

    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () -> Speech.collect(stub().synthesizeSpeech(request.toBuilder().setSpeed(10).build())));
    GatewayError error = GatewayError.from(e);
    assertEquals(ErrorReason.ERROR_REASON_INVALID_REQUEST, error.errorReason());
    assertEquals("speed", error.fieldViolations().get(0).getField());
  }

  @Test
  void aSessionRemembersAndCanBeReadAndDeleted() {
    ChatResponse first = stub().chat(chat("support/bot", "My name is Ada (java)"));
    String session = first.getSessionId();
    assertFalse(session.isEmpty());
    assertEquals("support/bot", first.getModel());
    List<StreamChatResponse> events = new ArrayList<>();
    stub()
        .streamChat(streamChat("support/bot", "And yours?").toBuilder().setSessionId(session).build())
        .forEachRemaining(events::add);
    assertEquals(session, events.get(0).getStart().getSessionId());
    var sessions = SessionServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    assertEquals(
        4,
        sessions
            .getSession(GetSessionRequest.newBuilder().setSessionId(session).build())
            .getSession()
            .getMessageCount());
    ListSessionMessagesResponse page =
        sessions.listSessionMessages(
            ListSessionMessagesRequest.newBuilder().setSessionId(session).setPageSize(3).build());
    assertEquals("My name is Ada (java)", page.getMessages(0).getContent(0).getText());
    assertFalse(page.getNextPageToken().isEmpty());
    sessions.deleteSession(DeleteSessionRequest.newBuilder().setSessionId(session).build());
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () -> sessions.getSession(GetSessionRequest.newBuilder().setSessionId(session).build()));
    assertEquals(ErrorReason.ERROR_REASON_SESSION_NOT_FOUND, GatewayError.from(e).errorReason());
  }

  @Test
  void unknownModelIsNotFoundWithErrorInfoDetails() throws Exception {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class, () -> stub().chat(chat("nobody/nothing", "hi")));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    // The raw way: google.rpc.Status from the grpc-status-details-bin trailer, then ErrorInfo.
    com.google.rpc.Status details = StatusProto.fromThrowable(e);
    assertNotNull(details, "no grpc-status-details-bin trailer");
    ErrorInfo info = null;
    for (com.google.protobuf.Any any : details.getDetailsList()) {
      if (any.is(ErrorInfo.class)) {
        info = any.unpack(ErrorInfo.class);
      }
    }
    assertNotNull(info, "no ErrorInfo in " + details);
    assertEquals("MODEL_NOT_FOUND", info.getReason());
    assertEquals("llmgateway", info.getDomain());
    assertEquals("nobody/nothing", info.getMetadataMap().get("model"));
    // The same through the helper.
    GatewayError error = GatewayError.from(e);
    assertEquals(Status.Code.NOT_FOUND, error.code());
    assertEquals(ErrorReason.ERROR_REASON_MODEL_NOT_FOUND, error.errorReason());
    assertEquals("MODEL_NOT_FOUND", error.reason());
    assertTrue(error.message().contains("nobody/nothing"), error.message());
  }

  @Test
  void aStreamFailureSurfacesFromTheIterator() {
    Iterator<StreamChatResponse> events = stub().streamChat(streamChat("nobody/nothing", "hi"));
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, events::hasNext);
    GatewayError error = GatewayError.from(e);
    assertEquals(Status.Code.NOT_FOUND, error.code());
    assertEquals("MODEL_NOT_FOUND", error.reason());
  }

  @Test
  void anInvalidRequestNamesTheFieldInBadRequest() {
    ChatRequest request =
        chat("mock/echo", "hi").toBuilder()
            .addMessages(
                Message.newBuilder()
                    .setRole(Role.ROLE_TOOL)
                    .addContent(ContentPart.newBuilder().setText("result")))
            .build();
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> stub().chat(request));
    GatewayError error = GatewayError.from(e);
    assertEquals(Status.Code.INVALID_ARGUMENT, error.code());
    assertEquals(ErrorReason.ERROR_REASON_INVALID_REQUEST, error.errorReason());
    assertTrue(
        error.fieldViolations().stream()
            .anyMatch(v -> v.getField().equals("messages[1].tool_call_id")),
        error.fieldViolations().toString());
    assertTrue(error.retryDelay().isEmpty());
  }

  @Test
  void aDeadlineEndsASlowStreamWithoutAnEndEvent() {
    List<StreamChatResponse> received = new ArrayList<>();
    long started = System.nanoTime();
    Iterator<StreamChatResponse> events =
        stub.withDeadlineAfter(500, TimeUnit.MILLISECONDS)
            .streamChat(streamChat("mock/slow", "a b c d e f g h"));
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> events.forEachRemaining(received::add));
    assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
    assertTrue(List.of("", "PROVIDER_TIMEOUT").contains(GatewayError.from(e).reason()));
    assertTrue(System.nanoTime() - started < TimeUnit.MILLISECONDS.toNanos(1500));
    assertTrue(kinds(received).contains(StreamChatResponse.EventCase.START));
    assertFalse(kinds(received).contains(StreamChatResponse.EventCase.END));
  }

  @Test
  @SuppressWarnings("unchecked")
  void theServiceConfigSetsPerMethodDeadlines() throws InterruptedException {
    Map<String, Object> config = GatewayChannels.defaultServiceConfig();
    for (Object entry : (List<Object>) config.get("methodConfig")) {
      Map<String, Object> method = (Map<String, Object>) entry;
      Map<String, Object> name = ((List<Map<String, Object>>) method.get("name")).get(0);
      if (name.get("method").equals("StreamChat")) {
        method.put("timeout", "0.3s");
      }
    }
    ManagedChannel tight =
        GatewayChannels.builder(address, config)
            .usePlaintext()
            .intercept(GatewayChannels.apiKey(apiKey))
            .build();
    try {
      GatewayServiceBlockingStub noCallDeadline = GatewayServiceGrpc.newBlockingStub(tight);
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () -> noCallDeadline.streamChat(streamChat("mock/slow", "a b c d e")).forEachRemaining(x -> { }));
      assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
      ChatResponse response = noCallDeadline.chat(chat("mock/echo", "hi"));
      assertEquals("Echo: hi", response.getMessage().getContent(0).getText());
    } finally {
      tight.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void theExampleRuns() throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      Example.main(new String[] {address});
    } finally {
      System.setOut(original);
    }
    String output = captured.toString(StandardCharsets.UTF_8);
    assertTrue(output.contains("Echo: Hello!"), output);
    assertTrue(output.contains("[start mock/echo]"), output);
    assertTrue(output.contains("Echo: Hi there"), output);
    assertTrue(output.contains("[end FINISH_REASON_STOP]"), output);
    assertTrue(output.contains("NOT_FOUND MODEL_NOT_FOUND"), output);
  }
}
