/** Joining `SynthesizeSpeech` events into the audio. */
import { AudioFormat, type SynthesizeSpeechResponse } from "./gen/llmgateway/v1/audio_pb.js";

/** The audio of a speech stream and what its `start` said. */
export interface SpeechResult {
  /** The audio chunks, joined in order. */
  audio: Uint8Array;
  mimeType: string;
  format: AudioFormat;
  /** Samples per second of `AudioFormat.PCM` audio (0 when the format carries its own). */
  sampleRateHz: number;
  model: string;
  provider: string;
  upstreamModel: string;
  requestId: string;
  /** From `end`: the characters spoken. */
  inputCharacters: number;
  /** True only when the stream delivered its `end` event. */
  complete: boolean;
}

/** Collects speech events one at a time; `result()` is the audio so far. */
export class SpeechFolder {
  private readonly chunks: Uint8Array[] = [];
  private readonly folded: SpeechResult = {
    audio: new Uint8Array(),
    mimeType: "",
    format: AudioFormat.UNSPECIFIED,
    sampleRateHz: 0,
    model: "",
    provider: "",
    upstreamModel: "",
    requestId: "",
    inputCharacters: 0,
    complete: false,
  };

  add(event: SynthesizeSpeechResponse): void {
    const e = event.event;
    if (e.case === "audio") {
      this.chunks.push(e.value.data);
    } else if (e.case === "start") {
      const s = e.value;
      Object.assign(this.folded, {
        mimeType: s.mimeType,
        format: s.format,
        sampleRateHz: s.sampleRateHz,
        model: s.model,
        provider: s.provider,
        upstreamModel: s.upstreamModel,
        requestId: s.requestId,
      });
    } else if (e.case === "end") {
      this.folded.inputCharacters = Number(e.value.inputCharacters);
      this.folded.complete = true;
    }
  }

  result(): SpeechResult {
    return { ...this.folded, audio: Buffer.concat(this.chunks) };
  }
}

export async function foldSpeechAsync(events: AsyncIterable<SynthesizeSpeechResponse>): Promise<SpeechResult> {
  const folder = new SpeechFolder();
  for await (const event of events) folder.add(event);
  return folder.result();
}
