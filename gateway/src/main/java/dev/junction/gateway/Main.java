package dev.junction.gateway;

import dev.junction.config.ConfigException;
import dev.junction.config.ConfigLoader;
import dev.junction.config.JunctionConfig;

/** {@code ./junction serve}: loads the config, starts the server, and stops it cleanly on SIGTERM/SIGINT. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        JunctionConfig config;
        try {
            config = ConfigLoader.load(args);
        } catch (ConfigException e) {
            System.err.println("junction: " + e.getMessage());
            System.exit(2);
            return;
        }
        JunctionServer server = JunctionServer.start(config);
        System.err.println("junction: HTTP on http://" + hostForUrl(config.http().bindAddress()) + ":" + server.httpPort() + "/");
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("junction-shutdown").unstarted(server::close));
    }

    private static String hostForUrl(String ip) {
        return ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip;
    }
}
