package gateway

import (
	"context"

	llmgatewayv1 "github.com/llmgateway/llmgateway/clients/go/gen/llmgateway/v1"
	"google.golang.org/grpc"
)

// SessionID is the session the stream belongs to (from its start event): a virtual model with
// memory starts one when the request names none. Send it as StreamChatRequest.SessionId (or
// ChatRequest.SessionId) to continue the conversation; "" without memory.
func (r *StreamResult) SessionID() string { return r.Start.GetSessionId() }

// SessionHistory is a session's whole stored history, oldest first, read page by page from
// the SessionService (pageSize 0: the server's default page size).
func SessionHistory(ctx context.Context, client llmgatewayv1.SessionServiceClient, sessionID string, pageSize int32, opts ...grpc.CallOption) ([]*llmgatewayv1.Message, error) {
	request := &llmgatewayv1.ListSessionMessagesRequest{SessionId: sessionID, PageSize: pageSize}
	var messages []*llmgatewayv1.Message
	for {
		page, err := client.ListSessionMessages(ctx, request, opts...)
		if err != nil {
			return messages, err
		}
		messages = append(messages, page.GetMessages()...)
		if page.GetNextPageToken() == "" {
			return messages, nil
		}
		request.PageToken = page.GetNextPageToken()
	}
}
