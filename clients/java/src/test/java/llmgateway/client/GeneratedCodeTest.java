package llmgateway.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The committed code in src/main/java-gen is exactly what the pinned protoc and
 * protoc-gen-grpc-java produce from ../../protos: the build regenerates it into
 * target/generated-sources/protobuf on every run, and this test compares the two trees.
 */
class GeneratedCodeTest {
  private static final Path COMMITTED = Path.of("src", "main", "java-gen");

  private static Map<String, byte[]> tree(Path root) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : (Iterable<Path>) paths.filter(Files::isRegularFile)::iterator) {
        files.put(root.relativize(path).toString().replace('\\', '/'), Files.readAllBytes(path));
      }
    }
    return files;
  }

  @Test
  void committedGeneratedCodeIsFresh() throws IOException {
    Path fresh = Path.of(System.getProperty("protoc.output", "target/generated-sources/protobuf"));
    assertTrue(Files.isDirectory(fresh), "protoc output missing: " + fresh);
    assertTrue(Files.isDirectory(COMMITTED), "missing " + COMMITTED + "; run clients/java/generate.sh");
    Map<String, byte[]> expected = tree(fresh);
    Map<String, byte[]> actual = tree(COMMITTED);
    assertTrue(expected.keySet().stream().anyMatch(f -> f.endsWith("GatewayServiceGrpc.java")));
    List<String> stale = new ArrayList<>();
    for (String file : expected.keySet()) {
      if (!actual.containsKey(file) || !java.util.Arrays.equals(expected.get(file), actual.get(file))) {
        stale.add(file);
      }
    }
    for (String file : actual.keySet()) {
      if (!expected.containsKey(file)) {
        stale.add(file + " (no longer generated)");
      }
    }
    assertEquals(
        List.of(),
        stale,
        "src/main/java-gen is stale against protos/: run clients/java/generate.sh (or make generate)");
  }

  @Test
  void everyProtoFileIsGenerated() throws IOException {
    Path protos = Path.of("..", "..", "protos");
    List<String> packages = new ArrayList<>();
    try (Stream<Path> paths = Files.walk(protos)) {
      for (Path proto : (Iterable<Path>) paths.filter(p -> p.toString().endsWith(".proto"))::iterator) {
        packages.add(protos.relativize(proto.getParent()).toString().replace('\\', '/'));
      }
    }
    Map<String, byte[]> committed = tree(COMMITTED);
    for (String pkg : packages) {
      assertTrue(
          committed.keySet().stream().anyMatch(f -> f.startsWith(pkg + "/")),
          "no generated Java code for protos/" + pkg);
    }
  }
}
