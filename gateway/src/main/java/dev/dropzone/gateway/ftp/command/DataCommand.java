package dev.dropzone.gateway.ftp.command;

import dev.dropzone.gateway.ftp.command.ReplyMapper.Phase;
import dev.dropzone.gateway.ftp.data.DataConnectionRefusedException;
import dev.dropzone.gateway.ftp.data.DataConnections;
import dev.dropzone.gateway.ftp.fs.StoreView;
import dev.dropzone.gateway.ftp.transfer.DataLink;
import dev.dropzone.gateway.ftp.transfer.Transfer;
import dev.dropzone.gateway.ftp.transfer.TransferRegistry;
import dev.dropzone.store.StoreException;
import java.io.IOException;
import java.util.Locale;
import org.apache.ftpserver.ftplet.DataConnection;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.ServerDataConnectionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A command that moves bytes over the data connection (listings and transfers). The command thread
 * only checks the request; everything that waits (storage, the data connection, the client) runs on
 * a transfer thread, which answers the client, so the session's command thread is free for ABOR and
 * the server's for other clients.
 */
abstract class DataCommand extends StoreCommand {

  private static final Logger LOG = LoggerFactory.getLogger(DataCommand.class);

  /** The reason of replies about a data connection that could not be opened or broke. */
  static final String DATA_CONNECTION = "data_connection";

  /** The part of a data command that runs on the transfer thread. */
  @FunctionalInterface
  interface Job {
    void run(Transfer transfer) throws IOException;
  }

  /**
   * A checked request, ready to run.
   *
   * @param what what will move, e.g. {@code download of /a.pdf}, for logs and STAT
   * @param job the transfer itself
   * @param onControl whether it answers on the control connection (see {@link
   *     TransferRegistry#start(FtpIoSession, String, String, TransferRegistry.Work, boolean)})
   */
  record Planned(String what, Job job, boolean onControl) {
    Planned(String what, Job job) {
      this(what, job, false);
    }
  }

  private final TransferRegistry transfers;

  DataCommand(TransferRegistry transfers) {
    this.transfers = transfers;
  }

  /**
   * Checks the request on the command thread (arguments, permission, a prepared data connection)
   * without touching storage.
   *
   * @return the transfer to run, or null after replying
   */
  protected abstract Planned plan(FtpIoSession session, StoreView view, FtpRequest request)
      throws IOException;

  @Override
  protected final void run(FtpIoSession session, StoreView view, FtpRequest request)
      throws IOException {
    Planned planned;
    try {
      planned = plan(session, view, request);
    } catch (IOException | RuntimeException e) {
      finish(session);
      throw e;
    }
    if (planned == null) {
      finish(session);
      return;
    }
    start(transfers, session, view, request, planned, () -> finish(session));
  }

  /**
   * Runs {@code planned} on a transfer thread, which answers the client, then runs {@code after};
   * refuses at once (and runs {@code after}) when every transfer slot is busy or the server stops.
   */
  static void start(
      TransferRegistry transfers,
      FtpIoSession session,
      StoreView view,
      FtpRequest request,
      Planned planned,
      Runnable after) {
    // The event of this command waits for the transfer's own answer.
    ObservedCommand.Pending observed = ObservedCommand.claim(session);
    TransferRegistry.Start start =
        transfers.start(
            session,
            view.account().username(),
            planned.what(),
            transfer -> {
              try {
                answering(session, view, request, () -> planned.job().run(transfer));
              } finally {
                after.run();
                observed.transferred(transfer);
              }
            },
            planned.onControl());
    if (start != TransferRegistry.Start.STARTED) {
      ObservedCommand.unclaim(session, observed);
    }
    switch (start) {
      case STARTED -> {
        // The transfer thread answers from here on.
      }
      case BUSY -> {
        after.run();
        session.write(
            ReplyMapper.reply(
                450,
                "Too many transfers in progress on this server, try again in a moment",
                "busy"));
      }
      case CLOSING -> {
        after.run();
        session.write(
            ReplyMapper.reply(421, "Server is shutting down, try again later", "shutting_down"));
      }
    }
  }

  /** True when PASV/EPSV/PORT/EPRT prepared a data connection; otherwise replies 503. */
  static boolean dataPrepared(FtpIoSession session) {
    ServerDataConnectionFactory factory = session.getDataConnection();
    if (factory.getInetAddress() == null) {
      session.write(ReplyMapper.reply(503, DataConnections.notPrepared(factory), DATA_CONNECTION));
      return false;
    }
    return true;
  }

