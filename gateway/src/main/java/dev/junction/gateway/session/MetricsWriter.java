package dev.junction.gateway.session;

import dev.junction.gateway.http.MetricsSource;
import dev.junction.gateway.loop.RoomTotals;
import dev.junction.transport.DropReason;
import dev.junction.transport.MediaDemux;
import dev.junction.transport.metrics.DurationHistogram;
import dev.junction.transport.socket.EmbeddedTurnServer;
import dev.junction.transport.socket.IceTcpListener;
import dev.junction.transport.socket.PublicPort;
import dev.junction.transport.turn.TurnDropReason;
import dev.junction.transport.turn.TurnMethod;
import dev.junction.transport.turn.TurnServer;
import dev.junction.transport.socket.KernelUdpTable;
import dev.junction.transport.socket.MediaLoop;
import dev.junction.transport.socket.MediaSocket;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;

/**
 * Writes {@code /metrics} in the Prometheus text format from what the media side publishes for other threads:
 * the sockets' and demuxes' counters, the loops' burst latency and errors, the pipes' drops, the rooms' totals
 * (published by each loop, see {@link RoomTotals}), and the sessions' gauges and setup histograms.
 *
 * <p>Threading: any thread (a scrape runs on a Vert.x loop); it only reads values published for it and never
 * touches a loop's state.
 */
final class MetricsWriter implements MetricsSource {
    private static final String SETUP_METRIC = "junction_session_setup_seconds";
    private static final String CONNECT_METRIC = "junction_session_connect_seconds";
    private static final String CONNECT_HELP = "Server-side connection time, from the WHIP/WHEP offer reaching the server to SRTP keys (ICE and DTLS done).";
    private static final String SETUP_HELP = "Server-side session setup time, from the WHIP/WHEP offer reaching the server to the first RTP packet received from a publisher or sent to a subscriber.";

    private final List<MediaLoop> loops;
    private final List<MediaSocket> sockets;
    private final List<IceTcpListener> tcp;
    private final MediaDemux[] demuxes;
    private final RoomTotals[] roomTotals;
    private final AtomicLong pipeDrops;
    private final SessionTable table;
    private final RoomDirectory directory;
    /** Null when TURN is off. */
    private final EmbeddedTurnServer turn;
    /** Null when one-port mode is off. */
    private final PublicPort publicPort;

    MetricsWriter(List<MediaLoop> loops, List<MediaSocket> sockets, List<IceTcpListener> tcp, MediaDemux[] demuxes,
            RoomTotals[] roomTotals, AtomicLong pipeDrops, SessionTable table, RoomDirectory directory, EmbeddedTurnServer turn) {
        this(loops, sockets, tcp, demuxes, roomTotals, pipeDrops, table, directory, turn, null);
    }

    MetricsWriter(List<MediaLoop> loops, List<MediaSocket> sockets, List<IceTcpListener> tcp, MediaDemux[] demuxes,
            RoomTotals[] roomTotals, AtomicLong pipeDrops, SessionTable table, RoomDirectory directory, EmbeddedTurnServer turn,
            PublicPort publicPort) {
        this.turn = turn;
        this.publicPort = publicPort;
        this.loops = loops;
        this.sockets = sockets;
        this.tcp = tcp;
        this.demuxes = demuxes;
        this.roomTotals = roomTotals;
        this.pipeDrops = pipeDrops;
        this.table = table;
        this.directory = directory;
    }

