package gateway

import (
	"errors"
	"io"
	"sort"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	llmgatewayv1 "github.com/llmgateway/llmgateway/clients/go/gen/llmgateway/v1"
)

// StreamResult folds StreamChat events into the answer: feed it every event with Add, or let
// [Collect] read a whole stream. The zero value is ready to use.
type StreamResult struct {
	// Start is the first event (model, provider, deployment, request id); nil until it arrives.
	Start *llmgatewayv1.StreamStart
	// End is the last event (finish reason and usage); nil until it arrives.
	End *llmgatewayv1.StreamEnd

	text, reasoning   strings.Builder
	signature, redact string
	calls             map[int32]*llmgatewayv1.ToolCall
}

// Add folds one event in.
func (r *StreamResult) Add(event *llmgatewayv1.StreamChatResponse) {
	switch e := event.GetEvent().(type) {
	case *llmgatewayv1.StreamChatResponse_Start:
		r.Start = e.Start
	case *llmgatewayv1.StreamChatResponse_TextDelta:
		r.text.WriteString(e.TextDelta.GetText())
	case *llmgatewayv1.StreamChatResponse_ReasoningDelta:
		r.reasoning.WriteString(e.ReasoningDelta.GetText())
		if s := e.ReasoningDelta.GetSignature(); s != "" {
			r.signature = s
		}
		r.redact += e.ReasoningDelta.GetRedactedData()
	case *llmgatewayv1.StreamChatResponse_ToolCallDelta:
		d := e.ToolCallDelta
		if r.calls == nil {
			r.calls = map[int32]*llmgatewayv1.ToolCall{}
		}
		call, ok := r.calls[d.GetIndex()]
		if !ok {
			call = &llmgatewayv1.ToolCall{}
			r.calls[d.GetIndex()] = call
		}
		if d.GetId() != "" {
			call.Id = d.GetId()
		}
		if d.GetName() != "" {
			call.Name = d.GetName()
		}
		call.Arguments += d.GetArgumentsFragment()
	case *llmgatewayv1.StreamChatResponse_End:
		r.End = e.End
	}
}

// Complete reports whether the end event arrived: a stream that stopped without it (a failure
// after start) is not a whole answer.
func (r *StreamResult) Complete() bool { return r.End != nil }

// Text is the answer text so far.
func (r *StreamResult) Text() string { return r.text.String() }

// Reasoning is the reasoning text so far.
func (r *StreamResult) Reasoning() string { return r.reasoning.String() }

// ToolCalls are the tool calls so far, in index order; Arguments is the concatenated JSON string
// exactly as the model produced it.
func (r *StreamResult) ToolCalls() []*llmgatewayv1.ToolCall {
	indexes := make([]int32, 0, len(r.calls))
	for i := range r.calls {
		indexes = append(indexes, i)
	}
	sort.Slice(indexes, func(a, b int) bool { return indexes[a] < indexes[b] })
	calls := make([]*llmgatewayv1.ToolCall, 0, len(indexes))
	for _, i := range indexes {
		calls = append(calls, proto.Clone(r.calls[i]).(*llmgatewayv1.ToolCall))
	}
	return calls
}

// Message is the assistant turn to send back in the next request: reasoning (with its
// signature), text and tool calls.
func (r *StreamResult) Message() *llmgatewayv1.Message {
	m := &llmgatewayv1.Message{Role: llmgatewayv1.Role_ROLE_ASSISTANT, ToolCalls: r.ToolCalls()}
	if r.reasoning.Len() > 0 || r.signature != "" || r.redact != "" {
		m.Content = append(m.Content, &llmgatewayv1.ContentPart{Part: &llmgatewayv1.ContentPart_Reasoning{
			Reasoning: &llmgatewayv1.ReasoningPart{Text: r.Reasoning(), Signature: r.signature, RedactedData: r.redact},
		}})
	}
	if r.text.Len() > 0 {
		m.Content = append(m.Content, &llmgatewayv1.ContentPart{Part: &llmgatewayv1.ContentPart_Text{Text: r.Text()}})
	}
	return m
}

// Collect reads stream to its end and folds every event. On failure it returns what arrived so
// far with the error as an [*Error] (request id included).
func Collect(stream grpc.ServerStreamingClient[llmgatewayv1.StreamChatResponse]) (*StreamResult, error) {
	result := &StreamResult{}
	for {
		event, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return result, nil
		}
		if err != nil {
			header, _ := stream.Header()
			return result, ParseError(err, stream.Trailer(), header)
		}
		result.Add(event)
	}
}
