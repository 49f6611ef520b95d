package dev.dropzone.gateway.ftp.command;

import dev.dropzone.gateway.ftp.command.ReplyMapper.Mapped;
import dev.dropzone.gateway.ftp.command.ReplyMapper.Phase;
import dev.dropzone.gateway.ftp.control.ControlQueue;
import dev.dropzone.gateway.ftp.control.RequestLines;
import dev.dropzone.gateway.ftp.fs.StoreView;
import dev.dropzone.gateway.ftp.transfer.Transfer;
import dev.dropzone.gateway.ftp.transfer.TransferRegistry;
import dev.dropzone.gateway.logging.LogText;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.EnumSet;
import java.util.Set;
import org.apache.ftpserver.command.AbstractCommand;
import org.apache.ftpserver.ftplet.FtpReply;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A command that works on the logged-in user's {@link StoreView}. Store failures become replies
 * through {@link ReplyMapper} and are logged once, with user, command, path and advice.
 */
abstract class StoreCommand extends AbstractCommand {

  private static final Logger LOG = LoggerFactory.getLogger(StoreCommand.class);

  /**
   * Refusals that a policy decided (where the user may go, what they may do, how much they may
   * store), as opposed to a file that is not there: each fires a {@code refused} event.
   */
  private static final Set<Reason> POLICY =
      EnumSet.of(
          Reason.ACCESS_DENIED,
          Reason.INVALID_PATH,
          Reason.QUOTA,
          Reason.TOO_LARGE,
          Reason.CONTENT_REJECTED);

  /** A command's body; store failures it throws become replies. */
  @FunctionalInterface
  interface Body {
    void run() throws IOException;
  }

  @Override
  public final void execute(FtpIoSession session, FtpServerContext context, FtpRequest request) {
    StoreView view = (StoreView) session.getFileSystemView();
    answering(session, view, request, () -> run(session, view, request));
  }

  protected abstract void run(FtpIoSession session, StoreView view, FtpRequest request)
      throws IOException;

  /** Runs {@code body}, answering every failure it throws (on whichever thread runs it). */
  static void answering(FtpIoSession session, StoreView view, FtpRequest request, Body body) {
    try {
      body.run();
    } catch (StoreException e) {
      fail(session, view, request, e, Phase.COMMAND);
    } catch (UncheckedIOException e) {
      if (e.getCause() instanceof StoreException cause) {
        fail(session, view, request, cause, Phase.COMMAND);
      } else {
        unexpected(session, view, request, e);
      }
    } catch (IOException | RuntimeException e) {
      unexpected(session, view, request, e);
    }
  }

  /** Replies to and logs a store failure. */
  static void fail(
      FtpIoSession session, StoreView view, FtpRequest request, StoreException e, Phase phase) {
    Mapped mapped = ReplyMapper.map(e, phase, view::forClient);
    String user = view.account().username();
    String line = LogText.of(RequestLines.line(session, request));
    if (mapped.serverSide()) {
      // The message names the cause and the advice what to do; a stack trace per command during
      // an S3 outage would bury both, so it is kept for DEBUG.
      LOG.warn(
          "{} {} failed ({} {}): {}; {}",
          user,
          line,
          mapped.reply().getCode(),
          e.reason(),
          e.getMessage(),
          mapped.advice());
      LOG.debug("Where {} {} failed", user, line, e);
    } else {
      LOG.info(
          "{} {} refused ({} {}): {}",
          user,
          line,
          mapped.reply().getCode(),
          e.reason(),
          e.getMessage());
    }
    send(session, mapped.reply());
    if (POLICY.contains(e.reason())
        && !ObservedCommand.observing(session)
        && TransferRegistry.of(session) == null) {
      // Observed commands (transfers, tree changes) and running listings say it in their event.
      ReplyMapper.refused(session.getFtpletSession(), request, mapped.reply());
    }
  }

  /**
   * Writes a reply (the final one, when a transfer runs) and waits until it went out, so a reply
   * that ends a transfer reaches the client before a shutdown can close the session.
   */
  static void send(FtpIoSession session, FtpReply reply) {
    Transfer running = TransferRegistry.of(session);
    if (running != null) {
      running.answered(reply);
    }
    ControlQueue.answer(session, reply).awaitUninterruptibly(10_000);
  }

  private static void unexpected(
      FtpIoSession session, StoreView view, FtpRequest request, Exception e) {
    LOG.error(
        "{} {} failed unexpectedly; this is a bug in Dropzone, please report it with this trace",
        view.account().username(),
        LogText.of(RequestLines.line(session, request)),
        e);
    send(session, ReplyMapper.reply(451, "Internal error, the server log has the details"));
  }

  /** The argument, or null after replying 501 (commands without a path argument). */
  static String requireArgument(FtpIoSession session, FtpRequest request) {
    if (!request.hasArgument() || request.getArgument().isEmpty()) {
      session.write(ReplyMapper.reply(501, request.getCommand() + " needs a file name"));
      return null;
    }
    return RequestLines.argument(session, request);
  }
}