    @Override
    public void appendMetrics(StringBuilder out) {
        out.append("# TYPE junction_sessions gauge\njunction_sessions ").append(table.size()).append('\n');
        out.append("# TYPE junction_sessions_connected gauge\njunction_sessions_connected ").append(table.connected()).append('\n');
        out.append("# TYPE junction_rooms gauge\njunction_rooms ").append(directory.size()).append('\n');
        out.append("# HELP junction_rooms_pending_removal Empty rooms in their grace period, their removal scheduled.\n")
                .append("# TYPE junction_rooms_pending_removal gauge\njunction_rooms_pending_removal ").append(directory.pendingRemovals()).append('\n');
        perLoop(out, "junction_media_ice_ufrags", "ICE ufrags registered with a media loop's demux (one per live session, two during an ICE restart).",
                i -> demuxes[i].publishedUfragCount());
        perLoop(out, "junction_media_bound_addresses", "Remote UDP addresses and ICE-TCP connections bound to a session on a media loop (the 5-tuple table).",
                i -> demuxes[i].publishedBoundAddressCount());
        perLoop(out, "junction_media_timer_participants", "Sessions and room sets a media loop's one timer serves.",
                i -> loops.get(i).publishedParticipantCount());
        ProcessGauges.appendMetrics(out);
        perSocket(out, "junction_media_datagrams_in_total", null, s -> s.counter(MediaSocket.DATAGRAMS_IN));
        perSocket(out, "junction_media_datagrams_out_total", null, s -> s.counter(MediaSocket.DATAGRAMS_OUT));
        perSocket(out, "junction_media_segmented_sends_total",
                "UDP GSO sends of several datagrams to one peer (their datagrams count in datagrams_out).",
                s -> s.counter(MediaSocket.SEGMENTED_SENDS));
        DurationHistogram.appendHeader(out, "junction_media_burst_seconds", "Per read burst of a media loop, from its first datagram read to the flush of everything it caused (the loop's share of the added latency, wake-up excluded).");
        for (MediaLoop l : loops) l.burstLatency().appendSeries(out, "junction_media_burst_seconds", "loop=\"" + l.index() + "\"");
        perSocket(out, "junction_media_socket_errors_total", "Errors a media socket reported (refused sends, ICMP errors); it stays open.",
                s -> s.counter(MediaSocket.SOCKET_ERRORS));
        // Linux's own count for each socket, from /proc/net/udp: datagrams that never reached the loop because its
        // receive buffer was full (the loop stalled or fell behind). The server cannot count those itself.
        KernelUdpTable kernel = KernelUdpTable.read();
        perSocket(out, "junction_media_kernel_dropped_total", "counter",
                "Datagrams the kernel dropped for a media socket, almost always because its receive buffer was full (Linux only).",
                s -> kernel.lookup(s).drops());
        perSocket(out, "junction_media_receive_queue_bytes", "gauge",
                "Bytes waiting unread in a media socket's receive buffer, out of junction_media_receive_buffer_bytes (Linux only).",
                s -> kernel.lookup(s).receiveQueueBytes());
        perSocket(out, "junction_media_receive_buffer_bytes", "gauge", "The receive buffer the kernel gave a media socket.",
                MediaSocket::receiveBufferBytes);
        perSocket(out, "junction_media_receiver_errors_total", "Datagrams whose handling threw (a bug); the socket stays open.",
                s -> s.counter(MediaSocket.RECEIVER_ERRORS));
        out.append("# HELP junction_media_loop_errors_total Exceptions caught in a media loop's timer and burst-end work (bugs).\n");
        out.append("# TYPE junction_media_loop_errors_total counter\n");
        for (MediaLoop l : loops) out.append("junction_media_loop_errors_total{loop=\"").append(l.index()).append("\"} ").append(l.errors()).append('\n');
        appendTcp(out);
        out.append("# HELP junction_pipe_dropped_total Publisher packets not piped to another media loop because it fell behind.\n");
        out.append("# TYPE junction_pipe_dropped_total counter\njunction_pipe_dropped_total ").append(pipeDrops.get()).append('\n');
        out.append("# TYPE junction_media_dropped_total counter\n");
        for (DropReason reason : DropReason.values()) {
            long total = 0;
            for (MediaDemux d : demuxes) total += d.drops(reason);
            out.append("junction_media_dropped_total{reason=\"").append(reason.name().toLowerCase(Locale.ROOT)).append("\"} ").append(total).append('\n');
        }
        table.setupTime().appendMetrics(out, SETUP_METRIC, SETUP_HELP);
        table.connectTime().appendMetrics(out, CONNECT_METRIC, CONNECT_HELP);
        RoomTotals.appendMetrics(out, roomTotals);
        appendTurn(out);
        appendPublicPort(out);
    }

