/**
 * `GatewayError`: a failed call with the gateway's `google.rpc` details decoded (the gRPC transport
 * parses the `grpc-status-details-bin` trailer; the detail types come from the vendored
 * `google/rpc/error_details.proto`).
 */
import { Code, ConnectError } from "@connectrpc/connect";

import { BadRequestSchema, ErrorInfoSchema, RetryInfoSchema } from "./gen/google/rpc/error_details_pb.js";
import { ErrorReason } from "./gen/llmgateway/v1/error_reason_pb.js";
import { codeName } from "./service-config.js";

export { Code, ErrorReason };

/** One invalid request field, from `google.rpc.BadRequest`. */
export interface FieldViolation {
  /** Path of the field, e.g. `messages[1].tool_call_id`. */
  field: string;
  description: string;
}

export class GatewayError extends Error {
  /** The gRPC status code (Connect's `Code` enum: `Code.NotFound === 5`). */
  readonly code: Code;
  /** The canonical name of the code, e.g. `NOT_FOUND`. */
  readonly codeName: string;
  /** The status message without Connect's `[code]` prefix. */
  readonly rawMessage: string;
  /** `ErrorInfo.reason`, e.g. `MODEL_NOT_FOUND`; `""` when the status carries no ErrorInfo. */
  readonly reason: string;
  /** The reason as the generated enum (`ErrorReason.UNSPECIFIED` when absent or unknown). */
  readonly errorReason: ErrorReason;
  /** `ErrorInfo.domain` (`llmgateway`), or `""`. */
  readonly domain: string;
  /** `ErrorInfo.metadata`: `model`, `provider`, `http_status`, `attempts`, `tried`, ... */
  readonly metadata: Record<string, string>;
  /** `RetryInfo.retry_delay` in milliseconds, when the server knows one. */
  readonly retryDelayMs: number | undefined;
  /** `BadRequest.field_violations`. */
  readonly fieldViolations: FieldViolation[];
  /** The gateway request id (`x-request-id` response header, else the one the call sent). */
  readonly requestId: string | undefined;
  /** Response headers and trailers of the failed call. */
  readonly responseMetadata: Headers;
  declare readonly cause: ConnectError;

  constructor(error: ConnectError, requestId?: string) {
    super(`${codeName(error.code)}: ${error.rawMessage}`, { cause: error });
    this.name = "GatewayError";
    this.code = error.code;
    this.codeName = codeName(error.code);
    this.rawMessage = error.rawMessage;
    this.responseMetadata = error.metadata;
    const [info] = error.findDetails(ErrorInfoSchema);
    this.reason = info?.reason ?? "";
    this.domain = info?.domain ?? "";
    this.metadata = { ...(info?.metadata ?? {}) };
    const known = ErrorReason[this.reason as keyof typeof ErrorReason];
    this.errorReason = typeof known === "number" ? known : ErrorReason.UNSPECIFIED;
    const [retry] = error.findDetails(RetryInfoSchema);
    const delay = retry?.retryDelay;
    this.retryDelayMs =
      delay === undefined ? undefined : Number(delay.seconds) * 1000 + Math.round(delay.nanos / 1e6);
    this.fieldViolations = error
      .findDetails(BadRequestSchema)
      .flatMap((d) => d.fieldViolations.map((v) => ({ field: v.field, description: v.description })));
    this.requestId = error.metadata.get("x-request-id") ?? requestId;
  }

  /** Wraps any failure of a call (a `ConnectError`, an abort, anything thrown) in a GatewayError. */
  static from(err: unknown, requestId?: string): GatewayError {
    if (err instanceof GatewayError) {
      return err;
    }
    return new GatewayError(ConnectError.from(err, Code.Unknown), requestId);
  }
}
