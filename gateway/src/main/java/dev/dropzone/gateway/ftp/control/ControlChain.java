package dev.dropzone.gateway.ftp.control;

import org.apache.ftpserver.ipfilter.SessionFilter;
import org.apache.mina.core.filterchain.IoFilterChain;
import org.apache.mina.core.session.IoSession;

/**
 * Puts Dropzone's control-connection filters into each new session's chain, after the admission
 * filter (the one hook MINA FtpServer offers into a listener's chain): the {@link FailureGuard}
 * right behind MINA's executor, {@link TelnetCommands} right before the command decoder, the {@link
 * RefusalPace} right behind it, then the {@link ControlQueue}, {@link RequestLines} and {@link
 * LoginFirst}.
 */
public final class ControlChain implements SessionFilter {

  /** Names MINA's NioListener gives its filters. */
  private static final String MINA_EXECUTOR = "threadPool";

  private static final String MINA_CODEC = "codec";

  private final SessionFilter admission;
  private final FailureGuard guard = new FailureGuard();
  private final TelnetCommands telnet = new TelnetCommands();
  private final RequestLines lines = new RequestLines();
  private final LoginFirst loginFirst = new LoginFirst();
  private final ControlQueue queue;
  private final RefusalPace pace;

  /**
   * @param admission the filter that admits or refuses the session first
   */
  public ControlChain(SessionFilter admission, ControlQueue queue, RefusalPace pace) {
    this.admission = admission;
    this.queue = queue;
    this.pace = pace;
  }

  @Override
  public boolean accept(IoSession session) {
    if (!admission.accept(session)) {
      return false;
    }
    IoFilterChain chain = session.getFilterChain();
    chain.addAfter(MINA_EXECUTOR, FailureGuard.NAME, guard);
    chain.addBefore(MINA_CODEC, TelnetCommands.NAME, telnet);
    chain.addAfter(MINA_CODEC, ControlQueue.NAME, queue);
    chain.addBefore(ControlQueue.NAME, RefusalPace.NAME, pace);
    chain.addAfter(ControlQueue.NAME, RequestLines.NAME, lines);
    chain.addAfter(RequestLines.NAME, LoginFirst.NAME, loginFirst);
    return true;
  }
}