    /** One-port mode (nothing when it is off): connections by protocol, refusals by reason, its ICE-TCP per loop. */
    private void appendPublicPort(StringBuilder out) {
        if (publicPort == null) return;
        out.append("# HELP junction_public_port_connections_total Connections to the public port, by the protocol their first bytes chose.\n")
                .append("# TYPE junction_public_port_connections_total counter\n");
        for (PublicPort.Protocol p : PublicPort.Protocol.values()) {
            out.append("junction_public_port_connections_total{protocol=\"").append(p.name().toLowerCase(Locale.ROOT)).append("\"} ")
                    .append(publicPort.connections(p)).append('\n');
        }
        out.append("# HELP junction_public_port_refused_total Connections to the public port closed before they reached a protocol, by reason.\n")
                .append("# TYPE junction_public_port_refused_total counter\n");
        for (PublicPort.Refusal r : PublicPort.Refusal.values()) {
            out.append("junction_public_port_refused_total{reason=\"").append(r.name().toLowerCase(Locale.ROOT)).append("\"} ")
                    .append(publicPort.refusals(r)).append('\n');
        }
        out.append("# HELP junction_public_port_ice_tcp_connections ICE-TCP connections that came through the public port, open on a media loop.\n")
                .append("# TYPE junction_public_port_ice_tcp_connections gauge\n");
        for (IceTcpListener l : publicPort.adopters()) {
            out.append("junction_public_port_ice_tcp_connections{loop=\"").append(l.loop().index()).append("\"} ").append(l.openConnections()).append('\n');
        }
        String[][] counters = {
            {"junction_public_port_ice_tcp_frames_in_total", "RFC 4571 frames received over ICE-TCP through the public port."},
            {"junction_public_port_ice_tcp_frames_out_total", "RFC 4571 frames sent over ICE-TCP through the public port."},
            {"junction_public_port_ice_tcp_send_dropped_total", "Packets not sent over public-port ICE-TCP (slow reader, closed connection)."},
            {"junction_public_port_ice_tcp_closed_total", "Public-port ICE-TCP connections closed before an authenticated check (limits, deadline)."},
        };
        int[][] which = {
            {IceTcpListener.FRAMES_IN}, {IceTcpListener.FRAMES_OUT}, {IceTcpListener.SEND_DROPPED},
            {IceTcpListener.REFUSED_SOURCE_LIMIT, IceTcpListener.REFUSED_TOTAL_LIMIT, IceTcpListener.AUTH_TIMEOUTS},
        };
        for (int c = 0; c < counters.length; c++) {
            out.append("# HELP ").append(counters[c][0]).append(' ').append(counters[c][1]).append('\n');
            out.append("# TYPE ").append(counters[c][0]).append(" counter\n");
            for (IceTcpListener l : publicPort.adopters()) {
                long v = 0;
                for (int i : which[c]) v += l.counter(i);
                out.append(counters[c][0]).append("{loop=\"").append(l.loop().index()).append("\"} ").append(v).append('\n');
            }
        }
    }