  /**
   * Replies 150 and opens the data connection for {@code transfer}. Returns null after replying 425
   * if it cannot be opened, and without a reply when the transfer was cut off (before or while
   * opening): the caller answers that, see {@link #answerCut}.
   *
   * @param beforeRefusal runs before a refusal is sent (an upload aborts, so nothing is left)
   */
  DataLink open(FtpIoSession session, Transfer transfer, String opening, Runnable beforeRefusal) {
    if (transfer.cut() != null) {
      return null;
    }
    session.write(ReplyMapper.reply(150, opening)).awaitUninterruptibly(10_000);
    DataConnection data;
    try {
      data = session.getDataConnection().openConnection();
    } catch (DataConnectionRefusedException e) {
      if (transfer.cut() != null) {
        return null;
      }
      LOG.info("{} could not open a data connection: {}", transfer.user(), e.getMessage());
      beforeRefusal.run();
      send(session, ReplyMapper.reply(425, e.getMessage(), DATA_CONNECTION));
      return null;
    } catch (Exception e) {
      if (transfer.cut() != null) {
        return null;
      }
      LOG.info(
          "{} could not open a data connection: {}; the client must connect from its own"
              + " address (or accept our PORT connection) with matching TLS (PROT) settings,"
              + " and firewalls must pass the passive port range",
          transfer.user(),
          e.getMessage());
      beforeRefusal.run();
      send(
          session,
          ReplyMapper.reply(
              425,
              "Cannot open data connection (passive connections must come from your own"
                  + " address; TLS settings must match)",
              DATA_CONNECTION));
      return null;
    }
    DataLink link = DataLink.take(session, data, transfer);
    if (link == null) {
      beforeRefusal.run();
      send(session, ReplyMapper.reply(425, "Cannot open data connection", DATA_CONNECTION));
      return null;
    }
    return transfer.cut() != null ? null : link;
  }

  /** {@link #open(FtpIoSession, Transfer, String, Runnable)} with nothing to do before refusing. */
  DataLink open(FtpIoSession session, Transfer transfer, String opening) {
    return open(session, transfer, opening, () -> {});
  }

  /** Replies 426 when {@code transfer} was cut off; {@code aborted} starts the text. */
  void answerCut(FtpIoSession session, Transfer transfer, String aborted) {
    if (transfer.cut() != null) {
      send(session, ReplyMapper.reply(426, aborted + ": " + cutOff(transfer), cutReason(transfer)));
    }
  }

  /**
   * Answers a download or listing that failed part way: a store failure as mapped (a tampered
   * object's 426 says the integrity check failed), anything else (the client, or a cut) with 426.
   *
   * @param aborted the 426 text before the reason, e.g. {@code Transfer aborted}
   */
  void sendFailed(
      FtpIoSession session,
      StoreView view,
      FtpRequest request,
      DataLink link,
      Transfer transfer,
      IOException e,
      Phase phase,
      String aborted) {
    if (transfer.cut() == null && e instanceof StoreException failure) {
      fail(session, view, request, failure, phase);
      return;
    }
    String why = transfer.cut() != null ? cutOff(transfer) : "data connection closed";
    LOG.info("{}: {} ended early: {} ({})", transfer.user(), transfer.what(), why, e.getMessage());
    send(
        session,
        ReplyMapper.reply(
            426,
            aborted + ": " + why,
            transfer.cut() != null ? cutReason(transfer) : DATA_CONNECTION));
  }

  /** The reason a cut-off transfer's reply carries: {@code aborted_by_client}, {@code stalled}… */
  static String cutReason(Transfer transfer) {
    return transfer.cut().name().toLowerCase(Locale.ROOT);
  }

  /** Why {@code transfer} was cut off, as the 426 reply says it. */
  String cutOff(Transfer transfer) {
    return switch (transfer.cut()) {
      case STALLED -> "no data moved for " + transfers.dataIdleTimeout().toSeconds() + " seconds";
      case ABORTED_BY_CLIENT, SHUTDOWN -> transfer.cut().text();
    };
  }

  /** Ends a data command whatever happened: no offset or data connection survives it. */
  static void finish(FtpIoSession session) {
    session.resetState();
    session.getDataConnection().closeDataConnection();
  }
}
