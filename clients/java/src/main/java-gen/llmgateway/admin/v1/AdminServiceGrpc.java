package llmgateway.admin.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * AdminService manages the model registry and the API keys, and reports usage. Every call needs
 * the admin token in the `authorization: Bearer &lt;token&gt;` metadata. A write is
 * visible to the next call on the same replica and to other replicas within
 * the refresh interval.
 * </pre>
 */
@io.grpc.stub.annotations.GrpcGenerated
public final class AdminServiceGrpc {

  private AdminServiceGrpc() {}

  public static final java.lang.String SERVICE_NAME = "llmgateway.admin.v1.AdminService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<llmgateway.admin.v1.AdminServiceOuterClass.CreateModelRequest,
      llmgateway.admin.v1.AdminServiceOuterClass.CreateModelResponse> getCreateModelMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "CreateModel",
      requestType = llmgateway.admin.v1.AdminServiceOuterClass.CreateModelRequest.class,
      responseType = llmgateway.admin.v1.AdminServiceOuterClass.CreateModelResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<llmgateway.admin.v1.AdminServiceOuterClass.CreateModelRequest,
      llmgateway.admin.v1.AdminServiceOuterClass.CreateModelResponse> getCreateModelMethod() {
    io.grpc.MethodDescriptor<llmgateway.admin.v1.AdminServiceOuterClass.CreateModelRequest, llmgateway.admin.v1.AdminServiceOuterClass.CreateModelResponse> getCreateModelMethod;
    if ((getCreateModelMethod = AdminServiceGrpc.getCreateModelMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getCreateModelMethod = AdminServiceGrpc.getCreateModelMethod) == null) {
          AdminServiceGrpc.getCreateModelMethod = getCreateModelMethod =
              io.grpc.MethodDescriptor.<llmgateway.admin.v1.AdminServiceOuterClass.CreateModelRequest, llmgateway.admin.v1.AdminServiceOuterClass.CreateModelResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "CreateModel"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.admin.v1.AdminServiceOuterClass.CreateModelRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.admin.v1.AdminServiceOuterClass.CreateModelResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("CreateModel"))
              .build();
        }
      }
    }
    return getCreateModelMethod;
  }

  private static volatile io.grpc.MethodDescriptor<llmgateway.admin.v1.AdminServiceOuterClass.GetModelRequest,
      llmgateway.admin.v1.AdminServiceOuterClass.GetModelResponse> getGetModelMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetModel",
      requestType = llmgateway.admin.v1.AdminServiceOuterClass.GetModelRequest.class,
      responseType = llmgateway.admin.v1.AdminServiceOuterClass.GetModelResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<llmgateway.admin.v1.AdminServiceOuterClass.GetModelRequest,
      llmgateway.admin.v1.AdminServiceOuterClass.GetModelResponse> getGetModelMethod() {
    io.grpc.MethodDescriptor<llmgateway.admin.v1.AdminServiceOuterClass.GetModelRequest, llmgateway.admin.v1.AdminServiceOuterClass.GetModelResponse> getGetModelMethod;
    if ((getGetModelMethod = AdminServiceGrpc.getGetModelMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getGetModelMethod = AdminServiceGrpc.getGetModelMethod) == null) {
          AdminServiceGrpc.getGetModelMethod = getGetModelMethod =
              io.grpc.MethodDescriptor.<llmgateway.admin.v1.AdminServiceOuterClass.GetModelRequest, llmgateway.admin.v1.AdminServiceOuterClass.GetModelResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetModel"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.admin.v1.AdminServiceOuterClass.GetModelRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.admin.v1.AdminServiceOuterClass.GetModelResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("GetModel"))
              .build();
        }
      }
    }
    return getGetModelMethod;
  }

  private static volatile io.grpc.MethodDescriptor<llmgateway.admin.v1.AdminServiceOuterClass.ListModelsRequest,
      llmgateway.admin.v1.AdminServiceOuterClass.ListModelsResponse> getListModelsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListModels",
      requestType = llmgateway.admin.v1.AdminServiceOuterClass.ListModelsRequest.class,
      responseType = llmgateway.admin.v1.AdminServiceOuterClass.ListModelsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<llmgateway.admin.v1.AdminServiceOuterClass.ListModelsRequest,
      llmgateway.admin.v1.AdminServiceOuterClass.ListModelsResponse> getListModelsMethod() {
    io.grpc.MethodDescriptor<llmgateway.admin.v1.AdminServiceOuterClass.ListModelsRequest, llmgateway.admin.v1.AdminServiceOuterClass.ListModelsResponse> getListModelsMethod;
    if ((getListModelsMethod = AdminServiceGrpc.getListModelsMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getListModelsMethod = AdminServiceGrpc.getListModelsMethod) == null) {
          AdminServiceGrpc.getListModelsMethod = getListModelsMethod =
              io.grpc.MethodDescriptor.<llmgateway.admin.v1.AdminServiceOuterClass.ListModelsRequest, llmgateway.admin.v1.AdminServiceOuterClass.ListModelsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListModels"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.admin.v1.AdminServiceOuterClass.ListModelsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.admin.v1.AdminServiceOuterClass.ListModelsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("ListModels"))
              .build();
        }
      }
    }
    return getListModelsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<llmgateway.admin.v1.AdminServiceOuterClass.UpdateModelRequest,
      llmgateway.admin.v1.AdminServiceOuterClass.UpdateModelResponse> getUpdateModelMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "UpdateModel",
      requestType = llmgateway.admin.v1.AdminServiceOuterClass.UpdateModelRequest.class,
      responseType = llmgateway.admin.v1.AdminServiceOuterClass.UpdateModelResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<llmgateway.admin.v1.AdminServiceOuterClass.UpdateModelRequest,
      llmgateway.admin.v1.AdminServiceOuterClass.UpdateModelResponse> getUpdateModelMethod() {
    io.grpc.MethodDescriptor<llmgateway.admin.v1.AdminServiceOuterClass.UpdateModelRequest, llmgateway.admin.v1.AdminServiceOuterClass.UpdateModelResponse> getUpdateModelMethod;
    if ((getUpdateModelMethod = AdminServiceGrpc.getUpdateModelMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getUpdateModelMethod = AdminServiceGrpc.getUpdateModelMethod) == null) {
          AdminServiceGrpc.getUpdateModelMethod = getUpdateModelMethod =
              io.grpc.MethodDescriptor.<llmgateway.admin.v1.AdminServiceOuterClass.UpdateModelRequest, llmgateway.admin.v1.AdminServiceOuterClass.UpdateModelResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "UpdateModel"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.admin.v1.AdminServiceOuterClass.UpdateModelRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.admin.v1.AdminServiceOuterClass.UpdateModelResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("UpdateModel"))
              .build();
        }
      }
    }
    return getUpdateModelMethod;
  }

  private static volatile io.grpc.MethodDescriptor<llmgateway.admin.v1.AdminServiceOuterClass.DeleteModelRequest,
      llmgateway.admin.v1.AdminServiceOuterClass.DeleteModelResponse> getDeleteModelMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DeleteModel",
      requestType = llmgateway.admin.v1.AdminServiceOuterClass.DeleteModelRequest.class,
      responseType = llmgateway.admin.v1.AdminServiceOuterClass.DeleteModelResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<llmgateway.admin.v1.AdminServiceOuterClass.DeleteModelRequest,
      llmgateway.admin.v1.AdminServiceOuterClass.DeleteModelResponse> getDeleteModelMethod() {
    io.grpc.MethodDescriptor<llmgateway.admin.v1.AdminServiceOuterClass.DeleteModelRequest, llmgateway.admin.v1.AdminServiceOuterClass.DeleteModelResponse> getDeleteModelMethod;
    if ((getDeleteModelMethod = AdminServiceGrpc.getDeleteModelMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getDeleteModelMethod = AdminServiceGrpc.getDeleteModelMethod) == null) {
          AdminServiceGrpc.getDeleteModelMethod = getDeleteModelMethod =
              io.grpc.MethodDescriptor.<llmgateway.admin.v1.AdminServiceOuterClass.DeleteModelRequest, llmgateway.admin.v1.AdminServiceOuterClass.DeleteModelResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DeleteModel"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.admin.v1.AdminServiceOuterClass.DeleteModelRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.admin.v1.AdminServiceOuterClass.DeleteModelResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("DeleteModel"))
              .build();
        }
      }
    }
    return getDeleteModelMethod;
  }

  private static volatile io.grpc.MethodDescriptor<llmgateway.admin.v1.AdminServiceOuterClass.SyncModelsRequest,
      llmgateway.admin.v1.AdminServiceOuterClass.SyncModelsResponse> getSyncModelsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "SyncModels",
      requestType = llmgateway.admin.v1.AdminServiceOuterClass.SyncModelsRequest.class,
      responseType = llmgateway.admin.v1.AdminServiceOuterClass.SyncModelsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<llmgateway.admin.v1.AdminServiceOuterClass.SyncModelsRequest,
      llmgateway.admin.v1.AdminServiceOuterClass.SyncModelsResponse> getSyncModelsMethod() {
    io.grpc.MethodDescriptor<llmgateway.admin.v1.AdminServiceOuterClass.SyncModelsRequest, llmgateway.admin.v1.AdminServiceOuterClass.SyncModelsResponse> getSyncModelsMethod;
    if ((getSyncModelsMethod = AdminServiceGrpc.getSyncModelsMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getSyncModelsMethod = AdminServiceGrpc.getSyncModelsMethod) == null) {
          AdminServiceGrpc.getSyncModelsMethod = getSyncModelsMethod =
              io.grpc.MethodDescriptor.<llmgateway.admin.v1.AdminServiceOuterClass.SyncModelsRequest, llmgateway.admin.v1.AdminServiceOuterClass.SyncModelsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "SyncModels"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.admin.v1.AdminServiceOuterClass.SyncModelsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.admin.v1.AdminServiceOuterClass.SyncModelsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("SyncModels"))
              .build();
        }
      }
    }
    return getSyncModelsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<llmgateway.admin.v1.AdminServiceOuterClass.CreateApiKeyRequest,
      llmgateway.admin.v1.AdminServiceOuterClass.CreateApiKeyResponse> getCreateApiKeyMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "CreateApiKey",
      requestType = llmgateway.admin.v1.AdminServiceOuterClass.CreateApiKeyRequest.class,
      responseType = llmgateway.admin.v1.AdminServiceOuterClass.CreateApiKeyResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<llmgateway.admin.v1.AdminServiceOuterClass.CreateApiKeyRequest,
      llmgateway.admin.v1.AdminServiceOuterClass.CreateApiKeyResponse> getCreateApiKeyMethod() {
    io.grpc.MethodDescriptor<llmgateway.admin.v1.AdminServiceOuterClass.CreateApiKeyRequest, llmgateway.admin.v1.AdminServiceOuterClass.CreateApiKeyResponse> getCreateApiKeyMethod;
    if ((getCreateApiKeyMethod = AdminServiceGrpc.getCreateApiKeyMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getCreateApiKeyMethod = AdminServiceGrpc.getCreateApiKeyMethod) == null) {
          AdminServiceGrpc.getCreateApiKeyMethod = getCreateApiKeyMethod =
              io.grpc.MethodDescriptor.<llmgateway.admin.v1.AdminServiceOuterClass.CreateApiKeyRequest, llmgateway.admin.v1.AdminServiceOuterClass.CreateApiKeyResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "CreateApiKey"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.admin.v1.AdminServiceOuterClass.CreateApiKeyRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.admin.v1.AdminServiceOuterClass.CreateApiKeyResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("CreateApiKey"))
              .build();
        }
      }
    }
    return getCreateApiKeyMethod;
  }

  private static volatile io.grpc.MethodDescriptor<llmgateway.admin.v1.AdminServiceOuterClass.GetApiKeyRequest,
      llmgateway.admin.v1.AdminServiceOuterClass.GetApiKeyResponse> getGetApiKeyMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetApiKey",
      requestType = llmgateway.admin.v1.AdminServiceOuterClass.GetApiKeyRequest.class,
      responseType = llmgateway.admin.v1.AdminServiceOuterClass.GetApiKeyResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<llmgateway.admin.v1.AdminServiceOuterClass.GetApiKeyRequest,
      llmgateway.admin.v1.AdminServiceOuterClass.GetApiKeyResponse> getGetApiKeyMethod() {
    io.grpc.MethodDescriptor<llmgateway.admin.v1.AdminServiceOuterClass.GetApiKeyRequest, llmgateway.admin.v1.AdminServiceOuterClass.GetApiKeyResponse> getGetApiKeyMethod;
    if ((getGetApiKeyMethod = AdminServiceGrpc.getGetApiKeyMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getGetApiKeyMethod = AdminServiceGrpc.getGetApiKeyMethod) == null) {
          AdminServiceGrpc.getGetApiKeyMethod = getGetApiKeyMethod =
              io.grpc.MethodDescriptor.<llmgateway.admin.v1.AdminServiceOuterClass.GetApiKeyRequest, llmgateway.admin.v1.AdminServiceOuterClass.GetApiKeyResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetApiKey"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.admin.v1.AdminServiceOuterClass.GetApiKeyRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.admin.v1.AdminServiceOuterClass.GetApiKeyResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("GetApiKey"))
              .build();
        }
      }
    }
    return getGetApiKeyMethod;
  }

  private static volatile io.grpc.MethodDescriptor<llmgateway.admin.v1.AdminServiceOuterClass.ListApiKeysRequest,
      llmgateway.admin.v1.AdminServiceOuterClass.ListApiKeysResponse> getListApiKeysMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListApiKeys",
      requestType = llmgateway.admin.v1.AdminServiceOuterClass.ListApiKeysRequest.class,
      responseType = llmgateway.admin.v1.AdminServiceOuterClass.ListApiKeysResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<llmgateway.admin.v1.AdminServiceOuterClass.ListApiKeysRequest,
      llmgateway.admin.v1.AdminServiceOuterClass.ListApiKeysResponse> getListApiKeysMethod() {
    io.grpc.MethodDescriptor<llmgateway.admin.v1.AdminServiceOuterClass.ListApiKeysRequest, llmgateway.admin.v1.AdminServiceOuterClass.ListApiKeysResponse> getListApiKeysMethod;
    if ((getListApiKeysMethod = AdminServiceGrpc.getListApiKeysMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getListApiKeysMethod = AdminServiceGrpc.getListApiKeysMethod) == null) {
          AdminServiceGrpc.getListApiKeysMethod = getListApiKeysMethod =
              io.grpc.MethodDescriptor.<llmgateway.admin.v1.AdminServiceOuterClass.ListApiKeysRequest, llmgateway.admin.v1.AdminServiceOuterClass.ListApiKeysResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListApiKeys"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.admin.v1.AdminServiceOuterClass.ListApiKeysRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.admin.v1.AdminServiceOuterClass.ListApiKeysResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("ListApiKeys"))
              .build();
        }
      }
    }
    return getListApiKeysMethod;
  }

  private static volatile io.grpc.MethodDescriptor<llmgateway.admin.v1.AdminServiceOuterClass.UpdateApiKeyRequest,
      llmgateway.admin.v1.AdminServiceOuterClass.UpdateApiKeyResponse> getUpdateApiKeyMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "UpdateApiKey",
      requestType = llmgateway.admin.v1.AdminServiceOuterClass.UpdateApiKeyRequest.class,
      responseType = llmgateway.admin.v1.AdminServiceOuterClass.UpdateApiKeyResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<llmgateway.admin.v1.AdminServiceOuterClass.UpdateApiKeyRequest,
      llmgateway.admin.v1.AdminServiceOuterClass.UpdateApiKeyResponse> getUpdateApiKeyMethod() {
    io.grpc.MethodDescriptor<llmgateway.admin.v1.AdminServiceOuterClass.UpdateApiKeyRequest, llmgateway.admin.v1.AdminServiceOuterClass.UpdateApiKeyResponse> getUpdateApiKeyMethod;
    if ((getUpdateApiKeyMethod = AdminServiceGrpc.getUpdateApiKeyMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getUpdateApiKeyMethod = AdminServiceGrpc.getUpdateApiKeyMethod) == null) {
          AdminServiceGrpc.getUpdateApiKeyMethod = getUpdateApiKeyMethod =
              io.grpc.MethodDescriptor.<llmgateway.admin.v1.AdminServiceOuterClass.UpdateApiKeyRequest, llmgateway.admin.v1.AdminServiceOuterClass.UpdateApiKeyResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "UpdateApiKey"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.admin.v1.AdminServiceOuterClass.UpdateApiKeyRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.admin.v1.AdminServiceOuterClass.UpdateApiKeyResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("UpdateApiKey"))
              .build();
        }
      }
    }
    return getUpdateApiKeyMethod;
  }

  private static volatile io.grpc.MethodDescriptor<llmgateway.admin.v1.AdminServiceOuterClass.RevokeApiKeyRequest,
      llmgateway.admin.v1.AdminServiceOuterClass.RevokeApiKeyResponse> getRevokeApiKeyMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RevokeApiKey",
      requestType = llmgateway.admin.v1.AdminServiceOuterClass.RevokeApiKeyRequest.class,
      responseType = llmgateway.admin.v1.AdminServiceOuterClass.RevokeApiKeyResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<llmgateway.admin.v1.AdminServiceOuterClass.RevokeApiKeyRequest,
      llmgateway.admin.v1.AdminServiceOuterClass.RevokeApiKeyResponse> getRevokeApiKeyMethod() {
    io.grpc.MethodDescriptor<llmgateway.admin.v1.AdminServiceOuterClass.RevokeApiKeyRequest, llmgateway.admin.v1.AdminServiceOuterClass.RevokeApiKeyResponse> getRevokeApiKeyMethod;
    if ((getRevokeApiKeyMethod = AdminServiceGrpc.getRevokeApiKeyMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getRevokeApiKeyMethod = AdminServiceGrpc.getRevokeApiKeyMethod) == null) {
          AdminServiceGrpc.getRevokeApiKeyMethod = getRevokeApiKeyMethod =
              io.grpc.MethodDescriptor.<llmgateway.admin.v1.AdminServiceOuterClass.RevokeApiKeyRequest, llmgateway.admin.v1.AdminServiceOuterClass.RevokeApiKeyResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RevokeApiKey"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.admin.v1.AdminServiceOuterClass.RevokeApiKeyRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.admin.v1.AdminServiceOuterClass.RevokeApiKeyResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("RevokeApiKey"))
              .build();
        }
      }
    }
    return getRevokeApiKeyMethod;
  }

  private static volatile io.grpc.MethodDescriptor<llmgateway.admin.v1.Usage.QueryUsageRequest,
      llmgateway.admin.v1.Usage.QueryUsageResponse> getQueryUsageMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "QueryUsage",
      requestType = llmgateway.admin.v1.Usage.QueryUsageRequest.class,
      responseType = llmgateway.admin.v1.Usage.QueryUsageResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<llmgateway.admin.v1.Usage.QueryUsageRequest,
      llmgateway.admin.v1.Usage.QueryUsageResponse> getQueryUsageMethod() {
    io.grpc.MethodDescriptor<llmgateway.admin.v1.Usage.QueryUsageRequest, llmgateway.admin.v1.Usage.QueryUsageResponse> getQueryUsageMethod;
    if ((getQueryUsageMethod = AdminServiceGrpc.getQueryUsageMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getQueryUsageMethod = AdminServiceGrpc.getQueryUsageMethod) == null) {
          AdminServiceGrpc.getQueryUsageMethod = getQueryUsageMethod =
              io.grpc.MethodDescriptor.<llmgateway.admin.v1.Usage.QueryUsageRequest, llmgateway.admin.v1.Usage.QueryUsageResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "QueryUsage"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.admin.v1.Usage.QueryUsageRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  llmgateway.admin.v1.Usage.QueryUsageResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("QueryUsage"))
              .build();
        }
      }
    }
    return getQueryUsageMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static AdminServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<AdminServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<AdminServiceStub>() {
        @java.lang.Override
        public AdminServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new AdminServiceStub(channel, callOptions);
        }
      };
    return AdminServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports all types of calls on the service
   */
  public static AdminServiceBlockingV2Stub newBlockingV2Stub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<AdminServiceBlockingV2Stub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<AdminServiceBlockingV2Stub>() {
        @java.lang.Override
        public AdminServiceBlockingV2Stub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new AdminServiceBlockingV2Stub(channel, callOptions);
        }
      };
    return AdminServiceBlockingV2Stub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static AdminServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<AdminServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<AdminServiceBlockingStub>() {
        @java.lang.Override
        public AdminServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new AdminServiceBlockingStub(channel, callOptions);
        }
      };
    return AdminServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static AdminServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<AdminServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<AdminServiceFutureStub>() {
        @java.lang.Override
        public AdminServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new AdminServiceFutureStub(channel, callOptions);
        }
      };
    return AdminServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * AdminService manages the model registry and the API keys, and reports usage. Every call needs
   * the admin token in the `authorization: Bearer &lt;token&gt;` metadata. A write is
   * visible to the next call on the same replica and to other replicas within
   * the refresh interval.
   * </pre>
   */
  public interface AsyncService {

    /**
     * <pre>
     * CreateModel adds a model to the registry.
     * </pre>
     */
    default void createModel(llmgateway.admin.v1.AdminServiceOuterClass.CreateModelRequest request,
        io.grpc.stub.StreamObserver<llmgateway.admin.v1.AdminServiceOuterClass.CreateModelResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCreateModelMethod(), responseObserver);
    }

    /**
     * <pre>
     * GetModel returns one model, available or not.
     * </pre>
     */
    default void getModel(llmgateway.admin.v1.AdminServiceOuterClass.GetModelRequest request,
        io.grpc.stub.StreamObserver<llmgateway.admin.v1.AdminServiceOuterClass.GetModelResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetModelMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListModels pages through every model of the registry, ordered by id.
     * </pre>
     */
    default void listModels(llmgateway.admin.v1.AdminServiceOuterClass.ListModelsRequest request,
        io.grpc.stub.StreamObserver<llmgateway.admin.v1.AdminServiceOuterClass.ListModelsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListModelsMethod(), responseObserver);
    }

    /**
     * <pre>
     * UpdateModel changes the fields named by `update_mask`.
     * </pre>
     */
    default void updateModel(llmgateway.admin.v1.AdminServiceOuterClass.UpdateModelRequest request,
        io.grpc.stub.StreamObserver<llmgateway.admin.v1.AdminServiceOuterClass.UpdateModelResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getUpdateModelMethod(), responseObserver);
    }

    /**
     * <pre>
     * DeleteModel removes a model from the registry.
     * </pre>
     */
    default void deleteModel(llmgateway.admin.v1.AdminServiceOuterClass.DeleteModelRequest request,
        io.grpc.stub.StreamObserver<llmgateway.admin.v1.AdminServiceOuterClass.DeleteModelResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDeleteModelMethod(), responseObserver);
    }

    /**
     * <pre>
     * SyncModels fills or refreshes the registry from the built-in adapters'
     * known models and the server's configuration, without overwriting fields
     * an operator changed by hand.
     * </pre>
     */
    default void syncModels(llmgateway.admin.v1.AdminServiceOuterClass.SyncModelsRequest request,
        io.grpc.stub.StreamObserver<llmgateway.admin.v1.AdminServiceOuterClass.SyncModelsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getSyncModelsMethod(), responseObserver);
    }

    /**
     * <pre>
     * CreateApiKey makes a key and returns its secret, the only time it is shown.
     * </pre>
     */
    default void createApiKey(llmgateway.admin.v1.AdminServiceOuterClass.CreateApiKeyRequest request,
        io.grpc.stub.StreamObserver<llmgateway.admin.v1.AdminServiceOuterClass.CreateApiKeyResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCreateApiKeyMethod(), responseObserver);
    }

    /**
     * <pre>
     * GetApiKey returns one key (never its secret).
     * </pre>
     */
    default void getApiKey(llmgateway.admin.v1.AdminServiceOuterClass.GetApiKeyRequest request,
        io.grpc.stub.StreamObserver<llmgateway.admin.v1.AdminServiceOuterClass.GetApiKeyResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetApiKeyMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListApiKeys pages through the keys, ordered by id.
     * </pre>
     */
    default void listApiKeys(llmgateway.admin.v1.AdminServiceOuterClass.ListApiKeysRequest request,
        io.grpc.stub.StreamObserver<llmgateway.admin.v1.AdminServiceOuterClass.ListApiKeysResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListApiKeysMethod(), responseObserver);
    }

    /**
     * <pre>
     * UpdateApiKey changes the fields named by `update_mask`.
     * </pre>
     */
    default void updateApiKey(llmgateway.admin.v1.AdminServiceOuterClass.UpdateApiKeyRequest request,
        io.grpc.stub.StreamObserver<llmgateway.admin.v1.AdminServiceOuterClass.UpdateApiKeyResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getUpdateApiKeyMethod(), responseObserver);
    }

    /**
     * <pre>
     * RevokeApiKey ends a key for good (it stays listed, with its revoke time).
     * </pre>
     */
    default void revokeApiKey(llmgateway.admin.v1.AdminServiceOuterClass.RevokeApiKeyRequest request,
        io.grpc.stub.StreamObserver<llmgateway.admin.v1.AdminServiceOuterClass.RevokeApiKeyResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRevokeApiKeyMethod(), responseObserver);
    }

    /**
     * <pre>
     * QueryUsage aggregates the usage ledger (calls, tokens, cost, errors) by key,
     * team, model, provider, tag and period, over a time range, one page at a time.
     * </pre>
     */
    default void queryUsage(llmgateway.admin.v1.Usage.QueryUsageRequest request,
        io.grpc.stub.StreamObserver<llmgateway.admin.v1.Usage.QueryUsageResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getQueryUsageMethod(), responseObserver);
    }
  }

  /**
   * Base class for the server implementation of the service AdminService.
   * <pre>
   * AdminService manages the model registry and the API keys, and reports usage. Every call needs
   * the admin token in the `authorization: Bearer &lt;token&gt;` metadata. A write is
   * visible to the next call on the same replica and to other replicas within
   * the refresh interval.
   * </pre>
   */
  public static abstract class AdminServiceImplBase
      implements io.grpc.BindableService, AsyncService {

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return AdminServiceGrpc.bindService(this);
    }
  }

  /**
   * A stub to allow clients to do asynchronous rpc calls to service AdminService.
   * <pre>
   * AdminService manages the model registry and the API keys, and reports usage. Every call needs
   * the admin token in the `authorization: Bearer &lt;token&gt;` metadata. A write is
   * visible to the next call on the same replica and to other replicas within
   * the refresh interval.
   * </pre>
   */
  public static final class AdminServiceStub
      extends io.grpc.stub.AbstractAsyncStub<AdminServiceStub> {
    private AdminServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected AdminServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new AdminServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * CreateModel adds a model to the registry.
     * </pre>
     */
    public void createModel(llmgateway.admin.v1.AdminServiceOuterClass.CreateModelRequest request,
        io.grpc.stub.StreamObserver<llmgateway.admin.v1.AdminServiceOuterClass.CreateModelResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getCreateModelMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * GetModel returns one model, available or not.
     * </pre>
     */
    public void getModel(llmgateway.admin.v1.AdminServiceOuterClass.GetModelRequest request,
        io.grpc.stub.StreamObserver<llmgateway.admin.v1.AdminServiceOuterClass.GetModelResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetModelMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListModels pages through every model of the registry, ordered by id.
     * </pre>
     */
    public void listModels(llmgateway.admin.v1.AdminServiceOuterClass.ListModelsRequest request,
        io.grpc.stub.StreamObserver<llmgateway.admin.v1.AdminServiceOuterClass.ListModelsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListModelsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * UpdateModel changes the fields named by `update_mask`.
     * </pre>
     */
    public void updateModel(llmgateway.admin.v1.AdminServiceOuterClass.UpdateModelRequest request,
        io.grpc.stub.StreamObserver<llmgateway.admin.v1.AdminServiceOuterClass.UpdateModelResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getUpdateModelMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * DeleteModel removes a model from the registry.
     * </pre>
     */
    public void deleteModel(llmgateway.admin.v1.AdminServiceOuterClass.DeleteModelRequest request,
        io.grpc.stub.StreamObserver<llmgateway.admin.v1.AdminServiceOuterClass.DeleteModelResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDeleteModelMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * SyncModels fills or refreshes the registry from the built-in adapters'
     * known models and the server's configuration, without overwriting fields
     * an operator changed by hand.
     * </pre>
     */
    public void syncModels(llmgateway.admin.v1.AdminServiceOuterClass.SyncModelsRequest request,
        io.grpc.stub.StreamObserver<llmgateway.admin.v1.AdminServiceOuterClass.SyncModelsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getSyncModelsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * CreateApiKey makes a key and returns its secret, the only time it is shown.
     * </pre>
     */
    public void createApiKey(llmgateway.admin.v1.AdminServiceOuterClass.CreateApiKeyRequest request,
        io.grpc.stub.StreamObserver<llmgateway.admin.v1.AdminServiceOuterClass.CreateApiKeyResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getCreateApiKeyMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * GetApiKey returns one key (never its secret).
     * </pre>
     */
    public void getApiKey(llmgateway.admin.v1.AdminServiceOuterClass.GetApiKeyRequest request,
        io.grpc.stub.StreamObserver<llmgateway.admin.v1.AdminServiceOuterClass.GetApiKeyResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetApiKeyMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListApiKeys pages through the keys, ordered by id.
     * </pre>
     */
    public void listApiKeys(llmgateway.admin.v1.AdminServiceOuterClass.ListApiKeysRequest request,
        io.grpc.stub.StreamObserver<llmgateway.admin.v1.AdminServiceOuterClass.ListApiKeysResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListApiKeysMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * UpdateApiKey changes the fields named by `update_mask`.
     * </pre>
     */
    public void updateApiKey(llmgateway.admin.v1.AdminServiceOuterClass.UpdateApiKeyRequest request,
        io.grpc.stub.StreamObserver<llmgateway.admin.v1.AdminServiceOuterClass.UpdateApiKeyResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getUpdateApiKeyMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * RevokeApiKey ends a key for good (it stays listed, with its revoke time).
     * </pre>
     */
    public void revokeApiKey(llmgateway.admin.v1.AdminServiceOuterClass.RevokeApiKeyRequest request,
        io.grpc.stub.StreamObserver<llmgateway.admin.v1.AdminServiceOuterClass.RevokeApiKeyResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRevokeApiKeyMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * QueryUsage aggregates the usage ledger (calls, tokens, cost, errors) by key,
     * team, model, provider, tag and period, over a time range, one page at a time.
     * </pre>
     */
    public void queryUsage(llmgateway.admin.v1.Usage.QueryUsageRequest request,
        io.grpc.stub.StreamObserver<llmgateway.admin.v1.Usage.QueryUsageResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getQueryUsageMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * A stub to allow clients to do synchronous rpc calls to service AdminService.
   * <pre>
   * AdminService manages the model registry and the API keys, and reports usage. Every call needs
   * the admin token in the `authorization: Bearer &lt;token&gt;` metadata. A write is
   * visible to the next call on the same replica and to other replicas within
   * the refresh interval.
   * </pre>
   */
  public static final class AdminServiceBlockingV2Stub
      extends io.grpc.stub.AbstractBlockingStub<AdminServiceBlockingV2Stub> {
    private AdminServiceBlockingV2Stub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected AdminServiceBlockingV2Stub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new AdminServiceBlockingV2Stub(channel, callOptions);
    }

    /**
     * <pre>
     * CreateModel adds a model to the registry.
     * </pre>
     */
    public llmgateway.admin.v1.AdminServiceOuterClass.CreateModelResponse createModel(llmgateway.admin.v1.AdminServiceOuterClass.CreateModelRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getCreateModelMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetModel returns one model, available or not.
     * </pre>
     */
    public llmgateway.admin.v1.AdminServiceOuterClass.GetModelResponse getModel(llmgateway.admin.v1.AdminServiceOuterClass.GetModelRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetModelMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListModels pages through every model of the registry, ordered by id.
     * </pre>
     */
    public llmgateway.admin.v1.AdminServiceOuterClass.ListModelsResponse listModels(llmgateway.admin.v1.AdminServiceOuterClass.ListModelsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListModelsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * UpdateModel changes the fields named by `update_mask`.
     * </pre>
     */
    public llmgateway.admin.v1.AdminServiceOuterClass.UpdateModelResponse updateModel(llmgateway.admin.v1.AdminServiceOuterClass.UpdateModelRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getUpdateModelMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DeleteModel removes a model from the registry.
     * </pre>
     */
    public llmgateway.admin.v1.AdminServiceOuterClass.DeleteModelResponse deleteModel(llmgateway.admin.v1.AdminServiceOuterClass.DeleteModelRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getDeleteModelMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * SyncModels fills or refreshes the registry from the built-in adapters'
     * known models and the server's configuration, without overwriting fields
     * an operator changed by hand.
     * </pre>
     */
    public llmgateway.admin.v1.AdminServiceOuterClass.SyncModelsResponse syncModels(llmgateway.admin.v1.AdminServiceOuterClass.SyncModelsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getSyncModelsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * CreateApiKey makes a key and returns its secret, the only time it is shown.
     * </pre>
     */
    public llmgateway.admin.v1.AdminServiceOuterClass.CreateApiKeyResponse createApiKey(llmgateway.admin.v1.AdminServiceOuterClass.CreateApiKeyRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getCreateApiKeyMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetApiKey returns one key (never its secret).
     * </pre>
     */
    public llmgateway.admin.v1.AdminServiceOuterClass.GetApiKeyResponse getApiKey(llmgateway.admin.v1.AdminServiceOuterClass.GetApiKeyRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetApiKeyMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListApiKeys pages through the keys, ordered by id.
     * </pre>
     */
    public llmgateway.admin.v1.AdminServiceOuterClass.ListApiKeysResponse listApiKeys(llmgateway.admin.v1.AdminServiceOuterClass.ListApiKeysRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListApiKeysMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * UpdateApiKey changes the fields named by `update_mask`.
     * </pre>
     */
    public llmgateway.admin.v1.AdminServiceOuterClass.UpdateApiKeyResponse updateApiKey(llmgateway.admin.v1.AdminServiceOuterClass.UpdateApiKeyRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getUpdateApiKeyMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * RevokeApiKey ends a key for good (it stays listed, with its revoke time).
     * </pre>
     */
    public llmgateway.admin.v1.AdminServiceOuterClass.RevokeApiKeyResponse revokeApiKey(llmgateway.admin.v1.AdminServiceOuterClass.RevokeApiKeyRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getRevokeApiKeyMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * QueryUsage aggregates the usage ledger (calls, tokens, cost, errors) by key,
     * team, model, provider, tag and period, over a time range, one page at a time.
     * </pre>
     */
    public llmgateway.admin.v1.Usage.QueryUsageResponse queryUsage(llmgateway.admin.v1.Usage.QueryUsageRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getQueryUsageMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do limited synchronous rpc calls to service AdminService.
   * <pre>
   * AdminService manages the model registry and the API keys, and reports usage. Every call needs
   * the admin token in the `authorization: Bearer &lt;token&gt;` metadata. A write is
   * visible to the next call on the same replica and to other replicas within
   * the refresh interval.
   * </pre>
   */
  public static final class AdminServiceBlockingStub
      extends io.grpc.stub.AbstractBlockingStub<AdminServiceBlockingStub> {
    private AdminServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected AdminServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new AdminServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * CreateModel adds a model to the registry.
     * </pre>
     */
    public llmgateway.admin.v1.AdminServiceOuterClass.CreateModelResponse createModel(llmgateway.admin.v1.AdminServiceOuterClass.CreateModelRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getCreateModelMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetModel returns one model, available or not.
     * </pre>
     */
    public llmgateway.admin.v1.AdminServiceOuterClass.GetModelResponse getModel(llmgateway.admin.v1.AdminServiceOuterClass.GetModelRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetModelMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListModels pages through every model of the registry, ordered by id.
     * </pre>
     */
    public llmgateway.admin.v1.AdminServiceOuterClass.ListModelsResponse listModels(llmgateway.admin.v1.AdminServiceOuterClass.ListModelsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListModelsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * UpdateModel changes the fields named by `update_mask`.
     * </pre>
     */
    public llmgateway.admin.v1.AdminServiceOuterClass.UpdateModelResponse updateModel(llmgateway.admin.v1.AdminServiceOuterClass.UpdateModelRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getUpdateModelMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DeleteModel removes a model from the registry.
     * </pre>
     */
    public llmgateway.admin.v1.AdminServiceOuterClass.DeleteModelResponse deleteModel(llmgateway.admin.v1.AdminServiceOuterClass.DeleteModelRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDeleteModelMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * SyncModels fills or refreshes the registry from the built-in adapters'
     * known models and the server's configuration, without overwriting fields
     * an operator changed by hand.
     * </pre>
     */
    public llmgateway.admin.v1.AdminServiceOuterClass.SyncModelsResponse syncModels(llmgateway.admin.v1.AdminServiceOuterClass.SyncModelsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getSyncModelsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * CreateApiKey makes a key and returns its secret, the only time it is shown.
     * </pre>
     */
    public llmgateway.admin.v1.AdminServiceOuterClass.CreateApiKeyResponse createApiKey(llmgateway.admin.v1.AdminServiceOuterClass.CreateApiKeyRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getCreateApiKeyMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetApiKey returns one key (never its secret).
     * </pre>
     */
    public llmgateway.admin.v1.AdminServiceOuterClass.GetApiKeyResponse getApiKey(llmgateway.admin.v1.AdminServiceOuterClass.GetApiKeyRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetApiKeyMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListApiKeys pages through the keys, ordered by id.
     * </pre>
     */
    public llmgateway.admin.v1.AdminServiceOuterClass.ListApiKeysResponse listApiKeys(llmgateway.admin.v1.AdminServiceOuterClass.ListApiKeysRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListApiKeysMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * UpdateApiKey changes the fields named by `update_mask`.
     * </pre>
     */
    public llmgateway.admin.v1.AdminServiceOuterClass.UpdateApiKeyResponse updateApiKey(llmgateway.admin.v1.AdminServiceOuterClass.UpdateApiKeyRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getUpdateApiKeyMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * RevokeApiKey ends a key for good (it stays listed, with its revoke time).
     * </pre>
     */
    public llmgateway.admin.v1.AdminServiceOuterClass.RevokeApiKeyResponse revokeApiKey(llmgateway.admin.v1.AdminServiceOuterClass.RevokeApiKeyRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRevokeApiKeyMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * QueryUsage aggregates the usage ledger (calls, tokens, cost, errors) by key,
     * team, model, provider, tag and period, over a time range, one page at a time.
     * </pre>
     */
    public llmgateway.admin.v1.Usage.QueryUsageResponse queryUsage(llmgateway.admin.v1.Usage.QueryUsageRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getQueryUsageMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do ListenableFuture-style rpc calls to service AdminService.
   * <pre>
   * AdminService manages the model registry and the API keys, and reports usage. Every call needs
   * the admin token in the `authorization: Bearer &lt;token&gt;` metadata. A write is
   * visible to the next call on the same replica and to other replicas within
   * the refresh interval.
   * </pre>
   */
  public static final class AdminServiceFutureStub
      extends io.grpc.stub.AbstractFutureStub<AdminServiceFutureStub> {
    private AdminServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected AdminServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new AdminServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * CreateModel adds a model to the registry.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<llmgateway.admin.v1.AdminServiceOuterClass.CreateModelResponse> createModel(
        llmgateway.admin.v1.AdminServiceOuterClass.CreateModelRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getCreateModelMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * GetModel returns one model, available or not.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<llmgateway.admin.v1.AdminServiceOuterClass.GetModelResponse> getModel(
        llmgateway.admin.v1.AdminServiceOuterClass.GetModelRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetModelMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListModels pages through every model of the registry, ordered by id.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<llmgateway.admin.v1.AdminServiceOuterClass.ListModelsResponse> listModels(
        llmgateway.admin.v1.AdminServiceOuterClass.ListModelsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListModelsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * UpdateModel changes the fields named by `update_mask`.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<llmgateway.admin.v1.AdminServiceOuterClass.UpdateModelResponse> updateModel(
        llmgateway.admin.v1.AdminServiceOuterClass.UpdateModelRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getUpdateModelMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * DeleteModel removes a model from the registry.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<llmgateway.admin.v1.AdminServiceOuterClass.DeleteModelResponse> deleteModel(
        llmgateway.admin.v1.AdminServiceOuterClass.DeleteModelRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDeleteModelMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * SyncModels fills or refreshes the registry from the built-in adapters'
     * known models and the server's configuration, without overwriting fields
     * an operator changed by hand.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<llmgateway.admin.v1.AdminServiceOuterClass.SyncModelsResponse> syncModels(
        llmgateway.admin.v1.AdminServiceOuterClass.SyncModelsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getSyncModelsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * CreateApiKey makes a key and returns its secret, the only time it is shown.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<llmgateway.admin.v1.AdminServiceOuterClass.CreateApiKeyResponse> createApiKey(
        llmgateway.admin.v1.AdminServiceOuterClass.CreateApiKeyRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getCreateApiKeyMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * GetApiKey returns one key (never its secret).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<llmgateway.admin.v1.AdminServiceOuterClass.GetApiKeyResponse> getApiKey(
        llmgateway.admin.v1.AdminServiceOuterClass.GetApiKeyRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetApiKeyMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListApiKeys pages through the keys, ordered by id.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<llmgateway.admin.v1.AdminServiceOuterClass.ListApiKeysResponse> listApiKeys(
        llmgateway.admin.v1.AdminServiceOuterClass.ListApiKeysRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListApiKeysMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * UpdateApiKey changes the fields named by `update_mask`.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<llmgateway.admin.v1.AdminServiceOuterClass.UpdateApiKeyResponse> updateApiKey(
        llmgateway.admin.v1.AdminServiceOuterClass.UpdateApiKeyRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getUpdateApiKeyMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * RevokeApiKey ends a key for good (it stays listed, with its revoke time).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<llmgateway.admin.v1.AdminServiceOuterClass.RevokeApiKeyResponse> revokeApiKey(
        llmgateway.admin.v1.AdminServiceOuterClass.RevokeApiKeyRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRevokeApiKeyMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * QueryUsage aggregates the usage ledger (calls, tokens, cost, errors) by key,
     * team, model, provider, tag and period, over a time range, one page at a time.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<llmgateway.admin.v1.Usage.QueryUsageResponse> queryUsage(
        llmgateway.admin.v1.Usage.QueryUsageRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getQueryUsageMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_CREATE_MODEL = 0;
  private static final int METHODID_GET_MODEL = 1;
  private static final int METHODID_LIST_MODELS = 2;
  private static final int METHODID_UPDATE_MODEL = 3;
  private static final int METHODID_DELETE_MODEL = 4;
  private static final int METHODID_SYNC_MODELS = 5;
  private static final int METHODID_CREATE_API_KEY = 6;
  private static final int METHODID_GET_API_KEY = 7;
  private static final int METHODID_LIST_API_KEYS = 8;
  private static final int METHODID_UPDATE_API_KEY = 9;
  private static final int METHODID_REVOKE_API_KEY = 10;
  private static final int METHODID_QUERY_USAGE = 11;

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
        case METHODID_CREATE_MODEL:
          serviceImpl.createModel((llmgateway.admin.v1.AdminServiceOuterClass.CreateModelRequest) request,
              (io.grpc.stub.StreamObserver<llmgateway.admin.v1.AdminServiceOuterClass.CreateModelResponse>) responseObserver);
          break;
        case METHODID_GET_MODEL:
          serviceImpl.getModel((llmgateway.admin.v1.AdminServiceOuterClass.GetModelRequest) request,
              (io.grpc.stub.StreamObserver<llmgateway.admin.v1.AdminServiceOuterClass.GetModelResponse>) responseObserver);
          break;
        case METHODID_LIST_MODELS:
          serviceImpl.listModels((llmgateway.admin.v1.AdminServiceOuterClass.ListModelsRequest) request,
              (io.grpc.stub.StreamObserver<llmgateway.admin.v1.AdminServiceOuterClass.ListModelsResponse>) responseObserver);
          break;
        case METHODID_UPDATE_MODEL:
          serviceImpl.updateModel((llmgateway.admin.v1.AdminServiceOuterClass.UpdateModelRequest) request,
              (io.grpc.stub.StreamObserver<llmgateway.admin.v1.AdminServiceOuterClass.UpdateModelResponse>) responseObserver);
          break;
        case METHODID_DELETE_MODEL:
          serviceImpl.deleteModel((llmgateway.admin.v1.AdminServiceOuterClass.DeleteModelRequest) request,
              (io.grpc.stub.StreamObserver<llmgateway.admin.v1.AdminServiceOuterClass.DeleteModelResponse>) responseObserver);
          break;
        case METHODID_SYNC_MODELS:
          serviceImpl.syncModels((llmgateway.admin.v1.AdminServiceOuterClass.SyncModelsRequest) request,
              (io.grpc.stub.StreamObserver<llmgateway.admin.v1.AdminServiceOuterClass.SyncModelsResponse>) responseObserver);
          break;
        case METHODID_CREATE_API_KEY:
          serviceImpl.createApiKey((llmgateway.admin.v1.AdminServiceOuterClass.CreateApiKeyRequest) request,
              (io.grpc.stub.StreamObserver<llmgateway.admin.v1.AdminServiceOuterClass.CreateApiKeyResponse>) responseObserver);
          break;
        case METHODID_GET_API_KEY:
          serviceImpl.getApiKey((llmgateway.admin.v1.AdminServiceOuterClass.GetApiKeyRequest) request,
              (io.grpc.stub.StreamObserver<llmgateway.admin.v1.AdminServiceOuterClass.GetApiKeyResponse>) responseObserver);
          break;
        case METHODID_LIST_API_KEYS:
          serviceImpl.listApiKeys((llmgateway.admin.v1.AdminServiceOuterClass.ListApiKeysRequest) request,
              (io.grpc.stub.StreamObserver<llmgateway.admin.v1.AdminServiceOuterClass.ListApiKeysResponse>) responseObserver);
          break;
        case METHODID_UPDATE_API_KEY:
          serviceImpl.updateApiKey((llmgateway.admin.v1.AdminServiceOuterClass.UpdateApiKeyRequest) request,
              (io.grpc.stub.StreamObserver<llmgateway.admin.v1.AdminServiceOuterClass.UpdateApiKeyResponse>) responseObserver);
          break;
        case METHODID_REVOKE_API_KEY:
          serviceImpl.revokeApiKey((llmgateway.admin.v1.AdminServiceOuterClass.RevokeApiKeyRequest) request,
              (io.grpc.stub.StreamObserver<llmgateway.admin.v1.AdminServiceOuterClass.RevokeApiKeyResponse>) responseObserver);
          break;
        case METHODID_QUERY_USAGE:
          serviceImpl.queryUsage((llmgateway.admin.v1.Usage.QueryUsageRequest) request,
              (io.grpc.stub.StreamObserver<llmgateway.admin.v1.Usage.QueryUsageResponse>) responseObserver);
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
          getCreateModelMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              llmgateway.admin.v1.AdminServiceOuterClass.CreateModelRequest,
              llmgateway.admin.v1.AdminServiceOuterClass.CreateModelResponse>(
                service, METHODID_CREATE_MODEL)))
        .addMethod(
          getGetModelMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              llmgateway.admin.v1.AdminServiceOuterClass.GetModelRequest,
              llmgateway.admin.v1.AdminServiceOuterClass.GetModelResponse>(
                service, METHODID_GET_MODEL)))
        .addMethod(
          getListModelsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              llmgateway.admin.v1.AdminServiceOuterClass.ListModelsRequest,
              llmgateway.admin.v1.AdminServiceOuterClass.ListModelsResponse>(
                service, METHODID_LIST_MODELS)))
        .addMethod(
          getUpdateModelMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              llmgateway.admin.v1.AdminServiceOuterClass.UpdateModelRequest,
              llmgateway.admin.v1.AdminServiceOuterClass.UpdateModelResponse>(
                service, METHODID_UPDATE_MODEL)))
        .addMethod(
          getDeleteModelMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              llmgateway.admin.v1.AdminServiceOuterClass.DeleteModelRequest,
              llmgateway.admin.v1.AdminServiceOuterClass.DeleteModelResponse>(
                service, METHODID_DELETE_MODEL)))
        .addMethod(
          getSyncModelsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              llmgateway.admin.v1.AdminServiceOuterClass.SyncModelsRequest,
              llmgateway.admin.v1.AdminServiceOuterClass.SyncModelsResponse>(
                service, METHODID_SYNC_MODELS)))
        .addMethod(
          getCreateApiKeyMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              llmgateway.admin.v1.AdminServiceOuterClass.CreateApiKeyRequest,
              llmgateway.admin.v1.AdminServiceOuterClass.CreateApiKeyResponse>(
                service, METHODID_CREATE_API_KEY)))
        .addMethod(
          getGetApiKeyMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              llmgateway.admin.v1.AdminServiceOuterClass.GetApiKeyRequest,
              llmgateway.admin.v1.AdminServiceOuterClass.GetApiKeyResponse>(
                service, METHODID_GET_API_KEY)))
        .addMethod(
          getListApiKeysMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              llmgateway.admin.v1.AdminServiceOuterClass.ListApiKeysRequest,
              llmgateway.admin.v1.AdminServiceOuterClass.ListApiKeysResponse>(
                service, METHODID_LIST_API_KEYS)))
        .addMethod(
          getUpdateApiKeyMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              llmgateway.admin.v1.AdminServiceOuterClass.UpdateApiKeyRequest,
              llmgateway.admin.v1.AdminServiceOuterClass.UpdateApiKeyResponse>(
                service, METHODID_UPDATE_API_KEY)))
        .addMethod(
          getRevokeApiKeyMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              llmgateway.admin.v1.AdminServiceOuterClass.RevokeApiKeyRequest,
              llmgateway.admin.v1.AdminServiceOuterClass.RevokeApiKeyResponse>(
                service, METHODID_REVOKE_API_KEY)))
        .addMethod(
          getQueryUsageMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              llmgateway.admin.v1.Usage.QueryUsageRequest,
              llmgateway.admin.v1.Usage.QueryUsageResponse>(
                service, METHODID_QUERY_USAGE)))
        .build();
  }

  private static abstract class AdminServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    AdminServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return llmgateway.admin.v1.AdminServiceOuterClass.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("AdminService");
    }
  }

  private static final class AdminServiceFileDescriptorSupplier
      extends AdminServiceBaseDescriptorSupplier {
    AdminServiceFileDescriptorSupplier() {}
  }

  private static final class AdminServiceMethodDescriptorSupplier
      extends AdminServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final java.lang.String methodName;

    AdminServiceMethodDescriptorSupplier(java.lang.String methodName) {
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
      synchronized (AdminServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new AdminServiceFileDescriptorSupplier())
              .addMethod(getCreateModelMethod())
              .addMethod(getGetModelMethod())
              .addMethod(getListModelsMethod())
              .addMethod(getUpdateModelMethod())
              .addMethod(getDeleteModelMethod())
              .addMethod(getSyncModelsMethod())
              .addMethod(getCreateApiKeyMethod())
              .addMethod(getGetApiKeyMethod())
              .addMethod(getListApiKeysMethod())
              .addMethod(getUpdateApiKeyMethod())
              .addMethod(getRevokeApiKeyMethod())
              .addMethod(getQueryUsageMethod())
              .build();
        }
      }
    }
    return result;
  }
}
