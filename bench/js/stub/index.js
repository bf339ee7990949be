// SPDX-License-Identifier: BSL-1.0
//
// Empty stand-in for @swim/args 4.0.0 (command-line argument parsing for the swim CLI).
// The npm registry no longer serves that version; @swim/client 4.0.0 depends on it but the
// library code paths used by the interop tests never import it. Exports nothing useful.
export {};
