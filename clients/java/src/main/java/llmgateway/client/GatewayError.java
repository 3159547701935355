package llmgateway.client;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import llmgateway.v1.ErrorReasonOuterClass.ErrorReason;

/**
 * A failed gateway call, decoded from the {@code google.rpc.Status} details the gateway sends in
 * the {@code grpc-status-details-bin} trailer: the {@link ErrorInfo} reason (e.g. {@code
 * MODEL_NOT_FOUND}), domain and metadata, the {@link BadRequest} field violations and the {@link
 * RetryInfo} delay.
 *
 * <pre>{@code
 * try {
 *   stub.chat(request);
 * } catch (StatusRuntimeException e) {
 *   GatewayError error = GatewayError.from(e);
 *   if (error.errorReason() == ErrorReason.ERROR_REASON_MODEL_NOT_FOUND) { ... }
 * }
 * }</pre>
 */
public final class GatewayError {
  /** The gateway's ErrorInfo domain. */
  public static final String DOMAIN = "llmgateway";

  private static final Metadata.Key<String> REQUEST_ID =
      Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);

  private final Status.Code code;
  private final String message;
  private final ErrorInfo errorInfo;
  private final List<BadRequest.FieldViolation> fieldViolations;
  private final Duration retryDelay;
  private final String requestId;

  private GatewayError(
      Status.Code code,
      String message,
      ErrorInfo errorInfo,
      List<BadRequest.FieldViolation> fieldViolations,
      Duration retryDelay,
      String requestId) {
    this.code = code;
    this.message = message;
    this.errorInfo = errorInfo;
    this.fieldViolations = List.copyOf(fieldViolations);
    this.retryDelay = retryDelay;
    this.requestId = requestId;
  }

  /**
   * Decodes a {@code StatusRuntimeException} / {@code StatusException} (or anything whose cause
   * chain holds one). A status without details (e.g. a local deadline) gives an empty reason.
   */
  public static GatewayError from(Throwable t) {
    Status status = Status.fromThrowable(t);
    com.google.rpc.Status details = StatusProto.fromThrowable(t);
    Metadata trailers = Status.trailersFromThrowable(t);
    ErrorInfo info = ErrorInfo.getDefaultInstance();
    List<BadRequest.FieldViolation> violations = new ArrayList<>();
    Duration delay = null;
    if (details != null) {
      for (com.google.protobuf.Any any : details.getDetailsList()) {
        try {
          if (any.is(ErrorInfo.class)) {
            info = any.unpack(ErrorInfo.class);
          } else if (any.is(BadRequest.class)) {
            violations.addAll(any.unpack(BadRequest.class).getFieldViolationsList());
          } else if (any.is(RetryInfo.class)) {
            com.google.protobuf.Duration d = any.unpack(RetryInfo.class).getRetryDelay();
            delay = Duration.ofSeconds(d.getSeconds(), d.getNanos());
          }
        } catch (InvalidProtocolBufferException e) {
          // An undecodable detail is skipped; the status code and message still stand.
        }
      }
    }
    String message =
        details != null && !details.getMessage().isEmpty()
            ? details.getMessage()
            : String.valueOf(status.getDescription());
    String requestId = trailers != null ? trailers.get(REQUEST_ID) : null;
    return new GatewayError(status.getCode(), message, info, violations, delay, requestId);
  }

  /** The canonical gRPC status code. */
  public Status.Code code() {
    return code;
  }

  /** The status message. */
  public String message() {
    return message;
  }

  /** The ErrorInfo reason without the {@code ERROR_REASON_} prefix, or "" without details. */
  public String reason() {
    return errorInfo.getReason();
  }

  /**
   * The reason as the {@code llmgateway.v1.ErrorReason} enum; {@code ERROR_REASON_UNSPECIFIED}
   * without details, {@code UNRECOGNIZED} for a reason this client does not know (e.g. an
   * AdminService reason).
   */
  public ErrorReason errorReason() {
    if (reason().isEmpty()) {
      return ErrorReason.ERROR_REASON_UNSPECIFIED;
    }
    try {
      return ErrorReason.valueOf("ERROR_REASON_" + reason());
    } catch (IllegalArgumentException e) {
      return ErrorReason.UNRECOGNIZED;
    }
  }

  /** The ErrorInfo domain ({@code llmgateway}), or "" without details. */
  public String domain() {
    return errorInfo.getDomain();
  }

  /** ErrorInfo metadata such as {@code model}, {@code provider}, {@code http_status}. */
  public Map<String, String> metadata() {
    return errorInfo.getMetadataMap();
  }

  /** The whole ErrorInfo (the default instance when the status had none). */
  public ErrorInfo errorInfo() {
    return errorInfo;
  }

  /** The BadRequest field violations (field path such as {@code messages[1].tool_call_id}). */
  public List<BadRequest.FieldViolation> fieldViolations() {
    return fieldViolations;
  }

  /** How long to wait before retrying, when the gateway knows (RetryInfo). */
  public Optional<Duration> retryDelay() {
    return Optional.ofNullable(retryDelay);
  }

  /**
   * The {@code x-request-id} from the error's trailers (the gateway puts it there on every error); or read
   * it from the response headers (see {@code io.grpc.stub.MetadataUtils
   * .newCaptureMetadataInterceptor}).
   */
  public Optional<String> requestId() {
    return Optional.ofNullable(requestId);
  }

  @Override
  public String toString() {
    return code + (reason().isEmpty() ? "" : " " + reason()) + ": " + message;
  }
}
