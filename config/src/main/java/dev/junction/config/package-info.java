/** Typed, immutable settings: defaults from {@code junction.properties}, then a config file, then flags. */
package dev.junction.config;
