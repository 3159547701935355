package gateway

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	llmgatewayv1 "github.com/llmgateway/llmgateway/clients/go/gen/llmgateway/v1"
)

const (
	// ErrorDomain is the ErrorInfo domain of every gateway error.
	ErrorDomain = "llmgateway"
	// RequestIDHeader carries the request id: send it to choose one, read it from the response
	// header (grpc.Header, or Header on a stream) to learn the one the gateway used.
	RequestIDHeader = "x-request-id"
)

// Error is a failed gateway call with the google.rpc details of its status.
type Error struct {
	// Code and Message are the gRPC status.
	Code    codes.Code
	Message string
	// Reason is the ErrorInfo reason (an [llmgatewayv1.ErrorReason] name without its
	// ERROR_REASON_ prefix, for example "MODEL_NOT_FOUND"); "" when the status has no ErrorInfo,
	// for example a local deadline or a connection failure.
	Reason string
	// Domain is the ErrorInfo domain ([ErrorDomain]).
	Domain string
	// Metadata is the ErrorInfo metadata (model, provider, http_status, attempts, ...).
	Metadata map[string]string
	// FieldViolations are the BadRequest violations (field paths such as messages[1].tool_call_id).
	FieldViolations []*errdetails.BadRequest_FieldViolation
	// RetryDelay is the RetryInfo delay; 0 when the status has none.
	RetryDelay time.Duration
	// RequestID is the gateway request id from the x-request-id response metadata, when known.
	RequestID string

	status *status.Status
}

// ParseError decodes err, as returned by a generated client method or a stream's Recv, into an
// *Error; nil when err is nil. md is the call's response metadata, any of which may be nil: the
// gateway sends x-request-id as a trailer on unary calls and errors (grpc.Trailer, or a stream's
// Trailer method) and as a header on streams (the stream's Header method); it gives [Error.RequestID].
func ParseError(err error, md ...metadata.MD) *Error {
	if err == nil {
		return nil
	}
	var already *Error
	if errors.As(err, &already) {
		return already
	}
	st, ok := status.FromError(err)
	if !ok {
		st = status.FromContextError(err)
	}
	e := &Error{Code: st.Code(), Message: st.Message(), status: st}
	for _, m := range md {
		if ids := m.Get(RequestIDHeader); len(ids) > 0 {
			e.RequestID = ids[0]
			break
		}
	}
	for _, detail := range st.Details() {
		switch d := detail.(type) {
		case *errdetails.ErrorInfo:
			if e.Reason == "" && e.Domain == "" {
				e.Reason, e.Domain, e.Metadata = d.GetReason(), d.GetDomain(), d.GetMetadata()
			}
		case *errdetails.BadRequest:
			e.FieldViolations = append(e.FieldViolations, d.GetFieldViolations()...)
		case *errdetails.RetryInfo:
			e.RetryDelay = d.GetRetryDelay().AsDuration()
		}
	}
	return e
}

// Error formats the status like gRPC does, with the reason and the request id when known.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "llmgateway: code = %s desc = %s", e.Code, e.Message)
	if e.Reason != "" {
		fmt.Fprintf(&b, " [%s]", e.Reason)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request id %s)", e.RequestID)
	}
	return b.String()
}

// GRPCStatus returns the original status, so status.Code and status.FromError work on an *Error.
func (e *Error) GRPCStatus() *status.Status { return e.status }

// ErrorReason is [Error.Reason] as the generated enum; ERROR_REASON_UNSPECIFIED when the reason
// is empty or unknown to this client.
func (e *Error) ErrorReason() llmgatewayv1.ErrorReason {
	return llmgatewayv1.ErrorReason(llmgatewayv1.ErrorReason_value["ERROR_REASON_"+e.Reason])
}

// Field returns the description of the BadRequest violation of field and whether there is one.
func (e *Error) Field(field string) (string, bool) {
	for _, v := range e.FieldViolations {
		if v.GetField() == field {
			return v.GetDescription(), true
		}
	}
	return "", false
}
