package llmgateway.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * GatewayService gives one typed API to every model provider.
 * </pre>
 */
@io.grpc.stub.annotations.GrpcGenerated
public final class GatewayServiceGrpc {

  private GatewayServiceGrpc() {}

  public static final java.lang.String SERVICE_NAME = "llmgateway.v1.GatewayService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<llmgateway.v1.Chat.ChatRequest,
      llmgateway.v1.Chat.ChatResponse> getChatMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Chat",
      requestType = llmgateway.v1.Chat.ChatRequest.class,
      responseType = llmgateway.v1.Chat.ChatResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<llmgateway.v1.Chat.ChatRequest,
      llmgateway.v1.Chat.ChatResponse> getChatMethod() {
    io.grpc.MethodDescriptor<llmgateway.v1.Chat.ChatRequest, llmgateway.v1.Chat.ChatResponse> getChatMethod;
    if ((getChatMethod = GatewayServiceGrpc.getChatMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getChatMethod = GatewayServiceGrpc.getChatMethod) == null) {
          GatewayServiceGrpc.getChatMethod = getChatMethod =
              io.grpc.MethodDescriptor.<llmgateway.v1.Chat.ChatRequest, llmgateway.v1.Chat.ChatResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Chat"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.v1.Chat.ChatRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.v1.Chat.ChatResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("Chat"))
              .build();
        }
      }
    }
    return getChatMethod;
  }

  private static volatile io.grpc.MethodDescriptor<llmgateway.v1.Chat.StreamChatRequest,
      llmgateway.v1.Chat.StreamChatResponse> getStreamChatMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "StreamChat",
      requestType = llmgateway.v1.Chat.StreamChatRequest.class,
      responseType = llmgateway.v1.Chat.StreamChatResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING)
  public static io.grpc.MethodDescriptor<llmgateway.v1.Chat.StreamChatRequest,
      llmgateway.v1.Chat.StreamChatResponse> getStreamChatMethod() {
    io.grpc.MethodDescriptor<llmgateway.v1.Chat.StreamChatRequest, llmgateway.v1.Chat.StreamChatResponse> getStreamChatMethod;
    if ((getStreamChatMethod = GatewayServiceGrpc.getStreamChatMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getStreamChatMethod = GatewayServiceGrpc.getStreamChatMethod) == null) {
          GatewayServiceGrpc.getStreamChatMethod = getStreamChatMethod =
              io.grpc.MethodDescriptor.<llmgateway.v1.Chat.StreamChatRequest, llmgateway.v1.Chat.StreamChatResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "StreamChat"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.v1.Chat.StreamChatRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.v1.Chat.StreamChatResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("StreamChat"))
              .build();
        }
      }
    }
    return getStreamChatMethod;
  }

  private static volatile io.grpc.MethodDescriptor<llmgateway.v1.EmbeddingOuterClass.EmbedRequest,
      llmgateway.v1.EmbeddingOuterClass.EmbedResponse> getEmbedMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Embed",
      requestType = llmgateway.v1.EmbeddingOuterClass.EmbedRequest.class,
      responseType = llmgateway.v1.EmbeddingOuterClass.EmbedResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<llmgateway.v1.EmbeddingOuterClass.EmbedRequest,
      llmgateway.v1.EmbeddingOuterClass.EmbedResponse> getEmbedMethod() {
    io.grpc.MethodDescriptor<llmgateway.v1.EmbeddingOuterClass.EmbedRequest, llmgateway.v1.EmbeddingOuterClass.EmbedResponse> getEmbedMethod;
    if ((getEmbedMethod = GatewayServiceGrpc.getEmbedMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getEmbedMethod = GatewayServiceGrpc.getEmbedMethod) == null) {
          GatewayServiceGrpc.getEmbedMethod = getEmbedMethod =
              io.grpc.MethodDescriptor.<llmgateway.v1.EmbeddingOuterClass.EmbedRequest, llmgateway.v1.EmbeddingOuterClass.EmbedResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Embed"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.v1.EmbeddingOuterClass.EmbedRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.v1.EmbeddingOuterClass.EmbedResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("Embed"))
              .build();
        }
      }
    }
    return getEmbedMethod;
  }

  private static volatile io.grpc.MethodDescriptor<llmgateway.v1.Image.GenerateImageRequest,
      llmgateway.v1.Image.GenerateImageResponse> getGenerateImageMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GenerateImage",
      requestType = llmgateway.v1.Image.GenerateImageRequest.class,
      responseType = llmgateway.v1.Image.GenerateImageResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<llmgateway.v1.Image.GenerateImageRequest,
      llmgateway.v1.Image.GenerateImageResponse> getGenerateImageMethod() {
    io.grpc.MethodDescriptor<llmgateway.v1.Image.GenerateImageRequest, llmgateway.v1.Image.GenerateImageResponse> getGenerateImageMethod;
    if ((getGenerateImageMethod = GatewayServiceGrpc.getGenerateImageMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getGenerateImageMethod = GatewayServiceGrpc.getGenerateImageMethod) == null) {
          GatewayServiceGrpc.getGenerateImageMethod = getGenerateImageMethod =
              io.grpc.MethodDescriptor.<llmgateway.v1.Image.GenerateImageRequest, llmgateway.v1.Image.GenerateImageResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GenerateImage"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.v1.Image.GenerateImageRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.v1.Image.GenerateImageResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("GenerateImage"))
              .build();
        }
      }
    }
    return getGenerateImageMethod;
  }

  private static volatile io.grpc.MethodDescriptor<llmgateway.v1.Audio.TranscribeRequest,
      llmgateway.v1.Audio.TranscribeResponse> getTranscribeMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Transcribe",
      requestType = llmgateway.v1.Audio.TranscribeRequest.class,
      responseType = llmgateway.v1.Audio.TranscribeResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<llmgateway.v1.Audio.TranscribeRequest,
      llmgateway.v1.Audio.TranscribeResponse> getTranscribeMethod() {
    io.grpc.MethodDescriptor<llmgateway.v1.Audio.TranscribeRequest, llmgateway.v1.Audio.TranscribeResponse> getTranscribeMethod;
    if ((getTranscribeMethod = GatewayServiceGrpc.getTranscribeMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getTranscribeMethod = GatewayServiceGrpc.getTranscribeMethod) == null) {
          GatewayServiceGrpc.getTranscribeMethod = getTranscribeMethod =
              io.grpc.MethodDescriptor.<llmgateway.v1.Audio.TranscribeRequest, llmgateway.v1.Audio.TranscribeResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Transcribe"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.v1.Audio.TranscribeRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.v1.Audio.TranscribeResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("Transcribe"))
              .build();
        }
      }
    }
    return getTranscribeMethod;
  }

  private static volatile io.grpc.MethodDescriptor<llmgateway.v1.Audio.SynthesizeSpeechRequest,
      llmgateway.v1.Audio.SynthesizeSpeechResponse> getSynthesizeSpeechMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "SynthesizeSpeech",
      requestType = llmgateway.v1.Audio.SynthesizeSpeechRequest.class,
      responseType = llmgateway.v1.Audio.SynthesizeSpeechResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING)
  public static io.grpc.MethodDescriptor<llmgateway.v1.Audio.SynthesizeSpeechRequest,
      llmgateway.v1.Audio.SynthesizeSpeechResponse> getSynthesizeSpeechMethod() {
    io.grpc.MethodDescriptor<llmgateway.v1.Audio.SynthesizeSpeechRequest, llmgateway.v1.Audio.SynthesizeSpeechResponse> getSynthesizeSpeechMethod;
    if ((getSynthesizeSpeechMethod = GatewayServiceGrpc.getSynthesizeSpeechMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getSynthesizeSpeechMethod = GatewayServiceGrpc.getSynthesizeSpeechMethod) == null) {
          GatewayServiceGrpc.getSynthesizeSpeechMethod = getSynthesizeSpeechMethod =
              io.grpc.MethodDescriptor.<llmgateway.v1.Audio.SynthesizeSpeechRequest, llmgateway.v1.Audio.SynthesizeSpeechResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "SynthesizeSpeech"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.v1.Audio.SynthesizeSpeechRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.v1.Audio.SynthesizeSpeechResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("SynthesizeSpeech"))
              .build();
        }
      }
    }
    return getSynthesizeSpeechMethod;
  }

  private static volatile io.grpc.MethodDescriptor<llmgateway.v1.ModelOuterClass.ListModelsRequest,
      llmgateway.v1.ModelOuterClass.ListModelsResponse> getListModelsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListModels",
      requestType = llmgateway.v1.ModelOuterClass.ListModelsRequest.class,
      responseType = llmgateway.v1.ModelOuterClass.ListModelsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<llmgateway.v1.ModelOuterClass.ListModelsRequest,
      llmgateway.v1.ModelOuterClass.ListModelsResponse> getListModelsMethod() {
    io.grpc.MethodDescriptor<llmgateway.v1.ModelOuterClass.ListModelsRequest, llmgateway.v1.ModelOuterClass.ListModelsResponse> getListModelsMethod;
    if ((getListModelsMethod = GatewayServiceGrpc.getListModelsMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getListModelsMethod = GatewayServiceGrpc.getListModelsMethod) == null) {
          GatewayServiceGrpc.getListModelsMethod = getListModelsMethod =
              io.grpc.MethodDescriptor.<llmgateway.v1.ModelOuterClass.ListModelsRequest, llmgateway.v1.ModelOuterClass.ListModelsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListModels"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.v1.ModelOuterClass.ListModelsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.v1.ModelOuterClass.ListModelsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("ListModels"))
              .build();
        }
      }
    }
    return getListModelsMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static GatewayServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<GatewayServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<GatewayServiceStub>() {
        @java.lang.Override
        public GatewayServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new GatewayServiceStub(channel, callOptions);
        }
      };
    return GatewayServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports all types of calls on the service
   */
  public static GatewayServiceBlockingV2Stub newBlockingV2Stub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<GatewayServiceBlockingV2Stub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<GatewayServiceBlockingV2Stub>() {
        @java.lang.Override
        public GatewayServiceBlockingV2Stub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new GatewayServiceBlockingV2Stub(channel, callOptions);
        }
      };
    return GatewayServiceBlockingV2Stub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static GatewayServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<GatewayServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<GatewayServiceBlockingStub>() {
        @java.lang.Override
        public GatewayServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new GatewayServiceBlockingStub(channel, callOptions);
        }
      };
    return GatewayServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static GatewayServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<GatewayServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<GatewayServiceFutureStub>() {
        @java.lang.Override
        public GatewayServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new GatewayServiceFutureStub(channel, callOptions);
        }
      };
    return GatewayServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * GatewayService gives one typed API to every model provider.
   * </pre>
   */
  public interface AsyncService {

    /**
     * <pre>
     * Chat returns one complete answer.
     * </pre>
     */
    default void chat(llmgateway.v1.Chat.ChatRequest request,
        io.grpc.stub.StreamObserver<llmgateway.v1.Chat.ChatResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getChatMethod(), responseObserver);
    }

    /**
     * <pre>
     * StreamChat streams typed events: start, deltas, end.
     * </pre>
     */
    default void streamChat(llmgateway.v1.Chat.StreamChatRequest request,
        io.grpc.stub.StreamObserver<llmgateway.v1.Chat.StreamChatResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getStreamChatMethod(), responseObserver);
    }

    /**
     * <pre>
     * Embed returns one vector per input text.
     * </pre>
     */
    default void embed(llmgateway.v1.EmbeddingOuterClass.EmbedRequest request,
        io.grpc.stub.StreamObserver<llmgateway.v1.EmbeddingOuterClass.EmbedResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getEmbedMethod(), responseObserver);
    }

    /**
     * <pre>
     * GenerateImage draws images from a prompt.
     * </pre>
     */
    default void generateImage(llmgateway.v1.Image.GenerateImageRequest request,
        io.grpc.stub.StreamObserver<llmgateway.v1.Image.GenerateImageResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGenerateImageMethod(), responseObserver);
    }

    /**
     * <pre>
     * Transcribe turns a recording into text, with timed segments when the model gives them.
     * </pre>
     */
    default void transcribe(llmgateway.v1.Audio.TranscribeRequest request,
        io.grpc.stub.StreamObserver<llmgateway.v1.Audio.TranscribeResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getTranscribeMethod(), responseObserver);
    }

    /**
     * <pre>
     * SynthesizeSpeech streams spoken audio of a text: start, audio chunks, end.
     * </pre>
     */
    default void synthesizeSpeech(llmgateway.v1.Audio.SynthesizeSpeechRequest request,
        io.grpc.stub.StreamObserver<llmgateway.v1.Audio.SynthesizeSpeechResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getSynthesizeSpeechMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListModels pages through the models callers may use.
     * </pre>
     */
    default void listModels(llmgateway.v1.ModelOuterClass.ListModelsRequest request,
        io.grpc.stub.StreamObserver<llmgateway.v1.ModelOuterClass.ListModelsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListModelsMethod(), responseObserver);
    }
  }

  /**
   * Base class for the server implementation of the service GatewayService.
   * <pre>
   * GatewayService gives one typed API to every model provider.
   * </pre>
   */
  public static abstract class GatewayServiceImplBase
      implements io.grpc.BindableService, AsyncService {

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return GatewayServiceGrpc.bindService(this);
    }
  }

  /**
   * A stub to allow clients to do asynchronous rpc calls to service GatewayService.
   * <pre>
   * GatewayService gives one typed API to every model provider.
   * </pre>
   */
  public static final class GatewayServiceStub
      extends io.grpc.stub.AbstractAsyncStub<GatewayServiceStub> {
    private GatewayServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected GatewayServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new GatewayServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * Chat returns one complete answer.
     * </pre>
     */
    public void chat(llmgateway.v1.Chat.ChatRequest request,
        io.grpc.stub.StreamObserver<llmgateway.v1.Chat.ChatResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getChatMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * StreamChat streams typed events: start, deltas, end.
     * </pre>
     */
    public void streamChat(llmgateway.v1.Chat.StreamChatRequest request,
        io.grpc.stub.StreamObserver<llmgateway.v1.Chat.StreamChatResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncServerStreamingCall(
          getChannel().newCall(getStreamChatMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Embed returns one vector per input text.
     * </pre>
     */
    public void embed(llmgateway.v1.EmbeddingOuterClass.EmbedRequest request,
        io.grpc.stub.StreamObserver<llmgateway.v1.EmbeddingOuterClass.EmbedResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getEmbedMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * GenerateImage draws images from a prompt.
     * </pre>
     */
    public void generateImage(llmgateway.v1.Image.GenerateImageRequest request,
        io.grpc.stub.StreamObserver<llmgateway.v1.Image.GenerateImageResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGenerateImageMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Transcribe turns a recording into text, with timed segments when the model gives them.
     * </pre>
     */
    public void transcribe(llmgateway.v1.Audio.TranscribeRequest request,
        io.grpc.stub.StreamObserver<llmgateway.v1.Audio.TranscribeResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getTranscribeMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * SynthesizeSpeech streams spoken audio of a text: start, audio chunks, end.
     * </pre>
     */
    public void synthesizeSpeech(llmgateway.v1.Audio.SynthesizeSpeechRequest request,
        io.grpc.stub.StreamObserver<llmgateway.v1.Audio.SynthesizeSpeechResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncServerStreamingCall(
          getChannel().newCall(getSynthesizeSpeechMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListModels pages through the models callers may use.
     * </pre>
     */
    public void listModels(llmgateway.v1.ModelOuterClass.ListModelsRequest request,
        io.grpc.stub.StreamObserver<llmgateway.v1.ModelOuterClass.ListModelsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListModelsMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * A stub to allow clients to do synchronous rpc calls to service GatewayService.
   * <pre>
   * GatewayService gives one typed API to every model provider.
   * </pre>
   */
  public static final class GatewayServiceBlockingV2Stub
      extends io.grpc.stub.AbstractBlockingStub<GatewayServiceBlockingV2Stub> {
    private GatewayServiceBlockingV2Stub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected GatewayServiceBlockingV2Stub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new GatewayServiceBlockingV2Stub(channel, callOptions);
    }

    /**
     * <pre>
     * Chat returns one complete answer.
     * </pre>
     */
    public llmgateway.v1.Chat.ChatResponse chat(llmgateway.v1.Chat.ChatRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getChatMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * StreamChat streams typed events: start, deltas, end.
     * </pre>
     */
    @io.grpc.ExperimentalApi("https://github.com/grpc/grpc-java/issues/10918")
    public io.grpc.stub.BlockingClientCall<?, llmgateway.v1.Chat.StreamChatResponse>
        streamChat(llmgateway.v1.Chat.StreamChatRequest request) {
      return io.grpc.stub.ClientCalls.blockingV2ServerStreamingCall(
          getChannel(), getStreamChatMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Embed returns one vector per input text.
     * </pre>
     */
    public llmgateway.v1.EmbeddingOuterClass.EmbedResponse embed(llmgateway.v1.EmbeddingOuterClass.EmbedRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getEmbedMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GenerateImage draws images from a prompt.
     * </pre>
     */
    public llmgateway.v1.Image.GenerateImageResponse generateImage(llmgateway.v1.Image.GenerateImageRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGenerateImageMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Transcribe turns a recording into text, with timed segments when the model gives them.
     * </pre>
     */
    public llmgateway.v1.Audio.TranscribeResponse transcribe(llmgateway.v1.Audio.TranscribeRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getTranscribeMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * SynthesizeSpeech streams spoken audio of a text: start, audio chunks, end.
     * </pre>
     */
    @io.grpc.ExperimentalApi("https://github.com/grpc/grpc-java/issues/10918")
    public io.grpc.stub.BlockingClientCall<?, llmgateway.v1.Audio.SynthesizeSpeechResponse>
        synthesizeSpeech(llmgateway.v1.Audio.SynthesizeSpeechRequest request) {
      return io.grpc.stub.ClientCalls.blockingV2ServerStreamingCall(
          getChannel(), getSynthesizeSpeechMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListModels pages through the models callers may use.
     * </pre>
     */
    public llmgateway.v1.ModelOuterClass.ListModelsResponse listModels(llmgateway.v1.ModelOuterClass.ListModelsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListModelsMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do limited synchronous rpc calls to service GatewayService.
   * <pre>
   * GatewayService gives one typed API to every model provider.
   * </pre>
   */
  public static final class GatewayServiceBlockingStub
      extends io.grpc.stub.AbstractBlockingStub<GatewayServiceBlockingStub> {
    private GatewayServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected GatewayServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new GatewayServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * Chat returns one complete answer.
     * </pre>
     */
    public llmgateway.v1.Chat.ChatResponse chat(llmgateway.v1.Chat.ChatRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getChatMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * StreamChat streams typed events: start, deltas, end.
     * </pre>
     */
    public java.util.Iterator<llmgateway.v1.Chat.StreamChatResponse> streamChat(
        llmgateway.v1.Chat.StreamChatRequest request) {
      return io.grpc.stub.ClientCalls.blockingServerStreamingCall(
          getChannel(), getStreamChatMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Embed returns one vector per input text.
     * </pre>
     */
    public llmgateway.v1.EmbeddingOuterClass.EmbedResponse embed(llmgateway.v1.EmbeddingOuterClass.EmbedRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getEmbedMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GenerateImage draws images from a prompt.
     * </pre>
     */
    public llmgateway.v1.Image.GenerateImageResponse generateImage(llmgateway.v1.Image.GenerateImageRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGenerateImageMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Transcribe turns a recording into text, with timed segments when the model gives them.
     * </pre>
     */
    public llmgateway.v1.Audio.TranscribeResponse transcribe(llmgateway.v1.Audio.TranscribeRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getTranscribeMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * SynthesizeSpeech streams spoken audio of a text: start, audio chunks, end.
     * </pre>
     */
    public java.util.Iterator<llmgateway.v1.Audio.SynthesizeSpeechResponse> synthesizeSpeech(
        llmgateway.v1.Audio.SynthesizeSpeechRequest request) {
      return io.grpc.stub.ClientCalls.blockingServerStreamingCall(
          getChannel(), getSynthesizeSpeechMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListModels pages through the models callers may use.
     * </pre>
     */
    public llmgateway.v1.ModelOuterClass.ListModelsResponse listModels(llmgateway.v1.ModelOuterClass.ListModelsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListModelsMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do ListenableFuture-style rpc calls to service GatewayService.
   * <pre>
   * GatewayService gives one typed API to every model provider.
   * </pre>
   */
  public static final class GatewayServiceFutureStub
      extends io.grpc.stub.AbstractFutureStub<GatewayServiceFutureStub> {
    private GatewayServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected GatewayServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new GatewayServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * Chat returns one complete answer.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<llmgateway.v1.Chat.ChatResponse> chat(
        llmgateway.v1.Chat.ChatRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getChatMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Embed returns one vector per input text.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<llmgateway.v1.EmbeddingOuterClass.EmbedResponse> embed(
        llmgateway.v1.EmbeddingOuterClass.EmbedRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getEmbedMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * GenerateImage draws images from a prompt.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<llmgateway.v1.Image.GenerateImageResponse> generateImage(
        llmgateway.v1.Image.GenerateImageRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGenerateImageMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Transcribe turns a recording into text, with timed segments when the model gives them.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<llmgateway.v1.Audio.TranscribeResponse> transcribe(
        llmgateway.v1.Audio.TranscribeRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getTranscribeMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListModels pages through the models callers may use.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<llmgateway.v1.ModelOuterClass.ListModelsResponse> listModels(
        llmgateway.v1.ModelOuterClass.ListModelsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListModelsMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_CHAT = 0;
  private static final int METHODID_STREAM_CHAT = 1;
  private static final int METHODID_EMBED = 2;
  private static final int METHODID_GENERATE_IMAGE = 3;
  private static final int METHODID_TRANSCRIBE = 4;
  private static final int METHODID_SYNTHESIZE_SPEECH = 5;
  private static final int METHODID_LIST_MODELS = 6;

  private static final class MethodHandlers<Req, Resp> implements
      io.grpc.stub.ServerCalls.UnaryMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ServerStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ClientStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.BidiStreamingMethod<Req, Resp> {
    private final AsyncService serviceImpl;
    private final int methodId;

    MethodHandlers(AsyncService serviceImpl, int methodId) {
      this.serviceImpl = serviceImpl;
      this.methodId = methodId;
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public void invoke(Req request, io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        case METHODID_CHAT:
          serviceImpl.chat((llmgateway.v1.Chat.ChatRequest) request,
              (io.grpc.stub.StreamObserver<llmgateway.v1.Chat.ChatResponse>) responseObserver);
          break;
        case METHODID_STREAM_CHAT:
          serviceImpl.streamChat((llmgateway.v1.Chat.StreamChatRequest) request,
              (io.grpc.stub.StreamObserver<llmgateway.v1.Chat.StreamChatResponse>) responseObserver);
          break;
        case METHODID_EMBED:
          serviceImpl.embed((llmgateway.v1.EmbeddingOuterClass.EmbedRequest) request,
              (io.grpc.stub.StreamObserver<llmgateway.v1.EmbeddingOuterClass.EmbedResponse>) responseObserver);
          break;
        case METHODID_GENERATE_IMAGE:
          serviceImpl.generateImage((llmgateway.v1.Image.GenerateImageRequest) request,
              (io.grpc.stub.StreamObserver<llmgateway.v1.Image.GenerateImageResponse>) responseObserver);
          break;
        case METHODID_TRANSCRIBE:
          serviceImpl.transcribe((llmgateway.v1.Audio.TranscribeRequest) request,
              (io.grpc.stub.StreamObserver<llmgateway.v1.Audio.TranscribeResponse>) responseObserver);
          break;
        case METHODID_SYNTHESIZE_SPEECH:
          serviceImpl.synthesizeSpeech((llmgateway.v1.Audio.SynthesizeSpeechRequest) request,
              (io.grpc.stub.StreamObserver<llmgateway.v1.Audio.SynthesizeSpeechResponse>) responseObserver);
          break;
        case METHODID_LIST_MODELS:
          serviceImpl.listModels((llmgateway.v1.ModelOuterClass.ListModelsRequest) request,
              (io.grpc.stub.StreamObserver<llmgateway.v1.ModelOuterClass.ListModelsResponse>) responseObserver);
          break;
        default:
          throw new AssertionError();
      }
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public io.grpc.stub.StreamObserver<Req> invoke(
        io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        default:
          throw new AssertionError();
      }
    }
  }

  public static final io.grpc.ServerServiceDefinition bindService(AsyncService service) {
    return io.grpc.ServerServiceDefinition.builder(getServiceDescriptor())
        .addMethod(
          getChatMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              llmgateway.v1.Chat.ChatRequest,
              llmgateway.v1.Chat.ChatResponse>(
                service, METHODID_CHAT)))
        .addMethod(
          getStreamChatMethod(),
          io.grpc.stub.ServerCalls.asyncServerStreamingCall(
            new MethodHandlers<
              llmgateway.v1.Chat.StreamChatRequest,
              llmgateway.v1.Chat.StreamChatResponse>(
                service, METHODID_STREAM_CHAT)))
        .addMethod(
          getEmbedMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              llmgateway.v1.EmbeddingOuterClass.EmbedRequest,
              llmgateway.v1.EmbeddingOuterClass.EmbedResponse>(
                service, METHODID_EMBED)))
        .addMethod(
          getGenerateImageMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              llmgateway.v1.Image.GenerateImageRequest,
              llmgateway.v1.Image.GenerateImageResponse>(
                service, METHODID_GENERATE_IMAGE)))
        .addMethod(
          getTranscribeMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              llmgateway.v1.Audio.TranscribeRequest,
              llmgateway.v1.Audio.TranscribeResponse>(
                service, METHODID_TRANSCRIBE)))
        .addMethod(
          getSynthesizeSpeechMethod(),
          io.grpc.stub.ServerCalls.asyncServerStreamingCall(
            new MethodHandlers<
              llmgateway.v1.Audio.SynthesizeSpeechRequest,
              llmgateway.v1.Audio.SynthesizeSpeechResponse>(
                service, METHODID_SYNTHESIZE_SPEECH)))
        .addMethod(
          getListModelsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              llmgateway.v1.ModelOuterClass.ListModelsRequest,
              llmgateway.v1.ModelOuterClass.ListModelsResponse>(
                service, METHODID_LIST_MODELS)))
        .build();
  }

  private static abstract class GatewayServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    GatewayServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return llmgateway.v1.GatewayServiceOuterClass.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("GatewayService");
    }
  }

  private static final class GatewayServiceFileDescriptorSupplier
      extends GatewayServiceBaseDescriptorSupplier {
    GatewayServiceFileDescriptorSupplier() {}
  }

  private static final class GatewayServiceMethodDescriptorSupplier
      extends GatewayServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final java.lang.String methodName;

    GatewayServiceMethodDescriptorSupplier(java.lang.String methodName) {
      this.methodName = methodName;
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.MethodDescriptor getMethodDescriptor() {
      return getServiceDescriptor().findMethodByName(methodName);
    }
  }

  private static volatile io.grpc.ServiceDescriptor serviceDescriptor;

  public static io.grpc.ServiceDescriptor getServiceDescriptor() {
    io.grpc.ServiceDescriptor result = serviceDescriptor;
    if (result == null) {
      synchronized (GatewayServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new GatewayServiceFileDescriptorSupplier())
              .addMethod(getChatMethod())
              .addMethod(getStreamChatMethod())
              .addMethod(getEmbedMethod())
              .addMethod(getGenerateImageMethod())
              .addMethod(getTranscribeMethod())
              .addMethod(getSynthesizeSpeechMethod())
              .addMethod(getListModelsMethod())
              .build();
        }
      }
    }
    return result;
  }
}
