package llmgateway.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * SessionService shows and clears the conversations that virtual models with
 * memory keep, so that a chat UI can render history. A session belongs to the
 * API key that created it: any other key gets NOT_FOUND / SESSION_NOT_FOUND.
 * </pre>
 */
@io.grpc.stub.annotations.GrpcGenerated
public final class SessionServiceGrpc {

  private SessionServiceGrpc() {}

  public static final java.lang.String SERVICE_NAME = "llmgateway.v1.SessionService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<llmgateway.v1.SessionServiceOuterClass.GetSessionRequest,
      llmgateway.v1.SessionServiceOuterClass.GetSessionResponse> getGetSessionMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetSession",
      requestType = llmgateway.v1.SessionServiceOuterClass.GetSessionRequest.class,
      responseType = llmgateway.v1.SessionServiceOuterClass.GetSessionResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<llmgateway.v1.SessionServiceOuterClass.GetSessionRequest,
      llmgateway.v1.SessionServiceOuterClass.GetSessionResponse> getGetSessionMethod() {
    io.grpc.MethodDescriptor<llmgateway.v1.SessionServiceOuterClass.GetSessionRequest, llmgateway.v1.SessionServiceOuterClass.GetSessionResponse> getGetSessionMethod;
    if ((getGetSessionMethod = SessionServiceGrpc.getGetSessionMethod) == null) {
      synchronized (SessionServiceGrpc.class) {
        if ((getGetSessionMethod = SessionServiceGrpc.getGetSessionMethod) == null) {
          SessionServiceGrpc.getGetSessionMethod = getGetSessionMethod =
              io.grpc.MethodDescriptor.<llmgateway.v1.SessionServiceOuterClass.GetSessionRequest, llmgateway.v1.SessionServiceOuterClass.GetSessionResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetSession"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.v1.SessionServiceOuterClass.GetSessionRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.v1.SessionServiceOuterClass.GetSessionResponse.getDefaultInstance()))
              .setSchemaDescriptor(new SessionServiceMethodDescriptorSupplier("GetSession"))
              .build();
        }
      }
    }
    return getGetSessionMethod;
  }

  private static volatile io.grpc.MethodDescriptor<llmgateway.v1.SessionServiceOuterClass.ListSessionMessagesRequest,
      llmgateway.v1.SessionServiceOuterClass.ListSessionMessagesResponse> getListSessionMessagesMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListSessionMessages",
      requestType = llmgateway.v1.SessionServiceOuterClass.ListSessionMessagesRequest.class,
      responseType = llmgateway.v1.SessionServiceOuterClass.ListSessionMessagesResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<llmgateway.v1.SessionServiceOuterClass.ListSessionMessagesRequest,
      llmgateway.v1.SessionServiceOuterClass.ListSessionMessagesResponse> getListSessionMessagesMethod() {
    io.grpc.MethodDescriptor<llmgateway.v1.SessionServiceOuterClass.ListSessionMessagesRequest, llmgateway.v1.SessionServiceOuterClass.ListSessionMessagesResponse> getListSessionMessagesMethod;
    if ((getListSessionMessagesMethod = SessionServiceGrpc.getListSessionMessagesMethod) == null) {
      synchronized (SessionServiceGrpc.class) {
        if ((getListSessionMessagesMethod = SessionServiceGrpc.getListSessionMessagesMethod) == null) {
          SessionServiceGrpc.getListSessionMessagesMethod = getListSessionMessagesMethod =
              io.grpc.MethodDescriptor.<llmgateway.v1.SessionServiceOuterClass.ListSessionMessagesRequest, llmgateway.v1.SessionServiceOuterClass.ListSessionMessagesResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListSessionMessages"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.v1.SessionServiceOuterClass.ListSessionMessagesRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.v1.SessionServiceOuterClass.ListSessionMessagesResponse.getDefaultInstance()))
              .setSchemaDescriptor(new SessionServiceMethodDescriptorSupplier("ListSessionMessages"))
              .build();
        }
      }
    }
    return getListSessionMessagesMethod;
  }

