package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/llmgateway/llmgateway/clients/go/gateway"
	llmgatewayv1 "github.com/llmgateway/llmgateway/clients/go/gen/llmgateway/v1"
)

// --- without a server ---------------------------------------------------------------------------

func TestServiceConfigIsTheSharedOne(t *testing.T) {
	shared, err := os.ReadFile("../../service_config.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(shared, []byte(gateway.ServiceConfig)) {
		t.Fatal("gateway/service_config.json differs from clients/service_config.json: run clients/go/generate.sh")
	}
	var config struct {
		MethodConfig []struct {
			Name []struct{ Service, Method string }
		}
	}
	if err := json.Unmarshal(shared, &config); err != nil {
		t.Fatal(err)
	}
	methods := map[string]bool{}
	for _, entry := range config.MethodConfig {
		for _, name := range entry.Name {
			methods[name.Service+"/"+name.Method] = true
		}
	}
	for _, method := range []string{
		llmgatewayv1.GatewayService_Chat_FullMethodName, llmgatewayv1.GatewayService_StreamChat_FullMethodName,
		llmgatewayv1.GatewayService_Embed_FullMethodName, llmgatewayv1.GatewayService_GenerateImage_FullMethodName,
		llmgatewayv1.GatewayService_Transcribe_FullMethodName, llmgatewayv1.GatewayService_SynthesizeSpeech_FullMethodName,
		llmgatewayv1.GatewayService_ListModels_FullMethodName,
	} {
		if !methods[strings.TrimPrefix(method, "/")] {
			t.Errorf("the service config has no entry for %s", method)
		}
	}
}

func TestParseErrorDecodesEveryDetail(t *testing.T) {
	st, err := status.New(codes.ResourceExhausted, "slow down").WithDetails(
		&errdetails.ErrorInfo{Reason: "PROVIDER_RATE_LIMITED", Domain: "llmgateway", Metadata: map[string]string{"provider": "openai"}},
		&errdetails.RetryInfo{RetryDelay: durationpb.New(1500 * time.Millisecond)},
		&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: "f", Description: "d"}}},
	)
	if err != nil {
		t.Fatal(err)
	}
	e := gateway.ParseError(st.Err(), metadata.Pairs("x-request-id", "rid-7"))
	if e.Code != codes.ResourceExhausted || e.Message != "slow down" || e.Reason != "PROVIDER_RATE_LIMITED" ||
		e.Domain != gateway.ErrorDomain || e.Metadata["provider"] != "openai" || e.RetryDelay != 1500*time.Millisecond ||
		e.RequestID != "rid-7" {
		t.Fatalf("decoded %+v", e)
	}
	if e.ErrorReason() != llmgatewayv1.ErrorReason_ERROR_REASON_PROVIDER_RATE_LIMITED {
		t.Errorf("ErrorReason() = %s", e.ErrorReason())
	}
	if d, ok := e.Field("f"); !ok || d != "d" {
		t.Errorf("Field(f) = %q, %v", d, ok)
	}
	if status.Code(e) != codes.ResourceExhausted || gateway.ParseError(e, nil) != e {
		t.Error("an *Error keeps its status")
	}
	want := "llmgateway: code = ResourceExhausted desc = slow down [PROVIDER_RATE_LIMITED] (request id rid-7)"
	if e.Error() != want {
		t.Errorf("Error() = %q", e.Error())
	}
	if gateway.ParseError(nil, nil) != nil {
		t.Error("ParseError(nil) is nil")
	}
	bare := gateway.ParseError(context.DeadlineExceeded, nil)
	if bare.Code != codes.DeadlineExceeded || bare.Reason != "" || bare.ErrorReason() != llmgatewayv1.ErrorReason_ERROR_REASON_UNSPECIFIED {
		t.Errorf("a context error decodes to %+v", bare)
	}
}

// --- against a live gateway (LLMGATEWAY_ADDR) ---------------------------------------------------

var weatherTool = func() *llmgatewayv1.Tool {
	parameters, err := structpb.NewStruct(map[string]any{
		"type": "object", "properties": map[string]any{"input": map[string]any{"type": "string"}},
	})
	if err != nil {
		panic(err)
	}
	return &llmgatewayv1.Tool{Name: "get_weather", Description: "Current weather", Parameters: parameters}
}()

