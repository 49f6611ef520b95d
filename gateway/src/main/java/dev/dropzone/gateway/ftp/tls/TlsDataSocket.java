package dev.dropzone.gateway.ftp.tls;

import dev.dropzone.gateway.ftp.data.Abortable;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLSocket;

/**
 * A protected data connection that ends TLS the way every client accepts. Closing a JDK {@link
 * SSLSocket} on TLS 1.3 before the peer has closed sends a {@code user_canceled} alert ahead of
 * {@code close_notify}; GnuTLS (lftp) treats any such alert as fatal and reports the download as
 * failed although every byte arrived. Here a close first sends {@code close_notify} alone ({@link
 * SSLSocket#shutdownOutput()}), then closes. Streams handed out close through this socket, so
 * MINA's copy loop and Dropzone's both end this way; {@link #abort()} drops the connection without
 * TLS's goodbye, for transfers cut off while blocked.
 */
final class TlsDataSocket extends Socket implements Abortable {

  private final SSLSocket tls;
  private final Socket raw;
  private final AtomicBoolean closed = new AtomicBoolean();

  TlsDataSocket(SSLSocket tls, Socket raw) throws SocketException {
    super((SocketImpl) null);
    this.tls = tls;
    this.raw = raw;
  }

  @Override
  public InputStream getInputStream() throws IOException {
    return new FilterInputStream(tls.getInputStream()) {
      @Override
      public void close() throws IOException {
        TlsDataSocket.this.close();
      }
    };
  }

  @Override
  public OutputStream getOutputStream() throws IOException {
    return new FilterOutputStream(tls.getOutputStream()) {
      @Override
      public void write(byte[] bytes, int offset, int length) throws IOException {
        out.write(bytes, offset, length);
      }

      @Override
      public void close() throws IOException {
        flush();
        TlsDataSocket.this.close();
      }
    };
  }

  @Override
  public void close() throws IOException {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      if (!tls.isOutputShutdown()) {
        tls.shutdownOutput();
      }
    } catch (IOException e) {
      // The client is gone already; nothing to say goodbye to.
    } finally {
      tls.close();
    }
  }

  @Override
  public void abort() {
    closed.set(true);
    try {
      raw.close();
    } catch (IOException e) {
      // Nothing left to release.
    }
  }

  @Override
  public boolean isClosed() {
    return closed.get() || raw.isClosed();
  }

  @Override
  public boolean isConnected() {
    return raw.isConnected();
  }

  @Override
  public boolean isBound() {
    return raw.isBound();
  }

  @Override
  public void shutdownInput() throws IOException {
    tls.shutdownInput();
  }

  @Override
  public void shutdownOutput() throws IOException {
    tls.shutdownOutput();
  }

  @Override
  public boolean isInputShutdown() {
    return tls.isInputShutdown();
  }

  @Override
  public boolean isOutputShutdown() {
    return tls.isOutputShutdown();
  }

  @Override
  public InetAddress getInetAddress() {
    return raw.getInetAddress();
  }

  @Override
  public int getPort() {
    return raw.getPort();
  }

  @Override
  public InetAddress getLocalAddress() {
    return raw.getLocalAddress();
  }

  @Override
  public int getLocalPort() {
    return raw.getLocalPort();
  }

  @Override
  public SocketAddress getRemoteSocketAddress() {
    return raw.getRemoteSocketAddress();
  }

  @Override
  public SocketAddress getLocalSocketAddress() {
    return raw.getLocalSocketAddress();
  }

  @Override
  public void setSoTimeout(int timeout) throws SocketException {
    tls.setSoTimeout(timeout);
  }

  @Override
  public int getSoTimeout() throws SocketException {
    return tls.getSoTimeout();
  }

  @Override
  public void setTcpNoDelay(boolean on) throws SocketException {
    raw.setTcpNoDelay(on);
  }

  @Override
  public boolean getTcpNoDelay() throws SocketException {
    return raw.getTcpNoDelay();
  }

  @Override
  public void setSendBufferSize(int size) throws SocketException {
    raw.setSendBufferSize(size);
  }

  @Override
  public int getSendBufferSize() throws SocketException {
    return raw.getSendBufferSize();
  }

  @Override
  public void setReceiveBufferSize(int size) throws SocketException {
    raw.setReceiveBufferSize(size);
  }

  @Override
  public int getReceiveBufferSize() throws SocketException {
    return raw.getReceiveBufferSize();
  }

  @Override
  public String toString() {
    return "TLS data connection " + raw;
  }
}