  private static volatile io.grpc.MethodDescriptor<llmgateway.v1.SessionServiceOuterClass.DeleteSessionRequest,
      llmgateway.v1.SessionServiceOuterClass.DeleteSessionResponse> getDeleteSessionMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DeleteSession",
      requestType = llmgateway.v1.SessionServiceOuterClass.DeleteSessionRequest.class,
      responseType = llmgateway.v1.SessionServiceOuterClass.DeleteSessionResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<llmgateway.v1.SessionServiceOuterClass.DeleteSessionRequest,
      llmgateway.v1.SessionServiceOuterClass.DeleteSessionResponse> getDeleteSessionMethod() {
    io.grpc.MethodDescriptor<llmgateway.v1.SessionServiceOuterClass.DeleteSessionRequest, llmgateway.v1.SessionServiceOuterClass.DeleteSessionResponse> getDeleteSessionMethod;
    if ((getDeleteSessionMethod = SessionServiceGrpc.getDeleteSessionMethod) == null) {
      synchronized (SessionServiceGrpc.class) {
        if ((getDeleteSessionMethod = SessionServiceGrpc.getDeleteSessionMethod) == null) {
          SessionServiceGrpc.getDeleteSessionMethod = getDeleteSessionMethod =
              io.grpc.MethodDescriptor.<llmgateway.v1.SessionServiceOuterClass.DeleteSessionRequest, llmgateway.v1.SessionServiceOuterClass.DeleteSessionResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DeleteSession"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.v1.SessionServiceOuterClass.DeleteSessionRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.v1.SessionServiceOuterClass.DeleteSessionResponse.getDefaultInstance()))
              .setSchemaDescriptor(new SessionServiceMethodDescriptorSupplier("DeleteSession"))
              .build();
        }
      }
    }
    return getDeleteSessionMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static SessionServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<SessionServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<SessionServiceStub>() {
        @java.lang.Override
        public SessionServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new SessionServiceStub(channel, callOptions);
        }
      };
    return SessionServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports all types of calls on the service
   */
  public static SessionServiceBlockingV2Stub newBlockingV2Stub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<SessionServiceBlockingV2Stub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<SessionServiceBlockingV2Stub>() {
        @java.lang.Override
        public SessionServiceBlockingV2Stub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new SessionServiceBlockingV2Stub(channel, callOptions);
        }
      };
    return SessionServiceBlockingV2Stub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static SessionServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<SessionServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<SessionServiceBlockingStub>() {
        @java.lang.Override
        public SessionServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new SessionServiceBlockingStub(channel, callOptions);
        }
      };
    return SessionServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static SessionServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<SessionServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<SessionServiceFutureStub>() {
        @java.lang.Override
        public SessionServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new SessionServiceFutureStub(channel, callOptions);
        }
      };
    return SessionServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * SessionService shows and clears the conversations that virtual models with
   * memory keep, so that a chat UI can render history. A session belongs to the
   * API key that created it: any other key gets NOT_FOUND / SESSION_NOT_FOUND.
   * </pre>
   */
  public interface AsyncService {

    /**
     * <pre>
     * GetSession describes one session.
     * </pre>
     */
    default void getSession(llmgateway.v1.SessionServiceOuterClass.GetSessionRequest request,
        io.grpc.stub.StreamObserver<llmgateway.v1.SessionServiceOuterClass.GetSessionResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetSessionMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListSessionMessages pages through a session's stored history, oldest first.
     * </pre>
     */
    default void listSessionMessages(llmgateway.v1.SessionServiceOuterClass.ListSessionMessagesRequest request,
        io.grpc.stub.StreamObserver<llmgateway.v1.SessionServiceOuterClass.ListSessionMessagesResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListSessionMessagesMethod(), responseObserver);
    }

    /**
     * <pre>
     * DeleteSession removes a session and its history.
     * </pre>
     */
    default void deleteSession(llmgateway.v1.SessionServiceOuterClass.DeleteSessionRequest request,
        io.grpc.stub.StreamObserver<llmgateway.v1.SessionServiceOuterClass.DeleteSessionResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDeleteSessionMethod(), responseObserver);
    }
  }

  /**
   * Base class for the server implementation of the service SessionService.
   * <pre>
   * SessionService shows and clears the conversations that virtual models with
   * memory keep, so that a chat UI can render history. A session belongs to the
   * API key that created it: any other key gets NOT_FOUND / SESSION_NOT_FOUND.
   * </pre>
   */
  public static abstract class SessionServiceImplBase
      implements io.grpc.BindableService, AsyncService {

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return SessionServiceGrpc.bindService(this);
    }
  }

  /**
   * A stub to allow clients to do asynchronous rpc calls to service SessionService.
   * <pre>
   * SessionService shows and clears the conversations that virtual models with
   * memory keep, so that a chat UI can render history. A session belongs to the
   * API key that created it: any other key gets NOT_FOUND / SESSION_NOT_FOUND.
   * </pre>
   */
  public static final class SessionServiceStub
      extends io.grpc.stub.AbstractAsyncStub<SessionServiceStub> {
    private SessionServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected SessionServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new SessionServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * GetSession describes one session.
     * </pre>
     */
    public void getSession(llmgateway.v1.SessionServiceOuterClass.GetSessionRequest request,
        io.grpc.stub.StreamObserver<llmgateway.v1.SessionServiceOuterClass.GetSessionResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetSessionMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListSessionMessages pages through a session's stored history, oldest first.
     * </pre>
     */
    public void listSessionMessages(llmgateway.v1.SessionServiceOuterClass.ListSessionMessagesRequest request,
        io.grpc.stub.StreamObserver<llmgateway.v1.SessionServiceOuterClass.ListSessionMessagesResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListSessionMessagesMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * DeleteSession removes a session and its history.
     * </pre>
     */
    public void deleteSession(llmgateway.v1.SessionServiceOuterClass.DeleteSessionRequest request,
        io.grpc.stub.StreamObserver<llmgateway.v1.SessionServiceOuterClass.DeleteSessionResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDeleteSessionMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * A stub to allow clients to do synchronous rpc calls to service SessionService.
   * <pre>
   * SessionService shows and clears the conversations that virtual models with
   * memory keep, so that a chat UI can render history. A session belongs to the
   * API key that created it: any other key gets NOT_FOUND / SESSION_NOT_FOUND.
   * </pre>
   */
  public static final class SessionServiceBlockingV2Stub
      extends io.grpc.stub.AbstractBlockingStub<SessionServiceBlockingV2Stub> {
    private SessionServiceBlockingV2Stub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected SessionServiceBlockingV2Stub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new SessionServiceBlockingV2Stub(channel, callOptions);
    }

    /**
     * <pre>
     * GetSession describes one session.
     * </pre>
     */
    public llmgateway.v1.SessionServiceOuterClass.GetSessionResponse getSession(llmgateway.v1.SessionServiceOuterClass.GetSessionRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetSessionMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListSessionMessages pages through a session's stored history, oldest first.
     * </pre>
     */
    public llmgateway.v1.SessionServiceOuterClass.ListSessionMessagesResponse listSessionMessages(llmgateway.v1.SessionServiceOuterClass.ListSessionMessagesRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListSessionMessagesMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DeleteSession removes a session and its history.
     * </pre>
     */
    public llmgateway.v1.SessionServiceOuterClass.DeleteSessionResponse deleteSession(llmgateway.v1.SessionServiceOuterClass.DeleteSessionRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getDeleteSessionMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do limited synchronous rpc calls to service SessionService.
   * <pre>
   * SessionService shows and clears the conversations that virtual models with
   * memory keep, so that a chat UI can render history. A session belongs to the
   * API key that created it: any other key gets NOT_FOUND / SESSION_NOT_FOUND.
   * </pre>
   */
  public static final class SessionServiceBlockingStub
      extends io.grpc.stub.AbstractBlockingStub<SessionServiceBlockingStub> {
    private SessionServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected SessionServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new SessionServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * GetSession describes one session.
     * </pre>
     */
    public llmgateway.v1.SessionServiceOuterClass.GetSessionResponse getSession(llmgateway.v1.SessionServiceOuterClass.GetSessionRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetSessionMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListSessionMessages pages through a session's stored history, oldest first.
     * </pre>
     */
    public llmgateway.v1.SessionServiceOuterClass.ListSessionMessagesResponse listSessionMessages(llmgateway.v1.SessionServiceOuterClass.ListSessionMessagesRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListSessionMessagesMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DeleteSession removes a session and its history.
     * </pre>
     */
    public llmgateway.v1.SessionServiceOuterClass.DeleteSessionResponse deleteSession(llmgateway.v1.SessionServiceOuterClass.DeleteSessionRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDeleteSessionMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do ListenableFuture-style rpc calls to service SessionService.
   * <pre>
   * SessionService shows and clears the conversations that virtual models with
   * memory keep, so that a chat UI can render history. A session belongs to the
   * API key that created it: any other key gets NOT_FOUND / SESSION_NOT_FOUND.
   * </pre>
   */
  public static final class SessionServiceFutureStub
      extends io.grpc.stub.AbstractFutureStub<SessionServiceFutureStub> {
    private SessionServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected SessionServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new SessionServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * GetSession describes one session.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<llmgateway.v1.SessionServiceOuterClass.GetSessionResponse> getSession(
        llmgateway.v1.SessionServiceOuterClass.GetSessionRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetSessionMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListSessionMessages pages through a session's stored history, oldest first.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<llmgateway.v1.SessionServiceOuterClass.ListSessionMessagesResponse> listSessionMessages(
        llmgateway.v1.SessionServiceOuterClass.ListSessionMessagesRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListSessionMessagesMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * DeleteSession removes a session and its history.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<llmgateway.v1.SessionServiceOuterClass.DeleteSessionResponse> deleteSession(
        llmgateway.v1.SessionServiceOuterClass.DeleteSessionRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDeleteSessionMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_GET_SESSION = 0;
  private static final int METHODID_LIST_SESSION_MESSAGES = 1;
  private static final int METHODID_DELETE_SESSION = 2;

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
        case METHODID_GET_SESSION:
          serviceImpl.getSession((llmgateway.v1.SessionServiceOuterClass.GetSessionRequest) request,
              (io.grpc.stub.StreamObserver<llmgateway.v1.SessionServiceOuterClass.GetSessionResponse>) responseObserver);
          break;
        case METHODID_LIST_SESSION_MESSAGES:
          serviceImpl.listSessionMessages((llmgateway.v1.SessionServiceOuterClass.ListSessionMessagesRequest) request,
              (io.grpc.stub.StreamObserver<llmgateway.v1.SessionServiceOuterClass.ListSessionMessagesResponse>) responseObserver);
          break;
        case METHODID_DELETE_SESSION:
          serviceImpl.deleteSession((llmgateway.v1.SessionServiceOuterClass.DeleteSessionRequest) request,
              (io.grpc.stub.StreamObserver<llmgateway.v1.SessionServiceOuterClass.DeleteSessionResponse>) responseObserver);
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
          getGetSessionMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              llmgateway.v1.SessionServiceOuterClass.GetSessionRequest,
              llmgateway.v1.SessionServiceOuterClass.GetSessionResponse>(
                service, METHODID_GET_SESSION)))
        .addMethod(
          getListSessionMessagesMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              llmgateway.v1.SessionServiceOuterClass.ListSessionMessagesRequest,
              llmgateway.v1.SessionServiceOuterClass.ListSessionMessagesResponse>(
                service, METHODID_LIST_SESSION_MESSAGES)))
        .addMethod(
          getDeleteSessionMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              llmgateway.v1.SessionServiceOuterClass.DeleteSessionRequest,
              llmgateway.v1.SessionServiceOuterClass.DeleteSessionResponse>(
                service, METHODID_DELETE_SESSION)))
        .build();
  }

  private static abstract class SessionServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    SessionServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return llmgateway.v1.SessionServiceOuterClass.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("SessionService");
    }
  }

  private static final class SessionServiceFileDescriptorSupplier
      extends SessionServiceBaseDescriptorSupplier {
    SessionServiceFileDescriptorSupplier() {}
  }

  private static final class SessionServiceMethodDescriptorSupplier
      extends SessionServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final java.lang.String methodName;

    SessionServiceMethodDescriptorSupplier(java.lang.String methodName) {
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
      synchronized (SessionServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new SessionServiceFileDescriptorSupplier())
              .addMethod(getGetSessionMethod())
              .addMethod(getListSessionMessagesMethod())
              .addMethod(getDeleteSessionMethod())
              .build();
        }
      }
    }
    return result;
  }
}