// live returns a client of the gateway at LLMGATEWAY_ADDR, or skips the test when it is unset.
func live(t *testing.T, options ...grpc.DialOption) llmgatewayv1.GatewayServiceClient {
	t.Helper()
	return llmgatewayv1.NewGatewayServiceClient(liveConn(t, options...))
}

// liveConn is a connection to the gateway at LLMGATEWAY_ADDR (skipping the test when it is unset).
func liveConn(t *testing.T, options ...grpc.DialOption) *grpc.ClientConn {
	t.Helper()
	addr := os.Getenv("LLMGATEWAY_ADDR")
	if addr == "" {
		t.Skip("LLMGATEWAY_ADDR is not set (tests/clients/test_go.py sets it to a live gateway)")
	}
	if len(options) == 0 {
		options = []grpc.DialOption{gateway.WithServiceConfig()}
	}
	if key := os.Getenv("LLMGATEWAY_API_KEY"); key != "" {
		options = append(options, gateway.WithAPIKey(key))
	}
	options = append(options, grpc.WithTransportCredentials(insecure.NewCredentials()))
	conn, err := grpc.NewClient(addr, options...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func timeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func user(text string) *llmgatewayv1.Message {
	return &llmgatewayv1.Message{
		Role:    llmgatewayv1.Role_ROLE_USER,
		Content: []*llmgatewayv1.ContentPart{{Part: &llmgatewayv1.ContentPart_Text{Text: text}}},
	}
}

func TestChat(t *testing.T) {
	client := live(t)
	ctx := metadata.AppendToOutgoingContext(timeout(t, 10*time.Second),
		gateway.RequestIDHeader, "go-trace-1")
	var trailer metadata.MD
	response, err := client.Chat(ctx, &llmgatewayv1.ChatRequest{
		Model: "mock/echo", Messages: []*llmgatewayv1.Message{user("hello there")},
	}, grpc.Trailer(&trailer))
	if err != nil {
		t.Fatal(gateway.ParseError(err, trailer))
	}
	if text := response.GetMessage().GetContent()[0].GetText(); text != "Echo: hello there" {
		t.Errorf("text = %q", text)
	}
	if response.GetModel() != "mock/echo" || response.GetProvider() != "mock" ||
		response.GetFinishReason() != llmgatewayv1.FinishReason_FINISH_REASON_STOP {
		t.Errorf("response = %v", response)
	}
	if ids := trailer.Get(gateway.RequestIDHeader); response.GetRequestId() != "go-trace-1" || len(ids) == 0 || ids[0] != "go-trace-1" {
		t.Errorf("request id %q, trailer %v", response.GetRequestId(), trailer)
	}
	usage := response.GetUsage()
	if usage.GetTotalTokens() == 0 || usage.GetTotalTokens() != usage.GetPromptTokens()+usage.GetCompletionTokens() {
		t.Errorf("usage = %v", usage)
	}
}

func TestTheGatewayRequiresTheAPIKey(t *testing.T) {
	live(t) // skips without a live gateway
	conn, err := grpc.NewClient(os.Getenv("LLMGATEWAY_ADDR"), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var trailer metadata.MD
	_, err = llmgatewayv1.NewGatewayServiceClient(conn).Chat(timeout(t, 10*time.Second), &llmgatewayv1.ChatRequest{
		Model: "mock/echo", Messages: []*llmgatewayv1.Message{user("hi")},
	}, grpc.Trailer(&trailer))
	e := gateway.ParseError(err, trailer)
	if e == nil || e.Code != codes.Unauthenticated || e.Reason != "API_KEY_INVALID" {
		t.Fatalf("error = %v", e)
	}
}

func TestChatCallsATool(t *testing.T) {
	response, err := live(t).Chat(timeout(t, 10*time.Second), &llmgatewayv1.ChatRequest{
		Model: "mock/echo", Messages: []*llmgatewayv1.Message{user("weather in Paris")},
		Tools: []*llmgatewayv1.Tool{weatherTool},
	})
	if err != nil {
		t.Fatal(gateway.ParseError(err, nil))
	}
	calls := response.GetMessage().GetToolCalls()
	if len(calls) != 1 || calls[0].GetName() != "get_weather" || calls[0].GetId() != "call_mock_1" {
		t.Fatalf("tool calls = %v", calls)
	}
	var arguments map[string]string
	if err := json.Unmarshal([]byte(calls[0].GetArguments()), &arguments); err != nil || arguments["input"] != "weather in Paris" {
		t.Errorf("arguments %q: %v", calls[0].GetArguments(), err)
	}
	if response.GetFinishReason() != llmgatewayv1.FinishReason_FINISH_REASON_TOOL_CALLS {
		t.Errorf("finish reason = %s", response.GetFinishReason())
	}
}

// stream reads a whole StreamChat, recording the kind of every event and folding them.
func stream(t *testing.T, client llmgatewayv1.GatewayServiceClient, request *llmgatewayv1.StreamChatRequest) ([]string, *gateway.StreamResult) {
	t.Helper()
	events, err := client.StreamChat(timeout(t, 10*time.Second), request)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	result := &gateway.StreamResult{}
	for {
		event, err := events.Recv()
		if errors.Is(err, io.EOF) {
			return kinds, result
		}
		if err != nil {
			t.Fatal(gateway.ParseError(err, nil))
		}
		switch event.GetEvent().(type) {
		case *llmgatewayv1.StreamChatResponse_Start:
			kinds = append(kinds, "start")
		case *llmgatewayv1.StreamChatResponse_TextDelta:
			kinds = append(kinds, "text_delta")
		case *llmgatewayv1.StreamChatResponse_ReasoningDelta:
			kinds = append(kinds, "reasoning_delta")
		case *llmgatewayv1.StreamChatResponse_ToolCallDelta:
			kinds = append(kinds, "tool_call_delta")
		case *llmgatewayv1.StreamChatResponse_End:
			kinds = append(kinds, "end")
		default:
			t.Fatalf("unknown event %v", event)
		}
		result.Add(event)
	}
}

func count(kinds []string, kind string) int {
	n := 0
	for _, k := range kinds {
		if k == kind {
			n++
		}
	}
	return n
}

func TestStreamChatEveryEventKind(t *testing.T) {
	client := live(t)
	reasoning := &llmgatewayv1.GenerationConfig{ReasoningEffort: llmgatewayv1.ReasoningEffort_REASONING_EFFORT_LOW}

	// Text with reasoning: start, reasoning deltas, text deltas, end.
	kinds, result := stream(t, client, &llmgatewayv1.StreamChatRequest{
		Model: "mock/echo", Messages: []*llmgatewayv1.Message{user("one two three")}, Generation: reasoning,
	})
	if kinds[0] != "start" || kinds[len(kinds)-1] != "end" || count(kinds, "start") != 1 || count(kinds, "end") != 1 {
		t.Fatalf("events = %v", kinds)
	}
	if count(kinds, "text_delta") < 3 || count(kinds, "reasoning_delta") == 0 {
		t.Errorf("events = %v", kinds)
	}
	if result.Text() != "Echo: one two three" || result.Reasoning() != "The user said 3 words; I will echo them." {
		t.Errorf("text %q, reasoning %q", result.Text(), result.Reasoning())
	}
	if !result.Complete() || result.End.GetFinishReason() != llmgatewayv1.FinishReason_FINISH_REASON_STOP ||
		result.End.GetUsage().GetReasoningTokens() == 0 {
		t.Errorf("end = %v", result.End)
	}
	if result.Start.GetModel() != "mock/echo" || result.Start.GetProvider() != "mock" || result.Start.GetRequestId() == "" {
		t.Errorf("start = %v", result.Start)
	}

	// Tools: start, tool call deltas (id and name first, then argument fragments), end.
	kinds, result = stream(t, client, &llmgatewayv1.StreamChatRequest{
		Model: "mock/echo", Messages: []*llmgatewayv1.Message{user("weather in Paris")},
		Tools: []*llmgatewayv1.Tool{weatherTool},
	})
	if count(kinds, "tool_call_delta") < 2 || count(kinds, "text_delta") != 0 {
		t.Errorf("events = %v", kinds)
	}
	calls := result.ToolCalls()
	if len(calls) != 1 || calls[0].GetId() != "call_mock_1" || calls[0].GetName() != "get_weather" ||
		calls[0].GetArguments() != `{"input":"weather in Paris"}` {
		t.Fatalf("tool calls = %v", calls)
	}
	if result.End.GetFinishReason() != llmgatewayv1.FinishReason_FINISH_REASON_TOOL_CALLS {
		t.Errorf("finish reason = %s", result.End.GetFinishReason())
	}

	// The folded answer goes back as the assistant turn, then the tool result gets an answer.
	followUp, err := client.Chat(timeout(t, 10*time.Second), &llmgatewayv1.ChatRequest{
		Model: "mock/echo", Tools: []*llmgatewayv1.Tool{weatherTool},
		Messages: []*llmgatewayv1.Message{user("weather in Paris"), result.Message(), {
			Role: llmgatewayv1.Role_ROLE_TOOL, ToolCallId: calls[0].GetId(),
			Content: []*llmgatewayv1.ContentPart{{Part: &llmgatewayv1.ContentPart_Text{Text: "sunny"}}},
		}},
	})
	if err != nil {
		t.Fatal(gateway.ParseError(err, nil))
	}
	if text := followUp.GetMessage().GetContent()[0].GetText(); text != "Tool call call_mock_1 returned: sunny" {
		t.Errorf("follow-up = %q", text)
	}
}

func TestCollect(t *testing.T) {
	events, err := live(t).StreamChat(timeout(t, 10*time.Second), &llmgatewayv1.StreamChatRequest{
		Model: "mock/echo", Messages: []*llmgatewayv1.Message{user("x y z")},
	})
	if err != nil {
		t.Fatal(err)
	}
	result, err := gateway.Collect(events)
	if err != nil || result.Text() != "Echo: x y z" || !result.Complete() {
		t.Fatalf("Collect = %q, %v", result.Text(), err)
	}
}

func TestARepeatedDeterministicChatComesFromTheCache(t *testing.T) {
	client := live(t)
	ctx := timeout(t, 10*time.Second)
	zero := 0.0
	generation := &llmgatewayv1.GenerationConfig{Temperature: &zero} // the live gateway caches deterministic calls
	messages := []*llmgatewayv1.Message{user("cache me (go)")}
	first, err := client.Chat(ctx, &llmgatewayv1.ChatRequest{Model: "mock/echo", Messages: messages, Generation: generation})
	if err != nil {
		t.Fatal(gateway.ParseError(err, nil))
	}
	if gateway.Cached(first.GetCache()) || first.GetCache().GetStatus() != llmgatewayv1.CacheStatus_CACHE_STATUS_MISS {
		t.Fatalf("first call: cache = %v", first.GetCache())
	}
	// Chat and StreamChat share entries: the stream replays the cached answer.
	events, err := client.StreamChat(ctx, &llmgatewayv1.StreamChatRequest{Model: "mock/echo", Messages: messages, Generation: generation})
	if err != nil {
		t.Fatal(err)
	}
	result, err := gateway.Collect(events)
	if err != nil || !gateway.Cached(result.Cache()) || result.Cache().GetAge() == nil || !result.Complete() ||
		result.Text() != first.GetMessage().GetContent()[0].GetText() || result.End.GetUsage().GetTotalTokens() != first.GetUsage().GetTotalTokens() {
		t.Fatalf("replayed stream: %q, cache %v, end %v, err %v", result.Text(), result.Cache(), result.End, err)
	}
	var trailer metadata.MD
	_, err = client.Chat(ctx, &llmgatewayv1.ChatRequest{
		Model: "mock/echo", Messages: []*llmgatewayv1.Message{user("never asked (go)")}, Generation: generation,
		Cache: &llmgatewayv1.CacheControl{Mode: llmgatewayv1.CacheMode_CACHE_MODE_ONLY},
	}, grpc.Trailer(&trailer))
	if e := gateway.ParseError(err, trailer); e == nil || e.Code != codes.NotFound || e.Reason != "CACHE_MISS" {
		t.Fatalf("cache mode ONLY on a new prompt: %v", e)
	}
}

func TestASessionRemembersAndCanBeReadAndDeleted(t *testing.T) {
	conn := liveConn(t, gateway.WithServiceConfig())
	client, sessions := llmgatewayv1.NewGatewayServiceClient(conn), llmgatewayv1.NewSessionServiceClient(conn)
	ctx := timeout(t, 10*time.Second)
	first, err := client.Chat(ctx, &llmgatewayv1.ChatRequest{Model: "support/bot", Messages: []*llmgatewayv1.Message{user("My name is Ada (go)")}})
	if err != nil || first.GetSessionId() == "" || first.GetModel() != "support/bot" {
		t.Fatalf("first turn: %v, %v", first, gateway.ParseError(err, nil))
	}
	events, err := client.StreamChat(ctx, &llmgatewayv1.StreamChatRequest{
		Model: "support/bot", Messages: []*llmgatewayv1.Message{user("And yours?")}, SessionId: first.GetSessionId(),
	})
	if err != nil {
		t.Fatal(err)
	}
	again, err := gateway.Collect(events)
	if err != nil || again.SessionID() != first.GetSessionId() || !again.Complete() {
		t.Fatalf("second turn: session %q, %v", again.SessionID(), err)
	}
	history, err := gateway.SessionHistory(ctx, sessions, first.GetSessionId(), 3)
	if err != nil || len(history) != 4 || history[2].GetContent()[0].GetText() != "And yours?" {
		t.Fatalf("history: %v, %v", history, err)
	}
	if _, err := sessions.DeleteSession(ctx, &llmgatewayv1.DeleteSessionRequest{SessionId: first.GetSessionId()}); err != nil {
		t.Fatal(err)
	}
	var trailer metadata.MD
	_, err = sessions.GetSession(ctx, &llmgatewayv1.GetSessionRequest{SessionId: first.GetSessionId()}, grpc.Trailer(&trailer))
	if e := gateway.ParseError(err, trailer); e == nil || e.Code != codes.NotFound || e.ErrorReason() != llmgatewayv1.ErrorReason_ERROR_REASON_SESSION_NOT_FOUND {
		t.Fatalf("a deleted session: %v", e)
	}
}

func TestEmbed(t *testing.T) {
	response, err := live(t).Embed(timeout(t, 10*time.Second), &llmgatewayv1.EmbedRequest{
		Model: "mock/embed", Inputs: []string{"first text", "second text"},
	})
	if err != nil {
		t.Fatal(gateway.ParseError(err, nil))
	}
	embeddings := response.GetEmbeddings()
	if len(embeddings) != 2 || embeddings[0].GetIndex() != 0 || embeddings[1].GetIndex() != 1 {
		t.Fatalf("embeddings = %v", embeddings)
	}
	for _, e := range embeddings {
		var norm float64
		for _, v := range e.GetValues() {
			norm += float64(v) * float64(v)
		}
		if len(e.GetValues()) != 8 || math.Abs(norm-1) > 1e-5 {
			t.Errorf("embedding %d: %d values, norm %f", e.GetIndex(), len(e.GetValues()), norm)
		}
	}
	if response.GetModel() != "mock/embed" || response.GetUsage().GetPromptTokens() == 0 {
		t.Errorf("response = %v", response)
	}
}

func TestGenerateImage(t *testing.T) {
	count := int32(2)
	response, err := live(t).GenerateImage(timeout(t, 10*time.Second), &llmgatewayv1.GenerateImageRequest{
		Model: "mock/image", Prompt: "a red square", Count: &count,
	})
	if err != nil {
		t.Fatal(gateway.ParseError(err, nil))
	}
	if len(response.GetImages()) != 2 || !bytes.HasPrefix(response.GetImages()[0].GetData(), []byte("\x89PNG")) {
		t.Errorf("images = %v", response.GetImages())
	}
}

func TestSpeechAndItsTranscription(t *testing.T) {
	client := live(t)
	ctx := timeout(t, 10*time.Second)
	const text = "Hello from Go."
	request := &llmgatewayv1.SynthesizeSpeechRequest{
		Model: "mock/speech", Input: text, Format: llmgatewayv1.AudioFormat_AUDIO_FORMAT_WAV,
	}
	stream, err := client.SynthesizeSpeech(ctx, request)
	if err != nil {
		t.Fatal(gateway.ParseError(err, nil))
	}
	spoken, err := gateway.CollectSpeech(stream)
	if err != nil {
		t.Fatal(err)
	}
	audio := spoken.Audio()
	if !spoken.Complete() || !bytes.HasPrefix(audio, []byte("RIFF")) || string(audio[8:12]) != "WAVE" ||
		spoken.Start.GetMimeType() != "audio/wav" || spoken.Start.GetModel() != "mock/speech" ||
		spoken.End.GetAudioBytes() != int64(len(audio)) || spoken.End.GetInputCharacters() != int64(len(text)) {
		t.Fatalf("speech: start %v, end %v, %d bytes", spoken.Start, spoken.End, len(audio))
	}

	heard, err := client.Transcribe(ctx, &llmgatewayv1.TranscribeRequest{Model: "mock/transcribe", Audio: audio})
	if err != nil {
		t.Fatal(gateway.ParseError(err, nil))
	}
	if heard.GetText() != text || len(heard.GetSegments()) != 1 || heard.GetDurationSeconds() <= 0 {
		t.Errorf("transcription = %v", heard)
	}

	stream, err = client.SynthesizeSpeech(ctx, request)
	if err != nil {
		t.Fatal(gateway.ParseError(err, nil))
	}
	var copied bytes.Buffer
	start, err := gateway.CopySpeech(&copied, stream)
	if err != nil || start.GetFormat() != llmgatewayv1.AudioFormat_AUDIO_FORMAT_WAV || !bytes.Equal(copied.Bytes(), audio) {
		t.Errorf("CopySpeech: start %v, err %v, %d bytes", start, err, copied.Len())
	}

	stream, err = client.SynthesizeSpeech(ctx, &llmgatewayv1.SynthesizeSpeechRequest{Model: "mock/speech", Input: "", Voice: "no voice"})
	if err == nil {
		_, err = gateway.CollectSpeech(stream)
	}
	var e *gateway.Error
	if !errors.As(err, &e) || e.Code != codes.InvalidArgument || len(e.FieldViolations) != 2 {
		t.Errorf("bad speech request: %v", err)
	}
}

func TestListModelsEveryPage(t *testing.T) {
	client := live(t)
	list := func(request *llmgatewayv1.ListModelsRequest) (ids []string, pages int) {
		for {
			page, err := client.ListModels(timeout(t, 10*time.Second), request)
			if err != nil {
				t.Fatal(gateway.ParseError(err, nil))
			}
			pages++
			for _, m := range page.GetModels() {
				ids = append(ids, m.GetId())
			}
			if page.GetNextPageToken() == "" {
				return ids, pages
			}
			request.PageToken = page.GetNextPageToken()
		}
	}
	everything, _ := list(&llmgatewayv1.ListModelsRequest{PageSize: 1000})
	paged, pages := list(&llmgatewayv1.ListModelsRequest{PageSize: 1})
	if strings.Join(paged, ",") != strings.Join(everything, ",") || pages < len(everything) {
		t.Errorf("one per page: %v in %d pages, all at once: %v", paged, pages, everything)
	}
	for _, id := range []string{"mock/echo", "mock/embed", "mock/image", "mock/slow"} {
		if !strings.Contains(","+strings.Join(everything, ",")+",", ","+id+",") {
			t.Errorf("%s is not listed: %v", id, everything)
		}
	}
	embed, _ := list(&llmgatewayv1.ListModelsRequest{Capability: llmgatewayv1.Capability_CAPABILITY_EMBED})
	if strings.Join(embed, ",") != "mock/embed" {
		t.Errorf("embedding models = %v", embed)
	}
}

func TestErrorDetails(t *testing.T) {
	client := live(t)

	t.Run("unknown model", func(t *testing.T) {
		ctx := metadata.AppendToOutgoingContext(timeout(t, 10*time.Second), gateway.RequestIDHeader, "go-unknown-model")
		var trailer metadata.MD
		_, err := client.Chat(ctx, &llmgatewayv1.ChatRequest{
			Model: "nobody/nothing", Messages: []*llmgatewayv1.Message{user("hi")},
		}, grpc.Trailer(&trailer))
		e := gateway.ParseError(err, trailer)
		if e == nil || e.Code != codes.NotFound || e.Reason != "MODEL_NOT_FOUND" ||
			e.ErrorReason() != llmgatewayv1.ErrorReason_ERROR_REASON_MODEL_NOT_FOUND {
			t.Fatalf("error = %v", e)
		}
		if e.Domain != "llmgateway" || e.Metadata["model"] != "nobody/nothing" || e.RequestID != "go-unknown-model" ||
			!strings.Contains(e.Message, "nobody/nothing") {
			t.Errorf("error = %+v", e)
		}
	})

	t.Run("invalid request names the field", func(t *testing.T) {
		_, err := client.Chat(timeout(t, 10*time.Second), &llmgatewayv1.ChatRequest{
			Model: "mock/echo",
			Messages: []*llmgatewayv1.Message{user("hi"), {
				Role: llmgatewayv1.Role_ROLE_TOOL, Content: []*llmgatewayv1.ContentPart{{Part: &llmgatewayv1.ContentPart_Text{Text: "result"}}},
			}},
		})
		e := gateway.ParseError(err, nil)
		if e == nil || e.Code != codes.InvalidArgument || e.Reason != "INVALID_REQUEST" {
			t.Fatalf("error = %v", e)
		}
		if description, ok := e.Field("messages[1].tool_call_id"); !ok || description == "" {
			t.Errorf("field violations = %v", e.FieldViolations)
		}
		if e.RetryDelay != 0 {
			t.Errorf("retry delay = %s", e.RetryDelay)
		}
	})

	t.Run("capability", func(t *testing.T) {
		_, err := client.Embed(timeout(t, 10*time.Second), &llmgatewayv1.EmbedRequest{Model: "mock/echo", Inputs: []string{"a"}})
		if e := gateway.ParseError(err, nil); e == nil || e.Code != codes.InvalidArgument || e.Reason != "CAPABILITY_NOT_SUPPORTED" {
			t.Fatalf("error = %v", e)
		}
	})

	t.Run("a stream fails from Recv", func(t *testing.T) {
		events, err := client.StreamChat(timeout(t, 10*time.Second), &llmgatewayv1.StreamChatRequest{
			Model: "nobody/nothing", Messages: []*llmgatewayv1.Message{user("hi")},
		})
		if err != nil {
			t.Fatal(err)
		}
		result, err := gateway.Collect(events)
		var e *gateway.Error
		if !errors.As(err, &e) || e.Code != codes.NotFound || e.Reason != "MODEL_NOT_FOUND" || e.RequestID == "" {
			t.Fatalf("error = %v", err)
		}
		if result.Start != nil || result.Complete() {
			t.Errorf("result = %+v", result)
		}
	})
}

func TestADeadlineEndsASlowStream(t *testing.T) {
	started := time.Now()
	events, err := live(t).StreamChat(timeout(t, 500*time.Millisecond), &llmgatewayv1.StreamChatRequest{
		Model: "mock/slow", Messages: []*llmgatewayv1.Message{user("a b c d e f g h")},
	})
	if err != nil {
		t.Fatal(err)
	}
	result, err := gateway.Collect(events)
	e := gateway.ParseError(err, nil)
	if e == nil || e.Code != codes.DeadlineExceeded || (e.Reason != "" && e.Reason != "PROVIDER_TIMEOUT") {
		t.Fatalf("error = %v", err) // the local deadline may win the race, then there is no reason
	}
	if result.Start == nil || result.Complete() || e.RequestID == "" {
		t.Errorf("start %v, complete %v, request id %q", result.Start, result.Complete(), e.RequestID)
	}
	if elapsed := time.Since(started); elapsed > 1500*time.Millisecond {
		t.Errorf("took %s", elapsed)
	}
}

func TestTheServiceConfigSetsPerMethodDeadlines(t *testing.T) {
	tight := strings.Replace(gateway.ServiceConfig, `"timeout": "600s"`, `"timeout": "0.3s"`, 1)
	if tight == gateway.ServiceConfig {
		t.Fatal("no StreamChat timeout of 600s in the service config")
	}
	client := live(t, grpc.WithDefaultServiceConfig(tight))
	events, err := client.StreamChat(context.Background(), &llmgatewayv1.StreamChatRequest{
		Model: "mock/slow", Messages: []*llmgatewayv1.Message{user("a b c d e")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gateway.Collect(events); status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("error = %v", err)
	}
	if _, err := client.Chat(context.Background(), &llmgatewayv1.ChatRequest{
		Model: "mock/echo", Messages: []*llmgatewayv1.Message{user("hi")},
	}); err != nil {
		t.Fatal(err)
	}
}

func TestCancellingAStreamEndsIt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events, err := live(t).StreamChat(ctx, &llmgatewayv1.StreamChatRequest{
		Model: "mock/slow", Messages: []*llmgatewayv1.Message{user("a b c d e f g h i j")},
	})
	if err != nil {
		t.Fatal(err)
	}
	first, err := events.Recv()
	if err != nil || first.GetStart() == nil {
		t.Fatalf("first event %v, %v", first, err)
	}
	started := time.Now()
	cancel()
	if _, err := gateway.Collect(events); status.Code(err) != codes.Canceled {
		t.Fatalf("error = %v", err)
	}
	if elapsed := time.Since(started); elapsed > 500*time.Millisecond {
		t.Errorf("took %s", elapsed)
	}
}
