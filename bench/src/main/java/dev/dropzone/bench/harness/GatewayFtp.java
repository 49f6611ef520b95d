package dev.dropzone.bench.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;

/** One FTP session to the gateway (Apache Commons Net, passive, binary). */
final class GatewayFtp implements Transfers {

  private static final int BUFFER = 1 << 20;

  private final Client client = new Client();
  private final PatternSource source;

  GatewayFtp(int port, String user, String password, PatternSource source) throws IOException {
    this.source = source;
    client.setControlEncoding("UTF-8");
    client.setBufferSize(BUFFER);
    client.setConnectTimeout(10_000);
    // A broken gateway must fail the case, not hang the run.
    client.setDataTimeout(Duration.ofMinutes(2));
    client.connect("127.0.0.1", port);
    client.setSoTimeout(180_000);
    if (!client.login(user, password)) {
      throw new IOException("gateway refused the benchmark user: " + client.getReplyString());
    }
    client.enterLocalPassiveMode();
    client.setFileType(FTP.BINARY_FILE_TYPE);
  }

  void mkdir(String path) throws IOException {
    if (!client.makeDirectory(path)) {
      throw new IOException("MKD " + path + ": " + client.getReplyString());
    }
  }

  @Override
  public void upload(String path, long size) throws IOException {
    try (InputStream in = source.open(size)) {
      if (!client.storeFile(path, in)) {
        throw new IOException("STOR " + path + ": " + client.getReplyString());
      }
    }
  }

  @Override
  public String download(String path) throws IOException {
    PatternSource.Sha256Sink sink = new PatternSource.Sha256Sink();
    try (InputStream in = client.retrieveFileStream(path)) {
      if (in == null) {
        throw new IOException("RETR " + path + ": " + client.getReplyString());
      }
      in.transferTo(sink);
    }
    if (!client.completePendingCommand()) {
      throw new IOException("RETR " + path + " ended with " + client.getReplyString());
    }
    return sink.hex();
  }

  /**
   * Names through LIST (the listing format every client understands), read as the lines arrive the
   * way curl shows them: Commons Net's own {@code listFiles} runs a regular expression per line,
   * which would time the client's parser rather than the gateway.
   */
  @Override
  public List<String> list(String path) throws IOException {
    return listing("LIST", path, line -> line.substring(line.lastIndexOf(' ') + 1));
  }

  /** Names through MLSD (machine-readable listing): the text after the facts. */
  List<String> mlsd(String path) throws IOException {
    return listing("MLSD", path, line -> line.substring(line.indexOf("; ") + 2));
  }

  private List<String> listing(String command, String path, UnaryOperator<String> name)
      throws IOException {
    List<String> names = new ArrayList<>();
    Socket data = client.openListing(command, path);
    if (data == null) {
      throw new IOException(command + " " + path + ": " + client.getReplyString());
    }
    try (BufferedReader lines =
        new BufferedReader(
            new InputStreamReader(data.getInputStream(), StandardCharsets.UTF_8), BUFFER)) {
      for (String line; (line = lines.readLine()) != null; ) {
        names.add(name.apply(line));
      }
    } finally {
      data.close();
    }
    if (!client.completePendingCommand()) {
      throw new IOException(command + " " + path + " ended with " + client.getReplyString());
    }
    return names;
  }

  /** Commons Net's client with its data-connection opener made reachable. */
  private static final class Client extends FTPClient {
    Socket openListing(String command, String path) throws IOException {
      return _openDataConnection_(command, path);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      client.logout();
    } finally {
      client.disconnect();
    }
  }
}
