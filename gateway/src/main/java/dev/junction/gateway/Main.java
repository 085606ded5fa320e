package dev.junction.gateway;

import dev.junction.config.ConfigException;
import dev.junction.config.ConfigLoader;
import dev.junction.config.JunctionConfig;

/** {@code ./junction serve}: loads the config, starts the server, and stops it cleanly on SIGTERM/SIGINT. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        ConfigLoader.Loaded loaded;
        try {
            loaded = ConfigLoader.loadWithSources(args, System.getenv());
        } catch (ConfigException e) {
            System.err.println("junction: " + e.getMessage());
            System.exit(2);
            return;
        }
        // The same lines as ./junction config check: what the server runs with, and where each value came from.
        for (ConfigLoader.Setting s : loaded.settings()) System.err.println("junction: config " + s.describe());
        JunctionConfig config = loaded.config();
        JunctionServer server = JunctionServer.start(config);
        System.err.println("junction: HTTP on " + server.httpUrl());
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("junction-shutdown").unstarted(server::close));
        // The connectivity self-check, also at GET /health?verbose.
        server.sessions().connectivity().run(server.httpUrl()).text().lines().forEach(l -> System.err.println("junction: " + l));
    }
}
