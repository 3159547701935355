package llmgateway.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bundled service config is a byte-for-byte copy of clients/service_config.json. */
class ServiceConfigTest {
  @Test
  void bundledCopyIsIdenticalToTheSharedConfig() throws IOException {
    String shared =
        Files.readString(Path.of("..", "service_config.json"), StandardCharsets.UTF_8);
    assertEquals(
        shared,
        GatewayChannels.serviceConfigJson(),
        "copy clients/service_config.json to src/main/resources/llmgateway/client/");
  }

  @Test
  @SuppressWarnings("unchecked")
  void perMethodTimeoutsAndRetriesOnUnaryMethodsOnly() {
    Map<String, Map<String, Object>> methods = new HashMap<>();
    for (Object entry : (List<Object>) GatewayChannels.defaultServiceConfig().get("methodConfig")) {
      Map<String, Object> config = (Map<String, Object>) entry;
      for (Object name : (List<Object>) config.get("name")) {
        Map<String, Object> n = (Map<String, Object>) name;
        assertTrue(
            List.of("llmgateway.v1.GatewayService", "llmgateway.v1.SessionService").contains(n.get("service")));
        methods.put((String) n.get("method"), config);
      }
    }
    Map<String, String> timeouts = new HashMap<>();
    methods.forEach((method, config) -> timeouts.put(method, (String) config.get("timeout")));
    assertEquals(
        Map.of(
            "Chat", "120s",
            "StreamChat", "600s",
            "Embed", "30s",
            "GenerateImage", "120s",
            "Transcribe", "120s",
            "SynthesizeSpeech", "300s",
            "ListModels", "10s",
            "GetSession", "10s",
            "ListSessionMessages", "10s",
            "DeleteSession", "10s"),
        timeouts);
    for (String method : List.of("StreamChat", "SynthesizeSpeech", "DeleteSession")) {
      assertFalse(methods.get(method).containsKey("retryPolicy"));
    }
    for (String method :
        List.of(
            "Chat", "Embed", "GenerateImage", "Transcribe", "ListModels", "GetSession", "ListSessionMessages")) {
      Map<String, Object> policy = (Map<String, Object>) methods.get(method).get("retryPolicy");
      assertEquals(3.0, policy.get("maxAttempts")); // JSON numbers are doubles, as grpc-java wants
      assertEquals(List.of("UNAVAILABLE"), policy.get("retryableStatusCodes"));
    }
    assertTrue(methods.keySet().size() == 10);
  }
}
