// Command chat calls a gateway: one Chat, one StreamChat printed as it arrives, and the
// rich error details of a failing call.
//
//	go run ./examples/chat -addr 127.0.0.1:50051 -model mock/echo "Hello!"
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	"github.com/llmgateway/llmgateway/clients/go/gateway"
	llmgatewayv1 "github.com/llmgateway/llmgateway/clients/go/gen/llmgateway/v1"
)

func main() {
	addr := flag.String("addr", envOr("LLMGATEWAY_ADDR", "127.0.0.1:50051"), "gateway address")
	model := flag.String("model", "mock/echo", "model id")
	apiKey := flag.String("api-key", os.Getenv("LLMGATEWAY_API_KEY"), "sent as authorization: Bearer <key>")
	flag.Parse()
	prompt := strings.Join(flag.Args(), " ")
	if prompt == "" {
		prompt = "Hello!"
	}

	options := []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials()), gateway.WithServiceConfig()}
	if *apiKey != "" {
		options = append(options, gateway.WithAPIKey(*apiKey))
	}
	conn, err := grpc.NewClient(*addr, options...)
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	client := llmgatewayv1.NewGatewayServiceClient(conn)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	messages := []*llmgatewayv1.Message{{
		Role:    llmgatewayv1.Role_ROLE_USER,
		Content: []*llmgatewayv1.ContentPart{{Part: &llmgatewayv1.ContentPart_Text{Text: prompt}}},
	}}

	// Chat: one complete answer (unary calls return x-request-id as a trailer).
	var trailer metadata.MD
	response, err := client.Chat(ctx, &llmgatewayv1.ChatRequest{Model: *model, Messages: messages},
		grpc.Trailer(&trailer))
	if err != nil {
		log.Fatal(gateway.ParseError(err, trailer))
	}
	fmt.Printf("chat: %s (model %s, %d tokens)\n",
		response.GetMessage().GetContent()[0].GetText(), response.GetModel(), response.GetUsage().GetTotalTokens())

	// StreamChat: start, deltas, end.
	stream, err := client.StreamChat(ctx, &llmgatewayv1.StreamChatRequest{Model: *model, Messages: messages})
	if err != nil {
		log.Fatal(gateway.ParseError(err, nil))
	}
	fmt.Print("stream: ")
	for {
		event, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			header, _ := stream.Header()
			log.Fatal(gateway.ParseError(err, stream.Trailer(), header))
		}
		switch e := event.GetEvent().(type) {
		case *llmgatewayv1.StreamChatResponse_TextDelta:
			fmt.Print(e.TextDelta.GetText())
		case *llmgatewayv1.StreamChatResponse_End:
			fmt.Printf(" [%s]\n", e.End.GetFinishReason())
		}
	}

	// Errors: the status carries ErrorInfo (reason, metadata), BadRequest and RetryInfo.
	_, err = client.Chat(ctx, &llmgatewayv1.ChatRequest{Model: "nobody/nothing", Messages: messages},
		grpc.Trailer(&trailer))
	if e := gateway.ParseError(err, trailer); e != nil {
		fmt.Printf("error: %s %s model=%s request_id=%s\n", e.Code, e.Reason, e.Metadata["model"], e.RequestID)
	}
}

func envOr(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}
