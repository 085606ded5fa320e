package dev.junction.gateway;

import dev.junction.config.ConfigException;
import dev.junction.config.ConfigLoader;
import dev.junction.config.JunctionConfig;
import dev.junction.gateway.log.LogSetup;
import dev.junction.gateway.session.ConnectivityCheck;

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
        JunctionConfig config = loaded.config();
        LogSetup.apply(config.log());
        org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger("dev.junction.server");
        // The same lines as ./junction config check: what the server runs with, and where each value came from.
        for (ConfigLoader.Setting s : loaded.settings()) log.info("config {}", s.describe());
        JunctionServer server = JunctionServer.start(config);
        log.info("HTTP on {}", server.httpUrl());
        log.info("dashboard: {}dashboard{}", server.httpUrl(), config.http().adminToken().isEmpty()
                ? " (its data needs an admin token: set http.admin-token or --admin-token)" : "#token=<admin token>");
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("junction-shutdown").unstarted(() -> {
            log.info("stopping: new sessions get 503, every session is closed");
            server.close();
            log.info("stopped");
        }));
        // The connectivity self-check, also at GET /health?verbose.
        ConnectivityCheck.Report report = server.sessions().connectivity().run(server.httpUrl());
        report.lines().forEach(l -> log.info("{}", l));
        report.warnings().forEach(w -> log.warn("{}", w));
        log.info("connectivity: {}", report.warnings().isEmpty() ? "no problems found" : report.warnings().size() + " warning(s)");
    }
}