    /** The embedded TURN server (nothing when it is off). */
    private void appendTurn(StringBuilder out) {
        if (turn == null) return;
        TurnServer core = turn.core();
        out.append("# HELP junction_turn_allocations TURN allocations now.\n# TYPE junction_turn_allocations gauge\n")
                .append("junction_turn_allocations ").append(core.publishedAllocationCount()).append('\n');
        out.append("# HELP junction_turn_requests_total TURN requests answered, by method and result (success or error).\n")
                .append("# TYPE junction_turn_requests_total counter\n");
        for (TurnMethod m : TurnMethod.values()) {
            String method = m.name().toLowerCase(Locale.ROOT);
            out.append("junction_turn_requests_total{method=\"").append(method).append("\",result=\"success\"} ").append(core.answers(m, false)).append('\n');
            out.append("junction_turn_requests_total{method=\"").append(method).append("\",result=\"error\"} ").append(core.answers(m, true)).append('\n');
        }
        out.append("# HELP junction_turn_dropped_total TURN packets dropped and requests refused, by reason (rejected_* were answered with that error).\n")
                .append("# TYPE junction_turn_dropped_total counter\n");
        for (TurnDropReason r : TurnDropReason.values()) {
            out.append("junction_turn_dropped_total{reason=\"").append(r.name().toLowerCase(Locale.ROOT)).append("\"} ").append(turn.drops(r)).append('\n');
        }
        out.append("# HELP junction_turn_relayed_packets_total Datagrams relayed: to peers through the kernel, to clients, or in process to our own media sockets.\n")
                .append("# TYPE junction_turn_relayed_packets_total counter\n")
                .append("junction_turn_relayed_packets_total{direction=\"to_peers\"} ").append(core.relayedToPeers()).append('\n')
                .append("junction_turn_relayed_packets_total{direction=\"to_clients\"} ").append(core.relayedToClients()).append('\n')
                .append("junction_turn_relayed_packets_total{direction=\"locally\"} ").append(core.relayedLocally()).append('\n');
        out.append("# HELP junction_turn_relayed_bytes_total Bytes relayed, in the same directions (to clients: with the ChannelData or Data indication header).\n")
                .append("# TYPE junction_turn_relayed_bytes_total counter\n")
                .append("junction_turn_relayed_bytes_total{direction=\"to_peers\"} ").append(turn.counter(EmbeddedTurnServer.BYTES_TO_PEERS)).append('\n')
                .append("junction_turn_relayed_bytes_total{direction=\"to_clients\"} ").append(turn.counter(EmbeddedTurnServer.BYTES_TO_CLIENTS)).append('\n')
                .append("junction_turn_relayed_bytes_total{direction=\"locally\"} ").append(turn.counter(EmbeddedTurnServer.BYTES_LOCALLY)).append('\n');
        out.append("# HELP junction_turn_streams_total TURN TCP/TLS connections: accepted, or closed by Junction and why.\n")
                .append("# TYPE junction_turn_streams_total counter\n")
                .append("junction_turn_streams_total{event=\"accepted\"} ").append(turn.counter(EmbeddedTurnServer.STREAMS_ACCEPTED)).append('\n')
                .append("junction_turn_streams_total{event=\"source_limit\"} ").append(turn.counter(EmbeddedTurnServer.STREAMS_REFUSED_SOURCE_LIMIT)).append('\n')
                .append("junction_turn_streams_total{event=\"total_limit\"} ").append(turn.counter(EmbeddedTurnServer.STREAMS_REFUSED_TOTAL_LIMIT)).append('\n')
                .append("junction_turn_streams_total{event=\"auth_timeout\"} ").append(turn.counter(EmbeddedTurnServer.STREAMS_AUTH_TIMEOUTS)).append('\n')
                .append("junction_turn_streams_total{event=\"not_turn\"} ").append(turn.counter(EmbeddedTurnServer.STREAMS_GARBAGE)).append('\n')
                .append("junction_turn_streams_total{event=\"error\"} ").append(turn.counter(EmbeddedTurnServer.STREAM_ERRORS)).append('\n');
        out.append("# HELP junction_turn_send_dropped_total Messages to TCP/TLS TURN clients dropped (slow reader or closed connection).\n")
                .append("# TYPE junction_turn_send_dropped_total counter\njunction_turn_send_dropped_total ")
                .append(turn.counter(EmbeddedTurnServer.CLIENT_SEND_DROPPED)).append('\n');
        out.append("# HELP junction_turn_relay_bind_failures_total Relayed addresses that could not be bound (port range full).\n")
                .append("# TYPE junction_turn_relay_bind_failures_total counter\njunction_turn_relay_bind_failures_total ")
                .append(turn.counter(EmbeddedTurnServer.RELAY_BIND_FAILURES)).append('\n');
    }

