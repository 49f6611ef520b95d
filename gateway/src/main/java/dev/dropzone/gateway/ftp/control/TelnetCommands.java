package dev.dropzone.gateway.ftp.control;

import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.session.IoSession;

/**
 * Drops Telnet commands (IAC and the command byte after it) from the control connection before the
 * command decoder sees it. RFC 959 clients send IAC IP and IAC DM before ABOR (lftp does by
 * default); those bytes are not UTF-8, and MINA's decoder would refuse the whole line, so the ABOR
 * would be lost. In UTF-8 text the byte 0xFF never occurs, so nothing else is touched.
 */
public final class TelnetCommands extends IoFilterAdapter {

  /** Name in the session's filter chain. */
  public static final String NAME = "dropzoneTelnet";

  private static final byte IAC = (byte) 0xFF;
  private static final String PENDING = "dropzone.telnetIac";

  @Override
  public void messageReceived(NextFilter next, IoSession session, Object message) throws Exception {
    if (!(message instanceof IoBuffer in)) {
      next.messageReceived(session, message);
      return;
    }
    boolean skip = session.removeAttribute(PENDING) != null;
    if (!skip && in.indexOf(IAC) < 0) {
      next.messageReceived(session, in);
      return;
    }
    IoBuffer out = IoBuffer.allocate(in.remaining());
    while (in.hasRemaining()) {
      byte b = in.get();
      if (skip) {
        skip = false;
        if (isCommand(b)) {
          continue;
        }
      }
      if (b == IAC) {
        skip = true;
      } else {
        out.put(b);
      }
    }
    if (skip) {
      // The command byte comes with the next read.
      session.setAttribute(PENDING, Boolean.TRUE);
    }
    out.flip();
    if (out.hasRemaining()) {
      next.messageReceived(session, out);
    }
  }

  /**
   * Telnet command codes are 0xF0 to 0xFF. The DM of the abort sequence is sent as urgent data and
   * taken out of the stream by the kernel, so an IAC may be followed directly by the command's
   * first letter: that letter stays.
   */
  private static boolean isCommand(byte b) {
    return (b & 0xFF) >= 0xF0;
  }
}
