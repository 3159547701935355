package llmgateway.client;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import llmgateway.v1.Audio.SpeechEnd;
import llmgateway.v1.Audio.SpeechStart;
import llmgateway.v1.Audio.SynthesizeSpeechResponse;

/**
 * Joins the events of {@code SynthesizeSpeech} (one {@code start}, audio chunks, one {@code end})
 * from a blocking stub's iterator. A failure is the iterator's {@code StatusRuntimeException};
 * {@link GatewayError#from} decodes it.
 *
 * <pre>{@code
 * Speech.Result spoken = Speech.collect(stub.synthesizeSpeech(request));
 * Files.write(Path.of("hello.wav"), spoken.audio().toByteArray());
 * }</pre>
 */
public final class Speech {
  private Speech() {}

  /**
   * The audio of a speech stream (chunks joined without copying) and its {@code start} and {@code
   * end} events ({@code end} is null when the stream stopped before it).
   */
  public record Result(ByteString audio, SpeechStart start, SpeechEnd end) {
    /** Whether the end event arrived. */
    public boolean complete() {
      return end != null;
    }
  }

  /** Reads the stream to its end. */
  public static Result collect(Iterator<SynthesizeSpeechResponse> events) {
    List<ByteString> chunks = new ArrayList<>();
    SpeechStart start = null;
    SpeechEnd end = null;
    while (events.hasNext()) {
      SynthesizeSpeechResponse event = events.next();
      switch (event.getEventCase()) {
        case START -> start = event.getStart();
        case AUDIO -> chunks.add(event.getAudio().getData());
        case END -> end = event.getEnd();
        default -> { }
      }
    }
    return new Result(ByteString.copyFrom(chunks), start, end);
  }

  /**
   * Writes the audio to {@code out} as it arrives (a file, a player) and returns the start event
   * (format, MIME type). A write error is thrown as it is: cancel the call then (its {@code
   * Context}), which closes the upstream request.
   */
  public static SpeechStart copy(Iterator<SynthesizeSpeechResponse> events, OutputStream out)
      throws IOException {
    SpeechStart start = null;
    while (events.hasNext()) {
      SynthesizeSpeechResponse event = events.next();
      if (event.hasStart()) {
        start = event.getStart();
      } else if (event.hasAudio()) {
        event.getAudio().getData().writeTo(out);
      }
    }
    return start;
  }
}
