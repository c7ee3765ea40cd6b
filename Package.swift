// swift-tools-version:6.0
//
// callpop: a per-user Linux desktop agent that opens the right CRM page or
// application when a phone call rings, is placed or is answered.
//
// The layout shows the architecture, from the inside out:
// - the domain (`CallPopCore`) and pure protocol targets (`CallPopAMI`, `CallPopSIP`,
//   `CallPopXML`, `CallPopLookup`, `CallPopHashing`): no sockets, threads or C libraries;
//   tested byte by byte;
// - `CallPopConfig`: TOML files → a validated configuration, built on the pure targets only;
// - one target per outside world: `CallPopPlatform` (every libc contact: threads, the one
//   poll loop and its bounded bridge to async code, sockets, signals), `CallPopCurl`,
//   `CallPopDBus`, `CallPopLaunch`, `CallPopLDAP`, `CallPopHTTP` (the one HTTP client),
//   `CallPopCallbacks` (callback delivery and its spool); C libraries only behind module
//   maps seen by one wrapper;
// - `CallPopSources`: every PBX event source (AMI, SIP, NDJSON files, HTTP streams), where
//   a new one goes;
// - `CallPopRuntime`: the long-running services; `CallPopSetup`: the set-up commands' logic;
// - `callpop`: a thin executable.

import PackageDescription

