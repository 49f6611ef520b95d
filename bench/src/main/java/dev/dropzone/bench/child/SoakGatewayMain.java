package dev.dropzone.bench.child;

import dev.dropzone.gateway.config.ConfigLoader;
import dev.dropzone.gateway.config.GatewaySettings;
import dev.dropzone.gateway.runtime.GatewayRuntime;
import dev.dropzone.gateway.users.PasswordHashes;
import dev.dropzone.gateway.users.UserEntry;
import dev.dropzone.gateway.users.UsersFile;
import dev.dropzone.kek.local.LocalKeyService;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The gateway of a soak run, started as {@code serve} starts it ({@link GatewayRuntime} from
 * configuration: users file, local keyset, storage deadline, background upload sweep), in its own
 * JVM so its threads and heap can be measured alone.
 *
 * <p>Arguments: work directory, S3 endpoint, bucket, passive port range, password, then the users'
 * names, then {@code --} and {@code key=value} settings that override the soak's. Prints {@code
 * PORT <n>}, then answers {@code stats} with the live thread count, the heap in use after a full
 * collection and the threads by name, and stops when its standard input closes.
 */
public final class SoakGatewayMain {

  private SoakGatewayMain() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    Map<String, String> settings = new HashMap<>();
    settings.put("s3.endpoint", args[1]);
    settings.put("s3.bucket", args[2]);
    settings.put("s3.accessKeyId", S3ServerMain.ACCESS_KEY);
    settings.put("s3.secretAccessKey", S3ServerMain.SECRET_KEY);
    settings.put("s3.region", S3ServerMain.REGION);
    settings.put("s3.prefix", "dz");
    settings.put("ftp.port", "0");
    settings.put("ftp.passivePorts", args[3]);
    settings.put("keys.keysetFile", "keyset.json");
    settings.put("users.file", "users.yaml");
    // Standard output is the harness's control channel; the audit log would interleave with it.
    settings.put("audit.target", "audit.log");
    String password = args[4];
    List<String> users = new ArrayList<>();
    int i = 5;
    for (; i < args.length && !args[i].equals("--"); i++) {
      users.add(args[i]);
    }
    for (i++; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      settings.put(args[i].substring(0, eq), args[i].substring(eq + 1));
    }
    LocalKeyService.create(work.resolve("keyset.json"));
    String hash = PasswordHashes.hash(password.toCharArray());
    new UsersFile(work.resolve("users.yaml"))
        .write(users.stream().map(name -> UserEntry.of(name, hash)).toList());
    GatewaySettings gatewaySettings =
        GatewaySettings.from(new ConfigLoader().overrides(settings, "soak").load(), work);
    try (GatewayRuntime gateway = GatewayRuntime.start(gatewaySettings)) {
      System.out.println("PORT " + gateway.ftpPort());
      System.out.flush();
      ControlLines.awaitEnd(
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
          command ->
              switch (command) {
                case "stats" ->
                    "STATS threads="
                        + Thread.activeCount()
                        + " liveHeap="
                        + liveHeapAfterCollection()
                        + " byName="
                        + threadsByName();
                default -> "ERROR unknown command " + command;
              });
    }
  }

  /** Heap bytes in use after full collections (a few, so finalizable garbage goes as well). */
  private static long liveHeapAfterCollection() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** Live threads counted by name without digits, e.g. {@code dz-transfer-:8,...}. */
  private static String threadsByName() {
    Map<String, Long> counts =
        Thread.getAllStackTraces().keySet().stream()
            .collect(
                Collectors.groupingBy(
                    t -> t.getName().replaceAll("[0-9]+", "#").replace(' ', '_'),
                    TreeMap::new,
                    Collectors.counting()));
    return counts.entrySet().stream()
        .map(e -> e.getKey() + ":" + e.getValue())
        .collect(Collectors.joining(","));
  }
}