    /** ICE-TCP per loop (nothing when it is off). */
    private void appendTcp(StringBuilder out) {
        if (tcp.isEmpty()) return;
        out.append("# HELP junction_media_tcp_connections ICE-TCP connections open on a media loop, authenticated or not.\n");
        out.append("# TYPE junction_media_tcp_connections gauge\n");
        for (IceTcpListener l : tcp) {
            out.append("junction_media_tcp_connections{loop=\"").append(l.loop().index()).append("\"} ").append(l.openConnections()).append('\n');
        }
        tcpCounter(out, "junction_media_tcp_accepted_total", "ICE-TCP connections accepted.", IceTcpListener.ACCEPTED);
        out.append("# HELP junction_media_tcp_closed_total ICE-TCP connections closed by Junction before an authenticated check: over the per-source or total limit of unauthenticated connections, or silent past the deadline.\n");
        out.append("# TYPE junction_media_tcp_closed_total counter\n");
        for (IceTcpListener l : tcp) {
            String loop = "loop=\"" + l.loop().index() + "\"";
            out.append("junction_media_tcp_closed_total{").append(loop).append(",reason=\"source_limit\"} ").append(l.counter(IceTcpListener.REFUSED_SOURCE_LIMIT)).append('\n');
            out.append("junction_media_tcp_closed_total{").append(loop).append(",reason=\"total_limit\"} ").append(l.counter(IceTcpListener.REFUSED_TOTAL_LIMIT)).append('\n');
            out.append("junction_media_tcp_closed_total{").append(loop).append(",reason=\"auth_timeout\"} ").append(l.counter(IceTcpListener.AUTH_TIMEOUTS)).append('\n');
        }
        tcpCounter(out, "junction_media_tcp_frames_in_total", "RFC 4571 frames received over ICE-TCP.", IceTcpListener.FRAMES_IN);
        tcpCounter(out, "junction_media_tcp_frames_out_total", "RFC 4571 frames sent over ICE-TCP.", IceTcpListener.FRAMES_OUT);
        tcpCounter(out, "junction_media_tcp_bytes_in_total", "Bytes of the ICE-TCP frames received, length prefixes excluded.", IceTcpListener.BYTES_IN);
        tcpCounter(out, "junction_media_tcp_bytes_out_total", "Bytes of the ICE-TCP frames sent, length prefixes excluded.", IceTcpListener.BYTES_OUT);
        tcpCounter(out, "junction_media_tcp_send_dropped_total", "Packets not sent over ICE-TCP: the peer read too slowly (its queue was past the high water mark) or the connection had closed.", IceTcpListener.SEND_DROPPED);
        tcpCounter(out, "junction_media_tcp_errors_total", "ICE-TCP connections that ended in an error (a reset, a failed write).", IceTcpListener.CONNECTION_ERRORS);
        tcpCounter(out, "junction_media_tcp_receiver_errors_total", "ICE-TCP frames whose handling threw (a bug); the connection stays open.", IceTcpListener.RECEIVER_ERRORS);
    }

    private void tcpCounter(StringBuilder out, String name, String help, int counter) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" counter\n");
        for (IceTcpListener l : tcp) {
            out.append(name).append("{loop=\"").append(l.loop().index()).append("\"} ").append(l.counter(counter)).append('\n');
        }
    }

    private void perLoop(StringBuilder out, String name, String help, java.util.function.IntToLongFunction value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" gauge\n");
        for (int i = 0; i < loops.size(); i++) {
            out.append(name).append("{loop=\"").append(loops.get(i).index()).append("\"} ").append(value.applyAsLong(i)).append('\n');
        }
    }

    private void perSocket(StringBuilder out, String name, String help, ToLongFunction<MediaSocket> value) {
        perSocket(out, name, "counter", help, value);
    }

    /** One series per socket; a negative value means unknown and its series is left out. */
    private void perSocket(StringBuilder out, String name, String type, String help, ToLongFunction<MediaSocket> value) {
        if (help != null) out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        for (MediaSocket s : sockets) {
            long v = value.applyAsLong(s);
            if (v >= 0) out.append(name).append("{loop=\"").append(s.index()).append("\"} ").append(v).append('\n');
        }
    }
}
