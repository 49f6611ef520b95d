package dev.dropzone.bench.harness;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPFile;
import org.apache.commons.net.ftp.FTPReply;

/** One FTP session to the gateway (Apache Commons Net, passive, binary). */
final class GatewayFtp implements Transfers {

  private static final int BUFFER = 1 << 20;

  private final FTPClient client = new FTPClient();
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

  /** Names through LIST (the listing format every client understands). */
  @Override
  public List<String> list(String path) throws IOException {
    return names(client.listFiles(path), "LIST");
  }

  /** Names through MLSD (machine-readable listing). */
  List<String> mlsd(String path) throws IOException {
    return names(client.mlistDir(path), "MLSD");
  }

  private List<String> names(FTPFile[] files, String command) throws IOException {
    if (!FTPReply.isPositiveCompletion(client.getReplyCode())) {
      throw new IOException(command + ": " + client.getReplyString());
    }
    return Arrays.stream(files).map(FTPFile::getName).toList();
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
