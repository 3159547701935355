package gateway

import (
	"bytes"
	"errors"
	"io"

	"google.golang.org/grpc"

	llmgatewayv1 "github.com/llmgateway/llmgateway/clients/go/gen/llmgateway/v1"
)

// SpeechResult joins SynthesizeSpeech events: feed it every event with Add, or let
// [CollectSpeech] read a whole stream. The zero value is ready to use.
type SpeechResult struct {
	// Start is the first event (model, provider, format, MIME type); nil until it arrives.
	Start *llmgatewayv1.SpeechStart
	// End is the last event (characters spoken, bytes sent); nil until it arrives.
	End *llmgatewayv1.SpeechEnd

	audio bytes.Buffer
}

// Add joins one event in.
func (r *SpeechResult) Add(event *llmgatewayv1.SynthesizeSpeechResponse) {
	switch e := event.GetEvent().(type) {
	case *llmgatewayv1.SynthesizeSpeechResponse_Start:
		r.Start = e.Start
	case *llmgatewayv1.SynthesizeSpeechResponse_Audio:
		r.audio.Write(e.Audio.GetData())
	case *llmgatewayv1.SynthesizeSpeechResponse_End:
		r.End = e.End
	}
}

// Audio is the audio so far, chunks joined in order.
func (r *SpeechResult) Audio() []byte { return r.audio.Bytes() }

// Complete reports whether the end event arrived.
func (r *SpeechResult) Complete() bool { return r.End != nil }

// CollectSpeech reads a SynthesizeSpeech stream to its end. On failure it returns what arrived
// so far with the error as an [*Error] (request id included).
func CollectSpeech(stream grpc.ServerStreamingClient[llmgatewayv1.SynthesizeSpeechResponse]) (*SpeechResult, error) {
	result := &SpeechResult{}
	err := eachSpeechEvent(stream, func(event *llmgatewayv1.SynthesizeSpeechResponse) error {
		result.Add(event)
		return nil
	})
	return result, err
}

// CopySpeech writes the audio of a SynthesizeSpeech stream to w as it arrives (to a file, or to
// a player) and returns the start event (format, MIME type). A failure of the call is an
// [*Error]; a write error stops reading and is returned as it is: cancel the call's context then,
// which closes the upstream request.
func CopySpeech(w io.Writer, stream grpc.ServerStreamingClient[llmgatewayv1.SynthesizeSpeechResponse]) (*llmgatewayv1.SpeechStart, error) {
	var start *llmgatewayv1.SpeechStart
	err := eachSpeechEvent(stream, func(event *llmgatewayv1.SynthesizeSpeechResponse) error {
		if s := event.GetStart(); s != nil {
			start = s
		} else if a := event.GetAudio(); a != nil {
			_, err := w.Write(a.GetData())
			return err
		}
		return nil
	})
	return start, err
}

func eachSpeechEvent(
	stream grpc.ServerStreamingClient[llmgatewayv1.SynthesizeSpeechResponse],
	each func(*llmgatewayv1.SynthesizeSpeechResponse) error,
) error {
	for {
		event, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			header, _ := stream.Header()
			return ParseError(err, stream.Trailer(), header)
		}
		if err := each(event); err != nil {
			return err
		}
	}
}
