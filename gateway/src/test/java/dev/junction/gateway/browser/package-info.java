/** Headless-Chromium test harness: launches the browser on a page and collects the JSON reports it POSTs back. */
package dev.junction.gateway.browser;
