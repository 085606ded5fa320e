package dev.junction.loadtest;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The load tool's command line ({@link #USAGE}). Every bad value is rejected with a one-line message naming
 * the flag. Peer counts are per room; the totals over all rooms are bounded too
 * ({@link #MAX_TOTAL_PUBLISHERS}, {@link #MAX_TOTAL_SUBSCRIBERS}), since every peer is a UDP socket and a
 * DTLS handshake in this one process.
 *
 * @param target      base URL of any WHIP/WHEP server ({@code --target http://127.0.0.1:8080}); with several, the first
 * @param room        room name put into the path templates; with {@code rooms > 1} the rooms are
 *                    {@code <room>-1} .. {@code <room>-N} ({@link #roomName})
 * @param whipPath    WHIP path template, {@code {room}} replaced ({@code /whip/{room}})
 * @param whepPath    WHEP path template ({@code /whep/{room}})
 * @param publishers  WHIP peers sending media, per room
 * @param subscribers WHEP peers receiving it, per room
 * @param seconds     the measured window: how long media flows after the warm-up (bounded: at most one hour)
 * @param warmup      seconds media flows after everyone joined before the window starts (0-600), so that the
 *                    server's (and the tool's) JIT compilation is not charged to the measured packets
 * @param rooms       how many rooms run the scenario side by side (1-1000), spread by the server over its
 *                    media loops
 * @param videoKbps   video bitrate per publisher
 * @param audio       whether publishers also send Opus-shaped audio at 50 packets/s
 * @param packetSize  RTP packet size of video packets, header included
 * @param joinBurst   if > 0: that many subscribers per room join at once (all rooms together) and the time
 *                    until all receive is reported
 * @param serverPid   if > 0: the server's process, whose CPU time is read from /proc
 * @param token       bearer token for the server, or empty
 * @param slots       audio/video pairs in each subscriber's offer: how many publishers it can receive (1-16)
 * @param flood       hostile kinds sent at the media port, one window each after the no-flood one (empty: none)
 * @param floodRate   datagrams per second of each flood
 * @param churn       if > 0: that many join/leave cycles instead of the media window ({@link Churn})
 * @param churnParallel cycles running at once
 * @param transport   how peers reach the server: UDP, ICE-TCP (a connection to the answer's passive TCP candidate,
 *                    RFC 6544), or through the server's TURN relay over UDP, TCP or TLS (issue 10)
 */
record LoadOptions(URI target, String room, String whipPath, String whepPath, int publishers, int subscribers, int seconds,
        int warmup, int rooms, int videoKbps, boolean audio, int packetSize, int joinBurst, long serverPid, String token,
        int slots, List<Flood.Kind> flood, int floodRate, int churn, int churnParallel, Transport transport, List<URI> targets,
        int simulcast, int downlinkKbps, int shapedSubscribers, int downlinkDelayMs) {

    /** Simulcast rids, lowest layer first; {@code --simulcast N} uses the last N. */
    static final List<String> RIDS = List.of("q", "h", "f");
    /** The bottleneck's queue: this long at its rate (drop-tail beyond; {@link DownlinkBottleneck#queueLimitBytes}). */
    static final int DOWNLINK_QUEUE_MS = 150;

    /** The rids the publishers send, lowest first (empty without simulcast). */
    List<String> rids() {
        return simulcast < 2 ? List.of() : RIDS.subList(RIDS.size() - simulcast, RIDS.size());
    }

    /** Video layer {@code layer}'s bitrate (layer 0 is the lowest): {@code videoKbps} halved per step below the top. */
    int layerKbps(int layer) {
        return videoKbps >> (Math.max(1, simulcast) - 1 - layer);
    }

    /** How peers reach the server ({@code --transport}). */
    enum Transport {
        UDP("udp"),
        TCP("tcp"),
        TURN_UDP("turn-udp"),
        TURN_TCP("turn-tcp"),
        TURN_TLS("turn-tls");

        final String flag;

        Transport(String flag) {
            this.flag = flag;
        }

        /** Whether peers relay through a TURN allocation, learnt from the server's {@code Link: rel="ice-server"}. */
        boolean turn() {
            return this == TURN_UDP || this == TURN_TCP || this == TURN_TLS;
        }

        static Transport of(String flag) {
            for (Transport t : values()) if (t.flag.equals(flag)) return t;
            throw new IllegalArgumentException("--transport: expected udp, tcp, turn-udp, turn-tcp or turn-tls, got '" + flag + "'");
        }
    }

    /** Publishers over all rooms. */
    static final int MAX_TOTAL_PUBLISHERS = 1000;
    /** Subscribers over all rooms, counted separately for {@code --subscribers} and {@code --join-burst}. */
    static final int MAX_TOTAL_SUBSCRIBERS = 5000;
    private static final int MAX_ROOM_NAME = 64;

    static final String USAGE = """
            usage: ./junction loadtest --target URL [options]
              --target URL[,URL...] base URL of any WHIP/WHEP server, e.g. http://127.0.0.1:8080 (required); with
                                    several (the nodes of a cluster) publishers POST to the first and subscribers
                                    are dealt over all in turn. 307/308 redirects are followed (RFC 9725 §4.5)
              --room R              room name (default load); with --rooms N > 1 the rooms are R-1 .. R-N
              --rooms N             run the scenario in N rooms side by side (1-1000, default 1)
              --slots N             audio/video pairs each subscriber offers, i.e. publishers it receives
                                    (1-16, default 1; 10 makes --publishers 10 --subscribers 10 a conference)
              --publishers N        WHIP peers per room (0-1000, default 1; at most 1000 over all rooms)
              --subscribers M       WHEP peers per room (0-5000, default 1; at most 5000 over all rooms)
              --join-burst N        N more subscribers per room join at once after the others; reports how
                                    long until all receive (0-5000, default 0; at most 5000 over all rooms);
                                    with --warmup > 0 untimed bursts of up to 100 per room join and leave
                                    first (up to 4, until the tool's JIT is quiet), so the tool's own join
                                    path is compiled before timing
              --warmup S            seconds media flows after everyone joined before the window (0-600, default 2)
              --seconds S           the measured window (1-3600, default 10); every figure covers it only
              --video-kbps K        video bitrate per publisher (0-100000, default 1000)
              --audio on|off        Opus-shaped audio at 50 packets/s (default on)
              --packet-size B       video RTP packet size, header included (100-1400, default 1200)
              --transport T         how peers reach the server (default udp): udp; tcp, ICE-TCP to the answer's
                                    passive TCP candidate (RFC 6544, RFC 4571 framing); turn-udp, turn-tcp,
                                    turn-tls: through a TURN relay the server advertises in its WHIP/WHEP
                                    Link: rel="ice-server" headers (RFC 9725 §4.6), one allocation per peer,
                                    whose relayed address is the peer's only candidate
              --simulcast N         rid simulcast layers per publisher (1-3, default 1): 2 sends h and f,
                                    3 sends q, h and f, at 1/4, 1/2 and all of --video-kbps; a keyframe
                                    on every layer every 2 s and on the layer a PLI or FIR names
              --downlink-kbps K     shape subscribers' downlinks in the tool: a token bucket at K kbit/s with
                                    a drop-tail queue of 150 ms at K, before the peer sees a datagram; the
                                    server's transport-cc estimate sees the queueing and the drops (10-1000000,
                                    default 0: not shaped; needs --transport udp)
              --shaped-subscribers N  of each room's --subscribers, the first N are shaped (default all of them
                                    with --downlink-kbps); the join burst is never shaped
              --downlink-delay-ms D fixed delay after the bottleneck's queue (0-1000, default 0)
              --server-pid PID      the server's process: its CPU time over the window is read from /proc
              --token T             bearer token for the WHIP/WHEP endpoints and /metrics
              --whip-path P         WHIP path template (default /whip/{room})
              --whep-path P         WHEP path template (default /whep/{room})
              --flood K[,K...]      after the window, one more window per kind with that hostile traffic at
                                    the media port: garbage, unknown-ufrag, forged-integrity, dtls-hello,
                                    unbound-srtp, or all; each reports drops by reason, server CPU per
                                    million dropped, and loss and latency against the no-flood window
              --flood-rate N        datagrams per second of each flood (1-2000000, default 100000)
              --churn N             instead of the window: N subscriber join/leave cycles (1-100000) ending in
                                    turn by DELETE, vanishing (no DELETE; consent frees it), ICE restart, and a
                                    new session from the vanished one's address; then whether the server's
                                    sessions, rooms, bindings, timers, threads, fds, heap after GC and direct
                                    memory are back to their baseline (exit 3 if not); the GC needs the pid
              --churn-parallel P    churn cycles at once (1-200, default 10)
            One progress line per second on stderr, one JSON result line on stdout.
            Exit status: 0 completed, 1 peers could not connect, 2 bad options, 3 churn not clean.""";

    /** The name of room {@code index} (0-based): {@code <room>} alone, or {@code <room>-<index+1>} with several. */
    String roomName(int index) {
        return rooms == 1 ? room : room + "-" + (index + 1);
    }

    static LoadOptions parse(String[] args) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("--target", null);
        v.put("--room", "load");
        v.put("--whip-path", "/whip/{room}");
        v.put("--whep-path", "/whep/{room}");
        v.put("--publishers", "1");
        v.put("--subscribers", "1");
        v.put("--seconds", "10");
        v.put("--warmup", "2");
        v.put("--rooms", "1");
        v.put("--video-kbps", "1000");
        v.put("--audio", "on");
        v.put("--packet-size", "1200");
        v.put("--join-burst", "0");
        v.put("--server-pid", "0");
        v.put("--token", "");
        v.put("--slots", "1");
        v.put("--flood", "");
        v.put("--flood-rate", "100000");
        v.put("--churn", "0");
        v.put("--churn-parallel", "10");
        v.put("--transport", "udp");
        v.put("--simulcast", "1");
        v.put("--downlink-kbps", "0");
        v.put("--shaped-subscribers", null);
        v.put("--downlink-delay-ms", null);
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            String value = null;
            int eq = name.indexOf('=');
            if (name.startsWith("--") && eq > 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (!v.containsKey(name)) throw new IllegalArgumentException("unknown option '" + args[i] + "' (known: " + String.join(", ", v.keySet()) + ")");
            if (value == null) {
                if (i + 1 >= args.length) throw new IllegalArgumentException(name + ": a value is required");
                value = args[++i];
            }
            v.put(name, value);
        }
        List<URI> targets = new java.util.ArrayList<>();
        for (String one : v.get("--target") == null ? new String[] {null} : v.get("--target").split(",", -1)) targets.add(target(one));
        URI target = targets.get(0);
        Transport transport = Transport.of(v.get("--transport"));
        String audio = v.get("--audio");
        if (!audio.equals("on") && !audio.equals("off")) throw new IllegalArgumentException("--audio: expected on or off, got '" + audio + "'");
        for (String path : new String[] {"--whip-path", "--whep-path"}) {
            if (!v.get(path).startsWith("/")) throw new IllegalArgumentException(path + ": must start with /");
        }
        if (!v.get("--room").matches("[A-Za-z0-9_-]{1,64}")) throw new IllegalArgumentException("--room: 1-64 of A-Z a-z 0-9 _ -");
        int rooms = range(v, "--rooms", 1, 1000);
        int suffix = rooms == 1 ? 0 : 1 + Integer.toString(rooms).length();
        if (v.get("--room").length() + suffix > MAX_ROOM_NAME) {
            throw new IllegalArgumentException("--room: at most " + (MAX_ROOM_NAME - suffix) + " characters with --rooms " + rooms
                    + " (room names get -1 .. -" + rooms + ")");
        }
        int publishers = total(range(v, "--publishers", 0, 1000), "--publishers", rooms, MAX_TOTAL_PUBLISHERS);
        int subscribers = total(range(v, "--subscribers", 0, 5000), "--subscribers", rooms, MAX_TOTAL_SUBSCRIBERS);
        int joinBurst = total(range(v, "--join-burst", 0, 5000), "--join-burst", rooms, MAX_TOTAL_SUBSCRIBERS);
        int churn = range(v, "--churn", 0, 100_000);
        if (churn > 0 && (joinBurst > 0 || !v.get("--flood").isEmpty())) {
            throw new IllegalArgumentException("--churn: runs on its own, not with --join-burst or --flood");
        }
        if (churn > 0 && Integer.parseInt(v.get("--publishers")) < 1) {
            throw new IllegalArgumentException("--churn: needs --publishers 1 or more (each cycle waits for a packet)");
        }
        int downlinkKbps = v.get("--downlink-kbps").equals("0") ? 0 : range(v, "--downlink-kbps", 10, 1_000_000, "0 (off) or ");
        if (downlinkKbps > 0 && churn > 0) throw new IllegalArgumentException("--downlink-kbps: not with --churn, whose peers are never shaped");
        for (String name : new String[] {"--shaped-subscribers", "--downlink-delay-ms"}) {
            if (v.get(name) != null && downlinkKbps == 0) throw new IllegalArgumentException(name + ": needs --downlink-kbps");
        }
        if (downlinkKbps > 0 && transport != Transport.UDP) {
            throw new IllegalArgumentException("--downlink-kbps: shapes UDP datagrams only, not --transport " + transport.flag);
        }
        int shaped = v.get("--shaped-subscribers") == null ? (downlinkKbps > 0 ? subscribers : 0)
                : range(v, "--shaped-subscribers", 0, subscribers);
        int delayMs = v.get("--downlink-delay-ms") == null ? 0 : range(v, "--downlink-delay-ms", 0, 1000);
        int simulcast = range(v, "--simulcast", 1, RIDS.size());
        if (simulcast > 1 && v.get("--video-kbps").equals("0")) throw new IllegalArgumentException("--simulcast: needs --video-kbps above 0");
        return new LoadOptions(target, v.get("--room"), v.get("--whip-path"), v.get("--whep-path"),
                publishers, subscribers, range(v, "--seconds", 1, 3600), range(v, "--warmup", 0, 600), rooms,
                range(v, "--video-kbps", 0, 100_000), audio.equals("on"), range(v, "--packet-size", 100, 1400),
                joinBurst, range(v, "--server-pid", 0, Integer.MAX_VALUE), v.get("--token"),
                range(v, "--slots", 1, dev.junction.transport.client.ClientOffer.MAX_PAIRS),
                floodKinds(v.get("--flood")), range(v, "--flood-rate", 1, 2_000_000), churn, range(v, "--churn-parallel", 1, 200),
                transport, List.copyOf(targets), simulcast, downlinkKbps, shaped, delayMs);
    }

    /** The {@code --target} base URL of a WHIP/WHEP server, or a message naming the flag (also for the conformance checker). */
    static URI target(String text) {
        if (text == null) throw new IllegalArgumentException("--target: required, e.g. --target http://127.0.0.1:8080");
        URI target;
        try {
            target = URI.create(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--target: not a URL: " + text);
        }
        if (!"http".equals(target.getScheme()) && !"https".equals(target.getScheme()) || target.getHost() == null) {
            throw new IllegalArgumentException("--target: expected http://HOST:PORT, got " + text);
        }
        return target;
    }

    private static List<Flood.Kind> floodKinds(String text) {
        List<Flood.Kind> kinds = new ArrayList<>();
        if (text.isEmpty()) return kinds;
        for (String name : text.split(",", -1)) {
            if (name.equals("all")) {
                for (Flood.Kind k : Flood.Kind.values()) if (!kinds.contains(k)) kinds.add(k);
                continue;
            }
            Flood.Kind kind = Flood.Kind.ofFlag(name);
            if (kind == null) {
                throw new IllegalArgumentException("--flood: unknown kind '" + name
                        + "' (known: garbage, unknown-ufrag, forged-integrity, dtls-hello, unbound-srtp, all)");
            }
            if (!kinds.contains(kind)) kinds.add(kind);
        }
        return List.copyOf(kinds);
    }

    /** {@code perRoom} when {@code perRoom × rooms} stays within {@code max}, else a message naming the flag. */
    private static int total(int perRoom, String name, int rooms, int max) {
        if ((long) perRoom * rooms > max) {
            throw new IllegalArgumentException(name + ": " + perRoom + " per room × --rooms " + rooms + " = " + (long) perRoom * rooms
                    + ", at most " + max + " over all rooms");
        }
        return perRoom;
    }

    private static int range(Map<String, String> v, String name, int min, int max) {
        return range(v, name, min, max, "");
    }

    /** {@code name}'s value within {@code min..max}, else a message naming the flag; {@code also} names another value it takes. */
    private static int range(Map<String, String> v, String name, int min, int max, String also) {
        String text = v.get(name);
        try {
            int n = Integer.parseInt(text);
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new IllegalArgumentException(name + ": expected " + also + "an integer " + min + "-" + max + ", got '" + text + "'");
    }
}
