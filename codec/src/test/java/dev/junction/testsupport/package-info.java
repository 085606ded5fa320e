/** Test support shared by every module through codec's test-jar: leak detection and fixtures. */
package dev.junction.testsupport;
