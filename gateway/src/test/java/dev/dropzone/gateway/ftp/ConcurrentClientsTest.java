package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.Test;

/** Many clients at once: every byte of every file comes back. */
class ConcurrentClientsTest {

  private static final int CLIENTS = 20;
  private static final int FILES = 5;
  private static final int MAX_SIZE = 2 << 20;

  @Test
  void twentyClientsUploadAndDownloadFiveFilesEach() throws Exception {
    try (GatewayUnderTest gw = GatewayUnderTest.start()) {
      ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
      try {
        List<Future<Integer>> results = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
          int clientNumber = c;
          results.add(pool.submit(() -> runClient(gw, clientNumber)));
        }
        for (Future<Integer> result : results) {
          assertThat(result.get()).isEqualTo(FILES);
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(gw.pendingUploads()).isEmpty();
    }
  }

  /** Uploads then downloads this client's files; returns how many matched. */
  private static int runClient(GatewayUnderTest gw, int clientNumber) throws Exception {
    String user = clientNumber % 2 == 0 ? "alice" : "bob";
    String dir = "client-" + clientNumber;
    SplittableRandom random = new SplittableRandom(clientNumber);
    long[] sizes = new long[FILES];
    FTPClient client = gw.login(user);
    try {
      assertThat(client.makeDirectory(dir)).as(client.getReplyString()).isTrue();
      for (int f = 0; f < FILES; f++) {
        sizes[f] = random.nextInt(MAX_SIZE + 1);
        try (InputStream in = Content.random(seed(clientNumber, f), sizes[f])) {
          assertThat(client.storeFile(dir + "/f" + f, in)).as(client.getReplyString()).isTrue();
        }
      }
      int matched = 0;
      for (int f = 0; f < FILES; f++) {
        Content.Sink sink = new Content.Sink();
        assertThat(client.retrieveFile(dir + "/f" + f, sink)).as(client.getReplyString()).isTrue();
        if (sink.sha256().equals(Content.sha256(seed(clientNumber, f), sizes[f]))) {
          matched++;
        }
      }
      return matched;
    } finally {
      client.disconnect();
    }
  }

  private static long seed(int client, int file) {
    return client * 1000L + file;
  }
}
