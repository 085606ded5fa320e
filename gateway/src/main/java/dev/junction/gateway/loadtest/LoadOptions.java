package dev.junction.gateway.loadtest;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The load tool's command line. Every bad value is rejected with a one-line message naming the flag.
 *
 * @param target      base URL of any WHIP/WHEP server ({@code --target http://127.0.0.1:8080})
 * @param room        room name put into the path templates
 * @param whipPath    WHIP path template, {@code {room}} replaced ({@code /whip/{room}})
 * @param whepPath    WHEP path template ({@code /whep/{room}})
 * @param publishers  WHIP peers sending media
 * @param subscribers WHEP peers receiving it
 * @param seconds     how long media flows after everyone joined (bounded: at most one hour)
 * @param videoKbps   video bitrate per publisher
 * @param audio       whether publishers also send Opus-shaped audio at 50 packets/s
 * @param packetSize  RTP packet size of video packets, header included
 * @param joinBurst   if > 0: that many subscribers join at once and the time until all receive is reported
 * @param serverPid   if > 0: the server's process, whose CPU time is read from /proc
 * @param token       bearer token for the server, or empty
 */
record LoadOptions(URI target, String room, String whipPath, String whepPath, int publishers, int subscribers, int seconds,
        int videoKbps, boolean audio, int packetSize, int joinBurst, long serverPid, String token) {

    static LoadOptions parse(String[] args) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("--target", null);
        v.put("--room", "load");
        v.put("--whip-path", "/whip/{room}");
        v.put("--whep-path", "/whep/{room}");
        v.put("--publishers", "1");
        v.put("--subscribers", "1");
        v.put("--seconds", "10");
        v.put("--video-kbps", "1000");
        v.put("--audio", "on");
        v.put("--packet-size", "1200");
        v.put("--join-burst", "0");
        v.put("--server-pid", "0");
        v.put("--token", "");
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
        if (v.get("--target") == null) throw new IllegalArgumentException("--target: required, e.g. --target http://127.0.0.1:8080");
        URI target;
        try {
            target = URI.create(v.get("--target"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--target: not a URL: " + v.get("--target"));
        }
        if (!"http".equals(target.getScheme()) && !"https".equals(target.getScheme()) || target.getHost() == null) {
            throw new IllegalArgumentException("--target: expected http://HOST:PORT, got " + v.get("--target"));
        }
        String audio = v.get("--audio");
        if (!audio.equals("on") && !audio.equals("off")) throw new IllegalArgumentException("--audio: expected on or off, got '" + audio + "'");
        for (String path : new String[] {"--whip-path", "--whep-path"}) {
            if (!v.get(path).startsWith("/")) throw new IllegalArgumentException(path + ": must start with /");
        }
        if (!v.get("--room").matches("[A-Za-z0-9_-]{1,64}")) throw new IllegalArgumentException("--room: 1-64 of A-Z a-z 0-9 _ -");
        return new LoadOptions(target, v.get("--room"), v.get("--whip-path"), v.get("--whep-path"),
                range(v, "--publishers", 0, 1000), range(v, "--subscribers", 0, 5000), range(v, "--seconds", 1, 3600),
                range(v, "--video-kbps", 0, 100_000), audio.equals("on"), range(v, "--packet-size", 100, 1400),
                range(v, "--join-burst", 0, 5000), range(v, "--server-pid", 0, Integer.MAX_VALUE), v.get("--token"));
    }

    private static int range(Map<String, String> v, String name, int min, int max) {
        String text = v.get(name);
        try {
            int n = Integer.parseInt(text);
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new IllegalArgumentException(name + ": expected an integer " + min + "-" + max + ", got '" + text + "'");
    }
}