let package = Package(
    name: "callpop",
    products: [
        .executable(name: "callpop", targets: ["callpop"]),
        .library(name: "CallPopCore", targets: ["CallPopCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // C libraries from Debian's -dev packages, seen only by their wrapper targets.
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "CDBus", pkgConfig: "dbus-1",
            providers: [.apt(["libdbus-1-dev"])]),
        .systemLibrary(
            name: "CLDAP", pkgConfig: "ldap",
            providers: [.apt(["libldap-dev"])]),
        // The C half of the platform: posix_spawn flags glibc hides from Swift, small
        // detached threads, and an async-signal-safe signal handler.
        .target(name: "CPlatform"),

        // MARK: Pure: no I/O, no threads, no C libraries

        // The domain: call events, tracking, rules, templates, decisions, hostile-text policy.
        .target(name: "CallPopCore", dependencies: ["CallPopHashing"]),
        // MD5 and SHA-256 for the AMI challenge login, SIP digest authentication and callbacks' Idempotency-Key.
        .target(name: "CallPopHashing"),
        // Asterisk Manager Interface: framing, messages, the session state machine, call mapping.
        .target(name: "CallPopAMI", dependencies: ["CallPopCore", "CallPopHashing"]),
        // The strict XML reader: SIP dialog-info bodies, CardDAV multistatus responses.
        .target(name: "CallPopXML"),
        // SIP dialog-event subscription (RFC 4235): messages, digest, dialog-info, the state machine.
        .target(name: "CallPopSIP", dependencies: ["CallPopCore", "CallPopHashing", "CallPopXML"]),
        // Caller lookup logic: vCard, CSV, number matching, the contact index, LDAP filters,
        // CardDAV requests and responses, JSON field paths for CRM APIs.
        .target(name: "CallPopLookup", dependencies: ["CallPopCore", "CallPopXML"]),
        // TOML configuration → validated rules and source settings, with FILE:LINE:COLUMN errors.
        .target(
            name: "CallPopConfig",
            dependencies: ["CallPopCore", "CallPopAMI", "CallPopSIP", "CallPopLookup", "CallPopPlatform", .product(name: "TOMLKit", package: "TOMLKit")]),

        // MARK: Outside worlds, one target each

        // Every contact with libc: dedicated threads, the one poll loop and bounded bridge to
        // async code, sockets, name resolution, signals, standard streams.
        .target(name: "CallPopPlatform", dependencies: ["CPlatform"]),
        // libcurl: connect-only TCP/TLS streams.
        .target(name: "CallPopCurl", dependencies: ["CCurl", "CallPopPlatform"]),
        // posix_spawn launcher: own session, stdin on /dev/null, no inherited fds, reaped.
        .target(name: "CallPopLaunch", dependencies: ["CallPopCore", "CPlatform"]),
        // Desktop notifications, the control interface and the portal over libdbus-1.
        .target(
            name: "CallPopDBus",
            dependencies: ["CallPopCore", "CDBus", "CallPopPlatform", .product(name: "Logging", package: "swift-log")]),
        // LDAP directories through Debian's OpenLDAP client library, on a thread of their own.
        .target(name: "CallPopLDAP", dependencies: ["CLDAP", "CallPopLookup", "CallPopPlatform"]),
        // Caller lookup in every [[directory]]: CardDAV mirrors, LDAP, CRM APIs and files, the answer
        // cache on disk, directory health; the budget and which rules wait are CallPopCore's.
        .target(
            name: "CallPopDirectories",
            dependencies: [
                "CallPopCore", "CallPopLookup", "CallPopLDAP", "CallPopHTTP", "CallPopPlatform",
                .product(name: "Logging", package: "swift-log"),
            ]),
        // Where call events come from: the AMI and SIP clients, NDJSON files, FIFOs and stdin.
        .target(
            name: "CallPopSources",
            dependencies: ["CallPopCore", "CallPopAMI", "CallPopSIP", "CallPopCurl", "CallPopHTTP", "CallPopPlatform"]),

        // MARK: Services and commands

        // The long-running services: the agent, its runner (signals, reload), the desktop session.
        .target(
            name: "CallPopRuntime",
            dependencies: [
                "CallPopCore", "CallPopConfig", "CallPopLaunch", "CallPopPlatform", "CallPopSources", "CallPopDBus",
                "CallPopHTTP", "CallPopCallbacks", "CallPopLookup", "CallPopDirectories",
                .product(name: "Logging", package: "swift-log"),
            ]),
        // The set-up commands' logic: init's starter configuration, autostart, demo, check's report,
        // doctor (which probes the PBX with the real sources and the desktop over D-Bus).
        .target(
            name: "CallPopSetup",
            dependencies: [
                "CallPopCore", "CallPopConfig", "CallPopLaunch", "CallPopPlatform", "CallPopAMI", "CallPopSIP", "CallPopSources",
                "CallPopDBus", "CallPopHTTP", "CallPopLookup",
            ]),
        .executableTarget(
            name: "callpop",
            dependencies: [
                "CallPopRuntime", "CallPopSetup", "CallPopSources", "CallPopDBus", "CallPopCore", "CallPopConfig", "CallPopPlatform",
                "CallPopDirectories",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // Measures the costs we promise to keep small (not part of the product).
        .executableTarget(
            name: "callpop-bench", dependencies: ["CallPopCore", "CallPopConfig", "CallPopLaunch", "CallPopAMI"],
            path: "Benchmarks/callpop-bench"),

        // MARK: Tests, mirroring the targets

        // Shared by the test targets: fixture paths, a seeded generator, fake servers, child processes.
        .target(
            name: "CallPopTestSupport", dependencies: ["CallPopCore", "CallPopHashing", "CallPopAMI", "CallPopSIP"],
            path: "Tests/Support"),

        .testTarget(name: "CallPopCoreTests", dependencies: ["CallPopCore", "CallPopTestSupport"]),
        .testTarget(name: "CallPopHashingTests", dependencies: ["CallPopHashing"]),
        .testTarget(name: "CallPopAMITests", dependencies: ["CallPopAMI", "CallPopHashing", "CallPopTestSupport"]),
        .testTarget(name: "CallPopXMLTests", dependencies: ["CallPopXML", "CallPopTestSupport"]),
        .testTarget(name: "CallPopSIPTests", dependencies: ["CallPopSIP", "CallPopXML", "CallPopHashing", "CallPopTestSupport"]),
        .testTarget(name: "CallPopLookupTests", dependencies: ["CallPopLookup", "CallPopCore", "CallPopTestSupport"]),
        .testTarget(name: "CallPopConfigTests", dependencies: ["CallPopConfig", "CallPopPlatform", "CallPopTestSupport"]),
        .testTarget(name: "CallPopPlatformTests", dependencies: ["CallPopPlatform", "CallPopTestSupport"]),
        .testTarget(name: "CallPopCurlTests", dependencies: ["CallPopCurl", "CallPopTestSupport"]),
        .testTarget(name: "CallPopLaunchTests", dependencies: ["CallPopLaunch", "CallPopPlatform", "CallPopTestSupport"]),
        .testTarget(name: "CallPopDBusTests", dependencies: ["CallPopDBus", "CallPopTestSupport"]),
        .testTarget(
            name: "CallPopDirectoriesTests",
            dependencies: [
                "CallPopDirectories", "CallPopLookup", "CallPopCore", "CallPopHTTP", "CallPopTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(name: "CallPopLDAPTests", dependencies: ["CallPopLDAP", "CallPopLookup", "CallPopCore", "CallPopTestSupport"]),
        .testTarget(
            name: "CallPopSourcesTests",
            dependencies: ["CallPopSources", "CallPopAMI", "CallPopSIP", "CallPopHTTP", "CallPopTestSupport"]),
        .testTarget(
            name: "CallPopRuntimeTests",
            dependencies: [
                "CallPopRuntime", "CallPopConfig", "CallPopSources", "CallPopHTTP", "CallPopLookup", "CallPopTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(name: "CallPopSetupTests", dependencies: ["CallPopSetup", "CallPopConfig", "CallPopTestSupport"]),
        .testTarget(name: "CallPopIntegrationTests", dependencies: ["CallPopTestSupport"]),

        // MARK: HTTP (issue #11)

        // The HTTP client: libcurl's multi interface on one dedicated thread, driven by the poll loop.
        .target(name: "CallPopHTTP", dependencies: ["CallPopCore", "CallPopCurl", "CallPopPlatform"]),
        .testTarget(name: "CallPopHTTPTests", dependencies: ["CallPopHTTP", "CallPopCore", "CallPopPlatform", "CallPopTestSupport"]),
        // Callback delivery: per-rule queues, retries with backoff, the spool on disk.
        .target(name: "CallPopCallbacks", dependencies: ["CallPopCore", "CallPopHTTP", "CallPopPlatform"]),
        .testTarget(
            name: "CallPopCallbacksTests",
            dependencies: ["CallPopCallbacks", "CallPopCore", "CallPopHTTP", "CallPopPlatform", "CallPopTestSupport"]),

        // MARK: Fuzzing (Fuzz/README.md)

        // The libFuzzer targets: `make fuzz` builds this with -sanitize=fuzzer,address in
        // .build-fuzz; an ordinary build gives a replayer of inputs (`callpop-fuzz TARGET FILE...`).
        .executableTarget(
            name: "callpop-fuzz", dependencies: ["CallPopCore", "CallPopAMI", "CallPopSIP", "CallPopConfig", "CallPopLookup", "CallPopXML"],
            path: "Fuzz/callpop-fuzz"),
    ]
)

// Strict settings for every target of ours, as swift-log does.
for target in package.targets where target.type != .system && target.name != "CPlatform" {
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("InternalImportsByDefault"),
    ]
    // A member of a module imported only by a dependency (Foundation through TOMLKit) must
    // not be picked silently: one such call once linked all of Foundation and ICU (+44 MB).
    if target.type != .test {
        target.swiftSettings! += [.enableUpcomingFeature("MemberImportVisibility")]
    }
}
