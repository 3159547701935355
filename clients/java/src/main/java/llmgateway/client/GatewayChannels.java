package llmgateway.client;

import com.google.gson.Gson;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Channels to the gateway with the recommended gRPC service config: per-method deadlines (Chat 120
 * s, StreamChat 600 s, Embed 30 s, GenerateImage 120 s, Transcribe 120 s, SynthesizeSpeech 300 s,
 * ListModels 10 s) and up to 3 attempts on {@code UNAVAILABLE} for the unary methods. The config is a bundled copy of {@code
 * clients/service_config.json}. {@link #apiKey} sends an API key on every call.
 */
public final class GatewayChannels {
  /** Classpath location of the bundled service config. */
  public static final String SERVICE_CONFIG_RESOURCE = "/llmgateway/client/service_config.json";

  private GatewayChannels() {}

  /** The bundled service config as JSON text. */
  public static String serviceConfigJson() {
    try (InputStream in = GatewayChannels.class.getResourceAsStream(SERVICE_CONFIG_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + SERVICE_CONFIG_RESOURCE);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A fresh, mutable copy of the bundled service config in the form {@link
   * ManagedChannelBuilder#defaultServiceConfig} takes (maps, lists, strings and doubles).
   */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> defaultServiceConfig() {
    return new Gson().fromJson(serviceConfigJson(), Map.class);
  }

  /**
   * A builder for {@code target} (e.g. {@code "127.0.0.1:50051"} or {@code "dns:///gw:443"}) with
   * the bundled service config and retries enabled; choose {@code usePlaintext()} or TLS, then
   * {@code build()}.
   */
  public static ManagedChannelBuilder<?> builder(String target) {
    return builder(target, defaultServiceConfig());
  }

  /** Like {@link #builder(String)} with your own service config. */
  public static ManagedChannelBuilder<?> builder(String target, Map<String, ?> serviceConfig) {
    return ManagedChannelBuilder.forTarget(target)
        .defaultServiceConfig(serviceConfig)
        .enableRetry();
  }

  /** A plaintext channel (no TLS) to {@code target} with the bundled service config. */
  public static ManagedChannel plaintext(String target) {
    return builder(target).usePlaintext().build();
  }

  /**
   * Like {@link #plaintext(String)}, sending {@code apiKey} on every call. Plaintext is for a
   * loopback gateway; use TLS ({@code builder(target).useTransportSecurity()}) anywhere else.
   */
  public static ManagedChannel plaintext(String target, String apiKey) {
    return builder(target).usePlaintext().intercept(apiKey(apiKey)).build();
  }

  /**
   * An interceptor that sends {@code key} as {@code authorization: Bearer <key>} metadata:
   * {@code builder(target).intercept(GatewayChannels.apiKey(key))}. A gateway that requires keys
   * answers a missing or invalid one with UNAUTHENTICATED / API_KEY_INVALID.
   */
  public static ClientInterceptor apiKey(String key) {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
    return MetadataUtils.newAttachHeadersInterceptor(headers);
  }
}
